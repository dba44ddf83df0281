using Dapper;
using Outreach.Data;
using Outreach.Data.ClosedDays;
using Outreach.Data.Sessions;
using Outreach.Tests.Infrastructure;
using static Outreach.Tests.Infrastructure.SchedulingData;

namespace Outreach.Tests.Data;

/// <summary>Creating a recurring series: every occurrence in one transaction, or nothing.</summary>
[Collection("Database")]
public sealed class SeriesDataTests(DatabaseFixture db)
{
    private static readonly Actor Coordinator = new(null, "series tests", null);

    private SeriesData Series => new(db.DataSource, new ClosedDayData(db.DataSource), TimeProvider.System);

    private static NewSeries Saturdays(long venueId, DateOnly first, DateOnly? until, int? count, TimeOnly? start = null, TimeOnly? end = null) =>
        new(venueId, "ae_shift", TestData.Unique("A&E nights"),
            new SeriesPattern(new HashSet<DayOfWeek> { DayOfWeek.Saturday }, start ?? new TimeOnly(18, 0), end ?? new TimeOnly(2, 0), first, until, count),
            RequiredWorkers: 2, Notes: "Bring the lanyard");

    [Fact]
    public async Task A_Saturday_night_series_across_both_2027_clock_changes_stores_each_occurrence_at_its_UTC_instant()
    {
        var venue = await TestData.VenueAsync(db.DataSource, "emergency_department");

        var outcome = await Series.CreateAsync(
            Saturdays(venue, new DateOnly(2027, 3, 20), new DateOnly(2027, 11, 6), null), Coordinator, CancellationToken.None);

        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        var sessions = await SeriesSessionsAsync(db.DataSource, outcome.Value!.SeriesId);
        Assert.Equal(34, sessions.Count);
        Assert.Equal(outcome.Value.SessionIds.Order(), sessions.Select(s => s.Id).Order());
        var byDate = sessions.ToDictionary(s => DateOnly.FromDateTime(s.OccurrenceDate!.Value));
        var march = byDate[new DateOnly(2027, 3, 27)];
        Assert.Equal((Utc(2027, 3, 27, 18), Utc(2027, 3, 28, 1)), (march.StartsAt, march.EndsAt));
        Assert.Equal(TimeSpan.FromHours(7), march.EndsAt - march.StartsAt);
        var october = byDate[new DateOnly(2027, 10, 30)];
        Assert.Equal((Utc(2027, 10, 30, 17), Utc(2027, 10, 31, 2)), (october.StartsAt, october.EndsAt));
        Assert.Equal(TimeSpan.FromHours(9), october.EndsAt - october.StartsAt);
        Assert.Equal((Utc(2027, 7, 3, 17), Utc(2027, 7, 4, 1)), (byDate[new DateOnly(2027, 7, 3)].StartsAt, byDate[new DateOnly(2027, 7, 3)].EndsAt));
        Assert.All(sessions, s => Assert.Equal(("planned", 1, venue, "Bring the lanyard"), (s.Status, s.Version, s.VenueId, s.Notes)));
    }

    [Fact]
    public async Task A_series_for_a_number_of_occurrences_creates_that_many_sessions_each_with_an_audit_event()
    {
        var venue = await TestData.VenueAsync(db.DataSource, "emergency_department");
        var request = new NewSeries(venue, "ae_shift", TestData.Unique("Weekend"),
            new SeriesPattern(new HashSet<DayOfWeek> { DayOfWeek.Friday, DayOfWeek.Saturday }, new TimeOnly(18, 0), new TimeOnly(2, 0),
                new DateOnly(2027, 10, 22), null, 4), 1, "");

        var outcome = await Series.CreateAsync(request, Coordinator, CancellationToken.None);

        Assert.True(outcome.Succeeded);
        var sessions = await SeriesSessionsAsync(db.DataSource, outcome.Value!.SeriesId);
        Assert.Equal(
            [new DateOnly(2027, 10, 22), new DateOnly(2027, 10, 23), new DateOnly(2027, 10, 29), new DateOnly(2027, 10, 30)],
            sessions.Select(s => DateOnly.FromDateTime(s.OccurrenceDate!.Value)));
        Assert.Equal([8, 8, 8, 9], sessions.Select(s => (s.EndsAt - s.StartsAt).TotalHours));
        Assert.Equal(4, await TestData.CountAsync(db.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE entity = 'session' AND action = 'create' AND entity_id = ANY(@ids)",
            new { ids = sessions.Select(s => s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray() }));
        Assert.Equal(1, await TestData.CountAsync(db.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE entity = 'session_series' AND entity_id = @id",
            new { id = outcome.Value.SeriesId.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
    }

    [Fact]
    public async Task A_series_with_a_start_the_clocks_skip_is_refused_and_writes_nothing_unless_that_occurrence_is_left_out()
    {
        var venue = await TestData.VenueAsync(db.DataSource, "emergency_department");
        var request = new NewSeries(venue, "ae_shift", TestData.Unique("Early hours"),
            new SeriesPattern(new HashSet<DayOfWeek> { DayOfWeek.Sunday }, new TimeOnly(1, 30), new TimeOnly(4, 0),
                new DateOnly(2027, 3, 21), null, 3), 1, "");

        var refused = await Series.CreateAsync(request, Coordinator, CancellationToken.None);

        var error = Assert.Single(refused.Errors);
        Assert.Equal("LeaveOutNonexistent", error.Field);
        Assert.Contains("01:30 on Sun 28 Mar 2027 does not exist in the UK", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await SessionsAtVenueAsync(venue));
        Assert.Equal(0, await SeriesAtVenueAsync(venue));

        var created = await Series.CreateAsync(request with { LeaveOutNonexistent = true }, Coordinator, CancellationToken.None);

        Assert.True(created.Succeeded);
        Assert.Equal(1, created.Value!.LeftOut);
        var sessions = await SeriesSessionsAsync(db.DataSource, created.Value.SeriesId);
        Assert.Equal([Utc(2027, 3, 21, 1, 30), Utc(2027, 4, 4, 0, 30)], sessions.Select(s => s.StartsAt));
    }

    [Fact]
    public async Task A_series_of_more_than_two_hundred_occurrences_is_refused_and_writes_nothing()
    {
        var venue = await TestData.VenueAsync(db.DataSource, "emergency_department");
        var request = new NewSeries(venue, "ae_shift", TestData.Unique("Every night"),
            new SeriesPattern(Enum.GetValues<DayOfWeek>().ToHashSet(), new TimeOnly(18, 0), new TimeOnly(2, 0),
                new DateOnly(2027, 1, 1), new DateOnly(2027, 12, 31), null), 1, "");

        var refused = await Series.CreateAsync(request, Coordinator, CancellationToken.None);

        var error = Assert.Single(refused.Errors);
        Assert.Equal("UntilDate", error.Field);
        Assert.Contains("more than 200 occurrences", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await SessionsAtVenueAsync(venue));
        Assert.Equal(0, await SeriesAtVenueAsync(venue));
    }

    [Fact]
    public async Task A_school_series_that_falls_on_an_INSET_day_needs_confirmation_and_writes_nothing_without_it()
    {
        var school = await TestData.VenueAsync(db.DataSource, "school");
        await ClosedDayAsync(db.DataSource, new DateOnly(2027, 6, 16), new DateOnly(2027, 6, 16), "INSET day: staff training", venueId: school);
        var request = new NewSeries(school, "workshop", TestData.Unique("Knife crime workshop"),
            new SeriesPattern(new HashSet<DayOfWeek> { DayOfWeek.Wednesday }, new TimeOnly(9, 0), new TimeOnly(10, 0),
                new DateOnly(2027, 6, 9), null, 3), 1, "");

        var refused = await Series.CreateAsync(request, Coordinator, CancellationToken.None);

        var error = Assert.Single(refused.Errors);
        Assert.Equal("PlanOnClosedDays", error.Field);
        Assert.Contains("Wed 16 Jun 2027 (INSET day: staff training)", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await SessionsAtVenueAsync(school));
        Assert.Equal(0, await SeriesAtVenueAsync(school));

        var confirmed = await Series.CreateAsync(request with { PlanOnClosedDays = true }, Coordinator, CancellationToken.None);

        Assert.True(confirmed.Succeeded);
        Assert.Equal(3, await SessionsAtVenueAsync(school));
    }

    [Fact]
    public async Task An_A_and_E_series_is_not_held_up_by_a_closure_of_its_local_authority()
    {
        var hospital = await TestData.VenueAsync(db.DataSource, "emergency_department");
        var area = await AreaOfVenueAsync(db.DataSource, hospital);
        await ClosedDayAsync(db.DataSource, new DateOnly(2027, 7, 26), new DateOnly(2027, 8, 31), "Summer holiday", areaId: area, kind: "school_holiday");

        var outcome = await Series.CreateAsync(Saturdays(hospital, new DateOnly(2027, 7, 31), null, 2), Coordinator, CancellationToken.None);

        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        Assert.Equal(2, outcome.Value!.SessionIds.Count);
    }

    [Fact]
    public async Task A_series_that_needs_a_skill_records_it_on_every_occurrence()
    {
        var venue = await TestData.VenueAsync(db.DataSource, "emergency_department");
        var skill = await TestData.CountAsync(db.DataSource, "SELECT min(id) FROM outreach.skills WHERE active");

        var outcome = await Series.CreateAsync(Saturdays(venue, new DateOnly(2027, 9, 4), null, 3) with { SkillIds = [skill, skill] },
            Coordinator, CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal(3, await TestData.CountAsync(db.DataSource,
            "SELECT count(*) FROM outreach.session_required_skills WHERE skill_id = @skill AND session_id = ANY(@ids)",
            new { skill, ids = outcome.Value!.SessionIds.ToArray() }));
    }

    [Fact]
    public async Task A_series_that_would_start_in_the_past_is_refused()
    {
        var venue = await TestData.VenueAsync(db.DataSource, "emergency_department");
        var past = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-14);

        var refused = await Series.CreateAsync(Saturdays(venue, past, null, 3), Coordinator, CancellationToken.None);

        Assert.Equal("FirstDate", Assert.Single(refused.Errors).Field);
        Assert.Equal(0, await SessionsAtVenueAsync(venue));
    }

    private async Task<long> SessionsAtVenueAsync(long venueId) =>
        await TestData.CountAsync(db.DataSource, "SELECT count(*) FROM outreach.sessions WHERE venue_id = @venueId", new { venueId });

    private async Task<long> SeriesAtVenueAsync(long venueId) =>
        await TestData.CountAsync(db.DataSource, "SELECT count(*) FROM outreach.session_series WHERE venue_id = @venueId", new { venueId });
}
