using System.Net;
using Dapper;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

[Collection("App")]
public sealed class UserAdminTests(OutreachApp app)
{
    [Fact]
    public async Task Making_a_youth_worker_a_commissioner_gives_exactly_that_role_signs_them_out_everywhere_and_is_audited()
    {
        var adminEmail = $"admin.{Guid.NewGuid():N}@example.org";
        await app.CreateUserAsync(adminEmail, Roles.Administrator);
        var email = $"promoted.{Guid.NewGuid():N}@example.org";
        var user = await app.CreateUserAsync(email, Roles.YouthWorker);
        using var admin = await app.SignedInAsEmailAsync(adminEmail);
        using var elsewhere = await app.SignedInAsEmailAsync(email);
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.GetAsync("/Records")).StatusCode);

        var listed = await admin.GetPageAsync($"/Admin/Users?q={Uri.EscapeDataString(email)}");
        Assert.Contains(email, listed, StringComparison.Ordinal);

        try
        {
            using var changed = await admin.PostFormAsync("/Admin/Users", new() { ["role"] = Roles.Commissioner },
                $"/Admin/Users?handler=Role&id={user.Id}");
            Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);

            // The security stamp is checked every minute.
            app.Clock.Offset = TimeSpan.FromMinutes(2);
            using var other = await elsewhere.GetAsync("/Reports");
            Assert.Equal(HttpStatusCode.Redirect, other.StatusCode);
            Assert.Contains("/Account/Login", other.Headers.Location?.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            app.Clock.Offset = TimeSpan.Zero;
        }

        Assert.Equal([Roles.Commissioner], await RolesOfAsync(user.Id));
        await using var connection = await app.DataSource.OpenConnectionAsync();
        var audited = await connection.QuerySingleAsync<string>("""
            SELECT after::text FROM outreach.audit_events
            WHERE entity = 'user' AND entity_id = @id AND action = 'change-role' AND actor_name = @adminEmail
            """, new { id = user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), adminEmail });
        Assert.Contains(Roles.Commissioner, audited, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_administrator_cannot_remove_their_own_administrator_role()
    {
        var adminEmail = $"admin.{Guid.NewGuid():N}@example.org";
        var me = await app.CreateUserAsync(adminEmail, Roles.Administrator);
        using var admin = await app.SignedInAsEmailAsync(adminEmail);

        using var refused = await admin.PostFormAsync("/Admin/Users", new() { ["role"] = Roles.Coordinator },
            $"/Admin/Users?handler=Role&id={me.Id}");

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("You cannot remove your own Administrator role", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal([Roles.Administrator], await RolesOfAsync(me.Id));
    }

    [Fact]
    public async Task An_unknown_role_or_user_is_refused_with_a_message_and_changes_nothing()
    {
        var user = await app.CreateUserAsync($"worker.{Guid.NewGuid():N}@example.org", Roles.YouthWorker);
        using var admin = await app.SignedInAsync(Roles.Administrator);

        using var badRole = await admin.PostFormAsync("/Admin/Users", new() { ["role"] = "Superuser" },
            $"/Admin/Users?handler=Role&id={user.Id}");
        Assert.Equal(HttpStatusCode.OK, badRole.StatusCode);
        Assert.Contains("is not a role", await badRole.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var badUser = await admin.PostFormAsync("/Admin/Users", new() { ["role"] = Roles.Coordinator },
            "/Admin/Users?handler=Role&id=999999999");
        Assert.Equal(HttpStatusCode.OK, badUser.StatusCode);
        Assert.Contains("There is no such user", await badUser.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal([Roles.YouthWorker], await RolesOfAsync(user.Id));
    }

    [Fact]
    public async Task Unlocking_a_locked_out_user_clears_the_lockout_and_is_audited()
    {
        var user = await app.CreateUserAsync($"locked.{Guid.NewGuid():N}@example.org", Roles.YouthWorker);
        await using var connection = await app.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "UPDATE outreach.users SET lockout_end = now() + interval '1 hour', access_failed_count = 5 WHERE id = @Id", new { user.Id });
        using var admin = await app.SignedInAsync(Roles.Administrator);

        using var unlocked = await admin.PostFormAsync("/Admin/Users", [], $"/Admin/Users?handler=Unlock&id={user.Id}");

        Assert.Equal(HttpStatusCode.Redirect, unlocked.StatusCode);
        var row = await connection.QuerySingleAsync<(DateTime? LockoutEnd, int Failed)>(
            "SELECT lockout_end, access_failed_count FROM outreach.users WHERE id = @Id", new { user.Id });
        Assert.Null(row.LockoutEnd);
        Assert.Equal(0, row.Failed);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM outreach.audit_events WHERE entity = 'user' AND entity_id = @id AND action = 'unlock'",
            new { id = user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
    }

    [Theory]
    [InlineData(Roles.Coordinator)]
    [InlineData(Roles.YouthWorker)]
    [InlineData(Roles.Commissioner)]
    public async Task Anyone_but_an_administrator_is_refused_the_user_list(string role)
    {
        using var client = await app.SignedInAsync(role);

        using var response = await client.GetAsync("/Admin/Users");

        var location = response.Headers.Location?.ToString() ?? "";
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden
            || (response.StatusCode == HttpStatusCode.Redirect && location.Contains("/Account/AccessDenied", StringComparison.Ordinal)),
            $"{role}: HTTP {(int)response.StatusCode} {location}");
    }

    private async Task<string[]> RolesOfAsync(long userId)
    {
        await using var connection = await app.DataSource.OpenConnectionAsync();
        var roles = await connection.QueryAsync<string>("""
            SELECT r.name FROM outreach.user_roles ur JOIN outreach.roles r ON r.id = ur.role_id
            WHERE ur.user_id = @userId ORDER BY r.name
            """, new { userId });
        return [.. roles];
    }
}
