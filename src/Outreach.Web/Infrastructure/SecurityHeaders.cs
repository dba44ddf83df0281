namespace Outreach.Web.Infrastructure;

/// <summary>
/// Security headers on every response. Scripts come only from the site itself (no inline script);
/// styles may be inline because the calendar library injects its own. The Hangfire dashboard, for
/// administrators only, ships inline scripts of its own and gets a policy that allows them. Nothing but the
/// site's own static files may be kept by a browser or proxy cache: pages, downloads (CSV, PDF), the API and the
/// calendar feed all carry personal data, so every other answer is <c>Cache-Control: no-store</c>.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    private const string DashboardPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    private static readonly string[] StaticFolders = ["/css", "/js", "/lib"];

    private static bool IsStaticFile(PathString path) =>
        path.Equals("/favicon.ico", StringComparison.OrdinalIgnoreCase)
        || StaticFolders.Any(folder => path.StartsWithSegments(folder, StringComparison.OrdinalIgnoreCase));

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/hangfire", StringComparison.OrdinalIgnoreCase) ? DashboardPolicy : ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "same-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                if (!IsStaticFile(context.Request.Path) && !headers.CacheControl.ToString().Contains("no-store", StringComparison.Ordinal))
                {
                    headers.CacheControl = "no-store";
                    headers.Pragma = "no-cache";
                }
                return Task.CompletedTask;
            });
            await next();
        });
}
