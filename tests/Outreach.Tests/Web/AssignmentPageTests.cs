using System.Globalization;
using System.Net;
using Dapper;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>Booking workers through a session's page, and a youth worker recording only their own sessions.</summary>
[Collection("App")]
public sealed class AssignmentPageTests(OutreachApp app)
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    [Fact]
    public async Task Assigning_workers_on_the_details_page_books_them_and_the_first_one_leads()
    {
        var session = await TestData.SessionAsync(app.DataSource, FutureStart(), TimeSpan.FromHours(2));
        var first = await TestData.WorkerAsync(app.DataSource);
        var second = await TestData.WorkerAsync(app.DataSource);
        using var client = await app.SignedInAsync(Roles.Coordinator);

        using var response = await AssignAsync(client, session, first);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/Sessions/Details/{session}", response.Headers.Location?.OriginalString);
        var booked = Assert.Single(await AssignmentsAsync(session));
        Assert.Equal((first, true, "assigned"), (booked.WorkerId, booked.IsLead, booked.Status));

        using var again = await AssignAsync(client, session, second);
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        var rows = await AssignmentsAsync(session);
        Assert.Equal(new[] { (first, true), (second, false) }, rows.Select(r => (r.WorkerId, r.IsLead)).OrderBy(r => r.WorkerId).ToArray());
    }

    [Fact]
    public async Task A_worker_id_written_in_hexadecimal_is_refused_rather_than_read_as_another_worker()
    {
        var session = await TestData.SessionAsync(app.DataSource, FutureStart(), TimeSpan.FromHours(2));
        var worker = await TestData.WorkerAsync(app.DataSource);
        using var client = await app.SignedInAsync(Roles.Coordinator);

        using var response = await client.PostFormAsync($"/Sessions/Details/{session}",
            new() { ["WorkerId"] = "0x" + worker.ToString("x", CultureInfo.InvariantCulture) }, $"/Sessions/Details/{session}?handler=Assign");

        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Empty(await AssignmentsAsync(session));
    }

    [Fact]
    public async Task Assigning_a_worker_to_an_overlapping_session_is_refused_with_a_message_and_books_nothing()
    {
        var start = FutureStart();
        var booked = await TestData.SessionAsync(app.DataSource, start, TimeSpan.FromHours(2));
        var overlapping = await TestData.SessionAsync(app.DataSource, start.AddHours(1), TimeSpan.FromHours(2));
        var worker = await TestData.WorkerAsync(app.DataSource);
        await TestData.AssignAsync(app.DataSource, booked, worker);
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var before = await AssignmentCountAsync(overlapping);

        using var response = await AssignAsync(client, overlapping, worker);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        FieldMessage.AssertShown(html, "WorkerId", "already booked at an overlapping time");
        Assert.Equal(before, await AssignmentCountAsync(overlapping));
        Assert.Single(await AssignmentsAsync(booked));
    }

    [Fact]
    public async Task A_youth_worker_records_a_started_session_they_are_assigned_to()
    {
        var account = await WorkerAccountAsync();
        using var client = await app.SignedInAsEmailAsync(account.Email);
        var start = StartedYesterday();
        var session = await TestData.SessionAsync(app.DataSource, start, TimeSpan.FromHours(2));
        await TestData.AssignAsync(app.DataSource, session, account.WorkerId);
        var path = $"/Records/Edit?sessionId={session}";
        var notes = TestData.Unique("Went well");

        using var page = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using var response = await client.PostFormAsync(path, RecordFields(start, notes));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Records", response.Headers.Location?.OriginalString);
        var record = Assert.Single(await RecordsAsync(session));
        Assert.Equal(new StoredRecord(true, 3, 5, 7, 2, 1, notes, account.UserId, start.AddMinutes(5), start.AddMinutes(95)), record);
        Assert.Equal("delivered", await SessionStatusAsync(session));
    }

    [Fact]
    public async Task A_youth_worker_gets_not_found_for_another_workers_session_and_cannot_record_it()
    {
        var account = await WorkerAccountAsync();
        using var client = await app.SignedInAsEmailAsync(account.Email);
        var start = StartedYesterday();
        var own = await TestData.SessionAsync(app.DataSource, start, TimeSpan.FromHours(2));
        await TestData.AssignAsync(app.DataSource, own, account.WorkerId);
        var others = await TestData.SessionAsync(app.DataSource, start, TimeSpan.FromHours(2));
        await TestData.AssignAsync(app.DataSource, others, await TestData.WorkerAsync(app.DataSource));
        var before = await RecordCountAsync(others);

        using var get = await client.GetAsync($"/Records/Edit?sessionId={others}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);

        // The anti-forgery token from the worker's own record page is valid for any of their posts,
        // so this is exactly what a worker editing the session id in the URL would send.
        using var post = await client.PostFormAsync($"/Records/Edit?sessionId={own}", RecordFields(start, TestData.Unique("Not mine")),
            action: $"/Records/Edit?sessionId={others}");
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Equal(before, await RecordCountAsync(others));
        Assert.Equal("planned", await SessionStatusAsync(others));
    }

    private sealed record StoredRecord(
        bool Delivered, int CountUnder11, int Count11To13, int Count14To15, int Count16To17, int Count18To24, string Notes,
        long? RecordedBy, DateTime? ActualStart, DateTime? ActualEnd);

    private sealed record Assignment(long WorkerId, bool IsLead, string Status);

    private sealed record WorkerAccount(string Email, long UserId, long WorkerId);

    /// <summary>A youth worker's sign-in account, linked to their youth_workers row.</summary>
    private async Task<WorkerAccount> WorkerAccountAsync()
    {
        var email = $"worker-{Guid.NewGuid():N}@tests.outreach.test";
        var user = await app.CreateUserAsync(email, Roles.YouthWorker);
        return new WorkerAccount(email, user.Id, await TestData.WorkerAsync(app.DataSource, user.Id));
    }

    private static Task<HttpResponseMessage> AssignAsync(SiteClient client, long session, long worker) =>
        client.PostFormAsync($"/Sessions/Details/{session}",
            new() { ["WorkerId"] = worker.ToString(CultureInfo.InvariantCulture) },
            action: $"/Sessions/Details/{session}?handler=Assign");

    // Whole hours, a random day a few months out, so sessions of different tests rarely meet.
    private static DateTime FutureStart() =>
        DateTime.UtcNow.Date.AddDays(Random.Shared.Next(60, 600)).AddHours(Random.Shared.Next(8, 16));

    // Noon UTC is never near a UK clock change, so the local time the form shows maps back one way.
    private static DateTime StartedYesterday() => DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(-1).AddHours(12), DateTimeKind.Utc);

    private static string LocalInput(DateTime utc) =>
        TimeZoneInfo.ConvertTimeFromUtc(utc, London).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    private static Dictionary<string, string> RecordFields(DateTime start, string notes) => new()
    {
        ["Input.Delivered"] = "true",
        ["Input.NotDeliveredReason"] = "",
        ["Input.ActualStart"] = LocalInput(start.AddMinutes(5)),
        ["Input.ActualEnd"] = LocalInput(start.AddMinutes(95)),
        ["Input.CountUnder11"] = "3",
        ["Input.Count11To13"] = "5",
        ["Input.Count14To15"] = "7",
        ["Input.Count16To17"] = "2",
        ["Input.Count18To24"] = "1",
        ["Input.Notes"] = notes,
    };

    private async Task<List<Assignment>> AssignmentsAsync(long session)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return (await c.QueryAsync<Assignment>(
            "SELECT worker_id AS WorkerId, is_lead AS IsLead, status AS Status FROM outreach.assignments WHERE session_id = @session",
            new { session })).AsList();
    }

    private Task<long> AssignmentCountAsync(long session) =>
        TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.assignments WHERE session_id = @session", new { session });

    private async Task<List<StoredRecord>> RecordsAsync(long session)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return (await c.QueryAsync<StoredRecord>("""
            SELECT delivered AS Delivered, count_under_11 AS CountUnder11, count_11_13 AS Count11To13,
                   count_14_15 AS Count14To15, count_16_17 AS Count16To17, count_18_24 AS Count18To24, notes AS Notes,
                   recorded_by AS RecordedBy, actual_start AS ActualStart, actual_end AS ActualEnd
            FROM outreach.session_records WHERE session_id = @session
            """, new { session })).AsList();
    }

    private Task<long> RecordCountAsync(long session) =>
        TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.session_records WHERE session_id = @session", new { session });

    private async Task<string> SessionStatusAsync(long session)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<string>("SELECT status FROM outreach.sessions WHERE id = @session", new { session }) ?? "";
    }
}
