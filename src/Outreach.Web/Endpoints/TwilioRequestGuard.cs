using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Outreach.Data;
using Outreach.Jobs.Sms;
using Outreach.Web.Infrastructure;
using Twilio.Security;

namespace Outreach.Web.Endpoints;

/// <summary>
/// Tells Twilio's requests from everyone else's before anything else happens: the signature (an HMAC of the
/// public address and the form, cheap to check) comes first. A request with a valid signature is never refused
/// for rate. Anything else is junk: it writes nothing and never reaches the database; each source address has
/// its own small budget of junk answers (403) and gets 429 beyond it. A request with no signature is refused
/// before its body is read; one with a signature has at most 64 KB read and one HMAC computed, so a flood
/// can never use up what Twilio's own requests need (decision 0016).
/// </summary>
public sealed class TwilioRequestGuard : IDisposable
{
    /// <summary>Twilio's form posts are a few kilobytes (a 1,600-character body and a few fields).</summary>
    public const long MaxBodyBytes = 64 * 1024;

    private readonly SiteOptions _site;
    private readonly PartitionedRateLimiter<string> _junk;
    private readonly RequestValidator? _validator;

    public TwilioRequestGuard(IOptions<TwilioOptions> twilio, IOptions<SiteOptions> site, IOptions<RateLimitOptions> limits)
    {
        _site = site.Value;
        // Made once: the token is fixed for the life of the process.
        _validator = string.IsNullOrEmpty(twilio.Value.AuthToken) ? null : new RequestValidator(twilio.Value.AuthToken);
        var perMinute = limits.Value.WebhookJunkPerAddressPerMinute;
        _junk = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetTokenBucketLimiter(address,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = perMinute,
                TokensPerPeriod = perMinute,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <returns>The form fields of a request Twilio signed; otherwise the answer to give (403, 413 or 429), having written nothing.</returns>
    public async Task<(Dictionary<string, string>? Fields, IResult? Refusal)> CheckAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var signature = request.Headers["X-Twilio-Signature"].ToString();
        if (_validator is null || string.IsNullOrEmpty(signature) || !request.HasFormContentType)
        {
            return (null, Junk(request, StatusCodes.Status403Forbidden));
        }
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, Junk(request, StatusCodes.Status413PayloadTooLarge));
        }
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = MaxBodyBytes;
        }
        Dictionary<string, string> fields;
        try
        {
            var form = await request.ReadFormAsync(cancellationToken);
            fields = form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        }
        catch (Exception e) when (e is BadHttpRequestException or InvalidDataException)
        {
            return (null, Junk(request, StatusCodes.Status400BadRequest));
        }
        var url = _site.Link(request.Path + request.QueryString);
        return _validator.Validate(url, fields, signature)
            ? (fields, null)
            : (null, Junk(request, StatusCodes.Status403Forbidden));
    }

    /// <summary>The junk answer: <paramref name="status"/> while the source address has budget left, 429 beyond it.</summary>
    private IResult Junk(HttpRequest request, int status)
    {
        using var lease = _junk.AttemptAcquire(ClientAddress.Of(request.HttpContext));
        if (lease.IsAcquired)
        {
            return Results.StatusCode(status);
        }
        request.HttpContext.Response.Headers.RetryAfter = "60";
        return Results.StatusCode(StatusCodes.Status429TooManyRequests);
    }

    public void Dispose() => _junk.Dispose();
}
