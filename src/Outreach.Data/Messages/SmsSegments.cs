namespace Outreach.Data.Messages;

/// <summary>
/// How many SMS parts a text is billed as: 160 characters in the GSM 7-bit alphabet (153 per part when split),
/// or 70 (67 per part) when any character needs Unicode. GSM's extension characters count twice.
/// </summary>
public static class SmsSegments
{
    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    private const string Extension = "^{}\\[~]|€\f";

    public static int Count(string body)
    {
        if (body.Length == 0)
        {
            return 0;
        }
        var septets = 0;
        foreach (var c in body)
        {
            if (Basic.Contains(c, StringComparison.Ordinal))
            {
                septets++;
            }
            else if (Extension.Contains(c, StringComparison.Ordinal))
            {
                septets += 2;
            }
            else
            {
                // UTF-16 code units: an emoji is two, as it is on the network.
                return body.Length <= 70 ? 1 : (body.Length + 66) / 67;
            }
        }
        return septets <= 160 ? 1 : (septets + 152) / 153;
    }
}
