using Dapper;
using Microsoft.Extensions.Options;
using Outreach.Data.Sessions;
using Outreach.Tests.Infrastructure;
using static Outreach.Tests.Infrastructure.WorkerProfiles;

namespace Outreach.Tests.Data;

/// <summary>Ranking a region's workers for one session: who is eligible, in what order, and why the others are not.</summary>
[Collection("Database")]
public sealed class CandidateRankingTests(DatabaseFixture db)
{
    // Wednesday 16 June 2027, 10:00 to 12:00 UK summer time.
    private static readonly DateTime Start = Uk(2027, 6, 16, 10);
    private static readonly TimeSpan Length = TimeSpan.FromHours(2);

    private CandidateData Ranking(int travelBufferMinutes = 30) =>
        new(db.DataSource, Options.Create(new SchedulingOptions { TravelBufferMinutes = travelBufferMinutes }));

    [Fact]
    public async Task A_free_skilled_local_worker_under_their_hours_ranks_first_and_every_other_worker_shows_why_not()
    {
        var region = UniqueRegion();
        var here = await AreaAsync(db.DataSource, region);
        var elsewhere = await AreaAsync(db.DataSource, region);
        var venue = await TestData.VenueAsync(db.DataSource, areaId: here);
        var otherVenue = await TestData.VenueAsync(db.DataSource, areaId: elsewhere);
        var session = await TestData.SessionAsync(db.DataSource, Start, Length, venue);
        var skill = await SkillAsync(db.DataSource);
        await RequireSkillAsync(db.DataSource, session, skill);

        async Task<long> Skilled(params long[] areas)
        {
            var id = await WorkerAsync(db.DataSource, areas);
            await GiveSkillAsync(db.DataSource, id, skill);
            return id;
        }

        var best = await Skilled(here, elsewhere);
        await ContractAsync(db.DataSource, best, 37.5m);

        // Eligible too, but already had two sessions in the four weeks before: fair share puts them second.
        var busier = await Skilled(here);
        foreach (var daysBefore in new[] { 6, 20 })
        {
            await TestData.AssignAsync(db.DataSource, await TestData.SessionAsync(db.DataSource, Start.AddDays(-daysBefore), Length, otherVenue), busier);
        }

        var busy = await Skilled(here);
        var clash = await TestData.SessionAsync(db.DataSource, Start.AddHours(1), Length, otherVenue);
        await TestData.AssignAsync(db.DataSource, clash, busy);

        var tooClose = await Skilled(here);
        await TestData.AssignAsync(db.DataSource,
            await TestData.SessionAsync(db.DataSource, Start.AddHours(-2).AddMinutes(-15), Length, otherVenue), tooClose);

        var onLeave = await Skilled(here);
        await LeaveAsync(db.DataSource, onLeave, new DateOnly(2027, 6, 14), new DateOnly(2027, 6, 18), "Annual leave");

        var outsidePattern = await Skilled(here);
        await PatternAsync(db.DataSource, outsidePattern, 3, "13:00", "18:00");

        var unskilled = await WorkerAsync(db.DataSource, here);

        var dbsLapses = await Skilled(here);
        await DbsReviewAsync(db.DataSource, dbsLapses, new DateOnly(2027, 6, 16));

        var otherArea = await Skilled(elsewhere);

        // 2 hours on the Monday of the same UK week, 3 contracted: this session's 2 more would pass it.
        var overHours = await Skilled(here);
        await ContractAsync(db.DataSource, overHours, 3m);
        await TestData.AssignAsync(db.DataSource, await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 14, 9), Length, otherVenue), overHours);

        var ranked = await Ranking().RankAsync(session, CancellationToken.None);

        Assert.Equal([best, busier], ranked.Where(c => c.Eligible).Select(c => c.Id).ToArray());
        Assert.Equal(best, ranked[0].Id);
        Assert.Equal((0L, 0m, 37.5m), (ranked[0].RecentSessions, ranked[0].HoursThisWeek, ranked[0].ContractedHours!.Value));
        Assert.Equal(2, ranked[1].RecentSessions);

        var skillName = await NameOfAsync(db.DataSource, "skills", skill);
        var hereName = await NameOfAsync(db.DataSource, "areas", here);
        var why = ranked.ToDictionary(c => c.Id);
        Assert.Equal(["Busy: "], Prefixes(why[busy].Reasons, "Busy: "));
        Assert.True(why[busy].Blocked);
        Assert.StartsWith("Less than 30 minutes to travel to or from ", Assert.Single(why[tooClose].Reasons), StringComparison.Ordinal);
        Assert.False(why[tooClose].Blocked);
        Assert.Equal("On leave 14 Jun to 18 Jun 2027: Annual leave", Assert.Single(why[onLeave].Reasons));
        Assert.Equal("Outside their weekly availability", Assert.Single(why[outsidePattern].Reasons));
        Assert.Equal($"Missing skill: {skillName}", Assert.Single(why[unskilled].Reasons));
        Assert.Equal("DBS check due for review on 16 Jun 2027, before this session ends", Assert.Single(why[dbsLapses].Reasons));
        Assert.True(why[dbsLapses].Blocked);
        Assert.Equal($"Does not cover {hereName}", Assert.Single(why[otherArea].Reasons));
        Assert.Equal("Over contracted hours: 2 h booked that week, 2 h more would pass 3 h", Assert.Single(why[overHours].Reasons));

        // Not eligible come after the eligible, and the ones the database would refuse come last.
        var order = ranked.Select(c => c.Id).ToList();
        Assert.True(order.IndexOf(busier) < order.IndexOf(unskilled));
        Assert.True(order.IndexOf(unskilled) < order.IndexOf(busy));
        Assert.True(order.IndexOf(unskilled) < order.IndexOf(dbsLapses));
    }

    [Fact]
    public async Task A_worker_already_on_the_session_or_inactive_or_outside_the_region_is_not_listed()
    {
        var region = UniqueRegion();
        var here = await AreaAsync(db.DataSource, region);
        var session = await TestData.SessionAsync(db.DataSource, Start, Length, await TestData.VenueAsync(db.DataSource, areaId: here));
        var onIt = await WorkerAsync(db.DataSource, here);
        await TestData.AssignAsync(db.DataSource, session, onIt);
        var inactive = await WorkerAsync(db.DataSource, here);
        await using (var c = await db.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("UPDATE outreach.youth_workers SET active = false WHERE id = @inactive", new { inactive });
        }
        var farAway = await WorkerAsync(db.DataSource, await AreaAsync(db.DataSource, UniqueRegion()));
        var listed = await WorkerAsync(db.DataSource, here);

        var ranked = await Ranking().RankAsync(session, CancellationToken.None);

        Assert.Equal([listed], ranked.Select(c => c.Id).ToArray());
        Assert.DoesNotContain(ranked, c => c.Id == onIt || c.Id == inactive || c.Id == farAway);
    }

    [Fact]
    public async Task A_night_shift_inside_a_pattern_that_runs_past_midnight_is_within_availability()
    {
        var region = UniqueRegion();
        var here = await AreaAsync(db.DataSource, region);
        var venue = await TestData.VenueAsync(db.DataSource, "emergency_department", here);
        // Friday 29 October 2027, 20:00 to Saturday 02:00 UK time; and the small hours of that Saturday.
        var evening = await TestData.SessionAsync(db.DataSource, Uk(2027, 10, 29, 20), TimeSpan.FromHours(6), venue);
        var smallHours = await TestData.SessionAsync(db.DataSource, Uk(2027, 10, 30, 0, 30), TimeSpan.FromHours(1), venue);
        var tooLate = await TestData.SessionAsync(db.DataSource, Uk(2027, 10, 30, 1, 30), TimeSpan.FromHours(1), venue);
        var nights = await WorkerAsync(db.DataSource, here);
        await PatternAsync(db.DataSource, nights, 5, "18:00", "02:00");

        Assert.True((await Ranking().RankAsync(evening, CancellationToken.None)).Single(c => c.Id == nights).Eligible);
        Assert.True((await Ranking().RankAsync(smallHours, CancellationToken.None)).Single(c => c.Id == nights).Eligible);
        Assert.Equal("Outside their weekly availability",
            Assert.Single((await Ranking().RankAsync(tooLate, CancellationToken.None)).Single(c => c.Id == nights).Reasons));
    }

    [Fact]
    public async Task The_travel_buffer_comes_from_configuration()
    {
        var region = UniqueRegion();
        var here = await AreaAsync(db.DataSource, region);
        var venue = await TestData.VenueAsync(db.DataSource, areaId: here);
        var session = await TestData.SessionAsync(db.DataSource, Start, Length, venue);
        var worker = await WorkerAsync(db.DataSource, here);
        // Ends 45 minutes before this session starts.
        await TestData.AssignAsync(db.DataSource, await TestData.SessionAsync(db.DataSource, Start.AddMinutes(-165), Length, venue), worker);

        var with30 = (await Ranking(30).RankAsync(session, CancellationToken.None)).Single(c => c.Id == worker);
        var with60 = (await Ranking(60).RankAsync(session, CancellationToken.None)).Single(c => c.Id == worker);

        Assert.True(with30.Eligible);
        Assert.StartsWith("Less than 60 minutes to travel", Assert.Single(with60.Reasons), StringComparison.Ordinal);
    }

    private static string[] Prefixes(string[] reasons, string prefix) =>
        reasons.Select(r => r.StartsWith(prefix, StringComparison.Ordinal) ? prefix : r).ToArray();
}
