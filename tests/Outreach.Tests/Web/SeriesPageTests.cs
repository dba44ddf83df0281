using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;
using static Outreach.Tests.Infrastructure.SchedulingData;

namespace Outreach.Tests.Web;

/// <summary>Planning a recurring series, changing and cancelling sessions, and the closed-day confirmation, through the pages.</summary>
[Collection("App")]
public sealed partial class SeriesPageTests(OutreachApp app)
{
    private static Dictionary<string, string> SeriesFields(long venue, string title, string first, string count, params string[] days)
    {
        var fields = new Dictionary<string, string>
        {
            ["Input.VenueId"] = Id(venue), ["Input.Kind"] = "ae_shift", ["Input.Title"] = title,
            ["Input.StartTime"] = "18:00", ["Input.EndTime"] = "02:00", ["Input.FirstDate"] = first,
            ["Input.Ends"] = "count", ["Input.Count"] = count, ["Input.UntilDate"] = "", ["Input.RequiredWorkers"] = "1",
            ["Input.Notes"] = "",
        };
        for (var i = 0; i < days.Length; i++)
        {
            fields[$"Input.Weekdays[{i}]"] = days[i];
        }
        return fields;
    }

    [Fact]
    public async Task The_series_preview_lists_each_occurrence_with_its_UK_times_and_length_and_writes_nothing()
    {
        var venue = await TestData.VenueAsync(app.DataSource, "emergency_department");
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var title = TestData.Unique("A&E nights");

        using var response = await client.PostFormAsync("/Sessions/CreateSeries", SeriesFields(venue, title, "2027-10-23", "3", "Saturday"),
            "/Sessions/CreateSeries?handler=Preview");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rows = OccurrenceRows(await response.Content.ReadAsStringAsync());
        Assert.Equal(
            [
                ["Sat 23 Oct 2027", "18:00", "02:00 next day", "8 h", ""],
                ["Sat 30 Oct 2027", "18:00", "02:00 next day", "9 h", ""],
                ["Sat 6 Nov 2027", "18:00", "02:00 next day", "8 h", ""],
            ],
            rows);
        Assert.Equal(0, await SessionsAtAsync(venue));
    }

    [Fact]
    public async Task The_preview_reports_a_start_the_clocks_skip_instead_of_moving_it()
    {
        var venue = await TestData.VenueAsync(app.DataSource, "emergency_department");
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var fields = SeriesFields(venue, TestData.Unique("Early"), "2027-03-21", "2", "Sunday");
        fields["Input.StartTime"] = "01:30";
        fields["Input.EndTime"] = "04:00";

        using var response = await client.PostFormAsync("/Sessions/CreateSeries", fields, "/Sessions/CreateSeries?handler=Preview");

        var rows = OccurrenceRows(await response.Content.ReadAsStringAsync());
        Assert.Equal(["Sun 21 Mar 2027", "01:30", "04:00", "2 h 30 min", ""], rows[0]);
        Assert.Equal(["Sun 28 Mar 2027", "01:30", "04:00", ""], rows[1][..4]);
        Assert.Contains("does not exist in the UK", rows[1][4], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creating_a_series_on_the_page_stores_every_occurrence_in_UTC_and_opens_the_first()
    {
        var venue = await TestData.VenueAsync(app.DataSource, "emergency_department");
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var title = TestData.Unique("A&E weekend");

        using var response = await client.PostFormAsync("/Sessions/CreateSeries", SeriesFields(venue, title, "2027-03-26", "4", "Friday", "Saturday"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var sessions = await SessionsNamedAsync(title);
        Assert.Equal($"/Sessions/Details/{sessions[0].Id}", response.Headers.Location?.OriginalString);
        Assert.Equal(
            [
                (Utc(2027, 3, 26, 18), Utc(2027, 3, 27, 2)),
                (Utc(2027, 3, 27, 18), Utc(2027, 3, 28, 1)),   // the March clock-change night: 7 hours
                (Utc(2027, 4, 2, 17), Utc(2027, 4, 3, 1)),
                (Utc(2027, 4, 3, 17), Utc(2027, 4, 4, 1)),
            ],
            sessions.Select(s => (s.StartsAt, s.EndsAt)));
    }

    [Fact]
    public async Task A_school_series_over_an_INSET_day_shows_the_closure_and_is_not_saved_without_plan_it_anyway()
    {
        var school = await TestData.VenueAsync(app.DataSource, "school");
        await ClosedDayAsync(app.DataSource, new DateOnly(2027, 6, 16), new DateOnly(2027, 6, 16), "INSET day", venueId: school);
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var fields = SeriesFields(school, TestData.Unique("Workshop"), "2027-06-09", "3", "Wednesday");
        fields["Input.Kind"] = "workshop";
        fields["Input.StartTime"] = "09:00";
        fields["Input.EndTime"] = "10:00";

        using var preview = await client.PostFormAsync("/Sessions/CreateSeries", new(fields), "/Sessions/CreateSeries?handler=Preview");
        var rows = OccurrenceRows(await preview.Content.ReadAsStringAsync());
        Assert.Equal("School closed: INSET day", rows[1][4]);

        using var refused = await client.PostFormAsync("/Sessions/CreateSeries", new(fields));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        FieldMessage.AssertShown(await refused.Content.ReadAsStringAsync(), "Input.PlanOnClosedDays", "The school is closed on Wed 16 Jun 2027 (INSET day)");
        Assert.Equal(0, await SessionsAtAsync(school));

        fields["Input.PlanOnClosedDays"] = "true";
        using var confirmed = await client.PostFormAsync("/Sessions/CreateSeries", fields);
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.Equal(3, await SessionsAtAsync(school));
    }

    [Fact]
    public async Task A_single_school_session_on_an_INSET_day_needs_plan_it_anyway()
    {
        var school = await TestData.VenueAsync(app.DataSource, "school");
        await ClosedDayAsync(app.DataSource, new DateOnly(2027, 5, 12), new DateOnly(2027, 5, 12), "INSET day", venueId: school);
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var fields = new Dictionary<string, string>
        {
            ["Input.VenueId"] = Id(school), ["Input.Kind"] = "assembly", ["Input.Title"] = TestData.Unique("Assembly"),
            ["Input.Start"] = "2027-05-12T09:00", ["Input.End"] = "2027-05-12T10:00", ["Input.RequiredWorkers"] = "1",
            ["Input.ExpectedSize"] = "", ["Input.Notes"] = "",
        };

        using var refused = await client.PostFormAsync("/Sessions/Create", new(fields));

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        FieldMessage.AssertShown(await refused.Content.ReadAsStringAsync(), "Input.PlanOnClosedDays", "The school is closed on Wed 12 May 2027 (INSET day)");
        Assert.Equal(0, await SessionsAtAsync(school));

        fields["Input.PlanOnClosedDays"] = "true";
        using var confirmed = await client.PostFormAsync("/Sessions/Create", fields);

        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.Equal(1, await SessionsAtAsync(school));
    }

    [Fact]
    public async Task Editing_this_and_following_on_the_page_changes_the_later_occurrences_and_bumps_their_version()
    {
        var venue = await TestData.VenueAsync(app.DataSource, "emergency_department");
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var title = TestData.Unique("A&E");
        using (var created = await client.PostFormAsync("/Sessions/CreateSeries", SeriesFields(venue, title, "2027-10-16", "3", "Saturday")))
        {
            Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        }
        var before = await SessionsNamedAsync(title);
        var path = $"/Sessions/Edit/{before[1].Id}";
        Assert.Contains("this and the 1 later session", await client.GetPageAsync(path), StringComparison.Ordinal);

        using var response = await client.PostFormAsync(path, EditFields(before[1].Id, venue, title, "2027-10-23", "19:00", "01:00", "ThisAndFollowing"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var after = await SessionsNamedAsync(title);
        Assert.Equal(
            [
                (Utc(2027, 10, 16, 17), Utc(2027, 10, 17, 1), 1),
                (Utc(2027, 10, 23, 18), Utc(2027, 10, 24, 0), 2),
                // 01:00 on the October night happens twice; like every UK time here, it is read as the first (BST).
                (Utc(2027, 10, 30, 18), Utc(2027, 10, 31, 0), 2),
            ],
            after.Select(s => (s.StartsAt, s.EndsAt, s.Version)));
    }

    [Fact]
    public async Task A_move_on_the_edit_page_that_would_double_book_a_worker_is_refused_by_name_and_changes_nothing()
    {
        var venue = await TestData.VenueAsync(app.DataSource, "emergency_department");
        var session = await TestData.SessionAsync(app.DataSource, Utc(2027, 11, 13, 18), TimeSpan.FromHours(2), venue);
        var other = await TestData.SessionAsync(app.DataSource, Utc(2027, 11, 13, 21), TimeSpan.FromHours(2));
        var (worker, name) = await BookableWorkerAsync(app.DataSource);
        await TestData.AssignAsync(app.DataSource, session, worker);
        await TestData.AssignAsync(app.DataSource, other, worker);
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var before = await SessionAsync(session);

        using var response = await client.PostFormAsync($"/Sessions/Edit/{session}",
            EditFields(session, venue, before.Title, "2027-11-13", "21:30", "22:30", "This"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains($"Moving this session would double-book {name}", html, StringComparison.Ordinal);
        Assert.Equal(before, await SessionAsync(session));
    }

    [Fact]
    public async Task Cancelling_on_the_page_needs_a_reason_and_then_cancels_the_session()
    {
        var session = await TestData.SessionAsync(app.DataSource, Utc(2027, 11, 20, 10), TimeSpan.FromHours(1));
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var path = $"/Sessions/Cancel/{session}";

        using var refused = await client.PostFormAsync(path, new() { ["Input.Scope"] = "This", ["Input.Reason"] = "" });

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        FieldMessage.AssertShown(await refused.Content.ReadAsStringAsync(), "Input.Reason", "Give the reason for cancelling");
        Assert.Equal(("planned", (string?)null), ((await SessionAsync(session)).Status, (await SessionAsync(session)).CancelReason));

        using var cancelled = await client.PostFormAsync(path, new() { ["Input.Scope"] = "This", ["Input.Reason"] = "School closed for snow" });

        Assert.Equal(HttpStatusCode.Redirect, cancelled.StatusCode);
        Assert.Equal($"/Sessions/Details/{session}", cancelled.Headers.Location?.OriginalString);
        Assert.Equal(("cancelled", (string?)"School closed for snow"), ((await SessionAsync(session)).Status, (await SessionAsync(session)).CancelReason));
        Assert.DoesNotContain("Cancel session", await client.GetPageAsync($"/Sessions/Details/{session}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_details_page_links_to_editing_and_cancelling()
    {
        var session = await TestData.SessionAsync(app.DataSource, Utc(2027, 11, 21, 10), TimeSpan.FromHours(1));
        using var client = await app.SignedInAsync(Roles.Coordinator);

        var html = await client.GetPageAsync($"/Sessions/Details/{session}");

        Assert.Contains($"href=\"/Sessions/Edit/{session}\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"/Sessions/Cancel/{session}\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/Sessions/CreateSeries\"", await client.GetPageAsync("/Sessions"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_coordinators_and_administrators_reach_the_series_edit_and_cancel_pages()
    {
        var session = await TestData.SessionAsync(app.DataSource, Utc(2027, 11, 22, 10), TimeSpan.FromHours(1));
        foreach (var path in new[] { "/Sessions/CreateSeries", $"/Sessions/Edit/{session}", $"/Sessions/Cancel/{session}" })
        {
            foreach (var role in Roles.All)
            {
                using var client = await app.SignedInAsync(role);
                using var response = await client.GetAsync(path);
                var allowed = role is Roles.Coordinator or Roles.Administrator;
                Assert.True(allowed ? response.StatusCode == HttpStatusCode.OK : response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect,
                    $"{path} for {role}: {(int)response.StatusCode}");
                if (!allowed && response.StatusCode == HttpStatusCode.Redirect)
                {
                    Assert.Contains("/Account/AccessDenied", response.Headers.Location?.ToString(), StringComparison.Ordinal);
                }
            }
        }
    }

    private static Dictionary<string, string> EditFields(long id, long venue, string title, string date, string start, string end, string scope) => new()
    {
        ["Input.Scope"] = scope, ["Input.Date"] = date, ["Input.StartTime"] = start, ["Input.EndTime"] = end,
        ["Input.VenueId"] = Id(venue), ["Input.Kind"] = "ae_shift", ["Input.Title"] = title, ["Input.RequiredWorkers"] = "1",
        ["Input.Notes"] = "",
    };

    private sealed record Row(long Id, DateTime StartsAt, DateTime EndsAt, int Version, string Title, string Status, string? CancelReason);

    private async Task<List<Row>> SessionsNamedAsync(string title)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return (await c.QueryAsync<Row>(
            "SELECT id, starts_at, ends_at, version, title, status, cancel_reason FROM outreach.sessions WHERE title = @title ORDER BY starts_at",
            new { title })).AsList();
    }

    private async Task<Row> SessionAsync(long id)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return await c.QuerySingleAsync<Row>(
            "SELECT id, starts_at, ends_at, version, title, status, cancel_reason FROM outreach.sessions WHERE id = @id", new { id });
    }

    private async Task<long> SessionsAtAsync(long venueId) =>
        await TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.sessions WHERE venue_id = @venueId", new { venueId });

    /// <summary>The text of each cell of the preview table, row by row.</summary>
    private static List<string[]> OccurrenceRows(string html)
    {
        var table = Table().Match(html);
        Assert.True(table.Success, "The page shows no preview of occurrences");
        return BodyRow().Matches(table.Groups[1].Value)
            .Select(r => Cell().Matches(r.Groups[1].Value).Select(c => WebUtility.HtmlDecode(Tag().Replace(c.Groups[1].Value, "")).Trim()).ToArray())
            .ToList();
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("""<table[^>]*id="occurrences"[^>]*>.*?<tbody>(.*?)</tbody>""", RegexOptions.Singleline)]
    private static partial Regex Table();

    [GeneratedRegex("<tr[^>]*>(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex BodyRow();

    [GeneratedRegex("<td[^>]*>(.*?)</td>", RegexOptions.Singleline)]
    private static partial Regex Cell();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tag();
}
