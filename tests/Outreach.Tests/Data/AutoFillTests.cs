using Dapper;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Outreach.Data;
using Outreach.Data.ClosedDays;
using Outreach.Data.Sessions;
using Outreach.Tests.Infrastructure;
using static Outreach.Tests.Infrastructure.WorkerProfiles;

namespace Outreach.Tests.Data;

/// <summary>
/// Auto-fill: a balanced rota for a series or a week from the ranking's eligible workers, and booking an
/// accepted plan all at once or not at all.
/// </summary>
[Collection("Database")]
public sealed class AutoFillTests(DatabaseFixture db)
{
    private static readonly Actor Coordinator = new(null, "auto-fill tests", null);

    // The tests' "now": before every session they plan, which are in June 2027.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 5, 3, 9, 0, 0, TimeSpan.Zero));

    private AutoFillData AutoFill()
    {
        var options = Options.Create(new SchedulingOptions { TravelBufferMinutes = 30 });
        return new AutoFillData(db.DataSource, new CandidateData(db.DataSource, options), options, _clock);
    }

    /// <summary>An area of a region of the test's own, so no other test's workers are candidates.</summary>
    private async Task<(long Area, long Venue)> PlaceAsync(string kind = "emergency_department")
    {
        var area = await AreaAsync(db.DataSource, UniqueRegion());
        return (area, await TestData.VenueAsync(db.DataSource, kind, area));
    }

    /// <summary>A&amp;E every Friday and Saturday 18:00 to 02:00 UK time from Friday 4 June 2027.</summary>
    private async Task<(long SeriesId, string Title, IReadOnlyList<SchedulingData.StoredSession> Nights)> NightsAsync(
        long venue, int count, int requiredWorkers = 1, long? skill = null)
    {
        var title = TestData.Unique("A&E nights");
        var series = new SeriesData(db.DataSource, new ClosedDayData(db.DataSource), _clock);
        var outcome = await series.CreateAsync(new NewSeries(venue, "ae_shift", title,
            new SeriesPattern(new HashSet<DayOfWeek> { DayOfWeek.Friday, DayOfWeek.Saturday }, new TimeOnly(18, 0), new TimeOnly(2, 0),
                new DateOnly(2027, 6, 4), null, count), requiredWorkers, "", SkillIds: skill is { } s ? [s] : null),
            Coordinator, CancellationToken.None);
        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        return (outcome.Value!.SeriesId, title, await SchedulingData.SeriesSessionsAsync(db.DataSource, outcome.Value.SeriesId));
    }

    private async Task<long[]> WorkersAsync(int count, long area)
    {
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = await WorkerAsync(db.DataSource, area);
        }
        return ids;
    }

    [Fact]
    public async Task A_series_is_shared_out_so_no_worker_gets_a_second_night_while_an_equally_eligible_worker_has_none()
    {
        var (area, venue) = await PlaceAsync();
        var (seriesId, _, nights) = await NightsAsync(venue, 6);
        var workers = await WorkersAsync(3, area);

        var plan = await AutoFill().PreviewAsync(AutoFillScope.Series(seriesId), CancellationToken.None);

        Assert.Equal(nights.Select(n => n.Id), plan.Sessions.Select(s => s.SessionId));
        Assert.All(plan.Sessions, s => Assert.True(s.Filled));
        var proposed = plan.Sessions.Select(s => Assert.Single(s.Proposed).WorkerId).ToList();
        // Each of the first three nights goes to someone who has none yet; then each gets a second.
        Assert.Equal(workers.Order(), proposed.Take(3).Order());
        Assert.Equal(workers.Order(), proposed.Skip(3).Order());
        Assert.Equal([0, 0, 0, 1, 1, 1], plan.Sessions.Select(s => s.Proposed[0].EarlierInPlan));
    }

    [Fact]
    public async Task A_long_series_goes_round_every_eligible_worker_before_anyone_gets_another_night()
    {
        var (area, venue) = await PlaceAsync();
        // Ten weekends: the earliest nights fall out of the ranking's four-week window long before the last.
        var (seriesId, _, _) = await NightsAsync(venue, 20);
        var workers = await WorkersAsync(8, area);

        var plan = await AutoFill().PreviewAsync(AutoFillScope.Series(seriesId), CancellationToken.None);

        var proposed = plan.Sessions.Select(s => Assert.Single(s.Proposed).WorkerId).ToList();
        for (var nights = 1; nights <= proposed.Count; nights++)
        {
            var shares = workers.Select(w => proposed.Take(nights).Count(p => p == w)).ToList();
            Assert.True(shares.Max() - shares.Min() <= 1, $"After {nights} nights the shares are {string.Join(", ", shares)}.");
        }
    }

    [Fact]
    public async Task Sessions_already_booked_in_the_four_weeks_before_count_towards_a_workers_share()
    {
        var (area, venue) = await PlaceAsync();
        var (seriesId, _, nights) = await NightsAsync(venue, 4);
        var workers = await WorkersAsync(3, area);
        var busier = workers[0];
        var elsewhere = await TestData.VenueAsync(db.DataSource, "school", area);
        foreach (var daysBefore in new[] { 5, 12, 19 })
        {
            await TestData.AssignAsync(db.DataSource,
                await TestData.SessionAsync(db.DataSource, nights[0].StartsAt.AddDays(-daysBefore), TimeSpan.FromHours(2), elsewhere), busier);
        }

        var plan = await AutoFill().PreviewAsync(AutoFillScope.Series(seriesId), CancellationToken.None);

        var proposed = plan.Sessions.Select(s => Assert.Single(s.Proposed).WorkerId).ToList();
        Assert.DoesNotContain(busier, proposed);
        Assert.Equal(2, proposed.Count(w => w == workers[1]));
        Assert.Equal(2, proposed.Count(w => w == workers[2]));
    }

    [Fact]
    public async Task A_worker_is_never_proposed_for_two_overlapping_sessions_of_the_plan_nor_for_one_too_close_to_travel_between()
    {
        var (area, _) = await PlaceAsync("school");
        var monday = new DateOnly(2027, 6, 14);
        var first = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 14, 10), TimeSpan.FromHours(2),
            await TestData.VenueAsync(db.DataSource, "school", area));
        var overlapping = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 14, 11), TimeSpan.FromHours(2),
            await TestData.VenueAsync(db.DataSource, "school", area));
        // Starts 15 minutes after the first ends (less than the 30-minute travel buffer) and overlaps the second.
        var tooClose = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 14, 12, 15), TimeSpan.FromMinutes(45),
            await TestData.VenueAsync(db.DataSource, "school", area));
        var workers = await WorkersAsync(2, area);

        var plan = await AutoFill().PreviewAsync(AutoFillScope.Week(monday, area), CancellationToken.None);

        Assert.Equal([first, overlapping, tooClose], plan.Sessions.Select(s => s.SessionId));
        var byId = plan.Sessions.ToDictionary(s => s.SessionId);
        var onFirst = Assert.Single(byId[first].Proposed).WorkerId;
        var onSecond = Assert.Single(byId[overlapping].Proposed).WorkerId;
        Assert.NotEqual(onFirst, onSecond);
        Assert.Equal(workers.Order(), new[] { onFirst, onSecond }.Order());
        var third = byId[tooClose];
        Assert.Empty(third.Proposed);
        Assert.False(third.Filled);
        Assert.Equal("Needs 1 worker; nobody could be proposed.", third.Why[0]);
        var firstName = await NameOfAsync(db.DataSource, "youth_workers", onFirst);
        var secondName = await NameOfAsync(db.DataSource, "youth_workers", onSecond);
        Assert.Contains($"Proposed in this plan for an overlapping session: 1 worker ({secondName})", third.Why);
        Assert.Contains($"Proposed in this plan for a session less than 30 minutes' travel away: 1 worker ({firstName})", third.Why);
    }

    [Fact]
    public async Task Only_workers_the_ranking_finds_eligible_are_proposed_so_DBS_skills_and_areas_are_respected()
    {
        var region = UniqueRegion();
        var here = await AreaAsync(db.DataSource, region);
        var nextDoor = await AreaAsync(db.DataSource, region);
        var venue = await TestData.VenueAsync(db.DataSource, "emergency_department", here);
        var skill = await SkillAsync(db.DataSource);
        var (seriesId, _, nights) = await NightsAsync(venue, 4, skill: skill);

        async Task<long> Trained(long area)
        {
            var id = await WorkerAsync(db.DataSource, area);
            await GiveSkillAsync(db.DataSource, id, skill);
            return id;
        }

        var good = await Trained(here);
        var alsoGood = await Trained(here);
        var untrained = await WorkerAsync(db.DataSource, here);
        var lapsing = await Trained(here);
        await DbsReviewAsync(db.DataSource, lapsing, new DateOnly(2027, 6, 1));
        var noCheck = await Trained(here);
        await DbsReviewAsync(db.DataSource, noCheck, null);
        var elsewhere = await Trained(nextDoor);
        var onLeave = await Trained(here);
        await LeaveAsync(db.DataSource, onLeave, new DateOnly(2027, 6, 1), new DateOnly(2027, 6, 30), "Annual leave");

        var plan = await AutoFill().PreviewAsync(AutoFillScope.Series(seriesId), CancellationToken.None);

        Assert.Equal(nights.Count, plan.Sessions.Count);
        var proposed = plan.Sessions.Select(s => Assert.Single(s.Proposed).WorkerId).ToList();
        Assert.All(proposed, w => Assert.Contains(w, new[] { good, alsoGood }));
        Assert.Equal(2, proposed.Count(w => w == good));
        Assert.DoesNotContain(proposed, w => w == untrained || w == lapsing || w == noCheck || w == elsewhere || w == onLeave);
    }

    [Fact]
    public async Task Sessions_that_cannot_be_filled_are_listed_with_the_reasons_and_how_many_workers_each_rules_out()
    {
        var (area, venue) = await PlaceAsync();
        var skill = await SkillAsync(db.DataSource);
        var skillName = await NameOfAsync(db.DataSource, "skills", skill);
        var (seriesId, _, _) = await NightsAsync(venue, 2, requiredWorkers: 2, skill: skill);
        var workers = await WorkersAsync(2, area);
        var trained = await WorkerAsync(db.DataSource, area);
        await GiveSkillAsync(db.DataSource, trained, skill);
        var names = await Task.WhenAll(workers.Select(w => NameOfAsync(db.DataSource, "youth_workers", w)));
        var (_, lonelyVenue) = await PlaceAsync();
        var lonely = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 16, 10), TimeSpan.FromHours(1), lonelyVenue);
        var lonelyArea = await SchedulingData.AreaOfVenueAsync(db.DataSource, lonelyVenue);

        var plan = await AutoFill().PreviewAsync(AutoFillScope.Series(seriesId), CancellationToken.None);
        var week = await AutoFill().PreviewAsync(AutoFillScope.Week(new DateOnly(2027, 6, 14), lonelyArea), CancellationToken.None);

        Assert.Equal(2, plan.Unfillable.Count());
        foreach (var night in plan.Sessions)
        {
            Assert.Equal(trained, Assert.Single(night.Proposed).WorkerId);
            Assert.Equal("Needs 2 workers; only 1 worker could be proposed.", night.Why[0]);
            var line = Assert.Single(night.Why, l => l.StartsWith($"Missing skill: {skillName}: 2 workers (", StringComparison.Ordinal));
            Assert.All(names, name => Assert.Contains(name, line, StringComparison.Ordinal));
        }
        var alone = Assert.Single(week.Sessions);
        Assert.Equal(lonely, alone.SessionId);
        Assert.Empty(alone.Proposed);
        Assert.Contains(alone.Why, line => line.StartsWith("No youth worker covers the region", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Accepting_books_every_proposed_worker_with_an_audit_event_each_and_the_first_on_each_session_leads()
    {
        var (area, venue) = await PlaceAsync();
        var (seriesId, _, nights) = await NightsAsync(venue, 2, requiredWorkers: 2);
        await WorkersAsync(4, area);
        var autoFill = AutoFill();
        var plan = await autoFill.PreviewAsync(AutoFillScope.Series(seriesId), CancellationToken.None);
        Assert.Equal(4, plan.Pairs.Count);

        var outcome = await autoFill.AcceptAsync(AutoFillScope.Series(seriesId), plan.Pairs, Coordinator, CancellationToken.None);

        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        Assert.Equal(plan.Pairs.OrderBy(p => p.SessionId).ThenBy(p => p.WorkerId),
            outcome.Value!.Select(a => new ProposedPair(a.SessionId, a.WorkerId)).OrderBy(p => p.SessionId).ThenBy(p => p.WorkerId));
        Assert.All(outcome.Value!, a => Assert.Equal(nights.Single(n => n.Id == a.SessionId).StartsAt, a.StartsAt));
        var booked = await BookingsAsync(nights.Select(n => n.Id).ToArray());
        Assert.Equal(4, booked.Count);
        Assert.All(booked, b => Assert.Equal("assigned", b.Status));
        Assert.All(nights, n => Assert.Single(booked, b => b.SessionId == n.Id && b.IsLead));
        Assert.Equal(4, await AuditEventsAsync(nights.Select(n => n.Id).ToArray()));
        Assert.Empty((await autoFill.PreviewAsync(AutoFillScope.Series(seriesId), CancellationToken.None)).Sessions);
    }

    [Fact]
    public async Task A_booking_made_elsewhere_between_preview_and_accept_is_named_and_nothing_of_the_plan_is_booked()
    {
        var (area, venue) = await PlaceAsync();
        var (seriesId, title, nights) = await NightsAsync(venue, 3);
        await WorkersAsync(3, area);
        var autoFill = AutoFill();
        var plan = await autoFill.PreviewAsync(AutoFillScope.Series(seriesId), CancellationToken.None);
        var last = plan.Sessions[^1];
        var taken = last.Proposed[0];
        // Another coordinator books that worker on an overlapping shift elsewhere before this plan is accepted.
        var elsewhere = await TestData.SessionAsync(db.DataSource, last.StartsAt.AddHours(1), TimeSpan.FromHours(2),
            await TestData.VenueAsync(db.DataSource, "school", area));
        await TestData.AssignAsync(db.DataSource, elsewhere, taken.WorkerId);

        var outcome = await autoFill.AcceptAsync(AutoFillScope.Series(seriesId), plan.Pairs, Coordinator, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        var message = Assert.Single(outcome.Errors).Message;
        Assert.Contains(taken.FullName, message, StringComparison.Ordinal);
        Assert.Contains(title, message, StringComparison.Ordinal);
        Assert.Contains("Busy: ", message, StringComparison.Ordinal);
        Assert.Empty(await BookingsAsync(nights.Select(n => n.Id).ToArray()));
        Assert.Equal(0, await AuditEventsAsync(nights.Select(n => n.Id).ToArray()));
    }

    [Fact]
    public async Task When_the_database_refuses_a_double_booking_during_the_accept_every_booking_of_the_plan_is_rolled_back()
    {
        var (area, venue) = await PlaceAsync();
        var (seriesId, title, nights) = await NightsAsync(venue, 3);
        await WorkersAsync(3, area);
        var autoFill = AutoFill();
        var plan = await autoFill.PreviewAsync(AutoFillScope.Series(seriesId), CancellationToken.None);
        var last = plan.Sessions[^1];
        var worker = last.Proposed[0];
        var elsewhere = await TestData.SessionAsync(db.DataSource, last.StartsAt.AddHours(1), TimeSpan.FromHours(2),
            await TestData.VenueAsync(db.DataSource, "school", area));

        // The clashing booking is written but not yet committed while the plan is checked, so the check passes
        // and the database itself must refuse the plan's booking once that one commits.
        var outcome = await WhileUncommittedAsync(
            "INSERT INTO outreach.assignments (session_id, worker_id, is_lead, during) VALUES (@elsewhere, @workerId, true, 'empty')",
            new { elsewhere, worker.WorkerId },
            () => autoFill.AcceptAsync(AutoFillScope.Series(seriesId), plan.Pairs, Coordinator, CancellationToken.None));

        Assert.False(outcome.Succeeded);
        var message = Assert.Single(outcome.Errors).Message;
        Assert.Contains($"{worker.FullName} was booked at an overlapping time a moment ago", message, StringComparison.Ordinal);
        Assert.Contains(title, message, StringComparison.Ordinal);
        Assert.Contains(UkTime.Format(last.StartsAt, "ddd d MMM yyyy HH:mm"), message, StringComparison.Ordinal);
        Assert.Empty(await BookingsAsync(nights.Select(n => n.Id).ToArray()));
        Assert.Equal(0, await AuditEventsAsync(nights.Select(n => n.Id).ToArray()));
    }

    [Fact]
    public async Task When_a_DBS_check_is_cut_short_during_the_accept_the_trigger_refuses_and_the_whole_plan_is_rolled_back()
    {
        var (area, venue) = await PlaceAsync();
        var (seriesId, title, nights) = await NightsAsync(venue, 3);
        await WorkersAsync(3, area);
        var autoFill = AutoFill();
        var plan = await autoFill.PreviewAsync(AutoFillScope.Series(seriesId), CancellationToken.None);
        var worker = plan.Sessions[^1].Proposed[0];
        Assert.DoesNotContain(plan.Sessions.SkipLast(1), s => s.Proposed.Any(p => p.WorkerId == worker.WorkerId));

        var outcome = await WhileUncommittedAsync(
            "UPDATE outreach.youth_workers SET dbs_issued_on = DATE '2024-06-01', dbs_next_review_on = DATE '2027-06-01' WHERE id = @WorkerId",
            new { worker.WorkerId },
            () => autoFill.AcceptAsync(AutoFillScope.Series(seriesId), plan.Pairs, Coordinator, CancellationToken.None));

        Assert.False(outcome.Succeeded);
        var message = Assert.Single(outcome.Errors).Message;
        Assert.Contains($"{worker.FullName}'s DBS check does not cover {title}", message, StringComparison.Ordinal);
        Assert.Empty(await BookingsAsync(nights.Select(n => n.Id).ToArray()));
        Assert.Equal(0, await AuditEventsAsync(nights.Select(n => n.Id).ToArray()));
    }

    [Fact]
    public async Task A_proposal_naming_sessions_outside_the_scope_unknown_workers_or_more_workers_than_needed_is_refused_whole()
    {
        var (area, venue) = await PlaceAsync();
        var (seriesId, _, nights) = await NightsAsync(venue, 2);
        var workers = await WorkersAsync(3, area);
        var outside = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 16, 10), TimeSpan.FromHours(1), venue);
        var autoFill = AutoFill();
        var scope = AutoFillScope.Series(seriesId);

        var notInSeries = await autoFill.AcceptAsync(scope,
            [new(nights[0].Id, workers[0]), new(outside, workers[1])], Coordinator, CancellationToken.None);
        var unknownWorker = await autoFill.AcceptAsync(scope,
            [new(nights[0].Id, workers[0]), new(nights[1].Id, long.MaxValue)], Coordinator, CancellationToken.None);
        var tooMany = await autoFill.AcceptAsync(scope,
            [new(nights[0].Id, workers[0]), new(nights[0].Id, workers[1])], Coordinator, CancellationToken.None);
        var noSuchSession = await autoFill.AcceptAsync(scope, [new(long.MaxValue, workers[0])], Coordinator, CancellationToken.None);
        var nothing = await autoFill.AcceptAsync(scope, [], Coordinator, CancellationToken.None);

        Assert.Contains("is no longer open to fill this series", Assert.Single(notInSeries.Errors).Message, StringComparison.Ordinal);
        Assert.Contains("a youth worker who does not exist", Assert.Single(unknownWorker.Errors).Message, StringComparison.Ordinal);
        Assert.Contains("now needs 1 worker, not 2", Assert.Single(tooMany.Errors).Message, StringComparison.Ordinal);
        Assert.Contains("a session that does not exist", Assert.Single(noSuchSession.Errors).Message, StringComparison.Ordinal);
        Assert.Contains("Nothing to assign", Assert.Single(nothing.Errors).Message, StringComparison.Ordinal);
        Assert.Empty(await BookingsAsync([.. nights.Select(n => n.Id), outside]));
    }

    /// <summary>
    /// Runs <paramref name="act"/> while another connection holds <paramref name="sql"/> uncommitted; commits it once
    /// <paramref name="act"/> is waiting on that connection's locks, then returns what <paramref name="act"/> gave.
    /// </summary>
    private async Task<T> WhileUncommittedAsync<T>(string sql, object args, Func<Task<T>> act)
    {
        await using var other = await db.DataSource.OpenConnectionAsync();
        await using var transaction = await other.BeginTransactionAsync();
        await other.ExecuteAsync(sql, args, transaction);
        var running = Task.Run(act);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        await using (var watcher = await db.DataSource.OpenConnectionAsync())
        {
            while (!await watcher.ExecuteScalarAsync<bool>("""
                SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                                WHERE datname = current_database() AND wait_event_type = 'Lock'
                                  AND query LIKE '%INSERT INTO outreach.assignments%' AND pid <> pg_backend_pid())
                """))
            {
                Assert.False(running.IsCompleted, "The accept finished before it reached the uncommitted change.");
                Assert.True(DateTime.UtcNow < deadline, "The accept never waited for the uncommitted change.");
                await Task.Delay(50);
            }
        }
        await transaction.CommitAsync();
        return await running;
    }

    private sealed record Booking(long SessionId, long WorkerId, string Status, bool IsLead);

    private async Task<List<Booking>> BookingsAsync(long[] sessionIds)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return (await c.QueryAsync<Booking>(
            "SELECT session_id, worker_id, status, is_lead FROM outreach.assignments WHERE session_id = ANY(@sessionIds)",
            new { sessionIds })).AsList();
    }

    private async Task<long> AuditEventsAsync(long[] sessionIds) => await TestData.CountAsync(db.DataSource, """
        SELECT count(*) FROM outreach.audit_events
        WHERE entity = 'assignment' AND action = 'assign' AND (after->>'sessionId')::bigint = ANY(@sessionIds)
        """, new { sessionIds });
}
