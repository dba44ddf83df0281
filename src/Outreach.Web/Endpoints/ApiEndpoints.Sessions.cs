using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Outreach.Data;
using Outreach.Data.Sessions;
using Outreach.Jobs;
using Outreach.Web.Infrastructure;

namespace Outreach.Web.Endpoints;

/// <summary>
/// Sessions in the API: the same operations the Sessions pages call (planning, changing, cancelling, assigning,
/// withdrawing), with their rules and follow-up work. A handler reads the request, calls the operation, and shows
/// its outcome: the operation's refusals under the API's property names (<see cref="ApiField"/>), 400 for input
/// that is wrong in itself, 422 for a refusal about a field given what is stored, 409 for one about the session.
/// </summary>
public static partial class ApiEndpoints
{
    public sealed record NewSessionRequest(
        long? VenueId, string? Kind, string? Title, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, int? RequiredWorkers,
        int? ExpectedSize, string? Notes, bool? PlanOnClosedDays = null);

    public sealed record NewAssignmentRequest(long? WorkerId);

    /// <summary>
    /// A change to one session (never the rest of its series). PUT gives every field, as when creating; PATCH gives
    /// only the fields that change.
    /// </summary>
    public sealed record SessionChangeRequest(
        long? VenueId, string? Kind, string? Title, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, int? RequiredWorkers,
        string? Notes, bool? PlanOnClosedDays);

    public sealed record CancelSessionRequest(string? Reason);

    public sealed record SessionView(SessionDetail? Session, IReadOnlyList<AssignmentRow> Assignments);

    public sealed record SessionCreated(SessionDetail? Session);

    public sealed record AssignmentCreated(long AssignmentId);

    private static void MapSessions(RouteGroupBuilder planning)
    {
        planning.MapGet("/sessions", ListSessionsAsync);
        planning.MapGet("/sessions/{id:long}", GetSessionAsync)
            .ProducesProblem(StatusCodes.Status404NotFound);
        planning.MapPost("/sessions", CreateSessionAsync)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        planning.MapPut("/sessions/{id:long}", ReplaceSessionAsync)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        planning.MapPatch("/sessions/{id:long}", ChangeSessionAsync)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        planning.MapPost("/sessions/{id:long}/cancel", CancelSessionAsync)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        planning.MapPost("/sessions/{id:long}/assignments", AssignWorkerAsync)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        planning.MapPost("/sessions/{id:long}/assignments/{assignmentId:long}/withdraw", WithdrawWorkerAsync)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<Ok<Paged<SessionItem>>> ListSessionsAsync(
        DateTimeOffset? from, DateTimeOffset? to, long? venueId, string? status, int? page, int? pageSize,
        SessionListData sessions, CancellationToken ct) =>
        TypedResults.Ok(await sessions.PageAsync(from?.UtcDateTime, to?.UtcDateTime, venueId, status, page, pageSize, ct));

    private static async Task<Results<Ok<SessionView>, ProblemHttpResult>> GetSessionAsync(
        long id, SessionData sessions, HttpContext http, CancellationToken ct)
    {
        var session = await sessions.FindAsync(id, ct);
        if (session is null)
        {
            return MissingSession(id);
        }
        http.Response.Headers.ETag = ETag(session.UpdatedAt);
        return TypedResults.Ok(new SessionView(session, await sessions.AssignmentsAsync(id, ct)));
    }

    private static async Task<Results<Created<SessionCreated>, ValidationProblem, ProblemHttpResult>> CreateSessionAsync(
        NewSessionRequest request, SessionData sessions, FollowUpJobs followUps, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        // What cannot be read is the API's to say; every rule about the values is the operation's.
        var unread = new List<FieldError>();
        if (request.VenueId is null)
        {
            unread.Add(new FieldError("VenueId", "Give the venue id."));
        }
        if (request.StartsAt is null)
        {
            unread.Add(new FieldError(SessionData.StartField, "Give the start as an ISO 8601 time with its offset, e.g. 2027-03-02T10:00:00+00:00."));
        }
        if (request.EndsAt is null)
        {
            unread.Add(new FieldError(SessionData.EndField, "Give the end as an ISO 8601 time with its offset."));
        }
        if (unread.Count > 0)
        {
            // The rules' refusals too, so one answer names every field to fix.
            unread.AddRange(SessionRules.CheckNew(request.Kind, request.Title ?? "", request.StartsAt?.UtcDateTime, request.EndsAt?.UtcDateTime,
                request.RequiredWorkers ?? 1, request.ExpectedSize, request.Notes, clock.GetUtcNow().UtcDateTime));
            return Invalid(unread);
        }
        var outcome = await sessions.CreateAsync(new NewSession(request.VenueId!.Value, request.Kind ?? "", (request.Title ?? "").Trim(),
            request.StartsAt!.Value.UtcDateTime, request.EndsAt!.Value.UtcDateTime, request.RequiredWorkers ?? 1,
            request.ExpectedSize, request.Notes?.Trim() ?? "", PlanOnClosedDays: request.PlanOnClosedDays ?? false), http.Actor(), ct);
        if (!outcome.Succeeded)
        {
            return outcome.IsInvalidInput ? Invalid(outcome.Errors) : Refused(outcome);
        }
        followUps.Enqueue(outcome);
        return TypedResults.Created($"{BasePath}/sessions/{outcome.Value}", new SessionCreated(await sessions.FindAsync(outcome.Value, ct)));
    }

    private static Task<Results<Ok<SessionView>, ValidationProblem, ProblemHttpResult>> ReplaceSessionAsync(
        long id, SessionChangeRequest request, SessionEditData edits, SessionData sessions, FollowUpJobs followUps,
        HttpContext http, CancellationToken ct) =>
        ChangeAsync(id, request, partial: false, edits, sessions, followUps, http, ct);

    private static Task<Results<Ok<SessionView>, ValidationProblem, ProblemHttpResult>> ChangeSessionAsync(
        long id, SessionChangeRequest request, SessionEditData edits, SessionData sessions, FollowUpJobs followUps,
        HttpContext http, CancellationToken ct) =>
        ChangeAsync(id, request, partial: true, edits, sessions, followUps, http, ct);

    /// <summary>
    /// PUT and PATCH of one session through the same change the Edit page makes (<see cref="ChangeScope.This"/>):
    /// instants in any offset, given to the change as UK wall-clock with the end on its own date.
    /// </summary>
    private static async Task<Results<Ok<SessionView>, ValidationProblem, ProblemHttpResult>> ChangeAsync(
        long id, SessionChangeRequest request, bool partial, SessionEditData edits, SessionData sessions, FollowUpJobs followUps,
        HttpContext http, CancellationToken ct)
    {
        var current = await edits.FindAsync(id, ct);
        if (current is null)
        {
            return MissingSession(id);
        }
        DateTime? expectedUpdatedAt = null;
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        if (ifMatch.Length > 0 && ifMatch != "*")
        {
            if (!long.TryParse(ifMatch.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                || ticks > DateTime.MaxValue.Ticks)
            {
                return SessionChangedMeanwhile();
            }
            expectedUpdatedAt = new DateTime(ticks, DateTimeKind.Utc);
        }
        var unread = new Dictionary<string, string[]>();
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
                    unread[field] = [$"Give {field}: PUT replaces the whole session (PATCH changes only the fields given)."];
                }
            }
        }
        if (unread.Count > 0)
        {
            return TypedResults.ValidationProblem(unread);
        }
        var startsAt = request.StartsAt ?? new DateTimeOffset(current.StartsAt, TimeSpan.Zero);
        var endsAt = request.EndsAt ?? new DateTimeOffset(current.EndsAt, TimeSpan.Zero);
        var localStart = UkTime.ToLocal(startsAt.UtcDateTime);
        var localEnd = UkTime.ToLocal(endsAt.UtcDateTime);
        var date = DateOnly.FromDateTime(localStart);
        var endDate = DateOnly.FromDateTime(localEnd);
        var occurrence = PlannedOccurrence.Between(date, TimeOnly.FromDateTime(localStart), endDate, TimeOnly.FromDateTime(localEnd));
        if (occurrence.StartUtc != startsAt.UtcDateTime || occurrence.EndUtc != endsAt.UtcDateTime)
        {
            // Only in the hour the clocks go back, when one UK wall-clock time names two instants.
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["startsAt"] = ["These times fall in the hour the UK clocks go back, which happens twice; choose times outside it."],
            });
        }

        var outcome = await edits.ChangeAsync(new SessionChange(
            id, ChangeScope.This, date, TimeOnly.FromDateTime(localStart), TimeOnly.FromDateTime(localEnd),
            request.VenueId ?? current.VenueId, request.Kind ?? current.Kind, request.Title?.Trim() ?? current.Title,
            request.RequiredWorkers ?? (partial ? current.RequiredWorkers : 1), request.Notes?.Trim() ?? (partial ? current.Notes : ""),
            request.PlanOnClosedDays ?? false, expectedUpdatedAt, endDate),
            http.Actor(), ct);
        if (outcome.Errors.Any(e => e.Field == nameof(SessionChange.ExpectedUpdatedAt)))
        {
            return SessionChangedMeanwhile();
        }
        if (!outcome.Succeeded)
        {
            return outcome.IsInvalidInput ? Invalid(outcome.Errors) : Refused(outcome);
        }
        followUps.Enqueue(outcome);
        if (await sessions.FindAsync(id, ct) is { } changed)
        {
            http.Response.Headers.ETag = ETag(changed.UpdatedAt);
        }
        return TypedResults.Ok(await SessionViewAsync(sessions, id, ct));
    }

    private static async Task<Results<Ok<SessionView>, ValidationProblem, ProblemHttpResult>> CancelSessionAsync(
        long id, CancelSessionRequest request, SessionEditData edits, SessionData sessions, FollowUpJobs followUps,
        HttpContext http, CancellationToken ct)
    {
        if (await sessions.FindAsync(id, ct) is null)
        {
            return MissingSession(id);
        }
        var outcome = await edits.CancelAsync(id, ChangeScope.This, request.Reason ?? "", http.Actor(), ct);
        if (!outcome.Succeeded)
        {
            return outcome.IsInvalidInput ? Invalid(outcome.Errors) : Refused(outcome, StatusCodes.Status409Conflict);
        }
        followUps.Enqueue(outcome);
        return TypedResults.Ok(await SessionViewAsync(sessions, id, ct));
    }

    private static async Task<Results<Created<AssignmentCreated>, ValidationProblem, ProblemHttpResult>> AssignWorkerAsync(
        long id, NewAssignmentRequest request, SessionData sessions, FollowUpJobs followUps, HttpContext http, CancellationToken ct)
    {
        if (request.WorkerId is null)
        {
            return Invalid([new FieldError("WorkerId", "Give the youth worker's id.")]);
        }
        if (await sessions.FindAsync(id, ct) is null)
        {
            return MissingSession(id);
        }
        var outcome = await sessions.AssignAsync(id, request.WorkerId.Value, http.Actor(), ct);
        if (!outcome.Succeeded)
        {
            return outcome.IsInvalidInput ? Invalid(outcome.Errors) : Refused(outcome, StatusCodes.Status409Conflict);
        }
        followUps.Enqueue(outcome);
        return TypedResults.Created($"{BasePath}/sessions/{id}", new AssignmentCreated(outcome.Value));
    }

    private static async Task<Results<Ok<SessionView>, ValidationProblem, ProblemHttpResult>> WithdrawWorkerAsync(
        long id, long assignmentId, SessionData sessions, FollowUpJobs followUps, HttpContext http, CancellationToken ct)
    {
        if (await sessions.FindAsync(id, ct) is null)
        {
            return MissingSession(id);
        }
        if ((await sessions.AssignmentsAsync(id, ct)).All(a => a.Id != assignmentId))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No assignment {assignmentId} on session {id}",
                detail: $"Session {id} has no assignment with id {assignmentId}.");
        }
        var outcome = await sessions.WithdrawAsync(id, assignmentId, http.Actor(), ct);
        if (!outcome.Succeeded)
        {
            return outcome.IsInvalidInput ? Invalid(outcome.Errors) : Refused(outcome, StatusCodes.Status409Conflict);
        }
        followUps.Enqueue(outcome);
        return TypedResults.Ok(await SessionViewAsync(sessions, id, ct));
    }

    /// <summary>
    /// The API's names for the fields the operations report (the pages' names): the one place the two vocabularies
    /// meet. A refusal without a field is about the session as a whole.
    /// </summary>
    private static string ApiField(string field) => field switch
    {
        "" => "session",
        "Date" or "StartTime" or SessionData.StartField => "startsAt",
        "EndTime" or SessionData.EndField => "endsAt",
        _ => char.ToLowerInvariant(field[0]) + field[1..],
    };

    private static Dictionary<string, string[]> ApiErrors(IEnumerable<FieldError> errors) =>
        errors.GroupBy(e => ApiField(e.Field)).ToDictionary(g => g.Key, g => g.Select(e => e.Message).Distinct().ToArray());

    private static ValidationProblem Invalid(IEnumerable<FieldError> errors) => TypedResults.ValidationProblem(ApiErrors(errors));

    /// <summary>
    /// A refusal that depends on what is stored: 409 when it is about the session as a whole (cancelled, a move that
    /// would double-book its workers), else <paramref name="status"/>. Input wrong in itself is <see cref="Invalid"/> (400).
    /// </summary>
    private static ProblemHttpResult Refused<T>(Outcome<T> outcome, int status = StatusCodes.Status422UnprocessableEntity) =>
        TypedResults.Problem(
            statusCode: outcome.Errors.All(e => e.Field.Length == 0) ? StatusCodes.Status409Conflict : status,
            title: outcome.Errors[0].Message,
            extensions: new Dictionary<string, object?> { ["errors"] = ApiErrors(outcome.Errors) });

    private static ProblemHttpResult MissingSession(long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No session {id}",
            detail: $"There is no session with id {id}, or this key may not see it.");

    private static ProblemHttpResult SessionChangedMeanwhile() =>
        TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "The session changed since you read it",
            detail: "Someone else changed this session after the version you sent in If-Match. Read it again and reapply your change.");

    private static async Task<SessionView> SessionViewAsync(SessionData sessions, long id, CancellationToken ct) =>
        new(await sessions.FindAsync(id, ct), await sessions.AssignmentsAsync(id, ct));
}
