using System.Net;
using System.Text.RegularExpressions;

namespace Outreach.Tests.Infrastructure;

/// <summary>A browser-like HTTP client: keeps cookies, posts forms with their anti-forgery token.</summary>
public sealed partial class SiteClient(HttpClient http, CookieContainer? cookies = null) : IDisposable
{
    /// <summary>The client's cookies (a copy of one is what an attacker who saw the phone would have).</summary>
    public CookieContainer Cookies { get; } = cookies ?? new CookieContainer();

    public HttpClient Http { get; } = http;

    public Task<HttpResponseMessage> GetAsync(string path) => Http.GetAsync(path);

    public async Task<string> GetPageAsync(string path)
    {
        var response = await Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Loads the form's page for its anti-forgery token, then posts the fields to it (or to <paramref name="action"/>).</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string path, Dictionary<string, string> fields, string? action = null)
    {
        var page = await Http.GetAsync(path);
        var html = await page.Content.ReadAsStringAsync();
        var token = Token().Match(html);
        Assert.True(token.Success, $"No anti-forgery token on {path} (HTTP {(int)page.StatusCode})");
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        using var content = new FormUrlEncodedContent(fields);
        return await Http.PostAsync(action ?? path, content);
    }

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
