using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Outreach.Data;
using Outreach.Data.ApiKeys;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>
/// The rules the Sessions pages and the API used to keep apart, now one operation's: each rule through each door.
/// A session lasts at most 24 hours (the schema's CHECK); a single school session on a closed day needs "plan it
/// anyway"; the refusal reads the same through the page and the API, which only names the field its own way.
/// </summary>
[Collection("App")]
public sealed class SessionRuleDoorTests(OutreachApp app)
{
    // --- At most 24 hours ---

    [Fact]
    public async Task The_Create_page_plans_a_session_of_exactly_24_hours_and_refuses_one_minute_more()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource, "community");
        var start = FutureStart();
        var title = TestData.Unique("Day and night");

        using (var longer = await client.PostFormAsync("/Sessions/Create", CreateFields(venue, title, start, start.AddHours(24).AddMinutes(1))))
        {
            Assert.Equal(HttpStatusCode.OK, longer.StatusCode);
            FieldMessage.AssertShown(await longer.Content.ReadAsStringAsync(), "Input.End", "A session can last at most 24 hours.");
        }
        Assert.Equal(0, await SessionsTitledAsync(title));

        using var planned = await client.PostFormAsync("/Sessions/Create", CreateFields(venue, title, start, start.AddHours(24)));
        Assert.Equal(HttpStatusCode.Redirect, planned.StatusCode);
        Assert.Equal(new[] { (start, start.AddHours(24)) }, await TimesTitledAsync(title));
    }

    [Fact]
    public async Task POST_plans_a_session_of_exactly_24_hours_and_refuses_one_minute_more()
    {
        using var http = await ClientWithKeyAsync();
        var venue = await TestData.VenueAsync(app.DataSource, "community");
        var start = FutureStart();
        var title = TestData.Unique("API day and night");

        using (var longer = await http.PostAsJsonAsync("/api/v1/sessions", NewSession(venue, title, start, start.AddHours(24).AddMinutes(1))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, longer.StatusCode);
            Assert.Equal("A session can last at most 24 hours.", (await ErrorsAsync(longer)).GetProperty("endsAt")[0].GetString());
        }
        using var planned = await http.PostAsJsonAsync("/api/v1/sessions", NewSession(venue, title, start, start.AddHours(24)));
        Assert.Equal(HttpStatusCode.Created, planned.StatusCode);
        Assert.Equal(new[] { (start, start.AddHours(24)) }, await TimesTitledAsync(title));
    }

    [Fact]
    public async Task PUT_changes_a_session_to_exactly_24_hours_which_it_used_to_refuse_and_refuses_one_minute_more()
    {
        using var http = await ClientWithKeyAsync();
        var venue = await TestData.VenueAsync(app.DataSource, "community");
        var start = FutureStart();
        var title = TestData.Unique("Lengthened");
        var session = await TestData.SessionAsync(app.DataSource, start, TimeSpan.FromHours(2), venue);

        using (var longer = await http.PutAsJsonAsync($"/api/v1/sessions/{session}", Replacement(venue, title, start, start.AddHours(24).AddMinutes(1))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, longer.StatusCode);
            Assert.Equal("A session can last at most 24 hours.", (await ErrorsAsync(longer)).GetProperty("endsAt")[0].GetString());
        }
        using var changed = await http.PutAsJsonAsync($"/api/v1/sessions/{session}", Replacement(venue, title, start, start.AddHours(24)));
        Assert.True(changed.StatusCode == HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());
        Assert.Equal(new[] { (start, start.AddHours(24)) }, await TimesTitledAsync(title));
    }

    // --- A closed day needs "plan it anyway", for a single new session too ---

    [Fact]
    public async Task The_Create_page_refuses_a_school_session_on_a_closed_day_unless_planned_anyway()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var (school, start) = await ClosedSchoolDayAsync();
        var title = TestData.Unique("INSET assembly");

        using (var refused = await client.PostFormAsync("/Sessions/Create", CreateFields(school, title, start, start.AddHours(1))))
        {
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            FieldMessage.AssertShown(await refused.Content.ReadAsStringAsync(), "Input.PlanOnClosedDays", "(INSET day)");
        }
        Assert.Equal(0, await SessionsTitledAsync(title));

        using var planned = await client.PostFormAsync("/Sessions/Create",
            new(CreateFields(school, title, start, start.AddHours(1))) { ["Input.PlanOnClosedDays"] = "true" });
        Assert.Equal(HttpStatusCode.Redirect, planned.StatusCode);
        Assert.Equal(1, await SessionsTitledAsync(title));
    }

    [Fact]
    public async Task POST_refuses_a_school_session_on_a_closed_day_which_it_used_to_plan_unless_planOnClosedDays()
    {
        using var http = await ClientWithKeyAsync();
        var (school, start) = await ClosedSchoolDayAsync();
        var title = TestData.Unique("API INSET assembly");

        using (var refused = await http.PostAsJsonAsync("/api/v1/sessions", NewSession(school, title, start, start.AddHours(1))))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Contains("(INSET day)", (await ErrorsAsync(refused)).GetProperty("planOnClosedDays")[0].GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(0, await SessionsTitledAsync(title));

        using var planned = await http.PostAsJsonAsync("/api/v1/sessions",
            NewSession(school, title, start, start.AddHours(1)) with { PlanOnClosedDays = true });
        Assert.Equal(HttpStatusCode.Created, planned.StatusCode);
        Assert.Equal(1, await SessionsTitledAsync(title));
    }

    // --- One wording: the API names the field its own way and keeps the words ---

    [Fact]
    public async Task A_move_onto_a_closed_day_is_refused_in_the_same_words_by_the_Edit_page_and_by_PATCH()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        using var http = await ClientWithKeyAsync();
        var (school, closedStart) = await ClosedSchoolDayAsync();
        var start = closedStart.AddDays(-1);
        var session = await TestData.SessionAsync(app.DataSource, start, TimeSpan.FromHours(1), school);
        var local = UkTime.ToLocal(closedStart);

        using var page = await client.PostFormAsync($"/Sessions/Edit/{session}", new()
        {
            ["Input.Scope"] = "This", ["Input.Date"] = local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Input.StartTime"] = local.ToString("HH:mm", CultureInfo.InvariantCulture),
            ["Input.EndTime"] = local.AddHours(1).ToString("HH:mm", CultureInfo.InvariantCulture),
            ["Input.VenueId"] = Id(school), ["Input.Kind"] = "workshop", ["Input.Title"] = "Moved workshop", ["Input.RequiredWorkers"] = "1",
            ["Input.Notes"] = "",
        });
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var pageMessage = FieldMessage.For(await page.Content.ReadAsStringAsync(), "Input.PlanOnClosedDays");

        using var api = await http.PatchAsJsonAsync($"/api/v1/sessions/{session}", new
        {
            startsAt = new DateTimeOffset(closedStart, TimeSpan.Zero), endsAt = new DateTimeOffset(closedStart.AddHours(1), TimeSpan.Zero),
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, api.StatusCode);
        var apiMessage = (await ErrorsAsync(api)).GetProperty("planOnClosedDays")[0].GetString();

        Assert.Contains("(INSET day)", pageMessage, StringComparison.Ordinal);
        Assert.Equal(pageMessage, apiMessage);
        Assert.Equal(start, (await StoredStartAsync(session)));
    }

    // --- An end earlier than the start is the next day only for a night shift (at most 16 hours) ---

    [Fact]
    public async Task The_Edit_page_refuses_an_end_before_the_start_that_would_make_a_23_hour_session_and_keeps_a_night_shift()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource);
        var start = UkTime.StartOfDay(DateOnly.FromDateTime(DateTime.UtcNow).AddDays(300)).AddHours(10);
        var session = await TestData.SessionAsync(app.DataSource, start, TimeSpan.FromHours(1), venue);
        var day = UkTime.ToLocal(start).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Dictionary<string, string> Edit(string from, string to) => new()
        {
            ["Input.Scope"] = "This", ["Input.Date"] = day, ["Input.StartTime"] = from, ["Input.EndTime"] = to,
            ["Input.VenueId"] = Id(venue), ["Input.Kind"] = "workshop", ["Input.Title"] = "Edited workshop", ["Input.RequiredWorkers"] = "1",
            ["Input.Notes"] = "",
        };

        using (var refused = await client.PostFormAsync($"/Sessions/Edit/{session}", Edit("10:00", "09:00")))
        {
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            Assert.Contains("23 hours long", FieldMessage.For(await refused.Content.ReadAsStringAsync(), "Input.EndTime"), StringComparison.Ordinal);
        }
        Assert.Equal(TimeSpan.FromHours(1), await StoredLengthAsync(session));

        using var night = await client.PostFormAsync($"/Sessions/Edit/{session}", Edit("18:00", "02:00"));
        Assert.Equal(HttpStatusCode.Redirect, night.StatusCode);
        Assert.Equal(TimeSpan.FromHours(8), await StoredLengthAsync(session));
    }

    [Fact]
    public async Task The_series_page_refuses_an_end_before_the_start_that_would_make_each_session_23_hours()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource, "emergency_department");
        var title = TestData.Unique("Overnight");
        using var refused = await client.PostFormAsync("/Sessions/CreateSeries", new()
        {
            ["Input.VenueId"] = Id(venue), ["Input.Kind"] = "ae_shift", ["Input.Title"] = title,
            ["Input.StartTime"] = "10:00", ["Input.EndTime"] = "09:00", ["Input.FirstDate"] = "2027-10-23",
            ["Input.Ends"] = "count", ["Input.Count"] = "2", ["Input.UntilDate"] = "", ["Input.RequiredWorkers"] = "1",
            ["Input.Notes"] = "", ["Input.Weekdays[0]"] = "Saturday",
        });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("23 hours long", FieldMessage.For(await refused.Content.ReadAsStringAsync(), "Input.EndTime"), StringComparison.Ordinal);
        await using var c = await app.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT count(*) FROM outreach.sessions WHERE title = @title", new { title }));
    }

    [Fact]
    public async Task PATCH_refuses_an_end_before_the_start()
    {
        using var http = await ClientWithKeyAsync();
        var venue = await TestData.VenueAsync(app.DataSource);
        var start = UkTime.StartOfDay(DateOnly.FromDateTime(DateTime.UtcNow).AddDays(300)).AddHours(10);
        var session = await TestData.SessionAsync(app.DataSource, start, TimeSpan.FromHours(1), venue);

        using var api = await http.PatchAsJsonAsync($"/api/v1/sessions/{session}", new
        {
            startsAt = new DateTimeOffset(start, TimeSpan.Zero), endsAt = new DateTimeOffset(start.AddHours(-1), TimeSpan.Zero),
        });

        Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
        Assert.Equal(TimeSpan.FromHours(1), await StoredLengthAsync(session));
    }

    private async Task<TimeSpan> StoredLengthAsync(long session)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return TimeSpan.FromSeconds(await c.ExecuteScalarAsync<double>(
            "SELECT extract(epoch FROM ends_at - starts_at)::float8 FROM outreach.sessions WHERE id = @session", new { session }));
    }

    // --- Helpers ---

    private sealed record NewSessionBody(
        long VenueId, string Kind, string Title, DateTimeOffset StartsAt, DateTimeOffset EndsAt, bool? PlanOnClosedDays = null);

    private static NewSessionBody NewSession(long venue, string title, DateTime startUtc, DateTime endUtc) =>
        new(venue, "workshop", title, new DateTimeOffset(startUtc, TimeSpan.Zero), new DateTimeOffset(endUtc, TimeSpan.Zero));

    private static object Replacement(long venue, string title, DateTime startUtc, DateTime endUtc) => new
    {
        venueId = venue, kind = "workshop", title,
        startsAt = new DateTimeOffset(startUtc, TimeSpan.Zero), endsAt = new DateTimeOffset(endUtc, TimeSpan.Zero),
    };

    /// <summary>The Create page's form, times given in UK wall-clock as a coordinator types them.</summary>
    private static Dictionary<string, string> CreateFields(long venue, string title, DateTime startUtc, DateTime endUtc) => new()
    {
        ["Input.VenueId"] = Id(venue), ["Input.Kind"] = "workshop", ["Input.Title"] = title,
        ["Input.Start"] = UkTime.ToLocal(startUtc).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture),
        ["Input.End"] = UkTime.ToLocal(endUtc).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture),
        ["Input.RequiredWorkers"] = "1", ["Input.ExpectedSize"] = "", ["Input.Notes"] = "",
    };

    /// <summary>A school with an INSET day, and a start at 10:00 UTC on it.</summary>
    private async Task<(long School, DateTime Start)> ClosedSchoolDayAsync()
    {
        var school = await TestData.VenueAsync(app.DataSource, "school");
        var start = FutureStart().AddHours(1);
        var day = DateOnly.FromDateTime(UkTime.ToLocal(start));
        await SchedulingData.ClosedDayAsync(app.DataSource, day, day, "INSET day", venueId: school);
        return (school, start);
    }

    private async Task<long> SessionsTitledAsync(string title) =>
        await TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.sessions WHERE title = @title", new { title });

    private async Task<List<(DateTime, DateTime)>> TimesTitledAsync(string title)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return (await c.QueryAsync<(DateTime, DateTime)>(
            "SELECT starts_at, ends_at FROM outreach.sessions WHERE title = @title ORDER BY id", new { title })).AsList();
    }

    private async Task<DateTime> StoredStartAsync(long session)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<DateTime>("SELECT starts_at FROM outreach.sessions WHERE id = @session", new { session });
    }

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var problem = JsonDocument.Parse(text);
        Assert.True(problem.RootElement.TryGetProperty("errors", out var errors), text);
        return errors.Clone();
    }

    private async Task<HttpClient> ClientWithKeyAsync()
    {
        var keys = (ApiKeyData)app.Services.GetService(typeof(ApiKeyData))!;
        var key = (await keys.CreateAsync(TestData.Unique("session rules test"), Roles.Coordinator, Actor.System, CancellationToken.None)).Value!;
        var http = new HttpClient { BaseAddress = app.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    // Whole hours UTC on a random weekday well ahead, clear of the clock changes' small hours.
    private static DateTime FutureStart()
    {
        var day = DateTime.UtcNow.Date.AddDays(Random.Shared.Next(60, 600));
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            day = day.AddDays(1);
        }
        return DateTime.SpecifyKind(day.AddHours(9), DateTimeKind.Utc);
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
