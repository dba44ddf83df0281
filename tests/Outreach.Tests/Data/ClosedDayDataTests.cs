using Dapper;
using Outreach.Data;
using Outreach.Data.ClosedDays;
using Outreach.Tests.Infrastructure;
using static Outreach.Tests.Infrastructure.SchedulingData;

namespace Outreach.Tests.Data;

/// <summary>GOV.UK bank holidays, term holidays and INSET days, and which schools they close.</summary>
[Collection("Database")]
public sealed class ClosedDayDataTests(DatabaseFixture db)
{
    private static readonly Actor Coordinator = new(null, "closed day tests", null);

    private ClosedDayData ClosedDays => new(db.DataSource);

    /// <summary>GOV.UK's file in its real shape, with dates in a year no other test uses.</summary>
    public static string BankHolidaysJson(int year, string newYearTitle = "New Year’s Day") => """
        {"england-and-wales":{"division":"england-and-wales","events":[
            {"title":"NEWYEAR","date":"YEAR-01-01","notes":"","bunting":true},
            {"title":"Good Friday","date":"YEAR-04-13","notes":"","bunting":false},
            {"title":"Early May bank holiday","date":"YEAR-05-07","notes":"","bunting":true},
            {"title":"Christmas Day","date":"YEAR-12-25","notes":"","bunting":true}]},
         "scotland":{"division":"scotland","events":[
            {"title":"2nd January","date":"YEAR-01-02","notes":"","bunting":true},
            {"title":"St Andrew’s Day","date":"YEAR-11-30","notes":"","bunting":true}]},
         "northern-ireland":{"division":"northern-ireland","events":[
            {"title":"St Patrick’s Day","date":"YEAR-03-17","notes":"","bunting":true}]}}
        """.Replace("NEWYEAR", newYearTitle, StringComparison.Ordinal)
           .Replace("YEAR", year.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    [Fact]
    public async Task Importing_GOV_UK_bank_holidays_stores_only_the_England_and_Wales_dates()
    {
        var outcome = await ClosedDays.ImportBankHolidaysAsync(BankHolidaysJson(2091), Coordinator, CancellationToken.None);

        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        Assert.Equal(new BankHolidayImport(4, 0, 0, new DateOnly(2091, 1, 1), new DateOnly(2091, 12, 25)), outcome.Value);
        Assert.Equal(
            [(new DateTime(2091, 1, 1), "New Year’s Day"), (new DateTime(2091, 4, 13), "Good Friday"),
             (new DateTime(2091, 5, 7), "Early May bank holiday"), (new DateTime(2091, 12, 25), "Christmas Day")],
            await HolidaysInAsync(2091));
    }

    [Fact]
    public async Task Importing_the_file_again_adds_no_copies_and_takes_a_changed_title()
    {
        Assert.True((await ClosedDays.ImportBankHolidaysAsync(BankHolidaysJson(2092), Coordinator, CancellationToken.None)).Succeeded);

        var again = await ClosedDays.ImportBankHolidaysAsync(BankHolidaysJson(2092, "New Year’s Day (substitute day)"), Coordinator, CancellationToken.None);

        Assert.Equal(new BankHolidayImport(0, 1, 3, new DateOnly(2092, 1, 1), new DateOnly(2092, 12, 25)), again.Value);
        var stored = await HolidaysInAsync(2092);
        Assert.Equal(4, stored.Count);
        Assert.Equal("New Year’s Day (substitute day)", stored[0].Reason);
    }

    [Theory]
    [InlineData("{\"england-and-wales\": {\"events\": [", "The file is not valid JSON")]
    [InlineData("[1, 2, 3]", "it should be an object with one entry per division")]
    [InlineData("{\"scotland\": {\"division\": \"scotland\", \"events\": []}}", "it has no \"england-and-wales\" division")]
    [InlineData("{\"england-and-wales\": {\"division\": \"england-and-wales\", \"events\": {}}}", "has no list of events")]
    [InlineData("{\"england-and-wales\": {\"events\": [{\"title\": \"New Year\", \"date\": \"2093-01-01\"}, {\"title\": \"Good Friday\", \"date\": \"13/04/2093\"}]}}",
        "Event 2 of \"england-and-wales\" (Good Friday) has no date in the form YYYY-MM-DD")]
    [InlineData("{\"england-and-wales\": {\"events\": [{\"title\": \"New Year\", \"date\": \"2093-01-01\"}, {\"date\": \"2093-04-13\"}]}}",
        "Event 2 of \"england-and-wales\" has no title")]
    [InlineData("{\"england-and-wales\": {\"events\": []}}", "lists no bank holidays")]
    public async Task A_file_that_is_not_GOV_UKs_bank_holidays_is_refused_with_a_clear_message_and_nothing_is_written(string json, string message)
    {
        const string Count = "SELECT count(*) FROM outreach.closed_days WHERE kind = 'bank_holiday'";
        var before = await TestData.CountAsync(db.DataSource, Count);

        var outcome = await ClosedDays.ImportBankHolidaysAsync(json, Coordinator, CancellationToken.None);

        var error = Assert.Single(outcome.Errors);
        Assert.Equal("File", error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(await HolidaysInAsync(2093));
        Assert.Equal(before, await TestData.CountAsync(db.DataSource, Count));
    }

    [Fact]
    public async Task A_school_is_closed_on_its_own_INSET_day_and_its_authoritys_holidays_but_not_another_authoritys()
    {
        var school = await TestData.VenueAsync(db.DataSource, "school");
        var neighbour = await TestData.VenueAsync(db.DataSource, "school");
        var hospital = await TestData.VenueAsync(db.DataSource, "emergency_department", await AreaOfVenueAsync(db.DataSource, school));
        var area = await AreaOfVenueAsync(db.DataSource, school);
        await ClosedDayAsync(db.DataSource, new DateOnly(2027, 10, 25), new DateOnly(2027, 10, 29), "October half term", areaId: area, kind: "school_holiday");
        await ClosedDayAsync(db.DataSource, new DateOnly(2027, 10, 28), new DateOnly(2027, 10, 28), "INSET: safeguarding training", venueId: school);

        var closures = await ClosedDays.ClosuresAsync(
            [(school, new DateOnly(2027, 10, 25)), (school, new DateOnly(2027, 10, 28)), (school, new DateOnly(2027, 11, 1)),
             (neighbour, new DateOnly(2027, 10, 25)), (hospital, new DateOnly(2027, 10, 25))],
            CancellationToken.None);

        Assert.Equal(
            [(school, new DateOnly(2027, 10, 25), "October half term"), (school, new DateOnly(2027, 10, 28), "INSET: safeguarding training")],
            closures.OrderBy(c => c.Day).Select(c => (c.VenueId, c.Day, c.Reason)));
    }

    [Fact]
    public async Task A_closure_entered_by_a_coordinator_is_audited_and_a_last_day_before_the_first_is_refused()
    {
        var school = await TestData.VenueAsync(db.DataSource, "school");

        var refused = await ClosedDays.CreateAsync(new NewClosedDay("inset_day", null, school, new DateOnly(2027, 9, 3), new DateOnly(2027, 9, 2), "INSET"),
            Coordinator, CancellationToken.None);
        var created = await ClosedDays.CreateAsync(new NewClosedDay("inset_day", null, school, new DateOnly(2027, 9, 2), new DateOnly(2027, 9, 3), "INSET"),
            Coordinator, CancellationToken.None);

        Assert.Equal("LastDay", Assert.Single(refused.Errors).Field);
        Assert.True(created.Succeeded);
        Assert.Equal(1, await TestData.CountAsync(db.DataSource, "SELECT count(*) FROM outreach.closed_days WHERE venue_id = @school", new { school }));
        Assert.Equal(1, await TestData.CountAsync(db.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE entity = 'closed_day' AND action = 'create' AND entity_id = @id",
            new { id = created.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
    }

    private async Task<List<(DateTime Day, string Reason)>> HolidaysInAsync(int year)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return (await c.QueryAsync<(DateTime, string)>("""
            SELECT first_day::timestamp, reason FROM outreach.closed_days
            WHERE kind = 'bank_holiday' AND scope = 'national' AND extract(year FROM first_day) = @year
            ORDER BY first_day
            """, new { year })).AsList();
    }
}
