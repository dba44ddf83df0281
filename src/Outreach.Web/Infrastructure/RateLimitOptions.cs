using System.ComponentModel.DataAnnotations;

namespace Outreach.Web.Infrastructure;

/// <summary>The RateLimits section: requests per minute, each per source address or key.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    [Range(1, 1_000_000, ErrorMessage = "RateLimits:SignInPerAddressPerMinute must be from 1 to 1000000.")]
    public int SignInPerAddressPerMinute { get; set; } = 30;

    [Range(1, 1_000_000, ErrorMessage = "RateLimits:CalendarFeedPerAddressPerMinute must be from 1 to 1000000.")]
    public int CalendarFeedPerAddressPerMinute { get; set; } = 120;

    /// <summary>Unsigned Twilio webhook requests per address; signed ones are never limited.</summary>
    [Range(1, 1_000_000, ErrorMessage = "RateLimits:WebhookJunkPerAddressPerMinute must be from 1 to 1000000.")]
    public int WebhookJunkPerAddressPerMinute { get; set; } = 60;

    [Range(1, 1_000_000, ErrorMessage = "RateLimits:ApiPerKeyPerMinute must be from 1 to 1000000.")]
    public int ApiPerKeyPerMinute { get; set; } = 600;
}
