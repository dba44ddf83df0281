using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Http;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Outreach.Jobs.Sms;

/// <summary>Sends through Twilio's official library, over an HttpClient from the host's factory.</summary>
public sealed class TwilioSmsGateway(System.Net.Http.HttpClient httpClient, IOptions<TwilioOptions> options) : ISmsGateway
{
    // Twilio error codes that say the number itself cannot get texts: invalid, unsubscribed (STOP),
    // unroutable, not a mobile, unknown or landline destination.
    private static readonly HashSet<int> NumberCodes = [21211, 21610, 21612, 21614, 30005, 30006];

    // Newest messages to one number looked through for one still queued at Twilio (no date sent yet).
    private const int RecentToNumber = 50;

    public async Task<string> SendAsync(string toE164, string body, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var create = new CreateMessageOptions(new PhoneNumber(toE164)) { Body = body, StatusCallback = settings.StatusCallbackUrl };
        if (!string.IsNullOrWhiteSpace(settings.MessagingServiceSid))
        {
            create.MessagingServiceSid = settings.MessagingServiceSid;
        }
        else
        {
            create.From = new PhoneNumber(settings.FromNumber);
        }

        try
        {
            // The library takes no cancellation token: once a request has left, we wait for its answer
            // (bounded by the HttpClient's timeout) rather than abandon it.
            var message = await MessageResource.CreateAsync(create, Client());
            return message.Sid;
        }
        catch (ApiException e)
        {
            throw new SmsSendException($"Twilio refused the message: HTTP {e.Status}, error {e.Code}", Classify(e), e.Code, e);
        }
        catch (Exception e) when (e is ApiConnectionException or System.Net.Http.HttpRequestException or TaskCanceledException)
        {
            throw NeverLeft(e)
                ? new SmsSendException("Twilio could not be reached", SmsFailure.Transient, providerCode: null, e)
                : new SmsSendException("No answer from Twilio after the request left", SmsFailure.OutcomeUnknown, providerCode: null, e);
        }
    }

    public async Task<IReadOnlyList<string>> FindSentAsync(string toE164, string body, DateTime sinceUtc, CancellationToken cancellationToken)
    {
        var client = Client();
        try
        {
            // Sent messages, by Twilio's date sent.
            var sent = await MessageResource.ReadAsync(new ReadMessageOptions
            {
                To = new PhoneNumber(toE164),
                DateSentAfter = sinceUtc,
                PageSize = 100,
                Limit = 1000,
            }, client);
            var found = Matches(sent, body, sinceUtc);
            if (found.Count > 0)
            {
                return found;
            }
            // A message Twilio accepted but still holds in its queue has no date sent, so the filter above
            // cannot see it: look through the newest messages to the number as well.
            var recent = await MessageResource.ReadAsync(new ReadMessageOptions
            {
                To = new PhoneNumber(toE164),
                PageSize = RecentToNumber,
                Limit = RecentToNumber,
            }, client);
            return Matches(recent, body, sinceUtc);
        }
        catch (ApiException e)
        {
            throw new SmsSendException($"Twilio's message list failed: HTTP {e.Status}, error {e.Code}", SmsFailure.Transient, e.Code, e);
        }
        catch (Exception e) when (e is ApiConnectionException or System.Net.Http.HttpRequestException or TaskCanceledException)
        {
            throw new SmsSendException("Twilio's message list could not be read", SmsFailure.Transient, providerCode: null, e);
        }
    }

    private TwilioRestClient Client()
    {
        var settings = options.Value;
        return new TwilioRestClient(settings.AccountSid, settings.AuthToken, httpClient: new SystemNetHttpClient(httpClient));
    }

    private static List<string> Matches(IEnumerable<MessageResource> messages, string body, DateTime sinceUtc) =>
        [.. messages
            .Where(m => m.Direction == MessageResource.DirectionEnum.OutboundApi
                && string.Equals(m.Body, body, StringComparison.Ordinal)
                && (m.DateCreated is not { } created || created.ToUniversalTime() >= sinceUtc))
            .OrderBy(m => m.DateCreated)
            .Select(m => m.Sid)];

    private static SmsFailure Classify(ApiException e) => e switch
    {
        _ when NumberCodes.Contains(e.Code) => SmsFailure.NumberRefused,
        // Refused before it was taken: busy or rate limited.
        { Status: 429 or 503 } => SmsFailure.Transient,
        // Our credentials or account, not the message: retrying (visibly) is right once someone fixes them.
        { Status: 401 or 403 or 404 } => SmsFailure.Transient,
        { Status: >= 400 and < 500 } => SmsFailure.Rejected,
        // A 500 may come after Twilio stored the message.
        _ => SmsFailure.OutcomeUnknown,
    };

    // Only a connection that was never made proves the request did not leave.
    private static bool NeverLeft(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Net.Http.HttpRequestException { HttpRequestError: System.Net.Http.HttpRequestError.ConnectionError or System.Net.Http.HttpRequestError.NameResolutionError }
                || inner is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound })
            {
                return true;
            }
        }
        return false;
    }
}
