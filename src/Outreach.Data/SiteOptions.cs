using System.ComponentModel.DataAnnotations;

namespace Outreach.Data;

/// <summary>
/// The Site section: the one address people and Twilio reach the site at. Every absolute link (texts, emails,
/// calendar addresses, redirects) and every Twilio signature check is built from it, never from the request.
/// </summary>
public sealed class SiteOptions
{
    public const string Section = "Site";

    [Required(ErrorMessage = "Site:PublicBaseUrl is required: the address people reach the site at, like https://outreach.example.org.")]
    [RegularExpression(@"^https?://[^/?#\s]+(/[^?#\s]*)?$", ErrorMessage = "Site:PublicBaseUrl must be an absolute http or https address, like https://outreach.example.org.")]
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The base without a trailing slash.</summary>
    public string BaseUrl => PublicBaseUrl.TrimEnd('/');

    /// <summary>An absolute link to a path of the site (the path starts with '/').</summary>
    public string Link(string pathAndQuery) => BaseUrl + pathAndQuery;

    /// <summary>The host (and port, when not the default) people use; requests for any other host are refused.</summary>
    public string Host => new Uri(PublicBaseUrl).Authority;
}
