using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Outreach.Data.ApiKeys;
using Outreach.Data.Identity;

namespace Outreach.Web.Infrastructure;

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

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status401Unauthorized, "An API key is required",
            "Send a valid, unrevoked key as 'Authorization: Bearer ork_...'. Administrators make keys on the Admin pages.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "This key's role may not do that", null);

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
