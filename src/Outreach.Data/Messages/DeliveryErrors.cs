namespace Outreach.Data.Messages;

/// <summary>What Twilio's error codes mean to a coordinator, for the codes a text to a UK mobile usually meets.</summary>
public static class DeliveryErrors
{
    private static readonly Dictionary<string, string> Meanings = new(StringComparer.Ordinal)
    {
        ["30001"] = "Twilio's queue was full",
        ["30002"] = "the Twilio account was suspended",
        ["30003"] = "the phone was unreachable (switched off or out of signal)",
        ["30004"] = "the number is blocking messages",
        ["30005"] = "the number is unknown or no longer in use",
        ["30006"] = "the number is a landline or cannot receive texts",
        ["30007"] = "the mobile network filtered the message",
        ["30008"] = "an unknown error at the mobile network",
        ["21211"] = "the number is not a valid phone number",
        ["21408"] = "texts to this region are not enabled",
        ["21610"] = "the person has unsubscribed (replied STOP)",
        ["21614"] = "the number is not a mobile number",
    };

    // The number itself can never take a text; trying again will not help until the number changes.
    private static readonly HashSet<string> DeadNumber = new(StringComparer.Ordinal) { "30005", "30006", "21211", "21614" };

    public static string? Meaning(string? code) => code is not null && Meanings.TryGetValue(code, out var meaning) ? meaning : null;

    /// <summary>"30003: the phone was unreachable ..." or "Twilio error 12345" for codes without a plain-English meaning.</summary>
    public static string Describe(string? code) =>
        string.IsNullOrEmpty(code) ? "no error code" : Meaning(code) is { } meaning ? $"{code}: {meaning}" : $"Twilio error {code}";

    public static bool NumberIsDead(string? code) => code is not null && DeadNumber.Contains(code);
}
