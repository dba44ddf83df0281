using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Outreach.Data;
using Outreach.Data.ApiKeys;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

[Collection("App")]
public sealed class ApiTests(OutreachApp app)
{
    [Fact]
    public async Task A_coordinator_key_plans_a_session_and_assigns_a_worker_through_the_API()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource);
        var worker = await TestData.WorkerAsync(app.DataSource);
        var start = new DateTimeOffset(2027, 6, 15, 10, 0, 0, TimeSpan.FromHours(1));

        using var created = await http.PostAsJsonAsync("/api/v1/sessions", new
        {
            venueId = venue, kind = "workshop", title = "API workshop", startsAt = start, endsAt = start.AddHours(2), requiredWorkers = 1,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var id = body.RootElement.GetProperty("session").GetProperty("id").GetInt64();
        Assert.Equal("2027-06-15T09:00:00Z", body.RootElement.GetProperty("session").GetProperty("startsAt").GetString());

        using var assigned = await http.PostAsJsonAsync($"/api/v1/sessions/{id}/assignments", new { workerId = worker });
        Assert.Equal(HttpStatusCode.Created, assigned.StatusCode);
        using var again = await http.PostAsJsonAsync($"/api/v1/sessions/{id}/assignments", new { workerId = worker });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);

        using var list = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/sessions?venueId={venue}&pageSize=10"));
        Assert.Equal(1, list.RootElement.GetProperty("total").GetInt64());
        Assert.Equal(1, list.RootElement.GetProperty("items")[0].GetProperty("assignedWorkers").GetInt64());
    }

    [Fact]
    public async Task Bad_input_gets_problem_details_naming_each_field_and_writes_nothing()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var title = TestData.Unique("Never stored");
        using var response = await http.PostAsJsonAsync("/api/v1/sessions", new
        {
            venueId = (long?)null, kind = "disco", title, startsAt = DateTimeOffset.UtcNow.AddDays(-1), endsAt = DateTimeOffset.UtcNow.AddDays(-2),
            requiredWorkers = 0,
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors");
        foreach (var field in new[] { "venueId", "kind", "startsAt", "endsAt", "requiredWorkers" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }
        Assert.Equal(0, await TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.sessions WHERE title = @title", new { title }));

        using var malformed = new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json");
        using var bad = await http.PostAsync("/api/v1/venues", malformed);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Without_a_key_or_with_a_revoked_one_the_API_answers_401_and_a_commissioner_key_reads_only_reach()
    {
        using var anonymous = new HttpClient { BaseAddress = app.BaseUrl };
        using var noKey = await anonymous.GetAsync("/api/v1/venues");
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal("application/problem+json", noKey.Content.Headers.ContentType?.MediaType);

        var keys = (ApiKeyData)app.Services.GetService(typeof(ApiKeyData))!;
        var key = (await keys.CreateAsync("revoked in test", Roles.Coordinator, Actor.System, CancellationToken.None)).Value!;
        var id = (await keys.ListAsync(CancellationToken.None)).First(k => key.StartsWith($"ork_{k.Prefix}_", StringComparison.Ordinal)).Id;
        Assert.True(await keys.RevokeAsync(id, Actor.System, CancellationToken.None));
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/venues")).StatusCode);

        using var commissioner = await ClientWithKeyAsync(Roles.Commissioner);
        Assert.Equal(HttpStatusCode.Forbidden, (await commissioner.GetAsync("/api/v1/venues")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await commissioner.GetAsync("/api/v1/reach?from=2026-01&to=2026-12")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await commissioner.GetAsync("/api/v1/reach?from=January")).StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_API()
    {
        using var anonymous = new HttpClient { BaseAddress = app.BaseUrl };
        using var document = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/sessions", out _));
        Assert.True(paths.TryGetProperty("/api/v1/venues/{id}", out _));
    }

    [Fact]
    public async Task An_administrator_makes_a_key_that_is_shown_once_and_works()
    {
        using var admin = await app.SignedInAsync(Roles.Administrator);
        using var created = await admin.PostFormAsync("/Admin/ApiKeys",
            new() { ["Input.Name"] = TestData.Unique("Reporting tool"), ["Input.Role"] = Roles.Coordinator }, "/Admin/ApiKeys?handler=Create");
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var page = await admin.GetPageAsync("/Admin/ApiKeys");
        var key = System.Text.RegularExpressions.Regex.Match(page, "<code id=\"new-key\"[^>]*>([^<]+)</code>").Groups[1].Value;
        Assert.StartsWith("ork_", key, StringComparison.Ordinal);
        Assert.DoesNotContain(key, await admin.GetPageAsync("/Admin/ApiKeys"), StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = app.BaseUrl };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/workers?pageSize=1")).StatusCode);
    }

    private async Task<HttpClient> ClientWithKeyAsync(string role)
    {
        var keys = (ApiKeyData)app.Services.GetService(typeof(ApiKeyData))!;
        var key = (await keys.CreateAsync(TestData.Unique("test client"), role, Actor.System, CancellationToken.None)).Value!;
        var http = new HttpClient { BaseAddress = app.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }
}
