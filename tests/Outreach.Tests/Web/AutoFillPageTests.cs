using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Outreach.Data;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;
using static Outreach.Tests.Infrastructure.WorkerProfiles;

namespace Outreach.Tests.Web;

/// <summary>The auto-fill page: a series or a week, the preview, accepting it, and what it says to bad or stale input.</summary>
[Collection("App")]
public sealed partial class AutoFillPageTests(OutreachApp app)
{
    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>A series at an A&amp;E department of a region of the test's own, one 8-hour night per start given.</summary>
    private async Task<(long SeriesId, string Title, long Area, long[] Sessions)> SeriesAsync(params DateTime[] startsUtc)
    {
        var area = await AreaAsync(app.DataSource, UniqueRegion());
        var venue = await TestData.VenueAsync(app.DataSource, "emergency_department", area);
        var title = TestData.Unique("Weekend nights");
        await using var c = await app.DataSource.OpenConnectionAsync();
        var seriesId = await c.ExecuteScalarAsync<long>("""
            INSERT INTO outreach.session_series (venue_id, kind, title, weekdays, start_time, end_time, first_date, occurrence_count)
            VALUES (@venue, 'ae_shift', @title, '{5,6}', '18:00', '02:00', @first::date, @count)
            RETURNING id
            """, new { venue, title, first = UkTime.ToLocal(startsUtc[0]).Date, count = startsUtc.Length });
        var sessions = new long[startsUtc.Length];
        for (var i = 0; i < startsUtc.Length; i++)
        {
            sessions[i] = await c.ExecuteScalarAsync<long>("""
                INSERT INTO outreach.sessions (venue_id, kind, title, starts_at, ends_at, series_id, occurrence_date)
                VALUES (@venue, 'ae_shift', @title, @start, @end, @seriesId, @day::date)
                RETURNING id
                """, new { venue, title, start = startsUtc[i], end = startsUtc[i].AddHours(8), seriesId, day = UkTime.ToLocal(startsUtc[i]).Date });
        }
        return (seriesId, title, area, sessions);
    }

    private async Task<long[]> WorkersAsync(int count, long area)
    {
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = await WorkerAsync(app.DataSource, area);
        }
        return ids;
    }

    private static List<string> ProposedPairs(string html) =>
        PairBox().Matches(html).Select(m => m.Groups[1].Value).ToList();

    private static Dictionary<string, string> AcceptFields(IEnumerable<string> pairs, long? seriesId = null, string? week = null, long? area = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["Input.SeriesId"] = seriesId is { } s ? Id(s) : "",
            ["Input.Week"] = week ?? "",
            ["Input.AreaId"] = area is { } a ? Id(a) : "",
        };
        var i = 0;
        foreach (var pair in pairs)
        {
            fields[$"Pairs[{i++}]"] = pair;
        }
        return fields;
    }

    [Fact]
    public async Task Auto_filling_a_series_from_its_session_page_books_the_previewed_rota_and_schedules_each_workers_reminders()
    {
        // The first night starts within the 24-hour reminder lead, so its reminder is sent at once.
        var soon = DateTime.UtcNow.AddHours(3);
        soon = new DateTime(soon.Year, soon.Month, soon.Day, soon.Hour, 0, 0, DateTimeKind.Utc);
        var (seriesId, title, area, sessions) = await SeriesAsync(soon, soon.AddDays(7), soon.AddDays(14));
        var workers = await WorkersAsync(3, area);
        using var client = await app.SignedInAsync(Roles.Coordinator);

        var details = await client.GetPageAsync($"/Sessions/Details/{sessions[1]}");
        Assert.Contains($"href=\"/Sessions/AutoFill?seriesId={seriesId}\">Auto-fill this series</a>", details, StringComparison.Ordinal);
        var preview = await client.GetPageAsync($"/Sessions/AutoFill?seriesId={seriesId}");
        Assert.Contains(title, WebUtility.HtmlDecode(preview), StringComparison.Ordinal);
        var pairs = ProposedPairs(preview);
        Assert.Equal(sessions.Select(Id), pairs.Select(p => p.Split(':')[0]));
        Assert.Equal(workers.Select(Id).Order(), pairs.Select(p => p.Split(':')[1]).Order());
        Assert.Contains("Assign 3 workers", preview, StringComparison.Ordinal);

        using var response = await client.PostFormAsync($"/Sessions/AutoFill?seriesId={seriesId}", AcceptFields(pairs, seriesId),
            "/Sessions/AutoFill?handler=Accept");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/Sessions/AutoFill?seriesId={seriesId}", response.Headers.Location?.OriginalString);
        var after = await client.GetPageAsync(response.Headers.Location!.OriginalString);
        Assert.Contains("3 workers assigned to 3 sessions.", after, StringComparison.Ordinal);
        Assert.Contains("id=\"nothing-to-fill\"", after, StringComparison.Ordinal);
        await using var c = await app.DataSource.OpenConnectionAsync();
        var booked = (await c.QueryAsync<(long Id, long SessionId, long WorkerId)>(
            "SELECT id, session_id, worker_id FROM outreach.assignments WHERE session_id = ANY(@sessions) AND status = 'assigned'",
            new { sessions })).ToList();
        Assert.Equal(pairs.Order(), booked.Select(b => $"{b.SessionId}:{b.WorkerId}").Order());
        Assert.Equal(3, await c.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM outreach.audit_events
            WHERE entity = 'assignment' AND action = 'assign' AND entity_id = ANY(@ids) AND actor_name <> ''
            """, new { ids = booked.Select(b => Id(b.Id)).ToArray() }));
        foreach (var assignment in booked)
        {
            Assert.True(await c.ExecuteScalarAsync<long>("""
                SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%ReminderJob%' AND arguments->>0 = @id
                """, new { id = Id(assignment.Id) }) > 0, $"No reminder job for assignment {assignment.Id}");
        }
        var first = booked.Single(b => b.SessionId == sessions[0]);
        await EventuallyAsync(async () => await c.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM outreach.sms_outbox WHERE purpose = 'reminder' AND session_id = @SessionId AND worker_id = @WorkerId",
            new { first.SessionId, first.WorkerId }) == 1, "the first night's reminder");
    }

    [Fact]
    public async Task Auto_filling_a_week_in_one_area_previews_only_that_areas_sessions_and_accepting_says_how_many_were_booked()
    {
        var area = await AreaAsync(app.DataSource, UniqueRegion());
        var school = await TestData.VenueAsync(app.DataSource, "school", area);
        var monday = new DateOnly(2027, 6, 14);
        var tuesday = await TestData.SessionAsync(app.DataSource, Uk(2027, 6, 15, 10), TimeSpan.FromHours(1), school);
        var thursday = await TestData.SessionAsync(app.DataSource, Uk(2027, 6, 17, 10), TimeSpan.FromHours(1), school);
        var nextWeek = await TestData.SessionAsync(app.DataSource, Uk(2027, 6, 21, 10), TimeSpan.FromHours(1), school);
        var needsPolish = await TestData.SessionAsync(app.DataSource, Uk(2027, 6, 18, 10), TimeSpan.FromHours(1), school);
        var polish = await SkillAsync(app.DataSource);
        await RequireSkillAsync(app.DataSource, needsPolish, polish);
        await WorkersAsync(2, area);
        using var client = await app.SignedInAsync(Roles.Coordinator);

        using var preview = await client.PostFormAsync("/Sessions/AutoFill",
            new() { ["Input.Week"] = "2027-06-14", ["Input.AreaId"] = Id(area) }, "/Sessions/AutoFill?handler=Preview");

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var html = WebUtility.HtmlDecode(await preview.Content.ReadAsStringAsync());
        var pairs = ProposedPairs(html);
        Assert.Equal([Id(tuesday), Id(thursday)], pairs.Select(p => p.Split(':')[0]));
        Assert.NotEqual(pairs[0].Split(':')[1], pairs[1].Split(':')[1]);
        Assert.Contains("3 sessions need workers. The plan proposes 2 workers for 2 of them; 1 session cannot be filled", Squash(html), StringComparison.Ordinal);
        var unfillable = html[html.IndexOf("id=\"unfillable\"", StringComparison.Ordinal)..];
        Assert.Contains("Cannot be filled (1)", unfillable, StringComparison.Ordinal);
        Assert.Contains($"href=\"/Sessions/Details/{needsPolish}\"", unfillable, StringComparison.Ordinal);
        Assert.Contains($"Missing skill: {await NameOfAsync(app.DataSource, "skills", polish)}: 2 workers (", unfillable, StringComparison.Ordinal);

        using var accepted = await client.PostFormAsync("/Sessions/AutoFill", AcceptFields(pairs, week: "2027-06-14", area: area),
            "/Sessions/AutoFill?handler=Accept");

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal($"/Sessions/AutoFill?week={monday:yyyy-MM-dd}&areaId={area}", accepted.Headers.Location?.OriginalString);
        var after = await client.GetPageAsync(accepted.Headers.Location!.OriginalString);
        Assert.Contains("2 workers assigned to 2 sessions.", after, StringComparison.Ordinal);
        Assert.Equal(2, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.assignments WHERE session_id = ANY(@ids)", new { ids = new[] { tuesday, thursday } }));
        Assert.Equal(0, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.assignments WHERE session_id = @nextWeek", new { nextWeek }));
    }

    [Fact]
    public async Task No_week_a_week_that_is_over_a_day_that_is_not_a_Monday_or_an_unknown_area_is_refused_beside_the_field()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var today = DateOnly.FromDateTime(UkTime.ToLocal(DateTime.UtcNow));
        var thisMonday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var area = await TestData.AreaAsync(app.DataSource);

        async Task<string> PreviewAsync(string week, string areaId = "")
        {
            using var response = await client.PostFormAsync("/Sessions/AutoFill",
                new() { ["Input.Week"] = week, ["Input.AreaId"] = areaId }, "/Sessions/AutoFill?handler=Preview");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("id=\"proposal\"", html, StringComparison.Ordinal);
            return html;
        }

        FieldMessage.AssertShown(await PreviewAsync(""), "Input.Week", "Choose the week to fill: the Monday it starts on.");
        FieldMessage.AssertShown(await PreviewAsync(thisMonday.AddDays(-7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            "Input.Week", "That week is over. Choose this week or a later one.");
        var wednesday = thisMonday.AddDays(16);
        FieldMessage.AssertShown(await PreviewAsync(wednesday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            "Input.Week", $"is a Wednesday. Choose the Monday the week starts on ({thisMonday.AddDays(14).ToString("dddd d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"))}).");
        var unknownArea = await PreviewAsync(thisMonday.AddDays(7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "999999999");
        FieldMessage.AssertShown(unknownArea, "Input.AreaId", "Choose an area from the list, or all areas.");
        FieldMessage.AssertNone(unknownArea, "Input.Week");
        var notADate = await PreviewAsync("next week", Id(area));
        Assert.NotEqual("", FieldMessage.For(notADate, "Input.Week"));

        // This week is still open: its remaining sessions can be filled.
        FieldMessage.AssertNone(await client.GetPageAsync($"/Sessions/AutoFill?week={thisMonday:yyyy-MM-dd}&areaId={area}"), "Input.Week");
        FieldMessage.AssertShown(await client.GetPageAsync("/Sessions/AutoFill?week=garbage"), "Input.Week", "Enter the week's Monday as a date.");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/Sessions/AutoFill?seriesId=999999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/Sessions/AutoFill?seriesId=abc")).StatusCode);
    }

    [Fact]
    public async Task Accepting_a_plan_that_went_stale_names_the_session_and_worker_books_nothing_and_shows_the_plan_worked_out_again()
    {
        var start = Uk(2027, 7, 2, 18);
        var (seriesId, title, area, sessions) = await SeriesAsync(start, start.AddDays(1), start.AddDays(7));
        await WorkersAsync(3, area);
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var pairs = ProposedPairs(await client.GetPageAsync($"/Sessions/AutoFill?seriesId={seriesId}"));
        Assert.Equal(3, pairs.Count);
        var (lastSession, taken) = (long.Parse(pairs[2].Split(':')[0], CultureInfo.InvariantCulture), long.Parse(pairs[2].Split(':')[1], CultureInfo.InvariantCulture));
        var takenName = await NameOfAsync(app.DataSource, "youth_workers", taken);
        // Meanwhile the worker is booked on an overlapping session at another venue.
        var elsewhere = await TestData.SessionAsync(app.DataSource, start.AddDays(7).AddHours(2), TimeSpan.FromHours(2),
            await TestData.VenueAsync(app.DataSource, "school", area));
        await TestData.AssignAsync(app.DataSource, elsewhere, taken);

        using var response = await client.PostFormAsync($"/Sessions/AutoFill?seriesId={seriesId}", AcceptFields(pairs, seriesId),
            "/Sessions/AutoFill?handler=Accept");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains($"{takenName} cannot be given {title} at ", html, StringComparison.Ordinal);
        Assert.Contains(UkTime.Format(start.AddDays(7), "ddd d MMM yyyy HH:mm"), html, StringComparison.Ordinal);
        Assert.Contains("Nothing was assigned. The plan below is worked out again", html, StringComparison.Ordinal);
        Assert.Equal(0, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.assignments WHERE session_id = ANY(@sessions)", new { sessions }));
        var fresh = ProposedPairs(html);
        Assert.Equal(3, fresh.Count);
        Assert.DoesNotContain($"{lastSession}:{taken}", fresh);
    }

    [Fact]
    public async Task Accepting_pairs_that_are_not_numbers_or_name_sessions_and_workers_that_do_not_exist_books_nothing()
    {
        var start = Uk(2027, 7, 9, 18);
        var (seriesId, _, area, sessions) = await SeriesAsync(start, start.AddDays(1));
        var workers = await WorkersAsync(2, area);
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var path = $"/Sessions/AutoFill?seriesId={seriesId}";

        async Task<string> AcceptAsync(params string[] pairs)
        {
            using var response = await client.PostFormAsync(path, AcceptFields(pairs, seriesId), "/Sessions/AutoFill?handler=Accept");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        }

        Assert.Contains("The plan could not be read.", await AcceptAsync($"{sessions[0]}:{workers[0]}", "abc"), StringComparison.Ordinal);
        Assert.Contains("The plan could not be read.", await AcceptAsync("1:2:3"), StringComparison.Ordinal);
        Assert.Contains("a session that does not exist", await AcceptAsync($"{sessions[0]}:{workers[0]}", $"{long.MaxValue}:{workers[1]}"), StringComparison.Ordinal);
        Assert.Contains("a youth worker who does not exist", await AcceptAsync($"{sessions[0]}:{long.MaxValue}"), StringComparison.Ordinal);
        Assert.Contains("Nothing to assign: tick at least one proposed worker.", await AcceptAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostFormAsync(path,
            AcceptFields([$"{sessions[0]}:{workers[0]}"], long.MaxValue), "/Sessions/AutoFill?handler=Accept")).StatusCode);
        Assert.Equal(0, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.assignments WHERE session_id = ANY(@sessions)", new { sessions }));
    }

    [Fact]
    public async Task A_session_that_is_not_part_of_a_series_offers_no_series_auto_fill()
    {
        var session = await TestData.SessionAsync(app.DataSource, Uk(2027, 7, 14, 10), TimeSpan.FromHours(1));
        using var client = await app.SignedInAsync(Roles.Coordinator);

        var html = await client.GetPageAsync($"/Sessions/Details/{session}");

        Assert.Contains("Cancel session", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Auto-fill this series", html, StringComparison.Ordinal);
    }

    private static string Squash(string html) => Whitespace().Replace(html, " ");

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(200);
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex("name=\"Pairs\" value=\"([0-9]+:[0-9]+)\"")]
    private static partial Regex PairBox();
}
