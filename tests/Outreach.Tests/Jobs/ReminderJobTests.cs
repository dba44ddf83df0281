using Dapper;
using Outreach.Jobs.Reminders;
using Outreach.Jobs.Sms;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Jobs;

[Collection("Database")]
public sealed class ReminderJobTests(DatabaseFixture db)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Running_the_reminder_job_twice_queues_one_message_and_sends_one_request_to_Twilio()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var worker = await TestData.WorkerAsync(db.DataSource);
        var session = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddHours(20), TimeSpan.FromHours(1));
        var assignment = await TestData.AssignAsync(db.DataSource, session, worker);

        await harness.Get<ReminderJob>().RunAsync(assignment, CancellationToken.None);
        await harness.Get<ReminderJob>().RunAsync(assignment, CancellationToken.None);
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        var rows = await OutboxRowsAsync(session);
        var row = Assert.Single(rows);
        Assert.Equal("sent", row.Status);
        Assert.Equal($"reminder-1440m:assignment:{assignment}:v1", row.DedupeKey);
        var sent = Assert.Single(harness.Twilio.Sent);
        Assert.Equal(row.ProviderSid, sent.Sid);
        Assert.Equal(row.ToE164, sent.To);
        Assert.StartsWith("Outreach reminder: ", sent.Body, StringComparison.Ordinal);
        Assert.Equal("+447700900999", sent.From);
    }

    [Fact]
    public async Task A_reminder_waits_for_its_lead_time()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var worker = await TestData.WorkerAsync(db.DataSource);
        var session = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddHours(30), TimeSpan.FromHours(1));
        var assignment = await TestData.AssignAsync(db.DataSource, session, worker);

        await harness.Get<ReminderJob>().RunAsync(assignment, CancellationToken.None);
        Assert.Empty(await OutboxRowsAsync(session));

        harness.Clock.Advance(TimeSpan.FromHours(6));
        await harness.Get<ReminderJob>().RunAsync(assignment, CancellationToken.None);
        Assert.Single(await OutboxRowsAsync(session));

        harness.Clock.Advance(TimeSpan.FromHours(22.5));
        await harness.Get<ReminderJob>().RunAsync(assignment, CancellationToken.None);
        var keys = (await OutboxRowsAsync(session)).Select(r => r.DedupeKey).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([$"reminder-120m:assignment:{assignment}:v1", $"reminder-1440m:assignment:{assignment}:v1"], keys);
    }

    [Fact]
    public async Task No_reminder_for_a_cancelled_session_a_started_session_or_an_opted_out_worker()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var cancelled = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddHours(1), TimeSpan.FromHours(1), status: "cancelled");
        var started = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddMinutes(-5), TimeSpan.FromHours(1));
        var later = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddHours(1), TimeSpan.FromHours(1));
        var optedOut = await TestData.WorkerAsync(db.DataSource);
        await using (var c = await db.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("UPDATE outreach.youth_workers SET sms_opted_out = true WHERE id = @optedOut", new { optedOut });
        }

        var assignments = new[]
        {
            await TestData.AssignAsync(db.DataSource, cancelled, await TestData.WorkerAsync(db.DataSource)),
            await TestData.AssignAsync(db.DataSource, started, await TestData.WorkerAsync(db.DataSource)),
            await TestData.AssignAsync(db.DataSource, later, optedOut),
        };
        foreach (var assignment in assignments)
        {
            await harness.Get<ReminderJob>().RunAsync(assignment, CancellationToken.None);
        }

        Assert.Empty(await OutboxRowsAsync(cancelled));
        Assert.Empty(await OutboxRowsAsync(started));
        Assert.Empty(await OutboxRowsAsync(later));
        Assert.Empty(harness.Jobs.Created);
    }

    [Fact]
    public async Task A_message_due_after_its_session_started_is_voided_not_sent()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var session = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddHours(1), TimeSpan.FromHours(1));
        var assignment = await TestData.AssignAsync(db.DataSource, session, await TestData.WorkerAsync(db.DataSource));
        await harness.Get<ReminderJob>().RunAsync(assignment, CancellationToken.None);

        harness.Clock.Advance(TimeSpan.FromHours(2));
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        Assert.Equal("void", Assert.Single(await OutboxRowsAsync(session)).Status);
        Assert.Empty(harness.Twilio.Sent);
    }

    [Fact]
    public async Task Reminder_text_is_in_UK_local_time()
    {
        // 1 July 2026 08:30 UTC is 09:30 British Summer Time.
        var text = ReminderJob.Compose(new Outreach.Data.Reminders.DueReminder(
            1, 1, 1, 1, "+447700900001", "Assembly", "Hodge Hill School",
            new DateTime(2026, 7, 1, 8, 30, 0, DateTimeKind.Utc), new DateTime(2026, 7, 1, 9, 30, 0, DateTimeKind.Utc), 1440));
        Assert.Equal("Outreach reminder: Assembly at Hodge Hill School, Wed 1 Jul 09:30-10:30.", text);
    }

    [Theory]
    // Sunday 28 March 2027: clocks go forward at 01:00 GMT, so 10:00 BST is 09:00 UTC.
    [InlineData("2027-03-28T09:00:00Z", "Sun 28 Mar 10:00-11:00")]
    // Sunday 31 October 2027: clocks go back at 02:00 BST, so 10:00 GMT is 10:00 UTC.
    [InlineData("2027-10-31T10:00:00Z", "Sun 31 Oct 10:00-11:00")]
    public async Task Reminders_for_sessions_on_clock_change_Sundays_leave_exactly_their_lead_time_before_the_start(string startsAt, string local)
    {
        var start = DateTimeOffset.Parse(startsAt, System.Globalization.CultureInfo.InvariantCulture);
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, start.AddDays(-3));
        var session = await TestData.SessionAsync(db.DataSource, start.UtcDateTime, TimeSpan.FromHours(1));
        var assignment = await TestData.AssignAsync(db.DataSource, session, await TestData.WorkerAsync(db.DataSource));

        // Scheduled for the instants 24 hours and 2 hours before the start, whatever the wall clock did overnight.
        harness.Get<ReminderScheduler>().ScheduleFor(assignment, start.UtcDateTime);
        var scheduled = harness.Jobs.Created.Select(c => c.State).OfType<Hangfire.States.ScheduledState>().Select(s => s.EnqueueAt).Order().ToList();
        Assert.Equal([start.UtcDateTime.AddHours(-24), start.UtcDateTime.AddHours(-2)], scheduled);

        foreach (var lead in new[] { TimeSpan.FromHours(24), TimeSpan.FromHours(2) })
        {
            harness.Clock.SetUtcNow(start - lead - TimeSpan.FromSeconds(1));
            await harness.Get<ReminderJob>().RunAsync(assignment, CancellationToken.None);
            harness.Clock.SetUtcNow(start - lead);
            await harness.Get<ReminderJob>().RunAsync(assignment, CancellationToken.None);
        }

        await using var c = await db.DataSource.OpenConnectionAsync();
        var rows = (await c.QueryAsync<(string DedupeKey, DateTime NotBefore, string Body)>(
            "SELECT dedupe_key, not_before, body FROM outreach.sms_outbox WHERE session_id = @session ORDER BY not_before", new { session })).ToList();
        Assert.Equal([start.UtcDateTime.AddHours(-24), start.UtcDateTime.AddHours(-2)], rows.Select(r => r.NotBefore.ToUniversalTime()));
        Assert.Equal([$"reminder-1440m:assignment:{assignment}:v1", $"reminder-120m:assignment:{assignment}:v1"], rows.Select(r => r.DedupeKey));
        Assert.All(rows, r => Assert.Contains(local, r.Body, StringComparison.Ordinal));
        // Due whenever a later test's clock passes 2027: not left pending for another test's sweep to send.
        await c.ExecuteAsync("UPDATE outreach.sms_outbox SET status = 'void' WHERE session_id = @session AND status = 'pending'", new { session });
    }

    private sealed record OutboxRow(string DedupeKey, string Status, string? ProviderSid, string ToE164);

    private async Task<List<OutboxRow>> OutboxRowsAsync(long sessionId)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return (await c.QueryAsync<OutboxRow>(
            "SELECT dedupe_key, status, provider_sid, to_e164 FROM outreach.sms_outbox WHERE session_id = @sessionId",
            new { sessionId })).AsList();
    }
}
