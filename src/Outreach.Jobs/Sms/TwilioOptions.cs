using System.ComponentModel.DataAnnotations;

namespace Outreach.Jobs.Sms;

/// <summary>The Twilio section: credentials and sender; without them texts go to the development gateway.</summary>

public sealed class TwilioOptions
{
    public const string Section = "Twilio";

    public string AccountSid { get; set; } = "";

    public string AuthToken { get; set; } = "";

    /// <summary>Preferred sender: a Messaging Service handles number pools and opt-outs.</summary>
    public string MessagingServiceSid { get; set; } = "";

    /// <summary>Used when no Messaging Service SID is set.</summary>
    [RegularExpression(@"^(\+[1-9][0-9]{6,14})?$", ErrorMessage = "Twilio:FromNumber must be a number in E.164 form like +447700900123, or empty.")]
    public string FromNumber { get; set; } = "";

    /// <summary>
    /// Where Twilio reports delivery. Empty: POST /twilio/status at Site:PublicBaseUrl.
    /// </summary>
    public Uri? StatusCallbackUrl { get; set; }

    /// <summary>Where Twilio's REST API lives; only changed to point at a test server.</summary>
    public Uri? ApiBaseUrl { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(AccountSid) && !string.IsNullOrWhiteSpace(AuthToken)
        && (!string.IsNullOrWhiteSpace(MessagingServiceSid) || !string.IsNullOrWhiteSpace(FromNumber));
}
