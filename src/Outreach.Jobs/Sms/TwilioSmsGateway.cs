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
    // Twilio error codes after which sending the same message again cannot succeed.
    private static readonly HashSet<int> PermanentCodes = [21211, 21408, 21610, 21612, 21614, 21606, 30003, 30005, 30006];

    public async Task<string> SendAsync(string toE164, string body, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var client = new TwilioRestClient(settings.AccountSid, settings.AuthToken, httpClient: new SystemNetHttpClient(httpClient));
        var create = new CreateMessageOptions(new PhoneNumber(toE164)) { Body = body };
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
            // rather than abandon it and lose track of whether the message went.
            var message = await MessageResource.CreateAsync(create, client);
            return message.Sid;
        }
        catch (ApiException e)
        {
            var permanent = PermanentCodes.Contains(e.Code) || e.Status is >= 400 and < 500 and not 429;
            throw new SmsSendException($"Twilio refused the message: HTTP {e.Status}, error {e.Code}", permanent, e.Code, e);
        }
        catch (ApiConnectionException e)
        {
            throw new SmsSendException("Twilio could not be reached", permanent: false, providerCode: null, e);
        }
    }
}
