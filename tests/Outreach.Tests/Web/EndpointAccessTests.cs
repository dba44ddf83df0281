using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>
/// Every page and endpoint of the running site against the expected-access table below: a page or
/// endpoint added without a matching row, or whose access differs from its row, fails here.
/// </summary>
[Collection("App")]
public sealed class EndpointAccessTests(OutreachApp app)
{
    private const string Anyone = "anyone";
    private const string SignedIn = "signed-in";
    private const string ApiKey = "api-key";

    // Longest matching prefix wins.
    private static readonly (string Prefix, string[] Allowed)[] Expected =
    [
        ("/Account/Login", [Anyone]),
        ("/Account/Logout", [Anyone]),
        ("/Account/AccessDenied", [Anyone]),
        ("/Account/Activate", [Anyone]),
        ("/Account/LoginWith2fa", [Anyone]),
        ("/Account/LoginWithRecoveryCode", [Anyone]),
        ("/Account", [SignedIn]),
        ("/Error", [Anyone]),
        ("/health", [Anyone]),
        ("/openapi", [Anyone]),
        ("/calendar", [Anyone]),
        ("/twilio", [Anyone]),
        ("/api/v1", [ApiKey]),
        ("/Index", [Roles.Administrator, Roles.Coordinator]),
        ("/Sessions", [Roles.Administrator, Roles.Coordinator]),
        ("/Venues", [Roles.Administrator, Roles.Coordinator]),
        ("/Workers", [Roles.Administrator, Roles.Coordinator]),
        ("/Messages", [Roles.Administrator, Roles.Coordinator]),
        ("/ClosedDays", [Roles.Administrator, Roles.Coordinator]),
        ("/Records", [Roles.Administrator, Roles.Coordinator, Roles.YouthWorker]),
        ("/Engagements", [Roles.Administrator, Roles.Coordinator, Roles.YouthWorker]),
        ("/Safeguarding", [Roles.Administrator, Roles.Coordinator]),
        ("/Reports", [Roles.Administrator, Roles.Coordinator, Roles.Commissioner]),
        ("/Reports/Archive", [Roles.Administrator, Roles.Coordinator, Roles.Commissioner]),
        ("/Admin", [Roles.Administrator]),
        ("/hangfire", [Roles.Administrator]),
    ];

    [Fact]
    public void Every_endpoint_has_a_row_in_the_expected_access_table_and_metadata_to_match()
    {
        var problems = new List<string>();
        foreach (var (route, endpoint) in Endpoints())
        {
            var row = Row(route);
            if (row is null)
            {
                problems.Add($"{route}: no row in the expected-access table");
                continue;
            }
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var authorize = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>();
            var policies = endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>();
            var allowed = row.Value.Allowed;
            if (allowed.Contains(Anyone) != anonymous)
            {
                problems.Add($"{route}: expected {(allowed.Contains(Anyone) ? "anonymous access" : "a policy")}, found {(anonymous ? "AllowAnonymous" : "none")}");
            }
            if (allowed.Contains(ApiKey) && !policies.Any(p => p.AuthenticationSchemes.Contains("ApiKey")))
            {
                problems.Add($"{route}: expected an API-key policy");
            }
            var staffOnly = !allowed.Contains(Anyone) && !allowed.Contains(ApiKey) && !allowed.Contains(SignedIn);
            if (staffOnly && !anonymous && authorize.Count == 0 && policies.Count == 0 && route != "/Index")
            {
                problems.Add($"{route}: only the fallback (any signed-in user) protects it; expected {string.Join(", ", allowed)}");
            }
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task Each_role_gets_exactly_the_pages_its_row_allows()
    {
        var clients = new Dictionary<string, SiteClient> { ["anonymous"] = app.Anonymous() };
        foreach (var role in Roles.All)
        {
            clients[role] = await app.SignedInAsync(role);
        }
        var problems = new List<string>();
        var checkedPages = 0;
        foreach (var (route, endpoint) in Endpoints())
        {
            // Pages that need an id or a token are covered by the metadata test and their own tests.
            if (route.Contains('{', StringComparison.Ordinal) || Row(route) is not { } row
                || row.Allowed.Contains(ApiKey) || !IsGet(endpoint)
                // Anonymous pages whose own answer is a refusal or a redirect by design.
                || route is "/Account/Logout" or "/Error" or "/Account/AccessDenied" or "/Account/LoginWith2fa" or "/Account/LoginWithRecoveryCode")
            {
                continue;
            }
            checkedPages++;
            var path = route == "/Index" ? "/" : route;
            foreach (var (who, client) in clients)
            {
                using var response = await client.GetAsync(path);
                var location = response.Headers.Location?.ToString() ?? "";
                var toLogin = response.StatusCode == HttpStatusCode.Redirect && location.Contains("/Account/Login", StringComparison.Ordinal);
                var refused = response.StatusCode == HttpStatusCode.Forbidden
                    || (response.StatusCode == HttpStatusCode.Redirect && location.Contains("/Account/AccessDenied", StringComparison.Ordinal));
                var allowed = row.Allowed.Contains(Anyone) || (row.Allowed.Contains(SignedIn) && who != "anonymous") || row.Allowed.Contains(who);
                var ok = allowed
                    ? !toLogin && !refused && response.StatusCode != HttpStatusCode.Unauthorized
                    : who == "anonymous" ? toLogin : refused || (path == "/" && response.StatusCode == HttpStatusCode.Redirect);
                if (!ok)
                {
                    problems.Add($"{path} as {who}: {(int)response.StatusCode} {location} (expected {(allowed ? "access" : "refusal")})");
                }
            }
        }
        foreach (var client in clients.Values)
        {
            client.Dispose();
        }
        Assert.True(checkedPages >= 20, $"only {checkedPages} pages were checked");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private IEnumerable<(string Route, Endpoint Endpoint)> Endpoints()
    {
        var sources = app.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var raw = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            yield return (raw == "/" ? "/Index" : raw, endpoint);
        }
    }

    private static (string Prefix, string[] Allowed)? Row(string route) =>
        Expected.Where(e => route.Equals(e.Prefix, StringComparison.OrdinalIgnoreCase)
                            || route.StartsWith(e.Prefix + "/", StringComparison.OrdinalIgnoreCase)
                            || route.StartsWith(e.Prefix + "?", StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(e => e.Prefix.Length)
            .Select(e => ((string, string[])?)e)
            .FirstOrDefault();

    private static bool IsGet(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods || methods.HttpMethods.Contains("GET");
}
