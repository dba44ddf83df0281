using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Outreach.Data;
using Outreach.Data.ApiKeys;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;
using Outreach.Web.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>
/// Every error of the JSON API is RFC 9457 problem details with a detail that says what to fix: never the site's HTML
/// error page, never a redirect to the sign-in page.
/// </summary>
[Collection("App")]
public sealed class ApiErrorTests(OutreachApp app)
{
    [Fact]
    public async Task A_body_that_is_not_JSON_gets_400_problem_details_saying_where_it_breaks()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        using var body = new StringContent("{ \"kind\": \"school\", name: ", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/v1/venues", body);

        var detail = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.StartsWith("The request body is not valid JSON", detail, StringComparison.Ordinal);
        Assert.Contains("line 1", detail, StringComparison.Ordinal);
        AssertNoInternals(detail);
    }

    [Fact]
    public async Task A_body_field_of_the_wrong_type_gets_400_problem_details_naming_the_field()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        using var body = new StringContent("""{ "kind": "school", "name": "Typed", "areaId": "three" }""", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/v1/venues", body);

        var detail = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("'areaId'", detail, StringComparison.Ordinal);
        AssertNoInternals(detail);
    }

    [Fact]
    public async Task A_query_value_that_does_not_parse_gets_400_problem_details_naming_the_parameter()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);

        using var date = await http.GetAsync("/api/v1/sessions?from=next-tuesday");
        var detail = await ProblemAsync(date, HttpStatusCode.BadRequest);
        Assert.Contains("'from' must be a date like 2026-12-08", detail, StringComparison.Ordinal);
        AssertNoInternals(detail);

        using var number = await http.GetAsync("/api/v1/venues?areaId=twelve");
        Assert.Contains("'areaId' must be a whole number", await ProblemAsync(number, HttpStatusCode.BadRequest), StringComparison.Ordinal);

        using var flag = await http.GetAsync("/api/v1/workers?active=maybe");
        Assert.Contains("'active' must be true or false", await ProblemAsync(flag, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_id_that_is_not_a_number_gets_404_problem_details_instead_of_the_sign_in_page()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        using var response = await http.GetAsync("/api/v1/sessions/abc");

        var detail = await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("/api/v1/sessions/abc", detail, StringComparison.Ordinal);
        Assert.Contains("whole numbers", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_path_gets_404_problem_details_pointing_at_the_OpenAPI_document()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        using var response = await http.GetAsync("/api/v1/schools");

        var detail = await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("/openapi/v1.json", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_method_a_path_does_not_take_gets_405_problem_details_with_an_Allow_header()
    {
        using var http = await ClientWithKeyAsync(Roles.Coordinator);
        using var response = await http.DeleteAsync("/api/v1/sessions/1");

        var detail = await ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal(["GET", "PATCH", "PUT"], response.Content.Headers.Allow.Order(StringComparer.Ordinal));
        Assert.Contains("DELETE", detail, StringComparison.Ordinal);
        Assert.Contains("GET, PATCH, PUT", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_valid_key_every_API_path_known_or_not_gets_401_problem_details()
    {
        using var anonymous = app.Anonymous();
        foreach (var path in new[] { "/api/v1/venues", "/api/v1/sessions/abc", "/api/v1/schools" })
        {
            using var response = await anonymous.GetAsync(path);
            var detail = await ProblemAsync(response, HttpStatusCode.Unauthorized);
            Assert.Contains("Authorization: Bearer", detail, StringComparison.Ordinal);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
        using var wrongMethod = await anonymous.Http.DeleteAsync("/api/v1/sessions/1");
        await ProblemAsync(wrongMethod, HttpStatusCode.Unauthorized);

        // A signed-in user's cookie is not a key: the API still answers 401, not the site's two-factor or sign-in pages.
        using var signedIn = await app.SignedInAsync(Roles.Coordinator);
        using var withCookie = await signedIn.GetAsync("/api/v1/schools");
        await ProblemAsync(withCookie, HttpStatusCode.Unauthorized);

        using var revoked = new HttpClient { BaseAddress = app.BaseUrl };
        revoked.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "ork_nothing_wrongkey");
        using var unknownKey = await revoked.GetAsync("/api/v1/venues");
        Assert.Contains("unknown or revoked", await ProblemAsync(unknownKey, HttpStatusCode.Unauthorized), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_whose_role_may_not_do_something_gets_403_problem_details_naming_the_role()
    {
        using var commissioner = await ClientWithKeyAsync(Roles.Commissioner);
        using var response = await commissioner.GetAsync("/api/v1/venues");

        var detail = await ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains($"A {Roles.Commissioner} key may not use GET /api/v1/venues", detail, StringComparison.Ordinal);
        Assert.Contains($"{Roles.Coordinator} or {Roles.Administrator}", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_site_keeps_its_own_error_page_and_sign_in_redirect()
    {
        using var anonymous = app.Anonymous();
        using var page = await anonymous.GetAsync("/Sessions");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains("/Account/Login", page.Headers.Location?.ToString(), StringComparison.Ordinal);

        using var signedIn = await app.SignedInAsync(Roles.Coordinator);
        using var missing = await signedIn.GetAsync("/Sessions/Details/abc");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("text/html", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Outside_development_a_fault_in_the_API_is_a_500_problem_that_shows_nothing_of_the_exception()
    {
        // A host of its own: the site's tests run in Development, where a fault goes to the developer exception page.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddProblemDetails();
        await using var host = builder.Build();
        host.UseApiErrors();
        host.MapGet("/api/v1/fault", string () => throw new InvalidOperationException("connection string Password=secret"));
        await host.StartAsync();
        using var http = host.GetTestClient();

        using var response = await http.GetAsync("/api/v1/fault");
        var detail = await ProblemAsync(response, HttpStatusCode.InternalServerError);
        Assert.Contains("traceId", detail, StringComparison.Ordinal);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(nameof(InvalidOperationException), body, StringComparison.Ordinal);
    }

    /// <summary>Asserts the status and that the answer is problem details, and returns its detail.</summary>
    private static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"HTTP {(int)response.StatusCode} {response.Headers.Location}, expected {(int)status}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("title").GetString()), body);
        var detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
        Assert.False(string.IsNullOrWhiteSpace(detail), $"no detail: {body}");
        return detail!;
    }

    private static void AssertNoInternals(string detail)
    {
        foreach (var word in new[] { "Outreach.", "System.", "Nullable", "NewVenueRequest", "Exception", "   at " })
        {
            Assert.DoesNotContain(word, detail, StringComparison.Ordinal);
        }
    }

    private async Task<HttpClient> ClientWithKeyAsync(string role)
    {
        var keys = (ApiKeyData)app.Services.GetService(typeof(ApiKeyData))!;
        var key = (await keys.CreateAsync(TestData.Unique("api error test"), role, Actor.System, CancellationToken.None)).Value!;
        var http = new HttpClient { BaseAddress = app.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }
}
