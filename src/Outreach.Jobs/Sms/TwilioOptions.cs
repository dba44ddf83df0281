namespace Outreach.Jobs.Sms;

public sealed class TwilioOptions
{
    public const string Section = "Twilio";

    public string AccountSid { get; set; } = "";

    public string AuthToken { get; set; } = "";

    /// <summary>Preferred sender: a Messaging Service handles number pools and opt-outs.</summary>
    public string MessagingServiceSid { get; set; } = "";

    /// <summary>Used when no Messaging Service SID is set.</summary>
    public string FromNumber { get; set; } = "";

    /// <summary>
    /// Where Twilio reports delivery (POST /twilio/status on the site's public address). Empty: taken from
    /// Site:PublicBaseUrl; with neither, Twilio sends no delivery reports unless the Messaging Service has its own.
    /// </summary>
    public Uri? StatusCallbackUrl { get; set; }

    /// <summary>Where Twilio's REST API lives; only changed to point at a test server.</summary>
    public Uri? ApiBaseUrl { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(AccountSid) && !string.IsNullOrWhiteSpace(AuthToken)
        && (!string.IsNullOrWhiteSpace(MessagingServiceSid) || !string.IsNullOrWhiteSpace(FromNumber));
}
