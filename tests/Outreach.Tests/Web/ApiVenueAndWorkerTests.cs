using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Outreach.Data;
using Outreach.Data.ApiKeys;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>Changing and closing venues, adding and changing youth workers, through the API.</summary>
[Collection("App")]
public sealed class ApiVenueAndWorkerTests(OutreachApp app)
{
    [Fact]
    public async Task PATCH_closes_a_venue_and_a_stale_If_Match_gets_412_without_changing_it()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource);
        using var read = await http.GetAsync($"/api/v1/venues/{venue}");
        var etag = read.Headers.ETag!.Tag;

        using var closeRequest = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/venues/{venue}")
        {
            Content = JsonContent.Create(new { status = "closed", accessNotes = "Use the side gate." }),
        };
        closeRequest.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        using var closed = await http.SendAsync(closeRequest);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.NotEqual(etag, closed.Headers.ETag!.Tag);
        Assert.Equal("closed", JsonDocument.Parse(await closed.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());

        using var staleRequest = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/venues/{venue}")
        {
            Content = JsonContent.Create(new { status = "open" }),
        };
        staleRequest.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        using var stale = await http.SendAsync(staleRequest);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);

        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.venues WHERE id = @venue AND status = 'closed' AND access_notes = 'Use the side gate.' AND closed_on IS NOT NULL",
            new { venue }));
        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE entity = 'venue' AND entity_id = @id AND action = 'close'", new { id = venue.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
    }

    [Fact]
    public async Task POST_adds_a_worker_with_a_normalised_mobile_and_PATCH_changes_only_what_it_is_given()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var name = TestData.Unique("API worker");
        var local = "07" + Random.Shared.NextInt64(700_000_000, 999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

        using var created = await http.PostAsJsonAsync("/api/v1/workers", new { fullName = name, mobile = local, hourlyCost = 21.5m, contractedHours = 30 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var id = json.GetProperty("id").GetInt64();
        Assert.Equal("+44" + local[1..], json.GetProperty("mobileE164").GetString());

        using var changed = await http.PatchAsJsonAsync($"/api/v1/workers/{id}", new { contractedHours = 16, active = false });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var after = JsonDocument.Parse(await changed.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((name, 16m, false, 21.5m), (after.GetProperty("fullName").GetString(), after.GetProperty("contractedHours").GetDecimal(),
            after.GetProperty("active").GetBoolean(), after.GetProperty("hourlyCost").GetDecimal()));
    }

    [Fact]
    public async Task Bad_worker_fields_get_a_problem_naming_each_field_and_nothing_is_written()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var before = await TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.youth_workers");

        using var refused = await http.PostAsJsonAsync("/api/v1/workers", new { fullName = "", mobile = "12", email = "not an email", hourlyCost = -1 });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("fullName", out _) && errors.TryGetProperty("mobile", out _)
            && errors.TryGetProperty("email", out _) && errors.TryGetProperty("hourlyCost", out _), errors.ToString());
        Assert.Equal(before, await TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.youth_workers"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.PatchAsJsonAsync("/api/v1/workers/999999999", new { active = false })).StatusCode);
    }

    [Fact]
    public async Task A_session_PATCH_with_the_ETag_it_read_succeeds_once_and_the_second_client_with_the_same_ETag_gets_412()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var session = await TestData.SessionAsync(app.DataSource, new DateTime(2027, 11, 16, 10, 0, 0, DateTimeKind.Utc), TimeSpan.FromHours(1));
        using var read = await http.GetAsync($"/api/v1/sessions/{session}");
        var etag = read.Headers.ETag!.Tag;

        async Task<HttpResponseMessage> RenameAsync(string title)
        {
            using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/sessions/{session}") { Content = JsonContent.Create(new { title }) };
            request.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
            return await http.SendAsync(request);
        }

        using var first = await RenameAsync("First client's title");
        using var second = await RenameAsync("Second client's title");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, second.StatusCode);
        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.sessions WHERE id = @session AND title = 'First client''s title'", new { session }));
    }

    [Fact]
    public async Task A_worker_added_through_the_API_can_be_booked_once_their_DBS_check_is_recorded_through_it()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var session = await TestData.SessionAsync(app.DataSource, DateTime.UtcNow.Date.AddDays(40).AddHours(10), TimeSpan.FromHours(1));
        using var created = await http.PostAsJsonAsync("/api/v1/workers", new { fullName = TestData.Unique("API worker"), mobile = TestData.Mobile() });
        var worker = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();

        using var refused = await http.PostAsJsonAsync($"/api/v1/sessions/{session}/assignments", new { workerId = worker });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);

        using var recorded = await http.PutAsJsonAsync($"/api/v1/workers/{worker}/dbs", new
        {
            checkType = "enhanced_barred", certificateNumber = "0012-3456-7890", issuedOn = today.AddDays(-30), updateService = true,
            nextReviewOn = today.AddYears(3),
        });
        Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);
        var dbs = JsonDocument.Parse(await recorded.Content.ReadAsStringAsync()).RootElement.GetProperty("dbs");
        Assert.Equal(("enhanced_barred", true), (dbs.GetProperty("checkType").GetString(), dbs.GetProperty("updateService").GetBoolean()));
        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.youth_workers WHERE id = @worker AND dbs_certificate_number = '001234567890'", new { worker }));
        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE entity = 'youth_worker' AND entity_id = @id AND action = 'update'",
            new { id = worker.ToString(System.Globalization.CultureInfo.InvariantCulture) }));

        using var booked = await http.PostAsJsonAsync($"/api/v1/sessions/{session}/assignments", new { workerId = worker });
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
    }

    [Fact]
    public async Task A_DBS_check_the_site_would_refuse_is_refused_with_the_site_messages_and_nothing_changes()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var worker = await TestData.WorkerAsync(app.DataSource);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        using var refused = await http.PutAsJsonAsync($"/api/v1/workers/{worker}/dbs", new
        {
            checkType = "thorough", certificateNumber = "1234", issuedOn = today.AddDays(5), nextReviewOn = today,
        });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Equal("Choose the type of DBS check.", errors.GetProperty("checkType")[0].GetString());
        Assert.Equal("A DBS certificate number is 12 digits, like 001234567890.", errors.GetProperty("certificateNumber")[0].GetString());
        Assert.Equal("The issue date cannot be in the future.", errors.GetProperty("issuedOn")[0].GetString());
        Assert.Equal("The next review must be after the issue date.", errors.GetProperty("nextReviewOn")[0].GetString());
        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.youth_workers WHERE id = @worker AND dbs_certificate_number = '001234567890'", new { worker }));
        Assert.Equal(HttpStatusCode.NotFound,
            (await http.PutAsJsonAsync("/api/v1/workers/999999999/dbs", new { checkType = "basic" })).StatusCode);
    }

    [Fact]
    public async Task PATCH_keeps_a_venue_to_the_rules_and_messages_of_the_Edit_page()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource);

        using var refused = await http.PatchAsJsonAsync($"/api/v1/venues/{venue}", new { postcode = "12345 ABC", name = " " });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Equal("Enter a UK postcode like B8 2AA.", errors.GetProperty("postcode")[0].GetString());
        Assert.Equal("Enter the venue's name.", errors.GetProperty("name")[0].GetString());

        using var tidied = await http.PatchAsJsonAsync($"/api/v1/venues/{venue}", new { postcode = " b82aa ", phone = "0121 464 2000" });
        Assert.Equal(HttpStatusCode.OK, tidied.StatusCode);
        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.venues WHERE id = @venue AND postcode = 'B8 2AA' AND phone = '0121 464 2000'", new { venue }));
    }

    [Fact]
    public async Task A_commissioner_key_cannot_change_venues_or_workers()
    {
        using var http = await ClientWithKeyAsync(Roles.Commissioner);
        var venue = await TestData.VenueAsync(app.DataSource);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PatchAsJsonAsync($"/api/v1/venues/{venue}", new { status = "closed" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsJsonAsync("/api/v1/workers", new { fullName = "x", mobile = "07700900123" })).StatusCode);
    }

    private async Task<HttpClient> ClientWithKeyAsync(string role)
    {
        var keys = (ApiKeyData)app.Services.GetService(typeof(ApiKeyData))!;
        var key = (await keys.CreateAsync(TestData.Unique("api venue test"), role, Actor.System, CancellationToken.None)).Value!;
        var http = new HttpClient { BaseAddress = app.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }
}
