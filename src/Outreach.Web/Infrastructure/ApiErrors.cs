using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Outreach.Web.Endpoints;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// Every error under /api/v1 is RFC 9457 problem details whose detail says what to fix: a body or query value the
/// endpoint could not read, an address nothing answers (404), a method the address does not take (405), a fault.
/// The site's HTML error pages are switched off for these requests; the key, not the sign-in cookie, is their
/// scheme (<see cref="ApiKeyAuthentication"/>), so none of them is redirected to the sign-in page either.
/// </summary>
public static partial class ApiErrors
{
    private const string OpenApi = "/openapi/v1.json";

    /// <summary>
    /// A value that cannot be bound throws instead of ending in an empty 400, so its reason reaches the problem's
    /// detail. The API's endpoints are the only minimal-API handlers that bind typed values (the calendar feed and the
    /// Twilio webhooks take text and the raw request), so nothing else sees the difference.
    /// </summary>
    public static IServiceCollection AddApiErrors(this IServiceCollection services) =>
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

    /// <summary>Goes after the site's status code pages, whose re-execution it turns off for API requests.</summary>
    public static IApplicationBuilder UseApiErrors(this IApplicationBuilder app)
    {
        // In development a fault goes on to the developer exception page, which answers JSON clients with problem details.
        var development = app.ApplicationServices.GetRequiredService<IHostEnvironment>().IsDevelopment();
        return app.Use(async (context, next) =>
        {
            if (!ApiEndpoints.IsApiRequest(context.Request))
            {
                await next();
                return;
            }
            if (context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
            {
                statusCodePages.Enabled = false;
            }
            try
            {
                await next();
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await Unreadable(e, context).ExecuteAsync(context);
                return;
            }
            catch (Exception e) when (!development && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                // The route pattern, not the path: logs carry no values from the request.
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no endpoint)";
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiErrors))
                    .LogError(e, "API request {Method} {Route} failed (trace {TraceId})", context.Request.Method, route,
                        Activity.Current?.Id ?? context.TraceIdentifier);
                context.Response.Clear();
                await Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "The server failed",
                    detail: "Something went wrong on the server. Read what you were changing again before you retry; if it keeps failing, "
                        + "give the site's administrator this problem's traceId.").ExecuteAsync(context);
                return;
            }
            var response = context.Response;
            if (response.StatusCode >= 400 && !response.HasStarted && response.ContentLength is null && string.IsNullOrEmpty(response.ContentType))
            {
                await ForStatus(context).ExecuteAsync(context);
            }
        });
    }

    /// <summary>An error status that nothing described: no endpoint (404), routing's 405, a body the server refused.</summary>
    private static IResult ForStatus(HttpContext context)
    {
        var request = context.Request;
        var status = context.Response.StatusCode;
        var (title, detail) = status switch
        {
            StatusCodes.Status404NotFound => ("Nothing answers at this address",
                $"There is no {request.Method} {request.Path.Value} in the API. Ids in addresses are whole numbers "
                + $"(as in {ApiEndpoints.BasePath}/sessions/42); {OpenApi} lists every path and method."),
            StatusCodes.Status405MethodNotAllowed => ($"{request.Method} is not allowed here",
                $"{request.Path.Value} does not take {request.Method}; it takes {context.Response.Headers.Allow}."),
            StatusCodes.Status413PayloadTooLarge => ("The request body is too large", "Send a smaller request body."),
            StatusCodes.Status415UnsupportedMediaType => ("The request body must be JSON", "Send the body as JSON with the header Content-Type: application/json."),
            _ => (ReasonPhrases.GetReasonPhrase(status), $"The request failed with HTTP {status.ToString(CultureInfo.InvariantCulture)}; {OpenApi} describes each request."),
        };
        return Results.Problem(statusCode: status, title: title, detail: detail);
    }

    /// <summary>A request the endpoint could not bind: a body that is not JSON, a value of the wrong type, no body.</summary>
    private static IResult Unreadable(BadHttpRequestException e, HttpContext context)
    {
        if (e.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return ForStatus(context);
        }
        if (e.InnerException is JsonException json)
        {
            return UnreadableBody(json, context);
        }
        if (BindingFailed().Match(e.Message) is { Success: true } failed)
        {
            var name = failed.Groups["name"].Value;
            var parameter = context.GetEndpoint()?.Metadata.GetMetadata<MethodInfo>()?.GetParameters().FirstOrDefault(p => p.Name == name);
            return FieldProblem(name, parameter is null ? null : Expected(parameter.ParameterType, inQuery: true));
        }
        if (e.StatusCode == StatusCodes.Status400BadRequest && context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType is not null)
        {
            // The one remaining binding failure on a body endpoint: no body, or a body of just null.
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request body is missing",
                detail: $"Send a JSON object as the request body; {OpenApi} describes its fields.");
        }
        context.Response.StatusCode = e.StatusCode;
        return ForStatus(context);
    }

    private static IResult UnreadableBody(JsonException json, HttpContext context)
    {
        if (json.InnerException is JsonException syntax)
        {
            var at = $"line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}";
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request body is not valid JSON",
                detail: $"The request body is not valid JSON at {at}: {ReaderMessage(syntax.Message)}");
        }
        var field = (json.Path ?? "$").TrimStart('$').TrimStart('.');
        if (field.Length == 0)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request body must be a JSON object",
                detail: $"Send a JSON object as the request body; {OpenApi} describes its fields.");
        }
        if (json.InnerException is null && json.Message == NullCharacters.Message)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [NullCharacters.Message] }, detail: NullCharacters.Message);
        }
        return FieldProblem(field, FieldType(context, json.Path!) is { } type ? Expected(type, inQuery: false) : null);
    }

    private static IResult FieldProblem(string field, string? expected)
    {
        var message = expected is null
            ? $"'{field}' has a value of the wrong type; {OpenApi} gives the type of each field and query parameter."
            : $"'{field}' must be {expected}.";
        return Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message);
    }

    /// <summary>What a value of this type looks like, in the words a client needs; null for a type not worth a sentence.</summary>
    private static string? Expected(Type type, bool inQuery)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(DateTimeOffset) || t == typeof(DateTime))
        {
            // In a query a + must be sent as %2B; Z avoids it.
            return inQuery
                ? "a date like 2026-12-08, or a time with its offset like 2026-12-08T10:00:00Z"
                : "a time with its offset, like 2026-12-08T10:00:00+00:00";
        }
        if (t == typeof(DateOnly))
        {
            return "a date like 2026-12-08";
        }
        return Type.GetTypeCode(t) switch
        {
            TypeCode.Int16 or TypeCode.Int32 => $"a whole number no larger than {int.MaxValue.ToString(CultureInfo.InvariantCulture)}",
            TypeCode.Int64 => "a whole number, such as 42",
            TypeCode.Decimal or TypeCode.Double or TypeCode.Single => "a number, such as 12.5",
            TypeCode.Boolean => "true or false",
            TypeCode.String => "text in double quotes",
            _ when t.IsArray || t.IsAssignableTo(typeof(System.Collections.IEnumerable)) => "a list in square brackets, such as [1, 2]",
            _ => null,
        };
    }

    /// <summary>The type the body's JSON path (e.g. <c>$.areaIds[1]</c>) leads to in the endpoint's request type.</summary>
    private static Type? FieldType(HttpContext context, string path)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType is not { } requestType)
        {
            return null;
        }
        var options = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var info = options.GetTypeInfo(requestType);
        foreach (Match step in PathStep().Matches(path))
        {
            if (step.Groups["index"].Success)
            {
                if (info.ElementType is not { } element)
                {
                    return null;
                }
                info = options.GetTypeInfo(element);
                continue;
            }
            var name = step.Groups["name"].Success ? step.Groups["name"].Value : step.Groups["quoted"].Value;
            if (info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) is not { } property)
            {
                return null;
            }
            info = options.GetTypeInfo(property.PropertyType);
        }
        return info.Type;
    }

    /// <summary>The JSON reader's own words without its position, which the detail gives counting from 1.</summary>
    private static string ReaderMessage(string message)
    {
        var position = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var text = position < 0 ? message : message[..position];
        return text.Replace(", when isFinalBlock is true", "", StringComparison.Ordinal);
    }

    // RequestDelegateFactory's message for a route, query or header value its type cannot parse.
    [GeneratedRegex("""^Failed to bind parameter ".+ (?<name>[^ "]+)" from ".*"\.$""", RegexOptions.Singleline)]
    private static partial Regex BindingFailed();

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<quoted>(?:[^']|'')*)'\]|\[(?<index>\d+)\]")]
    private static partial Regex PathStep();
}
