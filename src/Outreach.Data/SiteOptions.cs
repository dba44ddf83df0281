using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Outreach.Data;

/// <summary>
/// The Site section: the one address people and Twilio reach the site at. Every absolute link (texts, emails,
/// calendar addresses, redirects) and every Twilio signature check is built from it, never from the request.
/// </summary>
public sealed class SiteOptions : IValidatableObject
{
    public const string Section = "Site";

    [Required(ErrorMessage = "Site:PublicBaseUrl is required: the address people reach the site at, like https://outreach.example.org.")]
    [RegularExpression(@"^https?://[^/?#\s]+(/[^?#\s]*)?$", ErrorMessage = "Site:PublicBaseUrl must be an absolute http or https address, like https://outreach.example.org.")]
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>
    /// Addresses of the reverse proxies in front of the site, separated by commas: only their X-Forwarded-For and
    /// X-Forwarded-Proto are believed. Empty: none.
    /// </summary>
    public string KnownProxies { get; set; } = "";

    /// <summary>The proxies in <see cref="KnownProxies"/>; every entry is an IP address once the options are checked.</summary>
    public IReadOnlyList<IPAddress> Proxies =>
        KnownProxies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => IPAddress.TryParse(v, out var address) ? address : null).OfType<IPAddress>().ToList();

    /// <summary>The base without a trailing slash.</summary>
    public string BaseUrl => PublicBaseUrl.TrimEnd('/');

    /// <summary>An absolute link to a path of the site (the path starts with '/').</summary>
    public string Link(string pathAndQuery) => BaseUrl + pathAndQuery;

    /// <summary>The host (and port, when not the default) people use; requests for any other host are refused.</summary>
    public string Host => Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) ? uri.Authority : "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var value in KnownProxies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IPAddress.TryParse(value, out _))
            {
                yield return new ValidationResult(
                    $"Site:KnownProxies: '{value}' is not an IP address. List the reverse proxies' addresses, separated by commas.", [nameof(KnownProxies)]);
            }
        }
    }
}
