using Hangfire.States;
using Microsoft.Extensions.Options;
using Outreach.Data;
using Outreach.Jobs;
using Outreach.Jobs.Messages;
using Outreach.Jobs.Reminders;
using Outreach.Jobs.Sms;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Jobs;

/// <summary>The one dispatcher every door calls after a change: each follow-up becomes its job, and a refusal none.</summary>
public sealed class FollowUpJobsTests
{
    [Fact]
    public void A_booking_schedules_its_reminders_and_asks_for_confirmation_at_once()
    {
        var (jobs, followUps) = Dispatcher();
        var start = DateTime.UtcNow.AddDays(3);

        followUps.Enqueue(Outcome<long>.Ok(42, FollowUps.Booked([new ReminderDue(42, start)])));

        Assert.Equal(2, jobs.Created.Count(j => j.Job.Type == typeof(ReminderJob) && j.State is ScheduledState));
        Assert.Single(jobs.Created, j => j.Job.Type == typeof(ConfirmationJob) && j.State is EnqueuedState);
        Assert.DoesNotContain(jobs.Created, j => j.Job.Type == typeof(SessionNoticeJob) || j.Job.Type == typeof(CoverOfferJob));
    }

    [Fact]
    public void A_cancelled_or_moved_session_sends_its_notices_and_cover_offers_and_a_record_its_queued_texts()
    {
        var (jobs, followUps) = Dispatcher();

        followUps.Enqueue(Outcome<IReadOnlyList<long>>.Ok([7], FollowUps.SessionsChanged([])));
        followUps.Enqueue(Outcome<bool>.Ok(true, FollowUps.TextsQueued));

        Assert.Equal(
            new[] { typeof(SessionNoticeJob), typeof(CoverOfferJob), typeof(SendOutboxJob) },
            jobs.Created.Select(j => j.Job.Type).ToArray());
    }

    [Fact]
    public void A_refused_change_enqueues_nothing()
    {
        var (jobs, followUps) = Dispatcher();

        followUps.Enqueue(new Outcome<long>(0, [new FieldError("End", "The end must be after the start.")])
        {
            FollowUps = FollowUps.Booked([new ReminderDue(1, DateTime.UtcNow.AddDays(1))]),
        });

        Assert.Empty(jobs.Created);
    }

    private static (RecordingJobClient Jobs, FollowUpJobs FollowUps) Dispatcher()
    {
        var jobs = new RecordingJobClient();
        var reminders = new ReminderScheduler(jobs, Options.Create(new ReminderOptions()), TimeProvider.System);
        return (jobs, new FollowUpJobs(jobs, reminders));
    }
}
