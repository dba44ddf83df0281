using System.Globalization;
using Hangfire;
using Microsoft.Extensions.Options;
using Outreach.Data;
using Outreach.Data.Messages;
using Outreach.Jobs.Sms;

namespace Outreach.Jobs.Messages;

/// <summary>
/// Each worker's sessions for the coming UK week (Monday to Sunday), at most three SMS segments (else a summary
/// with a link to their sessions). Keyed by worker and week, so a second run the same evening sends nothing.
/// </summary>
public sealed class WeeklyRosterJob(RosterData rosters, OutboxData outbox, IBackgroundJobClient jobs, IOptions<SiteOptions> site, TimeProvider clock)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(UkTime.ToLocal(now));
        var monday = ComingMonday(today);
        var fromUtc = UkTime.StartOfDay(monday);
        var toUtc = UkTime.StartOfDay(monday.AddDays(7));
        var link = site.Value.Link("/Records");
        var queued = 0;
        foreach (var worker in (await rosters.WeekAsync(fromUtc, toUtc, cancellationToken)).GroupBy(r => r.WorkerId))
        {
            var rows = worker.ToList();
            var body = SmsText.Roster(monday, rows.Select(r => new RosterItem(r.Title, r.VenueName, r.StartsAt, r.EndsAt)).ToList(), link);
            var key = $"roster:{monday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}:worker:{worker.Key}";
            if (await outbox.AddAsync(new OutgoingSms(key, "roster", worker.Key, null, rows[0].MobileE164, body, now, fromUtc.AddDays(1)),
                    cancellationToken) is not null)
            {
                queued++;
            }
        }
        if (queued > 0)
        {
            jobs.Enqueue<SendOutboxJob>(job => job.RunAsync(CancellationToken.None));
        }
    }

    /// <summary>The Monday after <paramref name="today"/> (a week on, if today is a Monday).</summary>
    public static DateOnly ComingMonday(DateOnly today)
    {
        var days = ((int)DayOfWeek.Monday - (int)today.DayOfWeek + 7) % 7;
        return today.AddDays(days == 0 ? 7 : days);
    }
}
