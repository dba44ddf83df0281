using Outreach.Jobs.Sms;
using Outreach.Tests.Infrastructure;
using static Outreach.Tests.Jobs.Sms.SmsTestSupport;

namespace Outreach.Tests.Jobs.Sms;

[Collection("Database")]
public sealed class QuietHoursAndCapTests(DatabaseFixture db)
{
    [Theory]
    // GMT: 21:30 UK is 21:30 UTC; 08:00 UK next morning is 08:00 UTC.
    [InlineData("2026-12-02T21:30:00Z", "2026-12-03T08:00:00Z")]
    // BST: 21:30 UK is 20:30 UTC; 08:00 UK is 07:00 UTC.
    [InlineData("2027-06-15T20:30:00Z", "2027-06-16T07:00:00Z")]
    // The clocks go forward in the night (28 March 2027): held at 22:00 GMT, released at 08:00 BST.
    [InlineData("2027-03-27T22:00:00Z", "2027-03-28T07:00:00Z")]
    // The clocks go back (31 October 2027): held at 21:30 BST, released at 08:00 GMT.
    [InlineData("2027-10-30T20:30:00Z", "2027-10-31T08:00:00Z")]
    public async Task A_routine_message_due_in_quiet_hours_waits_until_eight_in_the_morning_UK_time(string due, string release)
    {
        var dueAt = DateTimeOffset.Parse(due, System.Globalization.CultureInfo.InvariantCulture);
        var releaseAt = DateTimeOffset.Parse(release, System.Globalization.CultureInfo.InvariantCulture);
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, dueAt);
        var body = Body("Roster for next week");
        var id = await QueueAsync(harness, body);

        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        var held = await StateAsync(db.DataSource, id);
        Assert.Equal("pending", held.Status);
        Assert.Equal("quiet hours", held.HeldReason);
        Assert.Equal(releaseAt.UtcDateTime, held.NotBefore.ToUniversalTime());

        harness.Clock.SetUtcNow(releaseAt.AddMinutes(-1));
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        Assert.Equal(0, harness.Twilio.ReceivedCount(body));

        harness.Clock.SetUtcNow(releaseAt);
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        Assert.Equal("sent", (await StateAsync(db.DataSource, id)).Status);
        Assert.Equal(1, harness.Twilio.ReceivedCount(body));
    }

    [Fact]
    public async Task An_urgent_message_or_one_about_a_session_within_twelve_hours_goes_in_quiet_hours()
    {
        var lateEvening = new DateTimeOffset(2026, 12, 2, 22, 15, 0, TimeSpan.Zero);
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, lateEvening);
        var soon = await TestData.SessionAsync(db.DataSource, lateEvening.UtcDateTime.AddHours(9), TimeSpan.FromHours(2));
        var later = await TestData.SessionAsync(db.DataSource, lateEvening.UtcDateTime.AddHours(13), TimeSpan.FromHours(2));
        var change = Body("Session moved");
        var reminderSoon = Body("Reminder for tomorrow 07:15");
        var reminderLater = Body("Reminder for tomorrow 11:15");
        var changeId = await QueueAsync(harness, change, urgent: true);
        var soonId = await QueueAsync(harness, reminderSoon, sessionId: soon);
        var laterId = await QueueAsync(harness, reminderLater, sessionId: later);

        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        Assert.Equal("sent", (await StateAsync(db.DataSource, changeId)).Status);
        Assert.Equal("sent", (await StateAsync(db.DataSource, soonId)).Status);
        Assert.Equal("quiet hours", (await StateAsync(db.DataSource, laterId)).HeldReason);
        Assert.Equal(0, harness.Twilio.ReceivedCount(reminderLater));
        harness.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        Assert.Equal(1, harness.Twilio.ReceivedCount(reminderLater));
    }

    [Fact]
    public async Task The_twenty_first_routine_message_to_a_worker_in_a_UK_day_waits_for_the_next_morning_and_urgent_ones_still_go()
    {
        var morning = new DateTimeOffset(2027, 6, 15, 9, 0, 0, TimeSpan.Zero); // 10:00 BST
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, morning);
        var worker = await TestData.WorkerAsync(db.DataSource);
        var mobile = await MobileOfAsync(db.DataSource, worker);
        var routine = new List<(long Id, string Body)>();
        for (var i = 0; i < 21; i++)
        {
            var body = Body($"Update {i}");
            routine.Add((await QueueAsync(harness, body, worker, mobile), body));
            // Queued a moment apart, so the first twenty are the ones that go.
            harness.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        var last = await StateAsync(db.DataSource, routine[^1].Id);
        Assert.Equal("pending", last.Status);
        Assert.Equal("daily cap", last.HeldReason);
        // Midnight UK is in quiet hours, so it goes at 08:00 BST.
        Assert.Equal(new DateTime(2027, 6, 16, 7, 0, 0, DateTimeKind.Utc), last.NotBefore.ToUniversalTime());
        Assert.All(routine.Take(20), r => Assert.Equal(1, harness.Twilio.ReceivedCount(r.Body)));
        Assert.Equal(0, harness.Twilio.ReceivedCount(routine[^1].Body));

        var cover = Body("Cover needed tonight");
        var coverId = await QueueAsync(harness, cover, worker, mobile, urgent: true);
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        Assert.Equal("sent", (await StateAsync(db.DataSource, coverId)).Status);

        harness.Clock.SetUtcNow(new DateTimeOffset(2027, 6, 16, 7, 0, 0, TimeSpan.Zero));
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        Assert.Equal("sent", (await StateAsync(db.DataSource, routine[^1].Id)).Status);
        Assert.Equal(1, harness.Twilio.ReceivedCount(routine[^1].Body));
    }

    [Fact]
    public async Task The_daily_cap_and_quiet_hours_come_from_configuration()
    {
        var evening = new DateTimeOffset(2026, 12, 2, 21, 30, 0, TimeSpan.Zero);
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, evening, new Dictionary<string, string?>
        {
            ["Sms:QuietHoursStart"] = "22:00",
            ["Sms:QuietHoursEnd"] = "07:00",
            ["Sms:DailyCap"] = "2",
        });
        var worker = await TestData.WorkerAsync(db.DataSource);
        var mobile = await MobileOfAsync(db.DataSource, worker);
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await QueueAsync(harness, Body($"Configured {i}"), worker, mobile));
            harness.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        Assert.Equal(["sent", "sent", "pending"], [.. (await Task.WhenAll(ids.Select(id => StateAsync(db.DataSource, id)))).Select(s => s.Status)]);
        Assert.Equal(new DateTime(2026, 12, 3, 7, 0, 0, DateTimeKind.Utc), (await StateAsync(db.DataSource, ids[2])).NotBefore.ToUniversalTime());
    }
}
