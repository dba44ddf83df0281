using System.Globalization;
using System.Security.Claims;
using Outreach.Data;

namespace Outreach.Web.Infrastructure;

public static class ClaimsPrincipalExtensions
{
    public static long? UserId(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : null;

    public static Actor Actor(this HttpContext context) =>
        new(context.User.UserId(), context.User.Identity?.Name ?? "anonymous", context.Connection.RemoteIpAddress?.ToString());
}
