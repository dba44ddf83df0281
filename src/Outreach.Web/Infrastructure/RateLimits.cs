using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Outreach.Data.Settings;
using Outreach.Web.Endpoints;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// Request limits against guessing and flooding, each per source address or key: sign-in steps per address
/// (failed sign-ins per email are slowed by SignInData, decision 0017), the calendar feed per address, the API
/// per key. Twilio's webhooks have their own guard
/// (<see cref="Endpoints.TwilioRequestGuard"/>).
/// </summary>
public static class RateLimits
{
    public const string SignIn = "sign-in";
    public const string Api = "api";
    public const string CalendarFeed = "calendar-feed";

    public static IServiceCollection AddOutreachRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = services.AddSettingsNow<RateLimitOptions>(configuration, RateLimitOptions.Section);
        var perAddress = limits.SignInPerAddressPerMinute;
        var perKey = limits.ApiPerKeyPerMinute;
        var feedsPerAddress = limits.CalendarFeedPerAddressPerMinute;

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                http.Response.Headers.RetryAfter = "60";
                if (ApiEndpoints.IsApiRequest(http.Request))
                {
                    await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                        detail: $"A key may make {perKey.ToString(CultureInfo.InvariantCulture)} requests a minute. Wait a minute (Retry-After) and try again.")
                        .ExecuteAsync(http);
                    return;
                }
                await http.Response.WriteAsync("Too many requests. Wait a minute and try again.", cancellationToken);
            };
            // Every sign-in step (password, second factor, recovery code, set-up link): posts per source address.
            options.AddPolicy(SignIn, http => http.Request.Method == HttpMethods.Post
                ? RateLimitPartition.GetFixedWindowLimiter(ClientAddress.Of(http),
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = perAddress, Window = TimeSpan.FromMinutes(1) })
                : RateLimitPartition.GetNoLimiter("get"));
            // Calendar apps fetch a feed every few minutes at most; a flood of guessed addresses from one source
            // is refused before it reaches the database, and everyone else's feeds are untouched.
            options.AddPolicy(CalendarFeed, http => RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress.Of(http),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = feedsPerAddress, Window = TimeSpan.FromMinutes(1) }));
            options.AddPolicy(Api, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Request.Headers.Authorization.ToString() is { Length: > 0 } key ? key : http.Request.Headers["X-Api-Key"].ToString(),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = perKey, Window = TimeSpan.FromMinutes(1) }));
        });
        return services;
    }
}
