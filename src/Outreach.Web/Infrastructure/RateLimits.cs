using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Outreach.Web.Endpoints;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// Request limits against guessing and flooding: sign-in per address (here) and per account (in the
/// sign-in page, which knows the account), and the API per key.
/// </summary>
public static class RateLimits
{
    public const string SignIn = "sign-in";
    public const string Api = "api";
    public const string Webhooks = "webhooks";

    public static IServiceCollection AddOutreachRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var perAddress = configuration.GetValue("RateLimits:SignInPerAddressPerMinute", 30);
        var perAccount = configuration.GetValue("RateLimits:SignInPerAccountPerMinute", 10);
        var perKey = configuration.GetValue("RateLimits:ApiPerKeyPerMinute", 600);
        var webhooks = configuration.GetValue("RateLimits:WebhooksPerMinute", 3000);

        services.AddSingleton(_ => new SignInLimiter(perAccount));
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
            options.AddPolicy(SignIn, http => http.Request.Method == HttpMethods.Post
                ? RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = perAddress, Window = TimeSpan.FromMinutes(1) })
                : RateLimitPartition.GetNoLimiter("get"));
            options.AddPolicy(Webhooks, http => RateLimitPartition.GetFixedWindowLimiter("twilio",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = webhooks, Window = TimeSpan.FromMinutes(1) }));
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
