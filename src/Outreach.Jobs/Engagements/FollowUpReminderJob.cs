using System.Globalization;
using Hangfire;
using Microsoft.Extensions.Options;
using Outreach.Data;
using Outreach.Data.Alerts;
using Outreach.Data.Engagements;
using Outreach.Data.Messages;
using Outreach.Data.Records;
using Outreach.Jobs.Records;
using Outreach.Jobs.Sms;

namespace Outreach.Jobs.Engagements;

/// <summary>
/// Reminds the engagement's worker by text when a follow-up (4 weeks, 12 weeks, 6 months) comes due, once per
/// follow-up (the outbox key), from 09:00 UK time on the day. A follow-up nobody can be texted about is an alert.
/// </summary>
public sealed class FollowUpReminderJob(
    EngagementData engagements, OutboxData outbox, AlertData alerts, IBackgroundJobClient jobs, IOptions<SiteOptions> site,
    TimeProvider clock)
{
    // A follow-up that came due while the job was not running for a while still gets its reminder.
    private const int LookBackDays = 14;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(UkTime.ToLocal(now));
        var queued = 0;
        foreach (var due in await engagements.RemindersDueAsync(today.AddDays(-LookBackDays), today, cancellationToken))
        {
            var key = $"follow-up-due:engagement:{due.EngagementId}:{due.Stage}";
            if (due.WorkerId is { } workerId && due.MobileE164 is { } mobile)
            {
                var morning = UkTime.TryToUtc(due.DueOn.Date.AddHours(9), out var nine) ? nine : now;
                var id = await outbox.AddAsync(new OutgoingSms(
                    key, "follow-up-due", workerId, null, mobile, Compose(due, site.Value),
                    RecordChaserJob.DaytimeFrom(morning > now ? morning : now), null), cancellationToken);
                queued += id is null ? 0 : 1;
            }
            else
            {
                await alerts.RaiseAsync(new NewAlert(key, "follow_up_due",
                    $"The {EngagementVocabulary.StageLabel(due.Stage)} follow-up for {due.Reference} is due and no worker can be texted about it."),
                    cancellationToken);
            }
        }
        if (queued > 0)
        {
            jobs.Enqueue<SendOutboxJob>(job => job.RunAsync(CancellationToken.None));
        }
    }

    public static string Compose(FollowUpReminder due, SiteOptions site) =>
        $"Outreach: the {EngagementVocabulary.StageLabel(due.Stage)} follow-up for {due.Reference} is due " +
        due.DueOn.ToString("ddd d MMM", CultureInfo.GetCultureInfo("en-GB")) + ". Record the outcome: " +
        site.Link("/Engagements/Details/" + due.EngagementId.ToString(CultureInfo.InvariantCulture));
}
