using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Outreach.Web.Endpoints;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// What every operation under /api/v1 shares, said once for the whole API: the key (sent as a bearer token or as
/// X-Api-Key, <see cref="ApiKeyAuthenticationHandler"/>) and the problem details answered when it is missing or
/// unknown (401), when its role may not do this (403) and when it is over its rate (429, <see cref="RateLimits"/>).
/// </summary>
public static class ApiDocument
{
    public const string KeyHeaderScheme = "ApiKey";
    public const string BearerScheme = "ApiKeyBearer";
    private const string ProblemSchema = nameof(ProblemDetails);

    private static readonly (string Code, string Id, string Description)[] SharedAnswers =
    [
        ("401", "Unauthorized", "No API key was sent, or the key is unknown or revoked."),
        ("403", "Forbidden", "This key's role may not do this."),
        ("429", "TooManyRequests", "This key sent too many requests this minute; wait for the time in Retry-After."),
    ];

    public static void Describe(OpenApiOptions options) => options.AddDocumentTransformer(async (document, context, cancellationToken) =>
    {
        document.Components ??= new OpenApiComponents();
        if (document.Components.Schemas?.ContainsKey(ProblemSchema) != true)
        {
            document.AddComponent(ProblemSchema, await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken));
        }
        document.AddComponent(KeyHeaderScheme, (IOpenApiSecurityScheme)new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key",
            Description = "An API key (ork_...) made on the Admin pages or with the create-api-key command.",
        });
        document.AddComponent(BearerScheme, (IOpenApiSecurityScheme)new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "ork_ API key",
            Description = "The same API key as Authorization: Bearer ork_...",
        });
        foreach (var (code, id, description) in SharedAnswers)
        {
            document.AddComponent(id, (IOpenApiResponse)new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
                },
            });
        }

        foreach (var (path, item) in document.Paths)
        {
            if (!path.StartsWith(ApiEndpoints.BasePath + "/", StringComparison.Ordinal) || item.Operations is null)
            {
                continue;
            }
            foreach (var operation in item.Operations.Values)
            {
                // Either way of sending the key will do: two requirements, each naming one scheme.
                operation.Security =
                [
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(KeyHeaderScheme, document)] = [] },
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] },
                ];
                operation.Responses ??= [];
                foreach (var (code, id, _) in SharedAnswers)
                {
                    operation.Responses[code] = new OpenApiResponseReference(id, document);
                }
            }
        }
    });
}
