using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Outreach.Data.ApiKeys;
using Outreach.Data.Identity;
using Outreach.Web.Endpoints;

namespace Outreach.Web.Infrastructure;

public static class ApiKeyAuthentication
{
    /// <summary>The default scheme: the API key for requests under /api/v1, the Identity cookie for the rest of the site.</summary>
    public const string KeyOrCookie = nameof(KeyOrCookie);

    /// <summary>
    /// Identity makes its cookie the default scheme, whose challenge redirects to the sign-in page. The API's
    /// endpoints name the key in their policies, but a request no endpoint takes (an unknown path, a non-numeric id,
    /// a method the path does not take) meets only the fallback policy, which would challenge with that default. Under
    /// /api/v1 the default is the key, so every such request is authenticated, challenged and refused as the API's.
    /// Call after AddIdentity, whose defaults this replaces.
    /// </summary>
    public static IServiceCollection AddApiKeyAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(options =>
            {
                options.DefaultAuthenticateScheme = KeyOrCookie;
                options.DefaultChallengeScheme = KeyOrCookie;
                options.DefaultForbidScheme = KeyOrCookie;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddPolicyScheme(KeyOrCookie, null, options => options.ForwardDefaultSelector = context =>
                ApiEndpoints.IsApiRequest(context.Request) ? ApiKeyAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme);
        return services;
    }
}

/// <summary>
/// Machine clients of /api/v1 send <c>Authorization: Bearer ork_...</c> (or <c>X-Api-Key</c>). The key acts
/// with the one role it was made for. Failures answer with RFC 9457 problem details, never a sign-in page.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyData keys, SecurityEventLog events)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? key = null;
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            key = header["Bearer ".Length..].Trim();
        }
        else if (Request.Headers.TryGetValue("X-Api-Key", out var value))
        {
            key = value.ToString().Trim();
        }
        if (string.IsNullOrEmpty(key))
        {
            return AuthenticateResult.NoResult();
        }

        var identity = await keys.AuthenticateAsync(key, ClientAddress.Of(Context), Context.RequestAborted);
        if (identity is null)
        {
            return AuthenticateResult.Fail("Unknown or revoked API key");
        }
        if (identity.NewAddress)
        {
            events.ApiKeyEvent(SecurityEvents.ApiKeyNewAddress, identity.Id);
        }
        var claims = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, "api-key:" + identity.Name),
                new Claim(ClaimTypes.Role, identity.Role),
                new Claim("api_key_id", identity.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(claims), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if ((await HandleAuthenticateOnceSafeAsync()).Failure is not null)
        {
            await WriteProblemAsync(StatusCodes.Status401Unauthorized, "The API key is unknown or revoked",
                "The key sent is unknown or revoked. Send a current key as 'Authorization: Bearer ork_...'; administrators make keys on the Admin pages.");
            return;
        }
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "An API key is required",
            "Send a valid, unrevoked key as 'Authorization: Bearer ork_...'. Administrators make keys on the Admin pages.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var role = Context.User.FindFirst(ClaimTypes.Role)?.Value ?? "this";
        // The roles the endpoint's own policy allows, so the answer cannot drift from the rule.
        var allowed = Context.GetEndpoint()?.Metadata.GetOrderedMetadata<AuthorizationPolicy>()
            .SelectMany(p => p.Requirements.OfType<RolesAuthorizationRequirement>())
            .SelectMany(r => r.AllowedRoles).Distinct(StringComparer.Ordinal).ToList() ?? [];
        var needs = allowed.Count == 0 ? "" : $": it needs a {string.Join(" or ", allowed)} key";
        return WriteProblemAsync(StatusCodes.Status403Forbidden, "This key's role may not do that",
            $"A {role} key may not use {Request.Method} {Request.Path.Value}{needs}. Administrators make keys on the Admin pages.");
    }

    private Task WriteProblemAsync(int status, string title, string? detail)
    {
        Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            Response.Headers.WWWAuthenticate = "Bearer";
        }
        return Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(Context);
    }
}
