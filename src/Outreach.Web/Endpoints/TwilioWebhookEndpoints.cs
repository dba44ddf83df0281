using Outreach.Data.Messages;
using Outreach.Jobs.Messages;

namespace Outreach.Web.Endpoints;

/// <summary>
/// Twilio's webhooks: POST /twilio/sms (a reply from a phone) and POST /twilio/status (a delivery report).
/// No sign-in or anti-forgery token: each request must carry a valid X-Twilio-Signature for the public
/// address Twilio called (Site:PublicBaseUrl, so it works behind a reverse proxy), checked first by
/// <see cref="TwilioRequestGuard"/>. A forged or missing signature gets 403 (429 for a source that keeps
/// sending them) and writes nothing; a repeat of the same message SID changes nothing.
/// </summary>
public static class TwilioWebhookEndpoints
{
    public static IEndpointRouteBuilder MapTwilioWebhooks(this IEndpointRouteBuilder routes)
    {
        // No rate limit of the usual kind: TwilioRequestGuard refuses junk per source address and never a signed request.
        var twilio = routes.MapGroup("/twilio").AllowAnonymous().DisableAntiforgery();

        twilio.MapPost("/sms", async (HttpRequest request, TwilioRequestGuard guard, ReplyHandler replies, CancellationToken cancellationToken) =>
        {
            var (form, refusal) = await guard.CheckAsync(request, cancellationToken);
            if (form is null)
            {
                return refusal!;
            }
            if (string.IsNullOrEmpty(form.GetValueOrDefault("MessageSid")) || string.IsNullOrEmpty(form.GetValueOrDefault("From")))
            {
                return Results.BadRequest();
            }
            // Stored and acted on once per message SID; a repeat (a retry, or the same message at the fallback URL)
            // gets the same answer and changes nothing.
            var result = await replies.HandleAsync(form["MessageSid"], form["From"], form.GetValueOrDefault("To") ?? "",
                form.GetValueOrDefault("Body") ?? "", cancellationToken);
            return Results.Text(ReplyHandler.Twiml(result.Response), "text/xml");
        });

        twilio.MapPost("/status", async (HttpRequest request, TwilioRequestGuard guard, WebhookData webhooks, CancellationToken cancellationToken) =>
        {
            var (form, refusal) = await guard.CheckAsync(request, cancellationToken);
            if (form is null)
            {
                return refusal!;
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
}
