using Hangfire;
using Outreach.Data.Messages;
using Outreach.Jobs.Sms;

namespace Outreach.Jobs.Messages;

/// <summary>Tells every worker booked on a session, at once, that its time or venue changed or that it is cancelled.</summary>
public sealed class SessionNoticeJob(NoticeData notices, OutboxData outbox, IBackgroundJobClient jobs, TimeProvider clock)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var (ids, messages) = await notices.UnsentAsync(now, cancellationToken);
        var queued = 0;
        // A worker on several sessions changed together (a series) gets one text listing them.
        foreach (var group in messages.GroupBy(m => (m.WorkerId, m.Kind)))
        {
            var items = group.OrderBy(m => m.StartsAt).ToList();
            var first = items[0];
            var cancelled = first.Kind == "cancelled";
            var body = items.Count > 1
                ? SmsText.GroupedNotice(cancelled, items.Select(m => new RosterItem(m.Title, m.VenueName, m.StartsAt, m.EndsAt)).ToList(),
                    items.Select(m => m.CancelReason).Distinct().Count() == 1 ? first.CancelReason : null)
                : cancelled
                    ? SmsText.CancelNotice(first.Title, first.VenueName, first.StartsAt, first.EndsAt, first.CancelReason ?? "cancelled")
                    : SmsText.ChangeNotice(first.Title, first.VenueName, first.StartsAt, first.EndsAt);
            // One key for the group, made of its notices, so a rerun over the same unsent notices adds nothing.
            var key = items.Count > 1
                ? $"notice:{string.Join('+', items.Select(m => m.NoticeId).Distinct().Order().Take(20))}:worker:{first.WorkerId}"
                : first.DedupeKey;
            if (await outbox.AddAsync(new OutgoingSms(key, cancelled ? "cancellation" : "change", first.WorkerId,
                    items.Count > 1 ? null : first.SessionId, first.MobileE164, body, now, items[^1].StartsAt, Urgent: true), cancellationToken) is not null)
            {
                queued++;
            }
        }
        // Only after every message is a row: a crash before this line means a rerun, which adds nothing twice.
        if (ids.Count > 0)
        {
            await notices.MarkSentAsync(ids, now, cancellationToken);
        }
        if (queued > 0)
        {
            jobs.Enqueue<SendOutboxJob>(job => job.RunAsync(CancellationToken.None));
        }
    }
}
