using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outreach.Data.Messages;

namespace Outreach.Jobs.Sms;

/// <summary>
/// Sends the outbox's due messages. Each row is claimed (pending to sending) in the database before
/// its request leaves, so a retried or concurrent run never sends a row twice; a row whose request got
/// no answer is looked up at the gateway before it is ever sent again.
/// </summary>
public sealed class SendOutboxJob(
    OutboxData outbox, ISmsGateway gateway, IOptions<SmsOptions> options, TimeProvider clock, ILogger<SendOutboxJob> logger)
{
    private const int MaxBatch = 50;

    private static readonly TimeSpan SlotTolerance = TimeSpan.FromMilliseconds(50);

    // Twilio's date sent and our clock are different clocks; look a little before our first request.
    private static readonly TimeSpan LookupMargin = TimeSpan.FromMinutes(5);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var policy = settings.Policy;
        // Under a rate limit a claimed batch should go out well inside the lease, even with several workers.
        var batchSize = settings.MessagesPerSecond > 0
            ? (int)Math.Clamp(settings.MessagesPerSecond * 5, 1, MaxBatch)
            : MaxBatch;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken };
        while (true)
        {
            var batch = await outbox.ClaimDueAsync(batchSize, policy, settings.SendingLease, cancellationToken);
            if (batch.Examined == 0)
            {
                return;
            }
            if (batch.Held > 0)
            {
                logger.LogInformation("{Held} outbox messages held for quiet hours or the daily cap", batch.Held);
            }
            await Parallel.ForEachAsync(batch.Claimed, parallel, async (sms, token) => await SendOneAsync(sms, settings, token));
        }
    }

    private async Task SendOneAsync(ClaimedSms sms, SmsOptions settings, CancellationToken cancellationToken)
    {
        if (sms.NeedsLookup && !await ReconcileAsync(sms, cancellationToken))
        {
            return;
        }
        // Stamped before the wait for a send slot, so nothing but the wait stands between slot and request.
        if (!await outbox.BeginAttemptAsync(sms.Id, sms.Attempts, cancellationToken))
        {
            logger.LogInformation("Outbox message {OutboxId} not sent: taken over or its worker opted out", sms.Id);
            return;
        }
        if (settings.MessagesPerSecond > 0)
        {
            await WaitForSendSlotAsync(settings.MessagesPerSecond, cancellationToken);
        }

        string providerSid;
        try
        {
            providerSid = await gateway.SendAsync(sms.ToE164, sms.Body, CancellationToken.None);
        }
        catch (SmsSendException e) when (e.Permanent)
        {
            logger.LogWarning("Outbox message {OutboxId} refused permanently (provider code {Code})", sms.Id, e.ProviderCode);
            await outbox.MarkFailedAsync(sms.Id, sms.Attempts, e.Message, e.Failure == SmsFailure.NumberRefused, e.ProviderCode, cancellationToken);
            return;
        }
        catch (SmsSendException e)
        {
            var delay = BackOff(sms.Attempts);
            var unknown = e.Failure == SmsFailure.OutcomeUnknown;
            logger.LogWarning("Outbox message {OutboxId} failed (provider code {Code}, outcome unknown {Unknown}); next attempt in {Delay}",
                sms.Id, e.ProviderCode, unknown, delay);
            await outbox.MarkForRetryAsync(sms.Id, sms.Attempts, e.Message, clock.GetUtcNow().UtcDateTime + delay, unknown, cancellationToken);
            return;
        }
        if (await outbox.MarkSentAsync(sms.Id, sms.Attempts, providerSid, cancellationToken))
        {
            logger.LogInformation("Outbox message {OutboxId} sent as {ProviderSid}", sms.Id, providerSid);
        }
        else
        {
            // Taken over as abandoned while the request was out; the taker's lookup will find this SID.
            logger.LogWarning("Outbox message {OutboxId} sent as {ProviderSid} after its claim had lapsed", sms.Id, providerSid);
        }
    }

    /// <returns>True when the message must still be sent; false when it was found sent, or is done with.</returns>
    private async Task<bool> ReconcileAsync(ClaimedSms sms, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var since = (sms.FirstRequestAtUtc ?? now) - LookupMargin;
        IReadOnlyList<string> found;
        try
        {
            found = await gateway.FindSentAsync(sms.ToE164, sms.Body, since, CancellationToken.None);
        }
        catch (SmsSendException e)
        {
            var delay = BackOff(sms.Attempts);
            logger.LogWarning("Outbox message {OutboxId}: the gateway's message list could not be read (provider code {Code}); next look in {Delay}",
                sms.Id, e.ProviderCode, delay);
            await outbox.MarkForRetryAsync(sms.Id, sms.Attempts, e.Message, now + delay, outcomeUnknown: true, cancellationToken);
            return false;
        }

        // Two rows with the same text to the same number must not both claim one message.
        if (await outbox.FirstUnrecordedSidAsync(found, cancellationToken) is { } sid)
        {
            if (await outbox.MarkSentAsync(sms.Id, sms.Attempts, sid, cancellationToken))
            {
                logger.LogInformation("Outbox message {OutboxId} found at the gateway as {ProviderSid}: not sent again", sms.Id, sid);
            }
            return false;
        }
        if (sms.ExpiresAt is { } expires && expires <= now)
        {
            await outbox.MarkVoidAsync(sms.Id, sms.Attempts, "not found at the gateway and expired before it could be sent again", cancellationToken);
            return false;
        }
        logger.LogInformation("Outbox message {OutboxId} not found at the gateway: sending again", sms.Id);
        return true;
    }

    // The slot comes from the database (shared by every worker) and is measured on its clock, so the
    // wait is real time: the injected clock is for deciding what is due, not for pacing requests.
    // A request starts no earlier than its slot and at most SlotTolerance after it; a sender that wakes
    // later than that gives its slot up and takes a new one, so late senders never bunch up with punctual
    // ones. Slots are (1 + tolerance) / rate apart, which keeps any one-second window at the rate or below.
    private async Task WaitForSendSlotAsync(double messagesPerSecond, CancellationToken cancellationToken)
    {
        var spacing = TimeSpan.FromTicks((long)Math.Ceiling((TimeSpan.TicksPerSecond + SlotTolerance.Ticks) / messagesPerSecond));
        for (var tries = 1; ; tries++)
        {
            // The database read its clock after this moment, so measuring from here overstates any lateness.
            var asked = Stopwatch.GetTimestamp();
            var (slot, now) = await outbox.TakeSendSlotAsync(spacing, nowUtc: null, cancellationToken);
            var wait = slot > now ? slot - now : TimeSpan.Zero;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, TimeProvider.System, cancellationToken);
            }
            if (Stopwatch.GetElapsedTime(asked) - wait <= SlotTolerance)
            {
                return;
            }
            if (tries % 10 == 0)
            {
                logger.LogWarning("Missed {Tries} send slots in a row: the database or this machine is slow", tries);
            }
        }
    }

    // 1, 2, 4 ... minutes, at most an hour; the expiry voids a message that never gets through.
    private static TimeSpan BackOff(int attempts) => TimeSpan.FromMinutes(Math.Min(60, Math.Pow(2, Math.Max(0, attempts - 1))));
}
