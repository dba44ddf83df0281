using System.Net;
using System.Net.Sockets;

namespace Outreach.Web.Infrastructure;

/// <summary>
/// Where a request comes from, for limits and the audit log: the connection's address, or the client's as
/// forwarded by a proxy listed in Site:KnownProxies (nobody else's forwarded headers are believed).
/// </summary>
public static class ClientAddress
{
    /// <summary>One budget per IPv4 address and per IPv6 /64 (one household or host has a whole /64).</summary>
    public static string Of(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
