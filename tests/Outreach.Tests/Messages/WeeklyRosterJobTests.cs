using Dapper;
using Outreach.Data.Messages;
using Outreach.Jobs.Messages;
using Outreach.Tests.Infrastructure;
using Outreach.Tests.Jobs;

namespace Outreach.Tests.Messages;

[Collection("Database")]
public sealed class WeeklyRosterJobTests(DatabaseFixture db) : OutboxCleanup(db.DataSource)
{
    [Fact]
    public async Task The_Sunday_roster_sends_each_worker_their_coming_week_once_in_at_most_three_segments()
    {
        // Sunday 1 June 2031, 18:00 British Summer Time: the roster covers Monday 2 to Sunday 8 June.
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, new DateTimeOffset(2031, 6, 1, 17, 0, 0, TimeSpan.Zero));
        var light = await TestData.WorkerAsync(db.DataSource);
        var busy = await TestData.WorkerAsync(db.DataSource);
        var venue = await TestData.VenueAsync(db.DataSource);
        await BookAsync(light, venue, new DateTime(2031, 6, 2, 8, 0, 0, DateTimeKind.Utc));
        await BookAsync(light, venue, new DateTime(2031, 6, 6, 17, 0, 0, DateTimeKind.Utc));
        // Not this week: the Sunday itself and the Monday after.
        await BookAsync(light, venue, new DateTime(2031, 6, 1, 19, 0, 0, DateTimeKind.Utc));
        await BookAsync(light, venue, new DateTime(2031, 6, 9, 8, 0, 0, DateTimeKind.Utc));
        for (var i = 0; i < 12; i++)
        {
            await BookAsync(busy, venue, new DateTime(2031, 6, 2 + i / 2, 8 + i % 2 * 4, 0, 0, DateTimeKind.Utc));
        }

        await harness.Get<WeeklyRosterJob>().RunAsync(CancellationToken.None);
        await harness.Get<WeeklyRosterJob>().RunAsync(CancellationToken.None);

        await using var c = await db.DataSource.OpenConnectionAsync();
        var rows = (await c.QueryAsync<(long WorkerId, string DedupeKey, string Body)>(
            "SELECT worker_id, dedupe_key, body FROM outreach.sms_outbox WHERE purpose = 'roster' AND worker_id = ANY(@ids)",
            new { ids = new[] { light, busy } })).ToList();
        Assert.Equal(2, rows.Count);
        var lightRoster = Assert.Single(rows, r => r.WorkerId == light);
        Assert.Equal($"roster:2031-06-02:worker:{light}", lightRoster.DedupeKey);
        Assert.StartsWith("Outreach roster w/c Mon 2 Jun: Mon 2 Jun 09:00-10:00 ", lightRoster.Body, StringComparison.Ordinal);
        Assert.Contains("; Fri 6 Jun 18:00-19:00 ", lightRoster.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Sun 1 Jun", lightRoster.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("9 Jun", lightRoster.Body, StringComparison.Ordinal);
        Assert.EndsWith("My sessions: https://outreach.example/Records", lightRoster.Body, StringComparison.Ordinal);

        var busyRoster = Assert.Single(rows, r => r.WorkerId == busy);
        Assert.True(SmsText.Segments(busyRoster.Body) <= 3, busyRoster.Body);
        Assert.StartsWith("Outreach roster w/c Mon 2 Jun: 12 sessions. First: Mon 2 Jun 09:00-10:00 ", busyRoster.Body, StringComparison.Ordinal);
        Assert.EndsWith("All: https://outreach.example/Records", busyRoster.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2031-06-01", "2031-06-02")]
    [InlineData("2031-06-02", "2031-06-09")]
    [InlineData("2031-06-07", "2031-06-09")]
    public void The_coming_week_starts_on_the_next_Monday(string today, string monday)
    {
        Assert.Equal(DateOnly.Parse(monday, System.Globalization.CultureInfo.InvariantCulture),
            WeeklyRosterJob.ComingMonday(DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void The_roster_goes_at_the_configured_day_and_time()
    {
        Assert.Equal("0 18 * * 0", new SmsOptions().RosterCron());
        Assert.Equal("30 17 * * 5", new SmsOptions { RosterDay = DayOfWeek.Friday, RosterTime = "17:30" }.RosterCron());
    }

    private async Task BookAsync(long worker, long venue, DateTime startsAtUtc)
    {
        var session = await TestData.SessionAsync(db.DataSource, startsAtUtc, TimeSpan.FromHours(1), venue);
        await TestData.AssignAsync(db.DataSource, session, worker);
    }
}
