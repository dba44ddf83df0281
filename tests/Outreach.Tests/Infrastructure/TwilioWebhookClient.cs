using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Outreach.Tests.Infrastructure;

/// <summary>
/// Posts to the site's Twilio webhooks the way Twilio does: form fields with an X-Twilio-Signature. Given a
/// loopback source address (127.0.0.2, 127.0.0.3 ...), every connection comes from it, so a test can flood
/// from an address of its own without spending the budget of the rest of the suite (127.0.0.1).
/// </summary>
public sealed class TwilioWebhookClient(OutreachApp app, IPAddress? source = null) : IDisposable
{
    private readonly HttpClient _http = new(LoopbackSource.Handler(source)) { BaseAddress = app.BaseUrl };

    /// <summary>A post that is not Twilio's: no signature, or one made with the wrong token.</summary>
    public async Task<HttpResponseMessage> JunkAsync(string path, Dictionary<string, string> fields, bool withForgedSignature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        if (withForgedSignature)
        {
            request.Headers.Add("X-Twilio-Signature", Sign(path, fields, "not-the-auth-token"));
        }
        return await _http.SendAsync(request);
    }

    public async Task<HttpResponseMessage> PostAsync(string path, Dictionary<string, string> fields, string token = OutreachApp.WebhookAuthToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Add("X-Twilio-Signature", Sign(path, fields, token));
        return await _http.SendAsync(request);
    }

    public async Task<HttpResponseMessage> StatusAsync(string sid, string status, string? errorCode = null)
    {
        var fields = new Dictionary<string, string> { ["MessageSid"] = sid, ["MessageStatus"] = status, ["AccountSid"] = "ACtest" };
        if (errorCode is not null)
        {
            fields["ErrorCode"] = errorCode;
        }
        return await PostAsync("/twilio/status", fields);
    }

    // Twilio's scheme: HMAC-SHA1 over the full URL followed by each field name and value, sorted by name.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "Twilio's signature scheme is HMAC-SHA1.")]
    public string Sign(string path, Dictionary<string, string> fields, string token = OutreachApp.WebhookAuthToken)
    {
        var data = new StringBuilder(new Uri(app.BaseUrl, path).ToString());
        foreach (var (key, value) in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            data.Append(key).Append(value);
        }
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(data.ToString())));
    }

    public void Dispose() => _http.Dispose();
}
