using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Data;
using Outreach.Data.Identity;
using Outreach.Data.Workers;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>A coordinator texts a youth worker a link to set their password: a first one, or a new one.</summary>
[Collection("App")]
public sealed partial class SignInLinkTests(OutreachApp app)
{
    [Fact]
    public async Task A_worker_who_forgot_their_password_gets_a_link_that_replaces_it_once()
    {
        var email = $"forgot.{Guid.NewGuid():N}@example.org";
        var user = await app.CreateUserAsync(email, Roles.YouthWorker, "the old password that was forgotten");
        var worker = await WorkerWithEmailAsync(email, user.Id);
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);

        var page = await SendLinkAsync(coordinator, worker);

        Assert.Contains("A text with a link to set their password is on its way", page, StringComparison.Ordinal);
        var text = await InvitationTextAsync(worker);
        Assert.StartsWith("Outreach: set a new password", text, StringComparison.Ordinal);
        var link = Link().Match(text).Value;
        using var phone = app.Anonymous();
        Assert.Contains(email, await phone.GetPageAsync(link), StringComparison.Ordinal);
        using (var set = await phone.PostFormAsync(link, new() { ["Input.Password"] = "a brand new passphrase", ["Input.ConfirmPassword"] = "a brand new passphrase" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, set.StatusCode);
        }

        (await app.SignedInAsEmailAsync(email, "a brand new passphrase")).Dispose();
        using (var old = await phone.PostFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = "the old password that was forgotten" }))
        {
            Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        }
        Assert.Contains("expired or has already been used", await phone.GetPageAsync(link), StringComparison.Ordinal);
        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE action = 'invite' AND entity = 'youth_worker' AND entity_id = @id",
            new { id = worker.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
    }

    [Fact]
    public async Task A_worker_with_an_email_but_no_account_gets_one_with_their_first_link()
    {
        var email = $"first.{Guid.NewGuid():N}@example.org";
        var worker = await WorkerWithEmailAsync(email, null);
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);

        await SendLinkAsync(coordinator, worker);

        Assert.StartsWith("Welcome to Outreach", await InvitationTextAsync(worker), StringComparison.Ordinal);
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var account = await users.FindByEmailAsync(email);
        Assert.NotNull(account);
        Assert.True(await users.IsInRoleAsync(account, Roles.YouthWorker));
        Assert.Equal(account.Id, await TestData.CountAsync(app.DataSource, "SELECT user_id FROM outreach.youth_workers WHERE id = @worker", new { worker }));
    }

    [Fact]
    public async Task No_link_goes_to_a_worker_without_an_email_who_opted_out_or_who_signs_in_as_staff_and_the_page_says_why()
    {
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        var noEmail = await TestData.WorkerAsync(app.DataSource);
        var optedOut = await WorkerWithEmailAsync($"stop.{Guid.NewGuid():N}@example.org", null);
        await ExecuteAsync("UPDATE outreach.youth_workers SET sms_opted_out = true WHERE id = @optedOut", new { optedOut });
        var staffEmail = $"staff.{Guid.NewGuid():N}@example.org";
        var staff = await WorkerWithEmailAsync(staffEmail, (await app.CreateUserAsync(staffEmail, Roles.Coordinator)).Id);

        using (var refused = await coordinator.PostFormAsync($"/Workers/Details/{noEmail}", [], $"/Workers/Details/{noEmail}?handler=SendSignInLink"))
        {
            Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        }
        Assert.Contains("email address first", await coordinator.GetPageAsync($"/Workers/Details/{noEmail}"), StringComparison.Ordinal);
        Assert.Contains("replied STOP", await SendLinkAsync(coordinator, optedOut), StringComparison.Ordinal);
        Assert.Contains("signs in as staff", await SendLinkAsync(coordinator, staff), StringComparison.Ordinal);

        Assert.Equal(0, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.sms_outbox WHERE purpose = 'invitation' AND worker_id = ANY(@ids)",
            new { ids = new[] { noEmail, optedOut, staff } }));
    }

    [Fact]
    public async Task A_link_made_for_a_staff_account_does_not_open_the_password_page()
    {
        var email = $"coordinator.{Guid.NewGuid():N}@example.org";
        var user = await app.CreateUserAsync(email, Roles.Coordinator);
        var worker = await WorkerWithEmailAsync(email, user.Id);
        var code = await app.Services.GetRequiredService<InvitationData>().CreateAsync(user.Id, worker, Actor.System, CancellationToken.None);

        using var anonymous = app.Anonymous();
        var page = await anonymous.GetPageAsync($"/Account/Activate?user={user.Id}&code={Uri.EscapeDataString(code)}");

        Assert.Contains("expired or has already been used", page, StringComparison.Ordinal);
        Assert.DoesNotContain("New password", page, StringComparison.Ordinal);
    }

    private async Task<long> WorkerWithEmailAsync(string email, long? userId)
    {
        var worker = await TestData.WorkerAsync(app.DataSource, userId);
        await ExecuteAsync("UPDATE outreach.youth_workers SET email = @email WHERE id = @worker", new { email, worker });
        return worker;
    }

    /// <returns>The worker's page after the redirect, with its status message.</returns>
    private static async Task<string> SendLinkAsync(SiteClient coordinator, long worker)
    {
        using var sent = await coordinator.PostFormAsync($"/Workers/Details/{worker}", [], $"/Workers/Details/{worker}?handler=SendSignInLink");
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        return await coordinator.GetPageAsync($"/Workers/Details/{worker}");
    }

    private async Task<string> InvitationTextAsync(long worker)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return Assert.Single(await c.QueryAsync<string>(
            "SELECT body FROM outreach.sms_outbox WHERE worker_id = @worker AND purpose = 'invitation'", new { worker }));
    }

    private async Task ExecuteAsync(string sql, object args)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        await c.ExecuteAsync(sql, args);
    }

    [GeneratedRegex(@"/Account/Activate\?user=\d+&code=[A-Za-z0-9_\-]+")]
    private static partial Regex Link();
}
