using Microsoft.AspNetCore.Identity;
using Outreach.Data;
using Outreach.Data.ApiKeys;
using Outreach.Data.Database;
using Outreach.Data.Demo;
using Outreach.Data.Identity;
using Outreach.Data.Reach;

namespace Outreach.Web.Infrastructure;

/// <summary>What happens before the site serves: migrations, demo data, the first administrator.</summary>
public static class Setup
{
    public static readonly IReadOnlyList<(string Email, string Name, string Role)> DemoUsers =
    [
        ("admin@outreach.test", "Demo Administrator", Roles.Administrator),
        ("coordinator@outreach.test", "Demo Coordinator", Roles.Coordinator),
        ("worker@outreach.test", "Demo Youth Worker", Roles.YouthWorker),
        ("commissioner@outreach.test", "Demo Commissioner's Office", Roles.Commissioner),
    ];

    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await services.GetRequiredService<Migrator>().MigrateAsync(cancellationToken);
    }

    /// <summary>One user per role and the demo data set, each made once; prints the logins.</summary>
    public static async Task LoadDemoAsync(IServiceProvider services, string password, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        long? workerUserId = null;
        foreach (var (email, name, role) in DemoUsers)
        {
            var user = await users.FindByEmailAsync(email);
            if (user is null)
            {
                user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name };
                Check(await users.CreateAsync(user, password), email);
                Check(await users.AddToRoleAsync(user, role), email);
            }
            if (role == Roles.YouthWorker)
            {
                workerUserId = user.Id;
            }
        }
        await scope.ServiceProvider.GetRequiredService<DemoData>().LoadOnceAsync(workerUserId, cancellationToken);
        // So the reports page has figures at once, not after the nightly compile (only changed months are recompiled).
        await scope.ServiceProvider.GetRequiredService<ImpactData>().CompileAsync(CompileMode.Incremental, null, cancellationToken);

        Console.WriteLine();
        Console.WriteLine("Demo sign-ins (password for each: " + password + "):");
        foreach (var (email, _, role) in DemoUsers)
        {
            Console.WriteLine($"  {role,-14} {email}");
        }
        Console.WriteLine("Two-factor sign-in is optional in the demo; in production administrators and coordinators must set it up.");
        Console.WriteLine();
    }

    /// <summary>Creates (or promotes) the first administrator of a real deployment.</summary>
    public static async Task<int> CreateAdministratorAsync(IServiceProvider services, string email, string password)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                Console.Error.WriteLine(string.Join(Environment.NewLine, created.Errors.Select(e => e.Description)));
                return 1;
            }
        }
        if (!await users.IsInRoleAsync(user, Roles.Administrator))
        {
            Check(await users.AddToRoleAsync(user, Roles.Administrator), email);
        }
        Console.WriteLine($"{email} is an administrator.");
        return 0;
    }

    /// <summary>Makes an API key for a machine client and prints it (it is shown only this once).</summary>
    public static async Task<int> CreateApiKeyAsync(IServiceProvider services, string? name, string? role)
    {
        var outcome = await services.GetRequiredService<ApiKeyData>().CreateAsync(name ?? "", role ?? "", new Actor(null, "command line", null), CancellationToken.None);
        if (!outcome.Succeeded)
        {
            Console.Error.WriteLine(outcome.Errors[0].Message + $" Usage: create-api-key NAME ROLE (ROLE: {string.Join(", ", ApiKeyData.Roles)}).");
            return 2;
        }
        Console.WriteLine(outcome.Value);
        return 0;
    }

    private static void Check(IdentityResult result, string who)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not set up {who}: " + string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
