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
/// The API's changes after planning: change and cancel a session, read one youth worker, withdraw a booking;
/// and many clients booking one worker at the same moment.
/// </summary>
[Collection("App")]
public sealed class ApiEditTests(OutreachApp app)
{
    [Fact]
    public async Task PATCH_moves_and_renames_a_session_keeps_what_it_was_not_given_and_the_booking_moves_with_it()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var start = FutureStart();
        var session = await SessionAsync(start);
        var worker = await TestData.WorkerAsync(app.DataSource);
        await ExecuteAsync("UPDATE outreach.sessions SET notes = 'Bring the leaflets.' WHERE id = @session", new { session });
        using (var assigned = await http.PostAsJsonAsync($"/api/v1/sessions/{session}/assignments", new { workerId = worker }))
        {
            Assert.Equal(HttpStatusCode.Created, assigned.StatusCode);
        }
        var title = TestData.Unique("Renamed by the API");
        var newStart = new DateTimeOffset(start.AddDays(1).AddHours(2), TimeSpan.Zero).ToOffset(TimeSpan.FromHours(1));

        using var changed = await http.PatchAsJsonAsync($"/api/v1/sessions/{session}", new
        {
            title, startsAt = newStart, endsAt = newStart.AddMinutes(90), requiredWorkers = 2,
        });

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        using var body = JsonDocument.Parse(await changed.Content.ReadAsStringAsync());
        var json = body.RootElement.GetProperty("session");
        Assert.Equal(title, json.GetProperty("title").GetString());
        Assert.Equal(newStart.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), json.GetProperty("startsAt").GetString());
        Assert.Equal(2, json.GetProperty("requiredWorkers").GetInt32());
        Assert.Equal(1, body.RootElement.GetProperty("assignments").GetArrayLength());

        var stored = await StoredAsync(session);
        Assert.Equal((newStart.UtcDateTime, newStart.UtcDateTime.AddMinutes(90)), (stored.StartsAt, stored.EndsAt));
        Assert.Equal(("workshop", "Bring the leaflets.", 2), (stored.Kind, stored.Notes, stored.Version));
        // The exclusion constraint's copy of the time follows the session.
        Assert.Equal(1, await TestData.CountAsync(app.DataSource, """
            SELECT count(*) FROM outreach.assignments
            WHERE session_id = @session AND lower(during) = @starts AND upper(during) = @ends
            """, new { session, starts = newStart.UtcDateTime, ends = newStart.UtcDateTime.AddMinutes(90) }));
        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE action = 'update' AND entity = 'session' AND entity_id = @id",
            new { id = Id(session) }));
    }

    [Fact]
    public async Task PUT_replaces_the_whole_session_and_refuses_a_body_that_leaves_fields_out()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var start = FutureStart();
        var session = await SessionAsync(start);
        var otherVenue = await TestData.VenueAsync(app.DataSource, "community");
        var before = await StoredAsync(session);

        using var partial = await http.PutAsJsonAsync($"/api/v1/sessions/{session}", new { title = "Only a title" });
        Assert.Equal(HttpStatusCode.BadRequest, partial.StatusCode);
        Assert.Equal("application/problem+json", partial.Content.Headers.ContentType?.MediaType);
        var errors = await ErrorsAsync(partial);
        foreach (var field in new[] { "venueId", "kind", "startsAt", "endsAt" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }
        Assert.Equal(before, await StoredAsync(session));

        var title = TestData.Unique("Replaced");
        using var replaced = await http.PutAsJsonAsync($"/api/v1/sessions/{session}", new
        {
            venueId = otherVenue, kind = "drop_in", title, startsAt = new DateTimeOffset(start, TimeSpan.Zero),
            endsAt = new DateTimeOffset(start.AddHours(3), TimeSpan.Zero), requiredWorkers = 3,
        });
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var after = await StoredAsync(session);
        Assert.Equal((otherVenue, "drop_in", title, start, start.AddHours(3), 3, ""),
            (after.VenueId, after.Kind, after.Title, after.StartsAt, after.EndsAt, after.RequiredWorkers, after.Notes));
        Assert.Equal(before.Version + 1, after.Version);
    }

    [Fact]
    public async Task Bad_changes_get_problem_details_naming_the_field_and_change_nothing()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var start = FutureStart();
        var session = await SessionAsync(start);
        var before = await StoredAsync(session);
        var closedVenue = await TestData.VenueAsync(app.DataSource, "community");
        await ExecuteAsync("UPDATE outreach.venues SET status = 'closed' WHERE id = @closedVenue", new { closedVenue });
        var at = new DateTimeOffset(start, TimeSpan.Zero);

        using (var response = await http.PatchAsJsonAsync($"/api/v1/sessions/{session}", new
        {
            kind = "disco", title = " ", requiredWorkers = 0, startsAt = at, endsAt = at.AddHours(-1), notes = new string('x', 2001),
        }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var errors = await ErrorsAsync(response);
            foreach (var field in new[] { "kind", "title", "requiredWorkers", "endsAt", "notes" })
            {
                Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
            }
        }
        using (var response = await http.PatchAsJsonAsync($"/api/v1/sessions/{session}", new { endsAt = at.AddHours(25) }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("24 hours", (await ErrorsAsync(response)).GetProperty("endsAt")[0].GetString(), StringComparison.Ordinal);
        }
        using (var response = await http.PatchAsJsonAsync($"/api/v1/sessions/{session}", new { venueId = closedVenue }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Equal("Choose an open venue from the list.", (await ErrorsAsync(response)).GetProperty("venueId")[0].GetString());
        }
        var yesterday = DateTimeOffset.UtcNow.AddDays(-1);
        using (var response = await http.PatchAsJsonAsync($"/api/v1/sessions/{session}", new { startsAt = yesterday, endsAt = yesterday.AddHours(1) }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Contains("in the past", (await ErrorsAsync(response)).GetProperty("startsAt")[0].GetString(), StringComparison.Ordinal);
        }
        using (var response = await http.PatchAsJsonAsync("/api/v1/sessions/999999999", new { title = "Nobody" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        using (var malformed = new StringContent("{ \"title\": ", System.Text.Encoding.UTF8, "application/json"))
        using (var response = await http.PatchAsync($"/api/v1/sessions/{session}", malformed))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        Assert.Equal(before, await StoredAsync(session));
    }

    [Fact]
    public async Task A_move_that_would_double_book_an_assigned_worker_is_a_409_conflict_naming_them()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var start = FutureStart();
        var moving = await SessionAsync(start);
        var other = await SessionAsync(start.AddHours(4));
        var (worker, name) = await SchedulingData.BookableWorkerAsync(app.DataSource);
        await TestData.AssignAsync(app.DataSource, moving, worker);
        await TestData.AssignAsync(app.DataSource, other, worker);
        var before = await StoredAsync(moving);

        using var response = await http.PatchAsJsonAsync($"/api/v1/sessions/{moving}", new
        {
            startsAt = new DateTimeOffset(start.AddHours(4), TimeSpan.Zero), endsAt = new DateTimeOffset(start.AddHours(5), TimeSpan.Zero),
        });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains($"would double-book {name}", problem.RootElement.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await StoredAsync(moving));
    }

    [Fact]
    public async Task Moving_a_school_session_onto_a_closed_day_needs_planOnClosedDays()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var school = await TestData.VenueAsync(app.DataSource, "school");
        var start = FutureStart();
        var session = await SessionAsync(start, school);
        var closedDay = DateOnly.FromDateTime(start.AddDays(7));
        await SchedulingData.ClosedDayAsync(app.DataSource, closedDay, closedDay, "INSET day", venueId: school);
        var moved = new { startsAt = new DateTimeOffset(start.AddDays(7), TimeSpan.Zero), endsAt = new DateTimeOffset(start.AddDays(7).AddHours(1), TimeSpan.Zero) };

        using (var refused = await http.PatchAsJsonAsync($"/api/v1/sessions/{session}", moved))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            var message = (await ErrorsAsync(refused)).GetProperty("planOnClosedDays")[0].GetString();
            Assert.Contains("INSET day", message, StringComparison.Ordinal);
            // The operation's own words, the same the Edit page shows; the key says which property to send.
            Assert.DoesNotContain("Tick", message, StringComparison.Ordinal);
        }
        Assert.Equal(start, (await StoredAsync(session)).StartsAt);

        using var accepted = await http.PatchAsJsonAsync($"/api/v1/sessions/{session}", new { moved.startsAt, moved.endsAt, planOnClosedDays = true });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(start.AddDays(7), (await StoredAsync(session)).StartsAt);
    }

    [Fact]
    public async Task Cancelling_needs_a_reason_then_cancels_once_with_an_audit_event_and_a_cancelled_session_cannot_change()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var session = await SessionAsync(FutureStart());

        using (var noReason = await http.PostAsJsonAsync($"/api/v1/sessions/{session}/cancel", new { reason = "  " }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
            Assert.True((await ErrorsAsync(noReason)).TryGetProperty("reason", out _));
        }
        Assert.Equal("planned", (await StoredAsync(session)).Status);

        using (var cancelled = await http.PostAsJsonAsync($"/api/v1/sessions/{session}/cancel", new { reason = "School closed for snow" }))
        {
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
            using var body = JsonDocument.Parse(await cancelled.Content.ReadAsStringAsync());
            Assert.Equal("cancelled", body.RootElement.GetProperty("session").GetProperty("status").GetString());
        }
        var stored = await StoredAsync(session);
        Assert.Equal(("cancelled", "School closed for snow"), (stored.Status, stored.CancelReason));
        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE action = 'cancel' AND entity = 'session' AND entity_id = @id",
            new { id = Id(session) }));

        using (var again = await http.PostAsJsonAsync($"/api/v1/sessions/{session}/cancel", new { reason = "Twice" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }
        using (var change = await http.PatchAsJsonAsync($"/api/v1/sessions/{session}", new { title = "Too late" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, change.StatusCode);
        }
        using (var missing = await http.PostAsJsonAsync("/api/v1/sessions/999999999/cancel", new { reason = "Nobody" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        var final = await StoredAsync(session);
        Assert.Equal(("cancelled", "School closed for snow", "API session"), (final.Status, final.CancelReason, final.Title[..11]));
    }

    [Fact]
    public async Task GET_of_one_youth_worker_gives_their_profile_without_the_DBS_certificate_number()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var worker = await TestData.WorkerAsync(app.DataSource);
        var area = await TestData.AreaAsync(app.DataSource);
        await ExecuteAsync("INSERT INTO outreach.worker_areas (worker_id, area_id) VALUES (@worker, @area)", new { worker, area });

        using var response = await http.GetAsync($"/api/v1/workers/{worker}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        using var body = JsonDocument.Parse(text);
        Assert.Equal(worker, body.RootElement.GetProperty("id").GetInt64());
        Assert.StartsWith("Worker ", body.RootElement.GetProperty("fullName").GetString(), StringComparison.Ordinal);
        Assert.Equal(area, body.RootElement.GetProperty("areas")[0].GetProperty("id").GetInt64());
        Assert.Equal("enhanced_barred", body.RootElement.GetProperty("dbs").GetProperty("checkType").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", body.RootElement.GetProperty("dbs").GetProperty("nextReviewOn").GetString());
        Assert.DoesNotContain("001234567890", text, StringComparison.Ordinal);

        using var missing = await http.GetAsync("/api/v1/workers/999999999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Withdrawing_the_lead_keeps_the_booking_as_withdrawn_passes_the_lead_on_voids_reminders_and_frees_the_worker()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var start = FutureStart();
        var session = await SessionAsync(start);
        var lead = await TestData.WorkerAsync(app.DataSource);
        var second = await TestData.WorkerAsync(app.DataSource);
        var leadAssignment = await AssignThroughApiAsync(http, session, lead);
        var secondAssignment = await AssignThroughApiAsync(http, session, second);
        await ExecuteAsync("""
            INSERT INTO outreach.sms_outbox (dedupe_key, purpose, worker_id, session_id, to_e164, body, not_before)
            VALUES (@key, 'reminder', @lead, @session, '+447700900123', 'Outreach reminder', now() + interval '1 day')
            """, new { key = $"reminder-1440m:assignment:{leadAssignment}:v1:{Guid.NewGuid():N}", lead, session });

        using (var withdrawn = await http.PostAsync($"/api/v1/sessions/{session}/assignments/{leadAssignment}/withdraw", null))
        {
            Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        }
        Assert.Equal(
            new[] { (leadAssignment, "withdrawn", false), (secondAssignment, "assigned", true) },
            await AssignmentsAsync(session));
        Assert.Equal(0, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.sms_outbox WHERE worker_id = @lead AND session_id = @session AND status = 'pending'", new { lead, session }));
        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE action = 'withdraw' AND entity = 'assignment' AND entity_id = @id",
            new { id = Id(leadAssignment) }));

        using (var again = await http.PostAsync($"/api/v1/sessions/{session}/assignments/{leadAssignment}/withdraw", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        }
        // An assignment is found only through its own session.
        var elsewhere = await SessionAsync(start.AddDays(1));
        using (var wrongSession = await http.PostAsync($"/api/v1/sessions/{elsewhere}/assignments/{secondAssignment}/withdraw", null))
        {
            Assert.Equal(HttpStatusCode.NotFound, wrongSession.StatusCode);
        }
        Assert.Equal("assigned", (await AssignmentsAsync(session)).Single(a => a.Id == secondAssignment).Status);

        // The withdrawn worker's time is free again: an overlapping session elsewhere can have them.
        var overlapping = await SessionAsync(start.AddMinutes(30));
        await AssignThroughApiAsync(http, overlapping, lead);
    }

    [Fact]
    public async Task A_commissioner_key_can_neither_change_nor_cancel_sessions_nor_read_workers_nor_withdraw_bookings()
    {
        using var http = await ClientWithKeyAsync(Roles.Commissioner);
        var session = await SessionAsync(FutureStart());
        var worker = await TestData.WorkerAsync(app.DataSource);
        var assignment = await TestData.AssignAsync(app.DataSource, session, worker);
        var before = await StoredAsync(session);

        Assert.Equal(HttpStatusCode.Forbidden, (await http.PatchAsJsonAsync($"/api/v1/sessions/{session}", new { title = "No" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PutAsJsonAsync($"/api/v1/sessions/{session}", new { title = "No" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsJsonAsync($"/api/v1/sessions/{session}/cancel", new { reason = "No" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync($"/api/v1/sessions/{session}/assignments/{assignment}/withdraw", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync($"/api/v1/workers/{worker}")).StatusCode);

        Assert.Equal(before, await StoredAsync(session));
        Assert.Equal("assigned", (await AssignmentsAsync(session)).Single().Status);
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_change_cancel_worker_and_withdraw_paths()
    {
        using var anonymous = new HttpClient { BaseAddress = app.BaseUrl };
        using var document = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");
        var session = paths.GetProperty("/api/v1/sessions/{id}");
        Assert.True(session.TryGetProperty("put", out _), session.ToString());
        Assert.True(session.TryGetProperty("patch", out _), session.ToString());
        Assert.True(paths.GetProperty("/api/v1/sessions/{id}/cancel").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty("/api/v1/workers/{id}").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/v1/sessions/{id}/assignments/{assignmentId}/withdraw").TryGetProperty("post", out _));
    }

    [Fact]
    public async Task A_hundred_concurrent_API_requests_to_book_one_worker_into_a_hundred_overlapping_sessions_give_exactly_one_assignment()
    {
        const int attempts = 100;
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource, "community");
        var worker = await TestData.WorkerAsync(app.DataSource);
        var start = FutureStart();
        var sessions = new List<long>();
        for (var i = 0; i < attempts; i++)
        {
            sessions.Add(await TestData.SessionAsync(app.DataSource, start.AddMinutes(i), TimeSpan.FromHours(3), venue));
        }

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = sessions.Select(session => Task.Run(async () =>
        {
            await go.Task;
            using var response = await http.PostAsJsonAsync($"/api/v1/sessions/{session}/assignments", new { workerId = worker });
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        })).ToList();
        go.SetResult();
        var results = await Task.WhenAll(requests);

        Assert.Single(results, r => r.StatusCode == HttpStatusCode.Created);
        var refused = results.Where(r => r.StatusCode != HttpStatusCode.Created).ToList();
        Assert.All(refused, r =>
        {
            Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
            Assert.Contains("already booked at an overlapping time", r.Body, StringComparison.Ordinal);
        });
        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.assignments WHERE worker_id = @worker AND status IN ('assigned', 'confirmed')", new { worker }));
    }

    private sealed record StoredSession(
        long VenueId, string Kind, string Title, DateTime StartsAt, DateTime EndsAt, int RequiredWorkers, string Notes, int Version,
        string Status, string? CancelReason);

    private async Task<StoredSession> StoredAsync(long id)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return await c.QuerySingleAsync<StoredSession>("""
            SELECT venue_id, kind, title, starts_at, ends_at, required_workers, notes, version, status, cancel_reason
            FROM outreach.sessions WHERE id = @id
            """, new { id });
    }

    private async Task<List<(long Id, string Status, bool IsLead)>> AssignmentsAsync(long session)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return (await c.QueryAsync<(long, string, bool)>(
            "SELECT id, status, is_lead FROM outreach.assignments WHERE session_id = @session ORDER BY id", new { session })).AsList();
    }

    /// <summary>A workshop at a community venue (no school closures apply), 09:00 to 10:00 UTC on a day months ahead.</summary>
    private async Task<long> SessionAsync(DateTime startUtc, long? venue = null)
    {
        venue ??= await TestData.VenueAsync(app.DataSource, "community");
        await using var c = await app.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>("""
            INSERT INTO outreach.sessions (venue_id, kind, title, starts_at, ends_at)
            VALUES (@venue, 'workshop', @title, @startUtc, @endUtc) RETURNING id
            """, new { venue, title = TestData.Unique("API session"), startUtc, endUtc = startUtc.AddHours(1) });
    }

    private static async Task<long> AssignThroughApiAsync(HttpClient http, long session, long worker)
    {
        using var response = await http.PostAsJsonAsync($"/api/v1/sessions/{session}/assignments", new { workerId = worker });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        using var body = JsonDocument.Parse(text);
        return body.RootElement.GetProperty("assignmentId").GetInt64();
    }

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("errors").Clone();
    }

    private async Task ExecuteAsync(string sql, object args)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        await c.ExecuteAsync(sql, args);
    }

    private async Task<HttpClient> ClientWithKeyAsync(string role)
    {
        var keys = (ApiKeyData)app.Services.GetService(typeof(ApiKeyData))!;
        var key = (await keys.CreateAsync(TestData.Unique("api edit test"), role, Actor.System, CancellationToken.None)).Value!;
        var http = new HttpClient { BaseAddress = app.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    // Whole hours UTC on a random day well ahead and clear of the clock changes' small hours, so the UK wall clock
    // maps back one way and sessions of different tests rarely meet.
    private static DateTime FutureStart() =>
        DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(Random.Shared.Next(60, 600)).AddHours(9), DateTimeKind.Utc);

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
