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

    [Fact]
    public async Task A_session_only_one_worker_can_do_gets_them_even_when_an_earlier_overlapping_session_would_have_taken_them()
    {
        var (area, _) = await PlaceAsync("school");
        var skill = await SkillAsync(db.DataSource);
        var early = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 14, 10), TimeSpan.FromHours(2),
            await TestData.VenueAsync(db.DataSource, "school", area));
        var later = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 14, 11), TimeSpan.FromHours(2),
            await TestData.VenueAsync(db.DataSource, "school", area));
        await RequireSkillAsync(db.DataSource, later, skill);
        var (only, other) = (await WorkerAsync(db.DataSource, area), await WorkerAsync(db.DataSource, area));
        await GiveSkillAsync(db.DataSource, only, skill);
        // The other worker had a session last week, so the fair share alone would give the early session to the
        // only worker who can do the later one.
        await BookedBeforeAsync(other, area, Uk(2027, 6, 7, 10));

        var plan = await AutoFill().PreviewAsync(AutoFillScope.Week(new DateOnly(2027, 6, 14), area), CancellationToken.None);

        Assert.Equal([early, later], plan.Sessions.Select(s => s.SessionId));
        Assert.Empty(plan.Unfillable);
        Assert.Equal(other, Assert.Single(plan.Sessions[0].Proposed).WorkerId);
        Assert.Equal(only, Assert.Single(plan.Sessions[1].Proposed).WorkerId);
        Assert.True((await AutoFill().AcceptAsync(AutoFillScope.Week(new DateOnly(2027, 6, 14), area), plan.Pairs, Coordinator,
            CancellationToken.None)).Succeeded);
    }

    [Fact]
    public async Task With_too_few_workers_every_session_gets_its_first_worker_before_any_gets_a_second()
    {
        var (area, _) = await PlaceAsync("school");
        var pair = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 21, 10), TimeSpan.FromHours(2),
            await TestData.VenueAsync(db.DataSource, "school", area));
        var single = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 21, 11), TimeSpan.FromHours(2),
            await TestData.VenueAsync(db.DataSource, "school", area));
        await using (var c = await db.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("UPDATE outreach.sessions SET required_workers = 2 WHERE id = @pair", new { pair });
        }
        // Two workers for two overlapping sessions needing three: both to the pair would leave the other with nobody.
        await WorkerAsync(db.DataSource, area);
        await WorkerAsync(db.DataSource, area);

        var plan = await AutoFill().PreviewAsync(AutoFillScope.Week(new DateOnly(2027, 6, 21), area), CancellationToken.None);

        Assert.Single(plan.Sessions.Single(s => s.SessionId == pair).Proposed);
        Assert.Single(plan.Sessions.Single(s => s.SessionId == single).Proposed);
    }

    [Fact]
    public async Task A_session_later_in_the_week_keeps_the_only_worker_whose_contracted_hours_leave_room_for_one_of_the_two()
    {
        var (area, _) = await PlaceAsync("school");
        var skill = await SkillAsync(db.DataSource);
        var monday = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 14, 10), TimeSpan.FromHours(4),
            await TestData.VenueAsync(db.DataSource, "school", area));
        var wednesday = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 16, 10), TimeSpan.FromHours(4),
            await TestData.VenueAsync(db.DataSource, "school", area));
        await RequireSkillAsync(db.DataSource, wednesday, skill);
        var (only, other) = (await WorkerAsync(db.DataSource, area), await WorkerAsync(db.DataSource, area));
        await GiveSkillAsync(db.DataSource, only, skill);
        await ContractAsync(db.DataSource, only, 6m);
        await BookedBeforeAsync(other, area, Uk(2027, 6, 7, 10));

        var plan = await AutoFill().PreviewAsync(AutoFillScope.Week(new DateOnly(2027, 6, 14), area), CancellationToken.None);

        Assert.Empty(plan.Unfillable);
        Assert.Equal(other, Assert.Single(plan.Sessions.Single(s => s.SessionId == monday).Proposed).WorkerId);
        Assert.Equal(only, Assert.Single(plan.Sessions.Single(s => s.SessionId == wednesday).Proposed).WorkerId);
    }

    [Fact]
    public async Task A_session_left_short_takes_a_worker_from_another_session_when_someone_else_can_cover_that_one()
    {
        // Three overlapping sessions, each two can do: the fair share in time order gives the first to z and the
        // second to x, leaving the third (x or z) short though y could have had the second.
        var (area, _) = await PlaceAsync("school");
        var (s1, s2, s3) = (await SkillAsync(db.DataSource), await SkillAsync(db.DataSource), await SkillAsync(db.DataSource));
        async Task<long> SessionAsync(int hour, long skill)
        {
            var id = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 15, hour), TimeSpan.FromHours(3),
                await TestData.VenueAsync(db.DataSource, "school", area));
            await RequireSkillAsync(db.DataSource, id, skill);
            return id;
        }
        var first = await SessionAsync(9, s1);
        var second = await SessionAsync(10, s2);
        var third = await SessionAsync(11, s3);
        var (x, y, z) = (await WorkerAsync(db.DataSource, area), await WorkerAsync(db.DataSource, area), await WorkerAsync(db.DataSource, area));
        foreach (var (worker, skill) in new[] { (x, s2), (x, s3), (y, s1), (y, s2), (z, s1), (z, s3) })
        {
            await GiveSkillAsync(db.DataSource, worker, skill);
        }
        await BookedBeforeAsync(y, area, Uk(2027, 6, 8, 10));

        var plan = await AutoFill().PreviewAsync(AutoFillScope.Week(new DateOnly(2027, 6, 14), area), CancellationToken.None);

        Assert.Equal([first, second, third], plan.Sessions.Select(s => s.SessionId));
        Assert.Empty(plan.Unfillable);
        var proposed = plan.Sessions.Select(s => Assert.Single(s.Proposed).WorkerId).ToList();
        Assert.Equal(new[] { x, y, z }.Order(), proposed.Order());
        Assert.True((await AutoFill().AcceptAsync(AutoFillScope.Week(new DateOnly(2027, 6, 14), area), plan.Pairs, Coordinator,
            CancellationToken.None)).Succeeded);
    }

    [Fact]
    public async Task Filling_the_sessions_few_can_do_first_still_shares_the_week_out_evenly()
    {
        var (area, _) = await PlaceAsync("school");
        var skill = await SkillAsync(db.DataSource);
        var sessions = new List<long>();
        for (var day = 0; day < 5; day++)
        {
            foreach (var hour in new[] { 9, 14 })
            {
                sessions.Add(await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 14 + day, hour), TimeSpan.FromHours(2),
                    await TestData.VenueAsync(db.DataSource, "school", area)));
            }
        }
        var workers = await WorkersAsync(5, area);
        await GiveSkillAsync(db.DataSource, workers[0], skill);
        await RequireSkillAsync(db.DataSource, sessions[7], skill);
        await RequireSkillAsync(db.DataSource, sessions[3], skill);

        var plan = await AutoFill().PreviewAsync(AutoFillScope.Week(new DateOnly(2027, 6, 14), area), CancellationToken.None);

        Assert.Empty(plan.Unfillable);
        var proposed = plan.Sessions.ToDictionary(s => s.SessionId, s => Assert.Single(s.Proposed).WorkerId);
        Assert.Equal(workers[0], proposed[sessions[3]]);
        Assert.Equal(workers[0], proposed[sessions[7]]);
        Assert.All(workers, w => Assert.Equal(2, proposed.Values.Count(p => p == w)));
    }

    [Fact]
    public async Task Random_small_weeks_never_get_a_proposal_that_breaks_a_rule_and_leave_a_place_empty_only_when_nobody_left_could_take_it()
    {
        var monday = new DateOnly(2027, 6, 14);
        var (weekFrom, weekTo) = AutoFillData.WeekBounds(monday);
        for (var seed = 1; seed <= 6; seed++)
        {
            var random = new Random(seed);
            var (area, _) = await PlaceAsync("school");
            var skills = new[] { await SkillAsync(db.DataSource), await SkillAsync(db.DataSource) };
            var workers = new List<long>();
            for (var i = 0; i < 5 + random.Next(3); i++)
            {
                var w = await WorkerAsync(db.DataSource, area);
                workers.Add(w);
                foreach (var skill in skills.Where(_ => random.Next(2) == 0))
                {
                    await GiveSkillAsync(db.DataSource, w, skill);
                }
                switch (random.Next(6))
                {
                    case 0: await ContractAsync(db.DataSource, w, 4 + random.Next(4)); break;
                    case 1: await LeaveAsync(db.DataSource, w, monday.AddDays(random.Next(5)), monday.AddDays(5), "Annual leave"); break;
                    case 2: await DbsReviewAsync(db.DataSource, w, monday.AddDays(1 + random.Next(4))); break;
                    case 3: await PatternAsync(db.DataSource, w, 1 + random.Next(5), "09:00", "13:00"); break;
                }
            }
            var sessions = new List<long>();
            for (var i = 0; i < 8 + random.Next(5); i++)
            {
                var id = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 14 + random.Next(5), 9 + random.Next(6), 15 * random.Next(4)),
                    TimeSpan.FromMinutes(60 + 30 * random.Next(4)), await TestData.VenueAsync(db.DataSource, "school", area));
                sessions.Add(id);
                if (random.Next(3) == 0)
                {
                    await RequireSkillAsync(db.DataSource, id, skills[random.Next(2)]);
                }
                if (random.Next(3) == 0)
                {
                    await ExecuteAsync("UPDATE outreach.sessions SET required_workers = 2 WHERE id = @id", new { id });
                }
                if (random.Next(4) == 0)
                {
                    await ExecuteAsync("""
                        INSERT INTO outreach.assignments (session_id, worker_id, is_lead, during, status)
                        VALUES (@id, @worker, false, 'empty', 'declined')
                        """, new { id, worker = workers[random.Next(workers.Count)] });
                }
            }
            var autoFill = AutoFill();
            var scope = AutoFillScope.Week(monday, area);

            var plan = await autoFill.PreviewAsync(scope, CancellationToken.None);

            var declined = (await QueryAsync<(long, long)>(
                "SELECT session_id, worker_id FROM outreach.assignments WHERE session_id = ANY(@sessions) AND status = 'declined'",
                new { sessions = sessions.ToArray() })).ToHashSet();
            var ranking = new CandidateData(db.DataSource, Options.Create(new SchedulingOptions { TravelBufferMinutes = 30 }));
            var eligible = new Dictionary<long, Dictionary<long, Candidate>>();
            foreach (var s in plan.Sessions)
            {
                eligible[s.SessionId] = (await ranking.RankAsync(s.SessionId, CancellationToken.None)).Where(c => c.Eligible).ToDictionary(c => c.Id);
            }
            bool Breaks(long workerId, PlannedSession session, IEnumerable<PlannedSession> others)
            {
                var mine = others.Where(o => o.SessionId != session.SessionId && o.Proposed.Any(p => p.WorkerId == workerId)).ToList();
                var candidate = eligible[session.SessionId][workerId];
                var hours = (decimal)(session.EndsAt - session.StartsAt).TotalHours
                    + mine.Sum(o => (decimal)(o.EndsAt - o.StartsAt).TotalHours);
                return declined.Contains((session.SessionId, workerId))
                    || mine.Any(o => o.StartsAt < session.EndsAt.AddMinutes(30) && session.StartsAt.AddMinutes(-30) < o.EndsAt)
                    || candidate.HoursThisWeek + hours > candidate.ContractedHours.GetValueOrDefault(decimal.MaxValue);
            }
            Assert.All(plan.Sessions, s => Assert.InRange(s.StartsAt, weekFrom, weekTo));
            foreach (var session in plan.Sessions)
            {
                Assert.True(session.Proposed.Count <= session.Needed, $"Seed {seed}: {session.Label} is given more workers than it needs.");
                foreach (var worker in session.Proposed)
                {
                    Assert.True(eligible[session.SessionId].ContainsKey(worker.WorkerId), $"Seed {seed}: an ineligible worker is proposed for {session.Label}.");
                    Assert.False(Breaks(worker.WorkerId, session, plan.Sessions), $"Seed {seed}: a proposal for {session.Label} breaks a rule.");
                }
                if (!session.Filled)
                {
                    Assert.All(eligible[session.SessionId].Keys.Where(w => session.Proposed.All(p => p.WorkerId != w)),
                        w => Assert.True(Breaks(w, session, plan.Sessions), $"Seed {seed}: {session.Label} is short though a worker was free for it."));
                }
            }
            if (plan.Pairs.Count > 0)
            {
                var accepted = await autoFill.AcceptAsync(scope, plan.Pairs, Coordinator, CancellationToken.None);
                Assert.True(accepted.Succeeded, $"Seed {seed}: " + string.Join("; ", accepted.Errors.Select(e => e.Message)));
            }
        }
    }

    /// <summary>A session in the week before that the worker did, so they have had more than their share lately.</summary>
    private async Task BookedBeforeAsync(long workerId, long area, DateTime startsAt) =>
        await TestData.AssignAsync(db.DataSource,
            await TestData.SessionAsync(db.DataSource, startsAt, TimeSpan.FromHours(1), await TestData.VenueAsync(db.DataSource, "school", area)),
            workerId);

    private async Task ExecuteAsync(string sql, object args)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        await c.ExecuteAsync(sql, args);
    }

    private async Task<List<T>> QueryAsync<T>(string sql, object args)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return (await c.QueryAsync<T>(sql, args)).AsList();
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
