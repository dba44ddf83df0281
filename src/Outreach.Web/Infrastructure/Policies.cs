using Outreach.Data.Identity;

namespace Outreach.Web.Infrastructure;

/// <summary>Who may open which folder of the site. Set once, by folder, in Program.cs.</summary>
public static class Policies
{
    public const string Coordinators = nameof(Coordinators);
    public const string Records = nameof(Records);
    public const string Reports = nameof(Reports);
    public const string Engagements = nameof(Engagements);
    public const string Safeguarding = nameof(Safeguarding);
    public const string Administrators = nameof(Administrators);

    public static void Add(Microsoft.AspNetCore.Authorization.AuthorizationOptions options)
    {
        options.AddPolicy(Coordinators, p => p.RequireRole(Roles.Coordinator, Roles.Administrator));
        options.AddPolicy(Records, p => p.RequireRole(Roles.YouthWorker, Roles.Coordinator, Roles.Administrator));
        options.AddPolicy(Reports, p => p.RequireRole(Roles.Commissioner, Roles.Coordinator, Roles.Administrator));
        // A&E engagements: workers (scoped to their shifts in the data layer), coordinators, administrators; never the commissioner.
        options.AddPolicy(Engagements, p => p.RequireRole(Roles.YouthWorker, Roles.Coordinator, Roles.Administrator));
        // Safeguarding concerns' details: coordinators and administrators only.
        options.AddPolicy(Safeguarding, p => p.RequireRole(Roles.Coordinator, Roles.Administrator));
        options.AddPolicy(Administrators, p => p.RequireRole(Roles.Administrator));
        // A page or endpoint nobody gave a policy still needs a signed-in user.
        options.FallbackPolicy = new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
    }
}
