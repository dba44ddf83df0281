using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Outreach.Data;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// The API's error answers as typed results: each is RFC 9457 problem details with one fixed status, and says so to the
/// OpenAPI document itself (<see cref="IEndpointMetadataProvider"/>), so a handler's return type is its list of answers.
/// 400 is <see cref="ValidationProblem"/>; 401, 403 and 429 come from the key and the rate limit, for every operation
/// (<see cref="ApiDocument"/>).
/// </summary>
public abstract class ApiProblem : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<ProblemDetails>
{
    private readonly ProblemHttpResult _problem;

    private protected ApiProblem(int status, string title, string? detail, IDictionary<string, object?>? extensions) =>
        _problem = TypedResults.Problem(statusCode: status, title: title, detail: detail, extensions: extensions);

    public ProblemDetails Value => _problem.ProblemDetails;

    object? IValueHttpResult.Value => Value;

    public int? StatusCode => _problem.StatusCode;

    public Task ExecuteAsync(HttpContext httpContext) => _problem.ExecuteAsync(httpContext);

    private protected static void Describe(int status, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]));

    /// <summary>A refusal by a data operation: its first message is the title, every message is in errors keyed by field.</summary>
    private protected static (string Title, IDictionary<string, object?> Extensions) Refusal(IReadOnlyList<FieldError> errors, Func<string, string> field) =>
        (errors[0].Message, new Dictionary<string, object?>
        {
            ["errors"] = errors.GroupBy(e => field(e.Field)).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
        });

    /// <summary>A data operation's field name (<c>AreaId</c>) as the API spells it (<c>areaId</c>); "" is the whole thing.</summary>
    public static string CamelCase(string field) =>
        field.Length == 0 ? "" : char.ToLowerInvariant(field[0]) + field[1..];
}

public sealed class NotFoundProblem(string what, long id)
    : ApiProblem(StatusCodes.Status404NotFound, $"No {what} {id}", $"There is no {what} with id {id}, or this key may not see it.", null),
        IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Describe(StatusCodes.Status404NotFound, builder);
}

/// <summary>409: the change conflicts with the thing's current state (someone else's change, a cancelled session).</summary>
public sealed class ConflictProblem : ApiProblem, IEndpointMetadataProvider
{
    public ConflictProblem(IReadOnlyList<FieldError> errors, Func<string, string> field)
        : this(Refusal(errors, field))
    {
    }

    private ConflictProblem((string Title, IDictionary<string, object?> Extensions) refusal)
        : base(StatusCodes.Status409Conflict, refusal.Title, null, refusal.Extensions)
    {
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Describe(StatusCodes.Status409Conflict, builder);
}

/// <summary>412: the If-Match version is not the current one.</summary>
public sealed class ChangedMeanwhileProblem(string what)
    : ApiProblem(StatusCodes.Status412PreconditionFailed, $"The {what} changed since you read it",
        $"Someone else changed this {what} after the version you sent in If-Match. Read it again and reapply your change.", null),
        IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Describe(StatusCodes.Status412PreconditionFailed, builder);
}

/// <summary>422: well-formed, but refused by a rule that needs the database (a duplicate mobile, an unknown area).</summary>
public sealed class RefusedProblem : ApiProblem, IEndpointMetadataProvider
{
    public RefusedProblem(IReadOnlyList<FieldError> errors, Func<string, string> field)
        : this(Refusal(errors, field))
    {
    }

    private RefusedProblem((string Title, IDictionary<string, object?> Extensions) refusal)
        : base(StatusCodes.Status422UnprocessableEntity, refusal.Title, null, refusal.Extensions)
    {
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Describe(StatusCodes.Status422UnprocessableEntity, builder);
}
