using Outreach.Data;
using Outreach.Data.Engagements;
using Outreach.Jobs.Engagements;
using Outreach.Jobs.Records;
using Outreach.Jobs.Sms;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Jobs;

[Collection("Database")]
public sealed class RecordingJobTests(DatabaseFixture db)
{
    // Noon in December: UK time is UTC, and the middle of the day, so texts go at once.
    private static readonly DateTimeOffset Now = new(2026, 12, 9, 12, 0, 0, TimeSpan.Zero);

    private sealed record OutboxRow(string DedupeKey, string Status, string ToE164, string Body, DateTime NotBefore);

    private Task<List<OutboxRow>> OutboxAsync(string keyPrefix) => RecordingData.QueryAsync<OutboxRow>(db.DataSource,
        "SELECT dedupe_key, status, to_e164, body, not_before FROM outreach.sms_outbox WHERE dedupe_key LIKE @keyPrefix || '%' ORDER BY id",
        new { keyPrefix });

    [Fact]
    public async Task A_record_missing_a_day_after_the_session_texts_the_lead_worker_once_with_a_link_to_the_record_page()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var mobile = TestData.Mobile();
        var lead = await TestData.WorkerAsync(db.DataSource, mobile: mobile);
        var late = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddHours(-26), TimeSpan.FromHours(1));
        await TestData.AssignAsync(db.DataSource, late, await TestData.WorkerAsync(db.DataSource), lead: false);
        await TestData.AssignAsync(db.DataSource, late, lead, lead: true);
        var recent = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddHours(-23.5), TimeSpan.FromHours(1));
        await TestData.AssignAsync(db.DataSource, recent, await TestData.WorkerAsync(db.DataSource));

        await harness.Get<RecordChaserJob>().RunAsync(CancellationToken.None);
        await harness.Get<RecordChaserJob>().RunAsync(CancellationToken.None);
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        var row = Assert.Single(await OutboxAsync($"record-chase:session:{late}"));
        Assert.Equal(("sent", mobile), (row.Status, row.ToE164));
        Assert.Contains($"/Records/Edit?sessionId={late}", row.Body, StringComparison.Ordinal);
        Assert.Single(harness.Twilio.Sent, m => m.To == mobile);
        Assert.Empty(await OutboxAsync($"record-chase:session:{recent}"));
        Assert.Equal(0, await TestData.CountAsync(db.DataSource, "SELECT count(*) FROM outreach.alerts WHERE session_id = @late", new { late }));
    }

    [Fact]
    public async Task A_record_missing_three_days_after_the_session_raises_one_alert_for_the_coordinators()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var overdue = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddHours(-75), TimeSpan.FromHours(1));
        var lead = await TestData.WorkerAsync(db.DataSource);
        await TestData.AssignAsync(db.DataSource, overdue, lead);
        var recorded = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddHours(-75), TimeSpan.FromHours(1));
        await TestData.AssignAsync(db.DataSource, recorded, await TestData.WorkerAsync(db.DataSource));
        await RecordingData.ExecuteAsync(db.DataSource,
            "INSERT INTO outreach.session_records (session_id, delivered, count_11_13) VALUES (@recorded, true, 12)", new { recorded });

        await harness.Get<RecordChaserJob>().RunAsync(CancellationToken.None);
        await harness.Get<RecordChaserJob>().RunAsync(CancellationToken.None);

        var alert = Assert.Single(await RecordingData.QueryAsync<(string Kind, long? WorkerId)>(db.DataSource,
            "SELECT kind, worker_id FROM outreach.alerts WHERE session_id = @overdue", new { overdue }));
        Assert.Equal(("record_overdue", (long?)lead), alert);
        Assert.Single(await OutboxAsync($"record-chase:session:{overdue}"));
        Assert.Empty(await OutboxAsync($"record-chase:session:{recorded}"));
        Assert.Equal(0, await TestData.CountAsync(db.DataSource, "SELECT count(*) FROM outreach.alerts WHERE session_id = @recorded", new { recorded }));
        await RecordingData.VoidUnsentAsync(db.DataSource, $"record-chase:session:{overdue}");
    }

    [Fact]
    public async Task A_chaser_that_falls_due_at_night_waits_for_the_morning()
    {
        // 02:00 GMT on a December night: an A&E shift that ended at 01:00 the night before.
        var night = new DateTimeOffset(2026, 12, 12, 2, 0, 0, TimeSpan.Zero);
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, night);
        var shift = await RecordingData.AeShiftAsync(db.DataSource, night.UtcDateTime.AddHours(-33), TimeSpan.FromHours(8));
        await TestData.AssignAsync(db.DataSource, shift, await TestData.WorkerAsync(db.DataSource));

        await harness.Get<RecordChaserJob>().RunAsync(CancellationToken.None);

        var row = Assert.Single(await OutboxAsync($"record-chase:session:{shift}"));
        Assert.Equal(new DateTime(2026, 12, 12, 8, 0, 0), row.NotBefore);
        await RecordingData.VoidUnsentAsync(db.DataSource, $"record-chase:session:{shift}");
    }

    [Fact]
    public async Task A_due_follow_up_texts_its_worker_once_from_nine_in_the_morning_on_the_day()
    {
        // Created on Sunday 11 October 2026 (BST); the 4-week follow-up is due on Sunday 8 November (GMT).
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, new DateTimeOffset(2026, 10, 11, 9, 0, 0, TimeSpan.Zero));
        var shift = await RecordingData.AeShiftAsync(db.DataSource, new DateTime(2026, 10, 10, 17, 0, 0, DateTimeKind.Utc), TimeSpan.FromHours(8));
        var mobile = TestData.Mobile();
        var userId = await RecordingData.UserAsync(db.DataSource);
        await TestData.AssignAsync(db.DataSource, shift, await TestData.WorkerAsync(db.DataSource, userId, mobile));
        var created = await harness.Get<EngagementData>().CreateAsync(new NewEngagement(
            shift, null, "16_17", null, "knife", true, "ed_staff", new DateTime(2026, 10, 10, 23, 0, 0, DateTimeKind.Utc),
            new DateTime(2026, 10, 10, 23, 30, 0, DateTimeKind.Utc), true), userId, new Actor(userId, "worker", null), CancellationToken.None);
        var engagement = created.Value!;
        var key = $"follow-up-due:engagement:{engagement.Id}:";

        harness.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 7, 23, 0, 0, TimeSpan.Zero));
        await harness.Get<FollowUpReminderJob>().RunAsync(CancellationToken.None);
        Assert.Empty(await OutboxAsync(key));

        harness.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 8, 0, 15, 0, TimeSpan.Zero));
        await harness.Get<FollowUpReminderJob>().RunAsync(CancellationToken.None);
        await harness.Get<FollowUpReminderJob>().RunAsync(CancellationToken.None);
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        Assert.DoesNotContain(harness.Twilio.Sent, m => m.To == mobile);

        harness.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 8, 9, 1, 0, TimeSpan.Zero));
        await harness.Get<FollowUpReminderJob>().RunAsync(CancellationToken.None);
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        var row = Assert.Single(await OutboxAsync(key));
        Assert.Equal((key + "4_weeks", "sent"), (row.DedupeKey, row.Status));
        var sent = Assert.Single(harness.Twilio.Sent, m => m.To == mobile);
        Assert.Contains(engagement.Reference, sent.Body, StringComparison.Ordinal);
        Assert.Contains("Sun 8 Nov", sent.Body, StringComparison.Ordinal);
        Assert.Contains($"/Engagements/Details/{engagement.Id}", sent.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_reminder_for_a_follow_up_with_an_outcome_or_a_closed_case()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, new DateTimeOffset(2026, 10, 11, 9, 0, 0, TimeSpan.Zero));
        var shift = await RecordingData.AeShiftAsync(db.DataSource, new DateTime(2026, 10, 10, 17, 0, 0, DateTimeKind.Utc), TimeSpan.FromHours(8));
        var userId = await RecordingData.UserAsync(db.DataSource);
        await TestData.AssignAsync(db.DataSource, shift, await TestData.WorkerAsync(db.DataSource, userId));
        var engagements = harness.Get<EngagementData>();
        var actor = new Actor(userId, "worker", null);
        NewEngagement New() => new(shift, null, "16_17", null, "knife", true, "ed_staff", new DateTime(2026, 10, 10, 23, 0, 0, DateTimeKind.Utc), null, false);
        var answered = (await engagements.CreateAsync(New(), userId, actor, CancellationToken.None)).Value!;
        var closed = (await engagements.CreateAsync(New(), userId, actor, CancellationToken.None)).Value!;
        harness.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 8, 10, 0, 0, TimeSpan.Zero));
        Assert.True((await engagements.RecordFollowUpAsync(answered.Id, "4_weeks", "engaged", userId, actor, CancellationToken.None)).Succeeded);
        Assert.True((await engagements.CloseAsync(closed.Id, "declined", userId, actor, CancellationToken.None)).Succeeded);

        await harness.Get<FollowUpReminderJob>().RunAsync(CancellationToken.None);

        Assert.Empty(await OutboxAsync($"follow-up-due:engagement:{answered.Id}:"));
        Assert.Empty(await OutboxAsync($"follow-up-due:engagement:{closed.Id}:"));
    }
}
