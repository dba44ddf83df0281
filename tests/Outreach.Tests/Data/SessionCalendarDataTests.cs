using Dapper;
using Outreach.Data.Sessions;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Data;

/// <summary>The calendar's sessions for a period, per area, venue and worker.</summary>
[Collection("Database")]
public sealed class SessionCalendarDataTests(DatabaseFixture db)
{
    private SessionCalendarData Calendar => new(db.DataSource);

    // The week of Monday 6 September 2027 (British Summer Time: UK midnight is 23:00 UTC the day before).
    private static readonly DateTime WeekFrom = new(2027, 9, 5, 23, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime WeekTo = WeekFrom.AddDays(7);

    [Fact]
    public async Task An_areas_week_lists_each_of_its_sessions_in_time_order_with_booking_counts()
    {
        var area = await TestData.AreaAsync(db.DataSource);
        var school = await TestData.VenueAsync(db.DataSource, "school", area);
        var hospital = await TestData.VenueAsync(db.DataSource, "emergency_department", area);
        var elsewhere = await TestData.VenueAsync(db.DataSource);
        var assembly = await TestData.SessionAsync(db.DataSource, WeekFrom.AddDays(2).AddHours(9), TimeSpan.FromHours(1), school);
        // An overnight shift that began before the week and runs into it.
        var overnight = await TestData.SessionAsync(db.DataSource, WeekFrom.AddHours(-4), TimeSpan.FromHours(9), hospital);
        var cancelled = await TestData.SessionAsync(db.DataSource, WeekFrom.AddDays(3).AddHours(9), TimeSpan.FromHours(1), school, "cancelled");
        await TestData.SessionAsync(db.DataSource, WeekFrom.AddHours(-10), TimeSpan.FromHours(9), hospital);
        await TestData.SessionAsync(db.DataSource, WeekTo.AddHours(1), TimeSpan.FromHours(1), school);
        await TestData.SessionAsync(db.DataSource, WeekFrom.AddDays(2).AddHours(9), TimeSpan.FromHours(1), elsewhere);
        var confirmedWorker = await TestData.WorkerAsync(db.DataSource);
        var assignedWorker = await TestData.WorkerAsync(db.DataSource);
        await TestData.AssignAsync(db.DataSource, assembly, confirmedWorker);
        await TestData.AssignAsync(db.DataSource, assembly, assignedWorker, lead: false);
        await using (var c = await db.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("UPDATE outreach.assignments SET status = 'confirmed' WHERE session_id = @assembly AND worker_id = @confirmedWorker",
                new { assembly, confirmedWorker });
        }

        var entries = await Calendar.EntriesAsync(WeekFrom, WeekTo, null, null, area, CancellationToken.None);

        Assert.Equal([overnight, assembly, cancelled], entries.Select(e => e.Id));
        var booked = entries[1];
        Assert.Equal((2L, 1L), (booked.AssignedWorkers, booked.ConfirmedWorkers));
        Assert.Equal((0L, 0L), (entries[0].AssignedWorkers, entries[0].ConfirmedWorkers));
        Assert.Equal("cancelled", entries[2].Status);
        Assert.All(entries, e => Assert.Equal(DateTimeKind.Utc, e.StartsAt.Kind));

        Assert.Equal([assembly, cancelled], (await Calendar.EntriesAsync(WeekFrom, WeekTo, school, null, area, CancellationToken.None)).Select(e => e.Id));
        Assert.Equal([assembly], (await Calendar.EntriesAsync(WeekFrom, WeekTo, null, assignedWorker, area, CancellationToken.None)).Select(e => e.Id));
        Assert.Empty(await Calendar.EntriesAsync(WeekFrom, WeekTo, elsewhere, null, area, CancellationToken.None));
    }

    [Fact]
    public async Task A_period_with_more_sessions_than_a_calendar_shows_gives_the_first_ones_in_time_order()
    {
        var venue = await TestData.VenueAsync(db.DataSource);
        var from = new DateTime(2041, 3, 4, 0, 0, 0, DateTimeKind.Utc);
        await using (var c = await db.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("""
                INSERT INTO outreach.sessions (venue_id, kind, title, starts_at, ends_at)
                SELECT @venue, 'drop_in', 'Drop-in ' || n, @from + n * interval '40 seconds', @from + n * interval '40 seconds' + interval '1 hour'
                FROM generate_series(0, @count) AS n
                """, new { venue, from, count = SessionCalendarData.MaxEntries });
        }

        var all = await Calendar.EntriesAsync(from, from.AddDays(1), null, null, null, CancellationToken.None);
        var atVenue = await Calendar.EntriesAsync(from, from.AddDays(1), venue, null, null, CancellationToken.None);

        Assert.Equal(SessionCalendarData.MaxEntries, all.Count);
        Assert.Equal(from, all[0].StartsAt);
        Assert.Equal(all.OrderBy(e => e.StartsAt).Select(e => e.Id), all.Select(e => e.Id));
        Assert.Equal(all, atVenue);
    }

    [Fact]
    public async Task The_same_period_gives_the_same_sessions_with_or_without_the_area()
    {
        var area = await TestData.AreaAsync(db.DataSource);
        var venue = await TestData.VenueAsync(db.DataSource, "school", area);
        var sessions = new List<long>();
        for (var day = 0; day < 5; day++)
        {
            sessions.Add(await TestData.SessionAsync(db.DataSource, WeekFrom.AddDays(day).AddHours(10), TimeSpan.FromHours(2), venue));
        }

        // Many times, so the area's statement is run as PostgreSQL's prepared (generic) plan too.
        for (var i = 0; i < 8; i++)
        {
            var byArea = await Calendar.EntriesAsync(WeekFrom, WeekTo, null, null, area, CancellationToken.None);
            var byVenue = await Calendar.EntriesAsync(WeekFrom, WeekTo, venue, null, null, CancellationToken.None);
            Assert.Equal(sessions, byArea.Select(e => e.Id));
            Assert.Equal(byVenue, byArea);
        }
    }
}
