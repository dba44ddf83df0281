using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;
using Outreach.Web.Infrastructure;

namespace Outreach.Tests.Web;

[Collection("App")]
public sealed partial class TwoFactorAndSessionTests(OutreachApp app)
{
    [Fact]
    public async Task A_coordinator_without_two_factor_is_sent_to_set_it_up_before_anything_else_and_can_then_work()
    {
        var email = $"new.coordinator.{Guid.NewGuid():N}@example.org";
        await app.CreateUserAsync(email, Roles.Coordinator, twoFactor: false);
        using var client = await app.SignedInAsEmailAsync(email);

        foreach (var path in new[] { "/", "/Sessions", "/Venues/Create", "/Messages" })
        {
            using var blocked = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, blocked.StatusCode);
            Assert.Equal("/Account/EnableAuthenticator?required=true", blocked.Headers.Location?.ToString());
        }

        var setup = await client.GetPageAsync("/Account/EnableAuthenticator?required=true");
        Assert.Contains("data:image/png;base64,", setup, StringComparison.Ordinal);
        var key = SharedKey().Match(setup).Groups[1].Value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        using var wrong = await client.PostFormAsync("/Account/EnableAuthenticator", new() { ["Code"] = "000000" });
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("That code is not right", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var enrolled = await client.PostFormAsync("/Account/EnableAuthenticator", new() { ["Code"] = Totp(key) });
        Assert.Equal("/Account/ShowRecoveryCodes", enrolled.Headers.Location?.ToString());
        var codes = RecoveryCode().Matches(await client.GetPageAsync("/Account/ShowRecoveryCodes")).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(10, codes.Count);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Sessions")).StatusCode);

        // Next time, the password alone is not enough; a recovery code works once.
        using var second = app.Anonymous();
        using var password = await second.PostFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = OutreachApp.Password });
        Assert.StartsWith("/Account/LoginWith2fa", password.Headers.Location?.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await second.GetAsync("/Sessions")).StatusCode);
        using var recovered = await second.PostFormAsync("/Account/LoginWithRecoveryCode", new() { ["RecoveryCode"] = codes[0] });
        Assert.Equal(HttpStatusCode.Redirect, recovered.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/Sessions")).StatusCode);

        using var third = app.Anonymous();
        await third.PostFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = OutreachApp.Password });
        using var reused = await third.PostFormAsync("/Account/LoginWithRecoveryCode", new() { ["RecoveryCode"] = codes[0] });
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.Contains("has been used already", await reused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var totp = await third.PostFormAsync("/Account/LoginWith2fa", new() { ["Code"] = Totp(key) });
        Assert.Equal(HttpStatusCode.Redirect, totp.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await third.GetAsync("/Sessions")).StatusCode);
    }

    [Fact]
    public async Task Youth_workers_and_the_commissioners_office_may_sign_in_without_two_factor()
    {
        using var worker = await app.SignedInAsync(Roles.YouthWorker);
        Assert.Equal(HttpStatusCode.OK, (await worker.GetAsync("/Records")).StatusCode);
        using var commissioner = await app.SignedInAsync(Roles.Commissioner);
        Assert.Equal(HttpStatusCode.OK, (await commissioner.GetAsync("/Reports")).StatusCode);
    }

    [Fact]
    public async Task A_sign_in_ends_after_30_idle_minutes()
    {
        using var client = await app.SignedInAsync(Roles.Commissioner);
        try
        {
            app.Clock.Offset = TimeSpan.FromMinutes(29);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Reports")).StatusCode);
            app.Clock.Offset += TimeSpan.FromMinutes(31);
            using var expired = await client.GetAsync("/Reports");
            Assert.Equal(HttpStatusCode.Redirect, expired.StatusCode);
            Assert.Contains("/Account/Login", expired.Headers.Location?.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            app.Clock.Offset = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task A_sign_in_ends_after_12_hours_however_active_the_user()
    {
        using var client = await app.SignedInAsync(Roles.Commissioner);
        try
        {
            for (var elapsed = TimeSpan.FromMinutes(20); elapsed < TimeSpan.FromHours(11.9); elapsed += TimeSpan.FromMinutes(20))
            {
                app.Clock.Offset = elapsed;
                Assert.True((await client.GetAsync("/Reports")).StatusCode == HttpStatusCode.OK, $"signed out early, after {elapsed}");
            }
            app.Clock.Offset = TimeSpan.FromHours(12.1);
            using var expired = await client.GetAsync("/Reports");
            Assert.Equal(HttpStatusCode.Redirect, expired.StatusCode);
            Assert.Contains("/Account/Login", expired.Headers.Location?.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            app.Clock.Offset = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task Changing_the_password_signs_the_user_out_everywhere_else()
    {
        var email = $"changer.{Guid.NewGuid():N}@example.org";
        await app.CreateUserAsync(email, Roles.YouthWorker);
        using var here = await app.SignedInAsEmailAsync(email);
        using var elsewhere = await app.SignedInAsEmailAsync(email);
        try
        {
            using var changed = await here.PostFormAsync("/Account/Security", new()
            {
                ["Input.CurrentPassword"] = OutreachApp.Password,
                ["Input.NewPassword"] = "amber lighthouse tractor",
                ["Input.ConfirmPassword"] = "amber lighthouse tractor",
            }, "/Account/Security?handler=ChangePassword");
            Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);

            // The security stamp is checked every minute.
            app.Clock.Offset = TimeSpan.FromMinutes(2);
            Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/Records")).StatusCode);
            using var other = await elsewhere.GetAsync("/Records");
            Assert.Equal(HttpStatusCode.Redirect, other.StatusCode);
            Assert.Contains("/Account/Login", other.Headers.Location?.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            app.Clock.Offset = TimeSpan.Zero;
        }
    }

    [Fact]
    public void In_production_the_sign_in_cookie_is_a_secure_host_only_cookie_with_a_30_minute_idle_limit()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddIdentity<AppUser, AppRole>();
        services.AddSingleton(Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1"));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Outreach.Data.Identity.SignInData>();
        services.AddOutreachSignInPolicy(new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();
        var cookie = provider.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme);

        Assert.Equal("__Host-Outreach", cookie.Cookie.Name);
        Assert.Equal(CookieSecurePolicy.Always, cookie.Cookie.SecurePolicy);
        Assert.True(cookie.Cookie.HttpOnly);
        Assert.Equal(SameSiteMode.Lax, cookie.Cookie.SameSite);
        Assert.Equal("/", cookie.Cookie.Path);
        Assert.Null(cookie.Cookie.Domain);
        Assert.Equal(TimeSpan.FromMinutes(30), cookie.ExpireTimeSpan);
        Assert.True(cookie.SlidingExpiration);
        // Held on the server, so signing out ends it (decision 0017).
        Assert.IsType<Outreach.Web.Infrastructure.SignInSessions>(cookie.SessionStore);
    }

    private string Totp(string key) => new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(key)).ComputeTotp(app.Clock.GetUtcNow().UtcDateTime);

    [GeneratedRegex("<code id=\"shared-key\"[^>]*>([^<]+)</code>")]
    private static partial Regex SharedKey();

    [GeneratedRegex(@"<li class=""col-6 col-md-3""><code>([^<]+)</code></li>")]
    private static partial Regex RecoveryCode();
}
