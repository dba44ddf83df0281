using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Outreach.Data;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// The site answers only at its public address (Site:PublicBaseUrl): a request naming any other host gets 400, so
/// no link or redirect can ever be built on a Host header an attacker chose. Forwarded headers (the client's address
/// and scheme) are believed only from the proxies listed in Site:KnownProxies. Health checks answer whatever the
/// host, for load balancers that probe an instance by its own address.
/// </summary>
public static class PublicAddress
{
    public static IServiceCollection AddPublicAddress(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<SiteOptions>>((options, site) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Only the listed proxies: the defaults (loopback) would let anything on this machine claim any address.
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in site.Value.Proxies)
            {
                options.KnownProxies.Add(proxy);
            }
            options.ForwardLimit = 1;
        });
        return services;
    }

    public static IApplicationBuilder UsePublicAddress(this IApplicationBuilder app)
    {
        var site = app.ApplicationServices.GetRequiredService<IOptions<SiteOptions>>().Value;
        if (site.Proxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }
        var allowed = AllowedHosts(site);
        return app.Use(async (context, next) =>
        {
            if (!allowed.Contains(context.Request.Host.Host)
                && !context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync($"This site answers at {site.BaseUrl} only.", context.RequestAborted);
                return;
            }
            await next();
        });
    }

    /// <summary>The public address's host; a loopback one (a local run) also answers to the other loopback names.</summary>
    public static HashSet<string> AllowedHosts(SiteOptions site)
    {
        var host = new Uri(site.PublicBaseUrl).Host;
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { host, new Uri(site.PublicBaseUrl).IdnHost };
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)))
        {
            hosts.UnionWith(["localhost", "127.0.0.1", "[::1]"]);
        }
        return hosts;
    }
}
