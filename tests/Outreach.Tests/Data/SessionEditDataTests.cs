using Dapper;
using Npgsql;
using Outreach.Data;
using Outreach.Data.ClosedDays;
using Outreach.Data.Reminders;
using Outreach.Data.Sessions;
using Outreach.Tests.Infrastructure;
using static Outreach.Tests.Infrastructure.SchedulingData;

namespace Outreach.Tests.Data;

/// <summary>Changing and cancelling one occurrence or this-and-following of a series.</summary>
[Collection("Database")]
public sealed class SessionEditDataTests(DatabaseFixture db)
{
    private static readonly Actor Coordinator = new(null, "edit tests", null);

    private SessionEditData Edits => new(db.DataSource, TimeProvider.System);

    /// <summary>Saturdays 16, 23, 30 October and 6 November 2027, 18:00 to 02:00 UK time (the 30th is the clock-change night).</summary>
    private async Task<(long SeriesId, IReadOnlyList<StoredSession> Sessions)> AutumnSeriesAsync(long? venueId = null)
    {
        venueId ??= await TestData.VenueAsync(db.DataSource, "emergency_department");
        var series = new SeriesData(db.DataSource, new ClosedDayData(db.DataSource), TimeProvider.System);
        var outcome = await series.CreateAsync(new NewSeries(venueId.Value, "ae_shift", TestData.Unique("A&E nights"),
            new SeriesPattern(new HashSet<DayOfWeek> { DayOfWeek.Saturday }, new TimeOnly(18, 0), new TimeOnly(2, 0),
                new DateOnly(2027, 10, 16), null, 4), 1, "original notes"), Coordinator, CancellationToken.None);
        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        return (outcome.Value!.SeriesId, await SeriesSessionsAsync(db.DataSource, outcome.Value.SeriesId));
    }

    private static SessionChange Unchanged(StoredSession s, ChangeScope scope)
    {
        var start = UkTime.ToLocal(s.StartsAt);
        return new SessionChange(s.Id, scope, DateOnly.FromDateTime(start), TimeOnly.FromDateTime(start),
            TimeOnly.FromDateTime(UkTime.ToLocal(s.EndsAt)), s.VenueId, "ae_shift", s.Title, 1, s.Notes);
    }

    [Fact]
    public async Task A_cancelled_session_no_longer_holds_its_workers_time()
    {
        var worker = await TestData.WorkerAsync(db.DataSource);
        var start = new DateTime(2027, 9, 14, 9, 0, 0, DateTimeKind.Utc);
        var cancelled = await TestData.SessionAsync(db.DataSource, start, TimeSpan.FromHours(2));
        await TestData.AssignAsync(db.DataSource, cancelled, worker);
        var outcome = await Edits.CancelAsync(cancelled, ChangeScope.This, "Venue flooded", Coordinator, CancellationToken.None);
        Assert.True(outcome.Succeeded);

        var overlapping = await TestData.SessionAsync(db.DataSource, start.AddHours(1), TimeSpan.FromHours(2));
        await TestData.AssignAsync(db.DataSource, overlapping, worker);

        Assert.Equal(2, await TestData.CountAsync(db.DataSource,
            "SELECT count(*) FROM outreach.assignments WHERE worker_id = @worker AND status = 'assigned'", new { worker }));
        Assert.Equal(1, await TestData.CountAsync(db.DataSource,
            "SELECT count(*) FROM outreach.assignments WHERE session_id = @cancelled AND isempty(during)", new { cancelled }));
    }

    [Fact]
    public async Task Changing_the_time_of_this_and_following_moves_only_the_later_occurrences_each_on_its_own_date_and_bumps_their_version()
    {
        var (seriesId, before) = await AutumnSeriesAsync();
        var second = before[1];

        var outcome = await Edits.ChangeAsync(
            Unchanged(second, ChangeScope.ThisAndFollowing) with { StartTime = new TimeOnly(20, 0), EndTime = new TimeOnly(3, 0) },
            Coordinator, CancellationToken.None);

        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        var after = await SeriesSessionsAsync(db.DataSource, seriesId);
        Assert.Equal(before[0], after[0]);
        Assert.Equal(
            [
                (Utc(2027, 10, 23, 19), Utc(2027, 10, 24, 2), 2),   // BST to 03:00 GMT: 7 hours
                (Utc(2027, 10, 30, 19), Utc(2027, 10, 31, 3), 2),   // across the clock change: 8 hours
                (Utc(2027, 11, 6, 20), Utc(2027, 11, 7, 3), 2),     // GMT: 7 hours
            ],
            after.Skip(1).Select(s => (s.StartsAt, s.EndsAt, s.Version)));
        Assert.Equal(3, outcome.Value!.SessionIds.Count);
        Assert.Equal(3, await TestData.CountAsync(db.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE entity = 'session' AND action = 'update' AND entity_id = ANY(@ids)",
            new { ids = after.Select(s => s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray() }));
    }

    [Fact]
    public async Task Changing_only_the_title_of_this_and_following_keeps_each_sessions_own_notes_and_does_not_bump_the_version()
    {
        var (seriesId, before) = await AutumnSeriesAsync();
        await using (var c = await db.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("UPDATE outreach.sessions SET notes = 'parking at the back' WHERE id = @id", new { id = before[3].Id });
        }
        var title = TestData.Unique("Renamed");

        var outcome = await Edits.ChangeAsync(Unchanged(before[2], ChangeScope.ThisAndFollowing) with { Title = title },
            Coordinator, CancellationToken.None);

        Assert.True(outcome.Succeeded);
        var after = await SeriesSessionsAsync(db.DataSource, seriesId);
        Assert.Equal([before[0].Title, before[1].Title, title, title], after.Select(s => s.Title));
        Assert.Equal(["original notes", "original notes", "original notes", "parking at the back"], after.Select(s => s.Notes));
        Assert.All(after, s => Assert.Equal(1, s.Version));
        Assert.Equal(before.Select(s => s.StartsAt), after.Select(s => s.StartsAt));
    }

    [Fact]
    public async Task Changing_only_this_occurrence_leaves_the_rest_of_the_series_alone()
    {
        var (seriesId, before) = await AutumnSeriesAsync();

        var outcome = await Edits.ChangeAsync(
            Unchanged(before[2], ChangeScope.This) with { Date = new DateOnly(2027, 10, 29), StartTime = new TimeOnly(19, 0) },
            Coordinator, CancellationToken.None);

        Assert.True(outcome.Succeeded);
        var after = await SeriesSessionsAsync(db.DataSource, seriesId);
        Assert.Equal((Utc(2027, 10, 29, 18), Utc(2027, 10, 30, 1), 2), (after[2].StartsAt, after[2].EndsAt, after[2].Version));
        Assert.Equal(new DateTime(2027, 10, 30), after[2].OccurrenceDate);
        Assert.Equal([before[0], before[1], before[3]], [after[0], after[1], after[3]]);
    }

    [Fact]
    public async Task A_move_that_would_double_book_an_assigned_worker_is_refused_naming_the_worker_and_writes_nothing()
    {
        var (seriesId, before) = await AutumnSeriesAsync();
        var (worker, name) = await BookableWorkerAsync(db.DataSource);
        await TestData.AssignAsync(db.DataSource, before[3].Id, worker);
        // The same worker is on a Sunday-afternoon session after the last occurrence.
        var other = await TestData.SessionAsync(db.DataSource, Utc(2027, 11, 7, 14), TimeSpan.FromHours(2));
        await TestData.AssignAsync(db.DataSource, other, worker);
        var auditBefore = await UpdateEventsAsync(before);

        var outcome = await Edits.ChangeAsync(
            Unchanged(before[1], ChangeScope.ThisAndFollowing) with { StartTime = new TimeOnly(10, 0), EndTime = new TimeOnly(16, 0), Date = new DateOnly(2027, 10, 24) },
            Coordinator, CancellationToken.None);

        var error = Assert.Single(outcome.Errors);
        Assert.Contains($"Moving this session would double-book {name}", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SeriesSessionsAsync(db.DataSource, seriesId));
        Assert.Equal(auditBefore, await UpdateEventsAsync(before));
        Assert.Equal(2, await TestData.CountAsync(db.DataSource,
            "SELECT count(*) FROM outreach.assignments WHERE worker_id = @worker AND status = 'assigned'", new { worker }));
    }

    [Fact]
    public async Task Moving_a_series_a_day_later_is_not_refused_because_one_occurrence_lands_on_the_next_ones_old_day()
    {
        var venue = await TestData.VenueAsync(db.DataSource, "emergency_department");
        var series = new SeriesData(db.DataSource, new ClosedDayData(db.DataSource), TimeProvider.System);
        var created = await series.CreateAsync(new NewSeries(venue, "ae_shift", TestData.Unique("Weekend"),
            new SeriesPattern(new HashSet<DayOfWeek> { DayOfWeek.Saturday, DayOfWeek.Sunday }, new TimeOnly(12, 0), new TimeOnly(20, 0),
                new DateOnly(2027, 5, 1), null, 2), 1, ""), Coordinator, CancellationToken.None);
        var sessions = await SeriesSessionsAsync(db.DataSource, created.Value!.SeriesId);
        var (worker, _) = await BookableWorkerAsync(db.DataSource);
        await TestData.AssignAsync(db.DataSource, sessions[0].Id, worker);
        await TestData.AssignAsync(db.DataSource, sessions[1].Id, worker);

        var outcome = await Edits.ChangeAsync(
            Unchanged(sessions[0], ChangeScope.ThisAndFollowing) with { Date = new DateOnly(2027, 5, 2) }, Coordinator, CancellationToken.None);

        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        var after = await SeriesSessionsAsync(db.DataSource, created.Value.SeriesId);
        Assert.Equal([Utc(2027, 5, 2, 11), Utc(2027, 5, 3, 11)], after.Select(s => s.StartsAt));
        Assert.Equal(2, outcome.Value!.Moved.Count);
    }

    [Fact]
    public async Task A_move_to_a_time_the_clocks_skip_is_refused_with_the_reason()
    {
        var venue = await TestData.VenueAsync(db.DataSource, "emergency_department");
        var session = await TestData.SessionAsync(db.DataSource, Utc(2027, 3, 27, 22), TimeSpan.FromHours(2), venue);
        var stored = new StoredSession(session, Utc(2027, 3, 27, 22), Utc(2027, 3, 28, 0), "t", "", 1, "planned", null, venue, null);

        var outcome = await Edits.ChangeAsync(
            Unchanged(stored, ChangeScope.This) with { Date = new DateOnly(2027, 3, 28), StartTime = new TimeOnly(1, 15), EndTime = new TimeOnly(3, 0) },
            Coordinator, CancellationToken.None);

        var error = Assert.Single(outcome.Errors);
        Assert.Equal("StartTime", error.Field);
        Assert.Contains("01:15 on Sun 28 Mar 2027 does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_needs_a_reason_and_writes_nothing_without_one()
    {
        var (seriesId, before) = await AutumnSeriesAsync();

        var outcome = await Edits.CancelAsync(before[0].Id, ChangeScope.ThisAndFollowing, "   ", Coordinator, CancellationToken.None);

        Assert.Equal("Reason", Assert.Single(outcome.Errors).Field);
        Assert.Equal(before, await SeriesSessionsAsync(db.DataSource, seriesId));
    }

    [Fact]
    public async Task Cancelling_this_and_following_cancels_only_the_later_occurrences_keeps_their_bookings_and_stops_their_reminders()
    {
        var (seriesId, before) = await AutumnSeriesAsync();
        var (worker, _) = await BookableWorkerAsync(db.DataSource);
        var kept = await TestData.AssignAsync(db.DataSource, before[1].Id, worker);
        var cancelledBooking = await TestData.AssignAsync(db.DataSource, before[2].Id, worker);

        var outcome = await Edits.CancelAsync(before[2].Id, ChangeScope.ThisAndFollowing, "Hospital asked us to pause", Coordinator, CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal([before[2].Id, before[3].Id], outcome.Value);
        var after = await SeriesSessionsAsync(db.DataSource, seriesId);
        Assert.Equal(
            [("planned", null), ("planned", null), ("cancelled", "Hospital asked us to pause"), ("cancelled", "Hospital asked us to pause")],
            after.Select(s => (s.Status, s.CancelReason)));
        Assert.Equal(2, await TestData.CountAsync(db.DataSource,
            "SELECT count(*) FROM outreach.assignments WHERE worker_id = @worker AND status = 'assigned'", new { worker }));
        // A sweep when both bookings are within the lead time queues a reminder only for the session still on.
        var reminders = new ReminderData(db.DataSource);
        var due = await reminders.DueAsync(null, [20_000], Utc(2027, 10, 22, 12), CancellationToken.None);
        Assert.Contains(due, r => r.AssignmentId == kept);
        Assert.DoesNotContain(due, r => r.AssignmentId == cancelledBooking);
    }

    [Fact]
    public async Task A_cancelled_session_cannot_be_changed_or_cancelled_again()
    {
        var (_, before) = await AutumnSeriesAsync();
        Assert.True((await Edits.CancelAsync(before[0].Id, ChangeScope.This, "Rain", Coordinator, CancellationToken.None)).Succeeded);

        var change = await Edits.ChangeAsync(Unchanged(before[0], ChangeScope.This) with { Title = "x" }, Coordinator, CancellationToken.None);
        var again = await Edits.CancelAsync(before[0].Id, ChangeScope.This, "Again", Coordinator, CancellationToken.None);

        Assert.Contains("cancelled", Assert.Single(change.Errors).Message, StringComparison.Ordinal);
        Assert.Contains("already cancelled", Assert.Single(again.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Moving_a_school_session_onto_an_INSET_day_needs_confirmation()
    {
        var (session, move) = await MoveOntoInsetDayAsync(17);

        var refused = await Edits.ChangeAsync(move, Coordinator, CancellationToken.None);
        Assert.Equal("PlanOnClosedDays", Assert.Single(refused.Errors).Field);
        Assert.Equal(Utc(2027, 6, 17, 8), await StartOfAsync(session));

        var confirmed = await Edits.ChangeAsync(move with { PlanOnClosedDays = true }, Coordinator, CancellationToken.None);
        Assert.True(confirmed.Succeeded);
        Assert.Equal(Utc(2027, 6, 18, 8), await StartOfAsync(session));
    }

    [Fact]
    public async Task A_change_checks_closed_days_on_its_own_connection_so_one_connection_is_enough()
    {
        var (_, move) = await MoveOntoInsetDayAsync(24);
        await using var single = new NpgsqlDataSourceBuilder(db.ConnectionString)
        {
            ConnectionStringBuilder = { MaxPoolSize = 1, Timeout = 3 },
        }.Build();

        var refused = await new SessionEditData(single, TimeProvider.System).ChangeAsync(move, Coordinator, CancellationToken.None);

        Assert.Equal("PlanOnClosedDays", Assert.Single(refused.Errors).Field);
    }

    /// <summary>A school session at 08:00 UTC on <paramref name="day"/> June 2027, and the change moving it to the next day, the school's INSET day.</summary>
    private async Task<(long Session, SessionChange Move)> MoveOntoInsetDayAsync(int day)
    {
        var school = await TestData.VenueAsync(db.DataSource, "school");
        var insetDay = new DateOnly(2027, 6, day + 1);
        await ClosedDayAsync(db.DataSource, insetDay, insetDay, "INSET day", venueId: school);
        var session = await TestData.SessionAsync(db.DataSource, Utc(2027, 6, day, 8), TimeSpan.FromHours(1), school);
        var stored = new StoredSession(session, Utc(2027, 6, day, 8), Utc(2027, 6, day, 9), "t", "", 1, "planned", null, school, null);
        return (session, Unchanged(stored, ChangeScope.This) with { Date = insetDay, Kind = "assembly" });
    }

    private async Task<DateTime> StartOfAsync(long sessionId)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<DateTime>("SELECT starts_at FROM outreach.sessions WHERE id = @sessionId", new { sessionId });
    }

    private async Task<long> UpdateEventsAsync(IEnumerable<StoredSession> sessions) =>
        await TestData.CountAsync(db.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE entity = 'session' AND action = 'update' AND entity_id = ANY(@ids)",
            new { ids = sessions.Select(s => s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray() });
}
