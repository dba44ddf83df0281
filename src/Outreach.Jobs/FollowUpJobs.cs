using Hangfire;
using Outreach.Data;
using Outreach.Jobs.Messages;
using Outreach.Jobs.Reminders;
using Outreach.Jobs.Sms;

namespace Outreach.Jobs;

/// <summary>
/// The one place that turns a change's <see cref="FollowUps"/> into jobs. Every door (pages, the API) calls
/// this after a change succeeds, so none of them knows which job sends what.
/// </summary>
public sealed class FollowUpJobs(IBackgroundJobClient jobs, ReminderScheduler reminders)
{
    public void Enqueue<T>(Outcome<T> outcome)
    {
        if (outcome.Succeeded)
        {
            Enqueue(outcome.FollowUps);
        }
    }

    public void Enqueue(FollowUps followUps)
    {
        foreach (var due in followUps.Reminders)
        {
            reminders.ScheduleFor(due.AssignmentId, due.SessionStartsAtUtc);
        }
        if (followUps.ConfirmationRequests)
        {
            jobs.Enqueue<ConfirmationJob>(job => job.RunAsync(CancellationToken.None));
        }
        if (followUps.SessionNotices)
        {
            jobs.Enqueue<SessionNoticeJob>(job => job.RunAsync(CancellationToken.None));
        }
        if (followUps.CoverOffers)
        {
            jobs.Enqueue<CoverOfferJob>(job => job.RunAsync(CancellationToken.None));
        }
        if (followUps.QueuedTexts)
        {
            jobs.Enqueue<SendOutboxJob>(job => job.RunAsync(CancellationToken.None));
        }
    }
}
