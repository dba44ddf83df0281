namespace Outreach.Web.Infrastructure;

/// <summary>
/// Logs never carry personal data or secrets. The site's own log calls carry ids only; the one framework
/// source that would carry them is the request line ("Request starting GET /Account/Activate?user=5&amp;code=..."),
/// whose query string holds invitation codes and searches by name. It stays at Warning whatever the
/// configuration says, so turning up "Microsoft.AspNetCore" to investigate something does not start logging them.
/// </summary>
public static class LogHygiene
{
    public const string RequestLines = "Microsoft.AspNetCore.Hosting.Diagnostics";

    // Rules added in code come after those from configuration, and the later of two equally specific rules wins.
    public static ILoggingBuilder KeepRequestLinesOut(this ILoggingBuilder logging) => logging.AddFilter(RequestLines, LogLevel.Warning);
}
