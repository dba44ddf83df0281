using System.Globalization;
using Hangfire;
using Microsoft.Extensions.Options;
using Outreach.Data;
using Outreach.Data.Alerts;
using Outreach.Data.Messages;
using Outreach.Data.Records;
using Outreach.Data.Sessions;
using Outreach.Jobs.Sms;

namespace Outreach.Jobs.Records;

/// <summary>
/// Chases missing session records: 24 hours after a session ends with no record, a text to the lead worker
/// with a link to the record page; at 72 hours, an alert for the coordinators. The outbox and alert keys make
/// each happen once per session however often the job runs.
/// </summary>
public sealed class RecordChaserJob(
    RecordData records, OutboxData outbox, AlertData alerts, IBackgroundJobClient jobs, IOptions<SiteOptions> site, TimeProvider clock)
{
    public static readonly TimeSpan ChaseAfter = TimeSpan.FromHours(24);
    public static readonly TimeSpan EscalateAfter = TimeSpan.FromHours(72);

    // Older sessions are the coordinators' to sort out by hand; a new deployment must not text about last year.
    private static readonly TimeSpan LookBack = TimeSpan.FromDays(14);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var queued = 0;
        foreach (var session in await records.UnrecordedAsync(now - LookBack, now - ChaseAfter, cancellationToken))
        {
            if (session.WorkerId is { } workerId && session.MobileE164 is { } mobile && !session.SmsOptedOut)
            {
                var id = await outbox.AddAsync(new OutgoingSms(
                    $"record-chase:session:{session.SessionId}", "record-chase", workerId, session.SessionId, mobile,
                    Compose(session, site.Value), DaytimeFrom(now), ExpiresAtUtc: session.EndsAt + LookBack), cancellationToken);
                queued += id is null ? 0 : 1;
            }
            else
            {
                // Nobody can be texted: the coordinators hear at once instead of two days later.
                await alerts.RaiseAsync(new NewAlert(
                    $"record-overdue:session:{session.SessionId}", "record_overdue",
                    $"No record for {Describe(session)}, and no worker on it can be texted.", session.SessionId, session.WorkerId), cancellationToken);
            }
        }
        foreach (var session in await records.UnrecordedAsync(now - LookBack, now - EscalateAfter, cancellationToken))
        {
            await alerts.RaiseAsync(new NewAlert(
                $"record-overdue:session:{session.SessionId}", "record_overdue",
                $"No record 3 days after {Describe(session)}.", session.SessionId, session.WorkerId), cancellationToken);
        }
        if (queued > 0)
        {
            jobs.Enqueue<SendOutboxJob>(job => job.RunAsync(CancellationToken.None));
        }
    }

    private static string Describe(UnrecordedSession s) =>
        $"{(string.IsNullOrWhiteSpace(s.Title) ? SessionKinds.Label(s.Kind) : s.Title.Trim())} at {s.VenueName}, {UkTime.Format(s.StartsAt, "ddd d MMM HH:mm")}";

    public static string Compose(UnrecordedSession s, SiteOptions site) =>
        $"Outreach: please record {Describe(s)}. It takes a minute: " +
        site.Link("/Records/Edit?sessionId=" + s.SessionId.ToString(CultureInfo.InvariantCulture));

    /// <summary>Now, or 08:00 UK time when now is between 21:00 and 08:00: nobody is texted about paperwork at night.</summary>
    public static DateTime DaytimeFrom(DateTime utc)
    {
        var local = UkTime.ToLocal(utc);
        if (local.Hour is >= 8 and < 21)
        {
            return utc;
        }
        var morning = (local.Hour >= 21 ? local.Date.AddDays(1) : local.Date).AddHours(8);
        return UkTime.TryToUtc(morning, out var at) ? at : utc;
    }
}
