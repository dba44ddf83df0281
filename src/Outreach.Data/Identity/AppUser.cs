namespace Outreach.Data.Identity;

// A row of outreach.users. Plain properties: UserStore persists them all on UpdateAsync.
public sealed class AppUser
{
    public long Id { get; set; }
    public string UserName { get; set; } = "";
    public string NormalizedUserName { get; set; } = "";
    public string? Email { get; set; }
    public string? NormalizedEmail { get; set; }
    public bool EmailConfirmed { get; set; }
    public string DisplayName { get; set; } = "";
    public string? PasswordHash { get; set; }
    public string? SecurityStamp { get; set; }
    public string? ConcurrencyStamp { get; set; }
    public bool TwoFactorEnabled { get; set; }
    public DateTimeOffset? LockoutEnd { get; set; }
    public bool LockoutEnabled { get; set; }
    public int AccessFailedCount { get; set; }
}

public sealed class AppRole
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string NormalizedName { get; set; } = "";
}

// The roles seeded by migrations/0002_identity.sql; keep the two in step.
public static class Roles
{
    public const string Administrator = "Administrator";
    public const string Coordinator = "Coordinator";
    public const string YouthWorker = "YouthWorker";
    public const string Commissioner = "Commissioner";

    public static readonly IReadOnlyList<string> All = [Administrator, Coordinator, YouthWorker, Commissioner];
}
