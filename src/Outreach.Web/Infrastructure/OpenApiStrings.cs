using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// Gives strings their type in the OpenAPI document. The API's own string converter (<see cref="RefuseNullCharacterConverter"/>)
/// hides it from the schema generator, which then describes every string as "anything". A string marked
/// <c>[DataType(DataType.Date)]</c> (a date the API reads as text, to refuse a bad one naming its field) is a date.
/// </summary>
public static class OpenApiStrings
{
    public static void Describe(OpenApiOptions options) => options.AddSchemaTransformer((schema, context, _) =>
    {
        if (context.JsonTypeInfo.Type == typeof(string) && schema.Type is null)
        {
            var property = context.JsonPropertyInfo;
            schema.Type = property is not null && (property.IsGetNullable || property.IsSetNullable)
                ? JsonSchemaType.String | JsonSchemaType.Null
                : JsonSchemaType.String;
            if (property?.AttributeProvider?.GetCustomAttributes(typeof(DataTypeAttribute), inherit: true)
                    .OfType<DataTypeAttribute>().Any(a => a.DataType == DataType.Date) == true)
            {
                schema.Format = "date";
            }
        }
        return Task.CompletedTask;
    });
}
