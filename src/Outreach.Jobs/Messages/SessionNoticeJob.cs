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
        foreach (var m in messages)
        {
            var body = m.Kind == "cancelled"
                ? SmsText.CancelNotice(m.Title, m.VenueName, m.StartsAt, m.EndsAt, m.CancelReason ?? "cancelled")
                : SmsText.ChangeNotice(m.Title, m.VenueName, m.StartsAt, m.EndsAt);
            if (await outbox.AddAsync(new OutgoingSms(m.DedupeKey, m.Kind == "cancelled" ? "cancellation" : "change", m.WorkerId, m.SessionId,
                    m.MobileE164, body, now, m.StartsAt, Urgent: true), cancellationToken) is not null)
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
