using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// Request limits against guessing and flooding: sign-in per address (here) and per account (in the
/// sign-in page, which knows the account), and the API per key. Twilio's webhooks have their own guard
/// (<see cref="Endpoints.TwilioRequestGuard"/>).
/// </summary>
public static class RateLimits
{
    public const string SignIn = "sign-in";
    public const string Api = "api";
    public const string CalendarFeed = "calendar-feed";

    public static IServiceCollection AddOutreachRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var perAddress = configuration.GetValue("RateLimits:SignInPerAddressPerMinute", 30);
        var perAccount = configuration.GetValue("RateLimits:SignInPerAccountPerMinute", 10);
        var perKey = configuration.GetValue("RateLimits:ApiPerKeyPerMinute", 600);
        var feedsPerAddress = configuration.GetValue("RateLimits:CalendarFeedPerAddressPerMinute", 120);

        services.AddSingleton(_ => new SignInLimiter(perAccount));
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await context.HttpContext.Response.WriteAsync("Too many requests. Wait a minute and try again.", cancellationToken);
            };
            // Every sign-in step (password, second factor, recovery code, set-up link): posts per source address.
            options.AddPolicy(SignIn, http => http.Request.Method == HttpMethods.Post
                ? RateLimitPartition.GetFixedWindowLimiter(Endpoints.TwilioRequestGuard.SourceOf(http.Connection.RemoteIpAddress),
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = perAddress, Window = TimeSpan.FromMinutes(1) })
                : RateLimitPartition.GetNoLimiter("get"));
            // Calendar apps fetch a feed every few minutes at most; a flood of guessed addresses from one source
            // is refused before it reaches the database, and everyone else's feeds are untouched.
            options.AddPolicy(CalendarFeed, http => RateLimitPartition.GetFixedWindowLimiter(
                Endpoints.TwilioRequestGuard.SourceOf(http.Connection.RemoteIpAddress),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = feedsPerAddress, Window = TimeSpan.FromMinutes(1) }));
            options.AddPolicy(Api, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Request.Headers.Authorization.ToString() is { Length: > 0 } key ? key : http.Request.Headers["X-Api-Key"].ToString(),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = perKey, Window = TimeSpan.FromMinutes(1) }));
        });
        return services;
    }
}

/// <summary>Sign-in attempts per account, whatever address they come from.</summary>
public sealed class SignInLimiter(int perMinute) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(account =>
        RateLimitPartition.GetFixedWindowLimiter(account,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1) }));

    public bool TryAcquire(string account)
    {
        using var lease = _limiter.AttemptAcquire(account.Trim().ToUpper(CultureInfo.InvariantCulture));
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
