using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Outreach.Data;
using Outreach.Data.Identity;
using Outreach.Data.Reach;
using Outreach.Data.Sessions;
using Outreach.Data.Venues;
using Outreach.Data.Workers;
using Outreach.Jobs.Messages;
using Outreach.Jobs.Reminders;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Endpoints;

/// <summary>
/// JSON API for machine clients, authenticated by API key. Coordinator keys read and plan; commissioner
/// keys read compiled reach only. Errors are RFC 9457 problem details.
/// </summary>
public static partial class ApiEndpoints
{
    public sealed record NewVenueRequest(string? Kind, string? Name, long? AreaId, string? Address, string? Postcode, string? Urn);

    public sealed record NewSessionRequest(
        long? VenueId, string? Kind, string? Title, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, int? RequiredWorkers,
        int? ExpectedSize, string? Notes);

    public sealed record NewAssignmentRequest(long? WorkerId);

    /// <summary>
    /// A change to one session (never the rest of its series). PUT gives every field, as when creating; PATCH gives
    /// only the fields that change.
    /// </summary>
    public sealed record SessionChangeRequest(
        long? VenueId, string? Kind, string? Title, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, int? RequiredWorkers,
        string? Notes, bool? PlanOnClosedDays);

    public sealed record CancelSessionRequest(string? Reason);

    public const string BasePath = "/api/v1";

    /// <summary>Whether a request is the API's: its errors are problem details and its scheme is the key, known path or not.</summary>
    public static bool IsApiRequest(HttpRequest request) => request.Path.StartsWithSegments(BasePath, StringComparison.OrdinalIgnoreCase);

    public static IEndpointRouteBuilder MapOutreachApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup(BasePath).WithTags("Outreach API").RequireRateLimiting(RateLimits.Api);
        var planning = api.MapGroup("").RequireAuthorization(Policy(Roles.Coordinator, Roles.Administrator));
        var reporting = api.MapGroup("").RequireAuthorization(Policy(Roles.Commissioner, Roles.Coordinator, Roles.Administrator));

        planning.MapGet("/venues", async (string? kind, long? areaId, string? search, int? page, int? pageSize, VenueListData venues, CancellationToken ct) =>
            Results.Ok(await venues.PageAsync(kind, areaId, search, page, pageSize, ct)));

        planning.MapGet("/venues/{id:long}", async (long id, VenueListData venues, VenueDetailsData details, HttpContext http, CancellationToken ct) =>
        {
            if (await venues.FindAsync(id, ct) is not { } venue || await details.GetAsync(id, ct) is not { } current)
            {
                return NotFound("venue", id);
            }
            http.Response.Headers.ETag = ETag(current.UpdatedAt);
            return Results.Ok(venue);
        });

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
        });

        planning.MapGet("/workers", async (string? search, bool? active, int? page, int? pageSize, WorkerListData workers, CancellationToken ct) =>
            Results.Ok(await workers.PageAsync(search, active, page, pageSize, ct)));

        planning.MapGet("/workers/{id:long}", async (long id, WorkerData workers, TimeProvider clock, CancellationToken ct) =>
            await WorkerViewAsync(workers, clock, id, ct) is { } w ? Results.Ok(w) : NotFound("youth worker", id))
            .Produces<WorkerResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        planning.MapVenuesApi().MapWorkersApi();

        planning.MapGet("/sessions", async (DateTimeOffset? from, DateTimeOffset? to, long? venueId, string? status, int? page, int? pageSize,
            SessionListData sessions, CancellationToken ct) =>
            Results.Ok(await sessions.PageAsync(from?.UtcDateTime, to?.UtcDateTime, venueId, status, page, pageSize, ct)));

        planning.MapGet("/sessions/{id:long}", async (long id, SessionData sessions, HttpContext http, CancellationToken ct) =>
        {
            var session = await sessions.FindAsync(id, ct);
            if (session is null)
            {
                return NotFound("session", id);
            }
            http.Response.Headers.ETag = ETag(session.UpdatedAt);
            return Results.Ok(new { session, assignments = await sessions.AssignmentsAsync(id, ct) });
        });

        planning.MapPost("/sessions", async (NewSessionRequest request, SessionData sessions, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        {
            var errors = new Dictionary<string, string[]>();
            if (request.VenueId is null)
            {
                errors["venueId"] = ["Give the venue id."];
            }
            if (request.Kind is null || !SessionKinds.Labels.ContainsKey(request.Kind))
            {
                errors["kind"] = [$"Use one of: {string.Join(", ", SessionKinds.Labels.Keys)}."];
            }
            if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Length > 200)
            {
                errors["title"] = ["Give a title of up to 200 characters."];
            }
            if (request.StartsAt is null)
            {
                errors["startsAt"] = ["Give the start as an ISO 8601 time with its offset, e.g. 2027-03-02T10:00:00+00:00."];
            }
            else if (request.StartsAt <= clock.GetUtcNow())
            {
                errors["startsAt"] = ["The start is in the past."];
            }
            if (request.EndsAt is null)
            {
                errors["endsAt"] = ["Give the end as an ISO 8601 time with its offset."];
            }
            else if (request.StartsAt is not null && request.EndsAt <= request.StartsAt)
            {
                errors["endsAt"] = ["The end must be after the start."];
            }
            else if (request.StartsAt is not null && request.EndsAt - request.StartsAt > TimeSpan.FromHours(24))
            {
                errors["endsAt"] = ["A session can last at most 24 hours."];
            }
            if (request.RequiredWorkers is < 1 or > 50)
            {
                errors["requiredWorkers"] = ["A session needs between 1 and 50 workers."];
            }
            if (request.ExpectedSize is < 0 or > 5000)
            {
                errors["expectedSize"] = ["Give an expected audience between 0 and 5000."];
            }
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors);
            }
            var outcome = await sessions.CreateAsync(new NewSession(request.VenueId!.Value, request.Kind!, request.Title!.Trim(),
                request.StartsAt!.Value.UtcDateTime, request.EndsAt!.Value.UtcDateTime, request.RequiredWorkers ?? 1,
                request.ExpectedSize, request.Notes?.Trim() ?? ""), http.Actor(), ct);
            return outcome.Succeeded
                ? Results.Created($"/api/v1/sessions/{outcome.Value}", new { session = await sessions.FindAsync(outcome.Value, ct) })
                : Problem(outcome);
        });

        planning.MapPost("/sessions/{id:long}/assignments", async (long id, NewAssignmentRequest request, SessionData sessions,
            ReminderScheduler reminders, SmsFollowUp sms, HttpContext http, CancellationToken ct) =>
        {
            if (request.WorkerId is null)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["workerId"] = ["Give the youth worker's id."] });
            }
            var session = await sessions.FindAsync(id, ct);
            if (session is null)
            {
                return NotFound("session", id);
            }
            var outcome = await sessions.AssignAsync(id, request.WorkerId.Value, http.Actor(), ct);
            if (!outcome.Succeeded)
            {
                return Problem(outcome, StatusCodes.Status409Conflict);
            }
            reminders.ScheduleFor(outcome.Value, session.StartsAt);
            sms.AfterBooking();
            return Results.Created($"/api/v1/sessions/{id}", new { assignmentId = outcome.Value });
        });

        planning.MapPut("/sessions/{id:long}", (long id, SessionChangeRequest request, SessionEditData edits, SessionData sessions,
            ReminderScheduler reminders, HttpContext http, CancellationToken ct) =>
            ChangeSessionAsync(id, request, partial: false, edits, sessions, reminders, http, ct));

        planning.MapPatch("/sessions/{id:long}", (long id, SessionChangeRequest request, SessionEditData edits, SessionData sessions,
            ReminderScheduler reminders, HttpContext http, CancellationToken ct) =>
            ChangeSessionAsync(id, request, partial: true, edits, sessions, reminders, http, ct));

        planning.MapPost("/sessions/{id:long}/cancel", async (long id, CancelSessionRequest request, SessionEditData edits,
            SessionData sessions, SmsFollowUp sms, HttpContext http, CancellationToken ct) =>
        {
            var reason = request.Reason?.Trim() ?? "";
            if (reason.Length is 0 or > 500)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["reason"] = ["Give the reason for cancelling, up to 500 characters: the workers and the venue will ask."],
                });
            }
            if (await sessions.FindAsync(id, ct) is null)
            {
                return NotFound("session", id);
            }
            var outcome = await edits.CancelAsync(id, ChangeScope.This, reason, http.Actor(), ct);
            if (outcome.Succeeded)
            {
                sms.AfterSessionChange();
            }
            return outcome.Succeeded
                ? Results.Ok(await SessionViewAsync(sessions, id, ct))
                : Problem(outcome, StatusCodes.Status409Conflict);
        });

        planning.MapPost("/sessions/{id:long}/assignments/{assignmentId:long}/withdraw", async (long id, long assignmentId,
            SessionData sessions, SmsFollowUp sms, HttpContext http, CancellationToken ct) =>
        {
            if (await sessions.FindAsync(id, ct) is null)
            {
                return NotFound("session", id);
            }
            if ((await sessions.AssignmentsAsync(id, ct)).All(a => a.Id != assignmentId))
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No assignment {assignmentId} on session {id}",
                    detail: $"Session {id} has no assignment with id {assignmentId}.");
            }
            var outcome = await sessions.WithdrawAsync(id, assignmentId, http.Actor(), ct);
            if (outcome.Succeeded)
            {
                sms.AfterWithdrawal();
            }
            return outcome.Succeeded
                ? Results.Ok(await SessionViewAsync(sessions, id, ct))
                : Problem(outcome, StatusCodes.Status409Conflict);
        });

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

    /// <summary>
    /// PUT and PATCH of one session through the same change the Edit page makes (<see cref="ChangeScope.This"/>):
    /// times in any offset, converted to UK wall-clock for the change and checked to come back to the same instants.
    /// </summary>
    private static async Task<IResult> ChangeSessionAsync(
        long id, SessionChangeRequest request, bool partial, SessionEditData edits, SessionData sessions,
        ReminderScheduler reminders, HttpContext http, CancellationToken ct)
    {
        var current = await edits.FindAsync(id, ct);
        if (current is null)
        {
            return NotFound("session", id);
        }
        DateTime? expectedUpdatedAt = null;
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        if (ifMatch.Length > 0 && ifMatch != "*")
        {
            if (!long.TryParse(ifMatch.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                || ticks > DateTime.MaxValue.Ticks)
            {
                return ChangedMeanwhile("session");
            }
            expectedUpdatedAt = new DateTime(ticks, DateTimeKind.Utc);
        }
        var errors = new Dictionary<string, string[]>();
        if (!partial)
        {
            foreach (var (field, missing) in new[]
            {
                ("venueId", request.VenueId is null), ("kind", request.Kind is null), ("title", request.Title is null),
                ("startsAt", request.StartsAt is null), ("endsAt", request.EndsAt is null),
            })
            {
                if (missing)
                {
                    errors[field] = [$"Give {field}: PUT replaces the whole session (PATCH changes only the fields given)."];
                }
            }
        }
        var kind = request.Kind ?? current.Kind;
        var title = request.Title?.Trim() ?? current.Title;
        var notes = request.Notes?.Trim() ?? (partial ? current.Notes : "");
        var requiredWorkers = request.RequiredWorkers ?? (partial ? current.RequiredWorkers : 1);
        var startsAt = request.StartsAt ?? new DateTimeOffset(current.StartsAt, TimeSpan.Zero);
        var endsAt = request.EndsAt ?? new DateTimeOffset(current.EndsAt, TimeSpan.Zero);
        if (request.Kind is not null && !SessionKinds.Labels.ContainsKey(kind))
        {
            errors["kind"] = [$"Use one of: {string.Join(", ", SessionKinds.Labels.Keys)}."];
        }
        if (request.Title is not null && (title.Length == 0 || title.Length > 200))
        {
            errors["title"] = ["Give a title of up to 200 characters."];
        }
        if (notes.Length > 2000)
        {
            errors["notes"] = ["Keep the notes under 2000 characters."];
        }
        if (requiredWorkers is < 1 or > 50)
        {
            errors["requiredWorkers"] = ["A session needs between 1 and 50 workers."];
        }
        if (endsAt <= startsAt)
        {
            errors["endsAt"] = ["The end must be after the start."];
        }
        else if (endsAt - startsAt >= TimeSpan.FromHours(24))
        {
            errors["endsAt"] = ["A session lasts less than 24 hours."];
        }
        var localStart = UkTime.ToLocal(startsAt.UtcDateTime);
        var localEnd = UkTime.ToLocal(endsAt.UtcDateTime);
        var date = DateOnly.FromDateTime(localStart);
        var occurrence = PlannedOccurrence.On(date, TimeOnly.FromDateTime(localStart), TimeOnly.FromDateTime(localEnd));
        if (!errors.ContainsKey("endsAt") && (occurrence.StartUtc != startsAt.UtcDateTime || occurrence.EndUtc != endsAt.UtcDateTime))
        {
            // Only in the hour the clocks go back, when one UK wall-clock time names two instants.
            errors["startsAt"] = ["These times fall in the hour the UK clocks go back, which happens twice; choose times outside it."];
        }
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        var outcome = await edits.ChangeAsync(new SessionChange(
            id, ChangeScope.This, date, TimeOnly.FromDateTime(localStart), TimeOnly.FromDateTime(localEnd),
            request.VenueId ?? current.VenueId, kind, title, requiredWorkers, notes, request.PlanOnClosedDays ?? false, expectedUpdatedAt),
            http.Actor(), ct);
        if (!outcome.Succeeded && outcome.Errors.Any(e => e.Field == nameof(SessionChange.ExpectedUpdatedAt)))
        {
            return ChangedMeanwhile("session");
        }
        if (!outcome.Succeeded)
        {
            // A refusal about a field is the client's to fix (422); one about the session as a whole (cancelled,
            // or a move that would double-book its workers) is a conflict with its current state (409).
            var fieldless = outcome.Errors.All(e => e.Field.Length == 0);
            var refusals = outcome.Errors.Select(e => new FieldError(ApiField(e.Field), e.Field == "PlanOnClosedDays"
                ? e.Message.Replace("Tick \"plan it anyway\" to plan on closed days", "Send planOnClosedDays: true to plan on closed days", StringComparison.Ordinal)
                : e.Message)).ToList();
            return Problem(new Outcome<ChangedSessions>(null, refusals),
                fieldless ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity);
        }
        foreach (var moved in outcome.Value!.Moved)
        {
            reminders.ScheduleFor(moved.AssignmentId, moved.StartsAt);
        }
        if (outcome.Value.Moved.Count > 0)
        {
            http.RequestServices.GetRequiredService<SmsFollowUp>().AfterSessionChange();
        }
        if (await sessions.FindAsync(id, ct) is { } changed)
        {
            http.Response.Headers.ETag = ETag(changed.UpdatedAt);
        }
        return Results.Ok(await SessionViewAsync(sessions, id, ct));
    }

    /// <summary>The API's names for the fields the Edit page's data method reports.</summary>
    private static string ApiField(string field) => field switch
    {
        "Date" or "StartTime" => "startsAt",
        "EndTime" => "endsAt",
        "" => "session",
        _ => field,
    };

    private static async Task<object> SessionViewAsync(SessionData sessions, long id, CancellationToken ct) =>
        new { session = await sessions.FindAsync(id, ct), assignments = await sessions.AssignmentsAsync(id, ct) };

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
