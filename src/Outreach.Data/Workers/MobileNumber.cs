using PhoneNumbers;

namespace Outreach.Data.Workers;

/// <summary>Validates a mobile number as typed by a coordinator and gives it back in E.164.</summary>
public static class MobileNumber
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <param name="input">What the user typed: "07400 123456", "+44 7400 123456", ...</param>
    /// <param name="e164">The number in E.164 ("+447400123456") when valid.</param>
    /// <param name="error">Why it was refused, in words for the user.</param>
    public static bool TryNormalise(string? input, out string e164, out string error)
    {
        e164 = "";
        error = "";
        if (string.IsNullOrWhiteSpace(input))
        {
            error = "Enter a mobile number.";
            return false;
        }

        PhoneNumber number;
        try
        {
            number = Util.Parse(input, "GB");
        }
        catch (NumberParseException)
        {
            error = "Enter a mobile number like 07400 123456.";
            return false;
        }

        if (IsDramaNumber(number))
        {
            e164 = Util.Format(number, PhoneNumberFormat.E164);
            return true;
        }
        if (!Util.IsValidNumber(number))
        {
            error = "That is not a valid phone number. Enter a mobile number like 07400 123456.";
            return false;
        }
        var type = Util.GetNumberType(number);
        if (type is not (PhoneNumberType.MOBILE or PhoneNumberType.FIXED_LINE_OR_MOBILE))
        {
            error = "That is not a mobile number: text messages need a mobile.";
            return false;
        }

        e164 = Util.Format(number, PhoneNumberFormat.E164);
        return true;
    }

    /// <summary>
    /// Ofcom keeps 07700 900000 to 07700 900999 for drama: never given to a subscriber, so a text to one reaches
    /// nobody. The demo's workers and training exercises use them. libphonenumber calls them invalid.
    /// </summary>
    private static bool IsDramaNumber(PhoneNumber number) =>
        number.CountryCode == 44 && number.NationalNumber is >= 7700900000 and <= 7700900999;

    /// <summary>For display: "07400 123456" for UK numbers, international format otherwise.</summary>
    public static string Display(string e164)
    {
        try
        {
            var number = Util.Parse(e164, "GB");
            return number.CountryCode == 44
                ? Util.Format(number, PhoneNumberFormat.NATIONAL)
                : Util.Format(number, PhoneNumberFormat.INTERNATIONAL);
        }
        catch (NumberParseException)
        {
            return e164;
        }
    }
}
