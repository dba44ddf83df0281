namespace Outreach.Jobs.Sms;

/// <summary>
/// The Twilio library always addresses https://api.twilio.com; this handler sends its requests to
/// another base address instead (the tests' fake Twilio server). With no base address it passes
/// requests on unchanged.
/// </summary>
public sealed class TwilioBaseUrlHandler(Uri? baseUrl) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (baseUrl is not null && request.RequestUri is { } uri)
        {
            request.RequestUri = new UriBuilder(uri)
            {
                Scheme = baseUrl.Scheme,
                Host = baseUrl.Host,
                Port = baseUrl.Port,
            }.Uri;
        }
        return base.SendAsync(request, cancellationToken);
    }
}
