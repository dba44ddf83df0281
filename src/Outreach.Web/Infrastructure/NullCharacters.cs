using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Primitives;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// No field accepts the null character (U+0000), and PostgreSQL cannot store it in text: a search or form
/// that carried one reached the database and failed with HTTP 500. Such requests are refused up front with
/// 400 and a problem description, before any page or endpoint sees them. Runs after routing, so an endpoint's
/// own request size limit applies to the form it reads; file uploads (multipart) are left to their page, whose
/// larger form limits would not apply to a form read here, and whose text fields are checked against lists.
/// </summary>
public static class NullCharacters
{
    public const string Message = "The request contains a null character (U+0000), which no field accepts.";

    public static IApplicationBuilder UseNullCharacterRefusal(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            var refused = request.QueryString.HasValue && request.Query.Any(q => Contains(q.Key) || Contains(q.Value));
            if (!refused && request.HasFormContentType && !request.ContentType!.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    var form = await request.ReadFormAsync(context.RequestAborted);
                    refused = form.Any(f => Contains(f.Key) || Contains(f.Value));
                }
                catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
                {
                    await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form could not be read.").ExecuteAsync(context);
                    return;
                }
            }
            if (refused)
            {
                await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: Message).ExecuteAsync(context);
                return;
            }
            await next();
        });

    private static bool Contains(string? value) => value is not null && value.Contains('\0', StringComparison.Ordinal);

    private static bool Contains(StringValues values)
    {
        foreach (var value in values)
        {
            if (Contains(value))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>The same rule for strings in JSON request bodies: the API answers 400 instead of failing in the database.</summary>
public sealed class RefuseNullCharacterConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetString();
        return value is not null && value.Contains('\0', StringComparison.Ordinal) ? throw new JsonException(NullCharacters.Message) : value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    // Strings are also dictionary keys (problem details' "errors", for one): they follow the same rule.
    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Read(ref reader, typeToConvert, options)!;

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value);
}
