using System.Net;
using System.Net.Sockets;

namespace Outreach.Tests.Infrastructure;

/// <summary>
/// HTTP connections to the site from a loopback address of the test's choosing (127.0.0.2, 127.0.0.3 ...): the site
/// sees each as a different source, as it would see people on different networks, without touching the budgets
/// of the rest of the suite (which comes from 127.0.0.1).
/// </summary>
public static class LoopbackSource
{
    public static SocketsHttpHandler Handler(IPAddress? source, bool allowRedirects = true, CookieContainer? cookies = null) => new()
    {
        AllowAutoRedirect = allowRedirects,
        UseCookies = cookies is not null,
        CookieContainer = cookies ?? new CookieContainer(),
        MaxConnectionsPerServer = 64,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source ?? IPAddress.Loopback, 0));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
