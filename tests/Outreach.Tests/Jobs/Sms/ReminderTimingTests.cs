using Hangfire.States;
using Outreach.Jobs.Reminders;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Jobs.Sms;

[Collection("Database")]
public sealed class ReminderTimingTests(DatabaseFixture db)
{
    // Hangfire keeps schedules to the second and may start one up to a second early; a reminder run before
    // its moment queues nothing and would wait for the five-minute sweep.
    [Fact]
    public async Task A_reminder_is_scheduled_no_earlier_than_its_due_moment_at_whole_seconds()
    {
        var now = new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, now);
        var startsAt = now.UtcDateTime.AddHours(30).AddMilliseconds(846);

        harness.Get<ReminderScheduler>().ScheduleFor(41, startsAt);

        var scheduled = harness.Jobs.Created.Select(c => c.State).OfType<ScheduledState>().Select(s => s.EnqueueAt).Order().ToList();
        Assert.Equal([startsAt.AddMinutes(-1440).AddMilliseconds(154), startsAt.AddMinutes(-120).AddMilliseconds(154)], scheduled);
    }
}
