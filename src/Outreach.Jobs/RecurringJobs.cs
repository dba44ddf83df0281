using Hangfire;
using Outreach.Data;
using Outreach.Jobs.Reach;
using Outreach.Jobs.Reminders;
using Outreach.Jobs.Sms;

namespace Outreach.Jobs;

/// <summary>Every recurring job, with its stable id and schedule in UK time. Registered once at start-up.</summary>
public static class RecurringJobs
{
    public const string ReminderSweep = "reminders-sweep";
    public const string SendOutbox = "sms-send-outbox";
    public const string CompileReach = "reach-compile-nightly";
    public const string RetentionDaily = "retention-daily";
    public const string Confirmations = "sms-confirmations";
    public const string CoverOffers = "sms-cover-offers";
    public const string SessionNotices = "sms-session-notices";
    public const string WeeklyRoster = "sms-weekly-roster";
    public const string MonthlyReport = "monthly-report";
    public const string RecordChaser = "records-chase-missing";
    public const string FollowUpReminders = "engagements-follow-up-reminders";

    /// <param name="rosterCron">When the weekly roster goes (UK time); see <see cref="Outreach.Data.Messages.SmsOptions.RosterCron"/>.</param>
    public static void Register(IRecurringJobManager manager, string? rosterCron = null)
    {
        var uk = new RecurringJobOptions { TimeZone = UkTime.Zone };
        manager.AddOrUpdate<ReminderJob>(ReminderSweep, job => job.RunAsync(null, CancellationToken.None), "*/5 * * * *", uk);
        // Picks up retries whose back-off has passed; fresh messages are sent as soon as they are queued.
        manager.AddOrUpdate<SendOutboxJob>(SendOutbox, job => job.RunAsync(CancellationToken.None), "* * * * *", uk);
        manager.AddOrUpdate<CompileImpactJob>(CompileReach, job => job.RunAsync(null, CancellationToken.None), "30 2 * * *", uk);
        manager.AddOrUpdate<Reports.MonthlyReportJob>(MonthlyReport, job => job.RunAsync(null, CancellationToken.None), "0 7 1 * *", uk);
        manager.AddOrUpdate<Retention.RetentionJob>(RetentionDaily, job => job.RunAsync(CancellationToken.None), "15 3 * * *", uk);
        // Safety nets: pages and replies enqueue these at once; the sweeps also pass deadlines as time goes by.
        manager.AddOrUpdate<Messages.ConfirmationJob>(Confirmations, job => job.RunAsync(CancellationToken.None), "* * * * *", uk);
        manager.AddOrUpdate<Messages.CoverOfferJob>(CoverOffers, job => job.RunAsync(CancellationToken.None), "* * * * *", uk);
        manager.AddOrUpdate<Messages.SessionNoticeJob>(SessionNotices, job => job.RunAsync(CancellationToken.None), "* * * * *", uk);
        manager.AddOrUpdate<Messages.WeeklyRosterJob>(WeeklyRoster, job => job.RunAsync(CancellationToken.None),
            rosterCron ?? new Outreach.Data.Messages.SmsOptions().RosterCron(), uk);
        manager.AddOrUpdate<Records.RecordChaserJob>(RecordChaser, job => job.RunAsync(CancellationToken.None), "*/15 * * * *", uk);
        manager.AddOrUpdate<Engagements.FollowUpReminderJob>(FollowUpReminders, job => job.RunAsync(CancellationToken.None), "*/15 * * * *", uk);
    }
}
