using Microsoft.Extensions.Logging;
using Outreach.Data.Messages;

namespace Outreach.Jobs.Sms;

/// <summary>
/// Sends the outbox's due messages. Each row is claimed (pending to sending) in the database before
/// its request leaves, so a retried or concurrent run never sends a row twice.
/// </summary>
public sealed class SendOutboxJob(OutboxData outbox, ISmsGateway gateway, TimeProvider clock, ILogger<SendOutboxJob> logger)
{
    private const int BatchSize = 50;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var batch = await outbox.ClaimDueAsync(BatchSize, cancellationToken);
            if (batch.Count == 0)
            {
                return;
            }
            foreach (var sms in batch)
            {
                await SendOneAsync(sms, cancellationToken);
            }
        }
    }

    private async Task SendOneAsync(ClaimedSms sms, CancellationToken cancellationToken)
    {
        string providerSid;
        try
        {
            providerSid = await gateway.SendAsync(sms.ToE164, sms.Body, CancellationToken.None);
        }
        catch (SmsSendException e) when (e.Permanent)
        {
            logger.LogWarning("Outbox message {OutboxId} refused permanently (provider code {Code})", sms.Id, e.ProviderCode);
            await outbox.MarkFailedAsync(sms.Id, e.Message, cancellationToken);
            return;
        }
        catch (SmsSendException e)
        {
            // Back off 1, 2, 4 ... minutes, at most an hour; the expiry voids it if it never gets through.
            var delay = TimeSpan.FromMinutes(Math.Min(60, Math.Pow(2, sms.Attempts - 1)));
            logger.LogWarning("Outbox message {OutboxId} failed (provider code {Code}); retrying in {Delay}", sms.Id, e.ProviderCode, delay);
            await outbox.MarkForRetryAsync(sms.Id, e.Message, clock.GetUtcNow().UtcDateTime + delay, cancellationToken);
            return;
        }
        await outbox.MarkSentAsync(sms.Id, providerSid, cancellationToken);
        logger.LogInformation("Outbox message {OutboxId} sent as {ProviderSid}", sms.Id, providerSid);
    }
}
