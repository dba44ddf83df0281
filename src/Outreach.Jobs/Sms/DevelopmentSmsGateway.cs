using Outreach.Data.Messages;

namespace Outreach.Jobs.Sms;

/// <summary>
/// Used when no Twilio credentials are configured: keeps each message in the database, where the
/// site's Messages page shows what the phone would have received.
/// </summary>
public sealed class DevelopmentSmsGateway(OutboxData outbox) : ISmsGateway
{
    public Task<string> SendAsync(string toE164, string body, CancellationToken cancellationToken) =>
        outbox.StoreDevelopmentMessageAsync(toE164, "Outreach (development gateway)", body, cancellationToken);

    public Task<IReadOnlyList<string>> FindSentAsync(string toE164, string body, DateTime sinceUtc, CancellationToken cancellationToken) =>
        outbox.FindDevelopmentMessagesAsync(toE164, body, sinceUtc, cancellationToken);
}
