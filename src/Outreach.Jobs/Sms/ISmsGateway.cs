namespace Outreach.Jobs.Sms;

/// <summary>The one boundary between Outreach and whatever delivers text messages.</summary>
public interface ISmsGateway
{
    /// <returns>The provider's id for the message (Twilio's message SID).</returns>
    /// <exception cref="SmsSendException">The provider refused or failed; <see cref="SmsSendException.Permanent"/> says whether a retry can help.</exception>
    Task<string> SendAsync(string toE164, string body, CancellationToken cancellationToken);
}

public sealed class SmsSendException(string message, bool permanent, int? providerCode, Exception? inner = null)
    : Exception(message, inner)
{
    public bool Permanent { get; } = permanent;

    public int? ProviderCode { get; } = providerCode;
}
