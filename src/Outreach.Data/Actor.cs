namespace Outreach.Data;

/// <summary>Who is making a change, for the audit log. Jobs act as "system".</summary>
public sealed record Actor(long? UserId, string Name, string? RemoteIp)
{
    public static readonly Actor System = new(null, "system", null);
}
