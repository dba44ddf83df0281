using Microsoft.Extensions.Options;
using Outreach.Data.Messages;
using Outreach.Jobs.Messages;
using Outreach.Jobs.Sms;
using Outreach.Web.Infrastructure;
using Twilio.Security;

namespace Outreach.Web.Endpoints;

/// <summary>
/// Twilio's webhooks: POST /twilio/sms (a reply from a phone) and POST /twilio/status (a delivery report).
/// No sign-in or anti-forgery token: each request must carry a valid X-Twilio-Signature for the public
/// address Twilio called (Site:PublicBaseUrl, so it works behind a reverse proxy). A forged or missing
/// signature gets 403 and writes nothing; a repeat of the same message SID changes nothing.
/// </summary>
public static class TwilioWebhookEndpoints
{
    public static IEndpointRouteBuilder MapTwilioWebhooks(this IEndpointRouteBuilder routes)
    {
        var twilio = routes.MapGroup("/twilio").AllowAnonymous().DisableAntiforgery().RequireRateLimiting(RateLimits.Webhooks);

        twilio.MapPost("/sms", async (HttpRequest request, ReplyHandler replies, IOptions<TwilioOptions> options, IConfiguration configuration,
            CancellationToken cancellationToken) =>
        {
            var form = await SignedFormAsync(request, options.Value, configuration, cancellationToken);
            if (form is null)
            {
                return Results.StatusCode(StatusCodes.Status403Forbidden);
            }
            if (string.IsNullOrEmpty(form.GetValueOrDefault("MessageSid")) || string.IsNullOrEmpty(form.GetValueOrDefault("From")))
            {
                return Results.BadRequest();
            }
            // Stored and acted on once per message SID; a repeat gets the same answer and changes nothing.
            var result = await replies.HandleAsync(form["MessageSid"], form["From"], form.GetValueOrDefault("To") ?? "",
                form.GetValueOrDefault("Body") ?? "", cancellationToken);
            return Results.Text(ReplyHandler.Twiml(result.Response), "text/xml");
        });

        twilio.MapPost("/status", async (HttpRequest request, WebhookData webhooks, IOptions<TwilioOptions> options, IConfiguration configuration,
            CancellationToken cancellationToken) =>
        {
            var form = await SignedFormAsync(request, options.Value, configuration, cancellationToken);
            if (form is null)
            {
                return Results.StatusCode(StatusCodes.Status403Forbidden);
            }
            var sid = form.GetValueOrDefault("MessageSid");
            var status = form.GetValueOrDefault("MessageStatus");
            var errorCode = form.GetValueOrDefault("ErrorCode");
            if (string.IsNullOrEmpty(sid) || sid.Length > 64 || string.IsNullOrEmpty(status) || status.Length > 40
                || (!string.IsNullOrEmpty(errorCode) && (errorCode.Length > 10 || !errorCode.All(char.IsAsciiDigit))))
            {
                return Results.BadRequest();
            }
            // Reports come repeated and out of order; the row only moves forward (see WebhookData.StoreStatusAsync).
            await webhooks.StoreStatusAsync(sid, status, errorCode, cancellationToken);
            return Results.NoContent();
        });
        return routes;
    }

    /// <returns>The form fields when the signature is valid; null otherwise (including when no auth token is configured).</returns>
    private static async Task<Dictionary<string, string>?> SignedFormAsync(
        HttpRequest request, TwilioOptions options, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var signature = request.Headers["X-Twilio-Signature"].ToString();
        if (string.IsNullOrEmpty(options.AuthToken) || string.IsNullOrEmpty(signature) || !request.HasFormContentType)
        {
            return null;
        }
        var form = await request.ReadFormAsync(cancellationToken);
        var fields = form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        var publicBase = (configuration["Site:PublicBaseUrl"] ?? $"{request.Scheme}://{request.Host}").TrimEnd('/');
        var url = publicBase + request.Path + request.QueryString;
        return new RequestValidator(options.AuthToken).Validate(url, fields, signature) ? fields : null;
    }
}
