namespace Outreach.Jobs.Sms;

/// <summary>The one boundary between Outreach and whatever delivers text messages.</summary>
public interface ISmsGateway
{
    /// <returns>The provider's id for the message (Twilio's message SID).</returns>
    /// <exception cref="SmsSendException">The provider refused or failed; <see cref="SmsSendException.Failure"/> says whether a retry can help and whether the message may have gone anyway.</exception>
    Task<string> SendAsync(string toE164, string body, CancellationToken cancellationToken);

    /// <summary>
    /// Messages the provider holds to <paramref name="toE164"/> with exactly this text, created at or
    /// after <paramref name="sinceUtc"/>, oldest first: what an earlier request with no answer may have sent.
    /// </summary>
    /// <exception cref="SmsSendException">The provider could not be asked.</exception>
    Task<IReadOnlyList<string>> FindSentAsync(string toE164, string body, DateTime sinceUtc, CancellationToken cancellationToken);
}

public enum SmsFailure
{
    /// <summary>Not sent, and trying again later can help (rate limited, provider busy, unreachable).</summary>
    Transient,

    /// <summary>Not sent, and sending this message again cannot succeed (e.g. the provider rejects its content).</summary>
    Rejected,

    /// <summary>Not sent, and nothing will reach this number (invalid, not a mobile, unsubscribed).</summary>
    NumberRefused,

    /// <summary>The request left but no answer came: the provider may or may not have the message.</summary>
    OutcomeUnknown,
}

public sealed class SmsSendException(string message, SmsFailure failure, int? providerCode, Exception? inner = null)
    : Exception(message, inner)
{
    public SmsFailure Failure { get; } = failure;

    public bool Permanent => Failure is SmsFailure.Rejected or SmsFailure.NumberRefused;

    public int? ProviderCode { get; } = providerCode;
}
