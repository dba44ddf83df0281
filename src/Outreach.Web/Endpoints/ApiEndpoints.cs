using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Outreach.Data;
using Outreach.Data.Identity;
using Outreach.Data.Reach;
using Outreach.Data.Sessions;
using Outreach.Data.Venues;
using Outreach.Data.Workers;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Endpoints;

/// <summary>
/// JSON API for machine clients, authenticated by API key. Coordinator keys read and plan; commissioner
/// keys read compiled reach only. Errors are RFC 9457 problem details.
/// </summary>
public static partial class ApiEndpoints
{
    public sealed record NewVenueRequest(string? Kind, string? Name, long? AreaId, string? Address, string? Postcode, string? Urn);

    public const string BasePath = "/api/v1";

    /// <summary>Whether a request is the API's: its errors are problem details and its scheme is the key, known path or not.</summary>
    public static bool IsApiRequest(HttpRequest request) => request.Path.StartsWithSegments(BasePath, StringComparison.OrdinalIgnoreCase);

    public static IEndpointRouteBuilder MapOutreachApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup(BasePath).WithTags("Outreach API").RequireRateLimiting(RateLimits.Api);
        var planning = api.MapGroup("").RequireAuthorization(Policy(Roles.Coordinator, Roles.Administrator));
        var reporting = api.MapGroup("").RequireAuthorization(Policy(Roles.Commissioner, Roles.Coordinator, Roles.Administrator));

        planning.MapGet("/venues", async (string? kind, long? areaId, string? search, int? page, int? pageSize, VenueListData venues, CancellationToken ct) =>
            Results.Ok(await venues.PageAsync(kind, areaId, search, page, pageSize, ct)))
            .Produces<Paged<VenueItem>>();

        planning.MapGet("/venues/{id:long}", async (long id, VenueListData venues, VenueDetailsData details, HttpContext http, CancellationToken ct) =>
        {
            if (await venues.FindAsync(id, ct) is not { } venue || await details.GetAsync(id, ct) is not { } current)
            {
                return NotFound("venue", id);
            }
            http.Response.Headers.ETag = ETag(current.UpdatedAt);
            return Results.Ok(venue);
        })
            .Produces<VenueItem>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        planning.MapPost("/venues", async (NewVenueRequest request, VenueData venues, VenueListData list, HttpContext http, CancellationToken ct) =>
        {
            var errors = new Dictionary<string, string[]>();
            if (request.Kind is null || !VenueKinds.Labels.ContainsKey(request.Kind))
            {
                errors["kind"] = [$"Use one of: {string.Join(", ", VenueKinds.Labels.Keys)}."];
            }
            if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
            {
                errors["name"] = ["Give a name of up to 200 characters."];
            }
            if (request.AreaId is null)
            {
                errors["areaId"] = ["Give the area (local authority) id."];
            }
            if (request.Urn is not null && !(request.Urn.Length == 6 && request.Urn.All(char.IsAsciiDigit)))
            {
                errors["urn"] = ["A school's URN is 6 digits."];
            }
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors);
            }
            var outcome = await venues.CreateAsync(new NewVenue(request.Kind!, request.Name!.Trim(), request.AreaId!.Value,
                request.Address?.Trim() ?? "", request.Postcode?.Trim().ToUpperInvariant() ?? "", request.Urn), http.Actor(), ct);
            if (!outcome.Succeeded)
            {
                return Problem(outcome);
            }
            return Results.Created($"/api/v1/venues/{outcome.Value}", await list.FindAsync(outcome.Value, ct));
        })
            .Produces<VenueItem>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        planning.MapGet("/workers", async (string? search, bool? active, int? page, int? pageSize, WorkerListData workers, CancellationToken ct) =>
            Results.Ok(await workers.PageAsync(search, active, page, pageSize, ct)))
            .Produces<Paged<WorkerItem>>();

        planning.MapGet("/workers/{id:long}", async (long id, WorkerData workers, TimeProvider clock, CancellationToken ct) =>
            await WorkerViewAsync(workers, clock, id, ct) is { } w ? Results.Ok(w) : NotFound("youth worker", id))
            .Produces<WorkerResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        planning.MapVenuesApi().MapWorkersApi();

        MapSessions(planning);

        reporting.MapGet("/reach", async (string? from, string? to, string? area, ReportData reports, CancellationToken ct) =>
        {
            if (!TryMonth(from, out var fromMonth) || !TryMonth(to, out var toMonth) || toMonth < fromMonth)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["from"] = ["Give from and to as months, e.g. from=2026-04&to=2027-03."],
                });
            }
            if (fromMonth.Year < 2000 || toMonth.Year > 2100 || (toMonth.Year * 12) + toMonth.Month - (fromMonth.Year * 12) - fromMonth.Month >= 120)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["to"] = ["Ask for at most ten years (120 months) between 2000 and 2100."],
                });
            }
            string? region = null;
            long? areaId = null;
            if (!string.IsNullOrWhiteSpace(area))
            {
                var areas = await reports.AreasAsync(ct);
                if (areas.FirstOrDefault(a => string.Equals(a.Code, area.Trim(), StringComparison.OrdinalIgnoreCase)) is { } authority)
                {
                    areaId = authority.Id;
                }
                else if (areas.Any(a => a.Region.Length > 0 && string.Equals(a.Region, area.Trim(), StringComparison.OrdinalIgnoreCase)))
                {
                    region = areas.First(a => string.Equals(a.Region, area.Trim(), StringComparison.OrdinalIgnoreCase)).Region;
                }
                else
                {
                    return Results.ValidationProblem(new Dictionary<string, string[]>
                    {
                        ["area"] = ["Give a local authority code (e.g. E08000025) or a commissioner area's name."],
                    });
                }
            }
            var rows = await reports.ByMonthAndAreaAsync(new ReportFilter(fromMonth, toMonth, region, areaId), ct);
            return Results.Ok(ReachApi.Answer(rows));
        })
        .WithSummary("Compiled reach and impact figures per month and local authority")
        .WithDescription("""
            Figures from the last compile (nightly, or on demand), for months from..to (yyyy-MM) and optionally one local
            authority (area=its ONS code) or one commissioner area (area=its name). Every count from 1 to 4 is the string
            "<5"; where a month's figure for one authority could be worked out from the month's total, a second figure is
            the string "*" (secondary suppression). Rates are null when either part is suppressed. Young people reached
            counts head-counts at delivered sessions plus each A&E pseudonymous reference once, in the month and area of its
            first engagement, so the figures add up across months and areas.
            """)
        .Produces<IReadOnlyList<ReachApi.Row>>()
        .ProducesValidationProblem();

        return routes;
    }

    private static AuthorizationPolicy Policy(params string[] roles) =>
        new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().RequireRole(roles).Build();

    private static IResult NotFound(string what, long id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No {what} {id}",
            detail: $"There is no {what} with id {id}, or this key may not see it.");

    private static IResult Problem<T>(Outcome<T> outcome, int status = StatusCodes.Status422UnprocessableEntity) =>
        Results.Problem(statusCode: status, title: outcome.Errors[0].Message,
            extensions: new Dictionary<string, object?>
            {
                ["errors"] = outcome.Errors.GroupBy(e => char.ToLowerInvariant(e.Field.FirstOrDefault('x')) + e.Field[Math.Min(1, e.Field.Length)..])
                    .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            });

    private static bool TryMonth(string? value, out DateTime month) =>
        DateTime.TryParseExact(value, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out month);
}
