namespace Outreach.Data.Records;

/// <summary>Where links in text messages point, and who is texted at once about a safeguarding concern.</summary>
public sealed class RecordingOptions
{
    /// <summary>Sms:OnCallCoordinatorMobile: empty means concerns reach coordinators on the dashboard only.</summary>
    public string? OnCallCoordinatorMobile { get; set; }

    /// <summary>The address people open links at: <see cref="SiteOptions.PublicBaseUrl"/>, copied when the options are made.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5080";

    public string Link(string path) => PublicBaseUrl.TrimEnd('/') + path;
}
