using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Outreach.Data.Messages;
using Outreach.Data.Workers;
using Outreach.Jobs.Sms;

namespace Outreach.Jobs.Messages;

/// <summary>
/// Moves cover offers along: picks each new offer's recipients, sends what is owed (offers, "filled" notices,
/// the unconfirmed worker's notice), closes offers that can no longer be taken, and escalates those nobody took
/// in time (dashboard alert and a text to the on-call coordinator). Every message is keyed, so a rerun adds nothing.
/// </summary>
public sealed class CoverOfferJob(
    CoverData cover, OutboxData outbox, IBackgroundJobClient jobs, IOptions<SmsOptions> options, TimeProvider clock,
    ILogger<CoverOfferJob> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        await cover.VoidStaleAsync(now, cancellationToken);
        var recipients = Math.Clamp(o.CoverOfferRecipients, 1, 50);
        foreach (var offer in await cover.NotYetOfferedAsync(cancellationToken))
        {
            var chosen = await cover.ChooseRecipientsAsync(offer, recipients, now, cancellationToken);
            logger.LogInformation("Cover offer {OfferId} goes to {Count} workers", offer.OfferId, chosen);
        }
        var replaced = await cover.ReplaceOptedOutRecipientsAsync(recipients, now, cancellationToken);
        if (replaced > 0)
        {
            logger.LogInformation("{Count} cover offer recipients who opted out before their offer went were replaced", replaced);
        }

        var queued = 0;
        foreach (var m in await cover.UnsentMessagesAsync(now, cancellationToken))
        {
            var (purpose, body) = m.Kind switch
            {
                "offer" => ("cover_offer", SmsText.CoverOffer(m.Title, m.VenueName, m.StartsAt, m.EndsAt, m.Code)),
                "filled" => ("cover_filled", SmsText.CoverFilledNotice(m.Title, m.StartsAt)),
                _ => ("cover_given_away", SmsText.PlaceGivenAway(m.Title, m.VenueName, m.StartsAt, m.EndsAt)),
            };
            if (await outbox.AddAsync(new OutgoingSms(m.DedupeKey, purpose, m.WorkerId, m.SessionId, m.MobileE164, body, now, m.StartsAt,
                    Urgent: m.Kind == "offer" || m.StartsAt - now <= SmsOptions.UrgentWithin), cancellationToken) is not null)
            {
                queued++;
            }
        }

        var escalated = await cover.EscalateDueAsync(now, TimeSpan.FromMinutes(o.CoverEscalateAfterMinutes),
            TimeSpan.FromMinutes(o.CoverEscalateBeforeStartMinutes), cancellationToken);
        string? onCall = MobileNumber.TryNormalise(o.OnCallCoordinatorMobile, out var e164, out _) ? e164 : null;
        foreach (var e in escalated)
        {
            logger.LogWarning("Cover offer {OfferId} for session {SessionId} escalated: nobody took it", e.OfferId, e.SessionId);
            if (onCall is not null && await outbox.AddAsync(new OutgoingSms($"cover-escalated:{e.OfferId}", "cover_escalation", null, e.SessionId,
                    onCall, SmsText.Escalation(e.Title, e.VenueName, e.StartsAt, e.EndsAt), now, e.StartsAt, Urgent: true), cancellationToken) is not null)
            {
                queued++;
            }
        }
        if (queued > 0)
        {
            jobs.Enqueue<SendOutboxJob>(job => job.RunAsync(CancellationToken.None));
        }
    }
}
