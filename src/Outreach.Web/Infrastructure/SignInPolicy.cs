using Outreach.Data.Settings;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Outreach.Data.Identity;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// How long a sign-in lasts and what it carries: 30 minutes idle, 12 hours at most, held on the server
/// (<see cref="SignInSessions"/>: signing out ends it at once), re-checked against the user's security stamp
/// every minute (so a password or role change signs the user out everywhere), and whether the user has
/// two-factor sign-in, for the rule that staff must.
/// </summary>
public static class SignInPolicy
{
    public const string AuthTimeClaim = "auth_time";
    public const string TwoFactorClaim = "two_factor_enabled";
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan AbsoluteLifetime = TimeSpan.FromHours(12);

    public static IServiceCollection AddOutreachSignInPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SecurityStampValidatorOptions>(options =>
        {
            options.ValidationInterval = TimeSpan.FromMinutes(1);
            // A refreshed principal keeps the time of the original sign-in, so the absolute limit holds.
            options.OnRefreshingPrincipal = context =>
            {
                var authTime = context.CurrentPrincipal?.FindFirst(AuthTimeClaim);
                if (authTime is not null && context.NewPrincipal?.Identity is ClaimsIdentity identity)
                {
                    identity.AddClaim(new Claim(AuthTimeClaim, authTime.Value));
                }
                return Task.CompletedTask;
            };
        });
        services.AddOptions<SecurityStampValidatorOptions>().Configure<TimeProvider>((options, clock) => options.TimeProvider = clock);
        services.AddSingleton<SignInSessions>();
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<TimeProvider, SignInSessions>((options, clock, sessions) =>
            {
                options.TimeProvider = clock;
                // Held on the server: signing out ends the sign-in at once, a copied cookie included.
                options.SessionStore = sessions;
            });
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme)
            .Configure<TimeProvider>((options, clock) => options.TimeProvider = clock);

        // Cookie names depend on it, so it is read (and checked) now.
        var secure = services.AddSettingsNow<SecurityOptions>(configuration, SecurityOptions.Section).SecureCookies;
        services.ConfigureApplicationCookie(options =>
        {
            // __Host- cookies must be Secure; plain-http local runs (run.sh) turn Security:SecureCookies off.
            options.Cookie.Name = secure ? "__Host-Outreach" : "Outreach";
            options.Cookie.SecurePolicy = secure ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.Path = "/";
            options.LoginPath = "/Account/Login";
            options.LogoutPath = "/Account/Logout";
            options.AccessDeniedPath = "/Account/AccessDenied";
            options.ExpireTimeSpan = IdleTimeout;
            options.SlidingExpiration = true;
            options.Events.OnSigningIn = context =>
            {
                if (context.Principal?.Identity is ClaimsIdentity identity && !identity.HasClaim(c => c.Type == AuthTimeClaim))
                {
                    identity.AddClaim(new Claim(AuthTimeClaim, context.Options.TimeProvider!.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
                }
                return Task.CompletedTask;
            };
            options.Events.OnValidatePrincipal = async context =>
            {
                var now = context.Options.TimeProvider!.GetUtcNow();
                var authTime = context.Principal?.FindFirst(AuthTimeClaim)?.Value;
                if (!long.TryParse(authTime, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                    || now - DateTimeOffset.FromUnixTimeSeconds(seconds) > AbsoluteLifetime)
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
                    return;
                }
                await SecurityStampValidator.ValidatePrincipalAsync(context);
            };
        });
        services.ConfigureExternalCookie(options => options.Cookie.SecurePolicy = secure ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest);
        services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, options =>
        {
            options.Cookie.Name = secure ? "__Host-Outreach.2fa" : "Outreach.2fa";
            options.Cookie.SecurePolicy = secure ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        });
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = secure ? "__Host-Outreach.Antiforgery" : "Outreach.Antiforgery";
            options.Cookie.SecurePolicy = secure ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        });
        return services;
    }

    /// <summary>Staff roles that must sign in with two factors when the rule is on.</summary>
    public static bool MustUseTwoFactor(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Administrator) || user.IsInRole(Roles.Coordinator);
}

/// <summary>Adds whether the user has two-factor sign-in to their principal (refreshed with the security stamp).</summary>
public sealed class OutreachClaimsFactory(UserManager<AppUser> users, RoleManager<AppRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser, AppRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(SignInPolicy.TwoFactorClaim, user.TwoFactorEnabled ? "true" : "false"));
        return identity;
    }
}

/// <summary>
/// Administrators and coordinators without two-factor sign-in are sent to set it up before anything
/// else (when Security:RequireTwoFactorForStaff is on, the default).
/// </summary>
public static class TwoFactorEnforcement
{
    public static IApplicationBuilder UseTwoFactorEnforcement(this IApplicationBuilder app, bool required) =>
        !required ? app : app.Use(async (context, next) =>
        {
            var user = context.User;
            var path = context.Request.Path;
            if (user.Identity?.IsAuthenticated == true
                && user.Identity.AuthenticationType == IdentityConstants.ApplicationScheme
                && SignInPolicy.MustUseTwoFactor(user)
                && user.FindFirst(SignInPolicy.TwoFactorClaim)?.Value != "true"
                && !path.StartsWithSegments("/Account", StringComparison.OrdinalIgnoreCase)
                && !path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Redirect("/Account/EnableAuthenticator?required=true");
                return;
            }
            await next();
        });
}
