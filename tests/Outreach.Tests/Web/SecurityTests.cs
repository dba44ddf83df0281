using System.Buffers.Binary;
using System.Net;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;
using Outreach.Web.Infrastructure;

namespace Outreach.Tests.Web;

[Collection("App")]
public sealed class SecurityTests(OutreachApp app)
{
    [Fact]
    public async Task After_five_failed_sign_ins_the_next_one_waits_its_turn_and_then_the_right_password_works()
    {
        var email = $"lockout.{Guid.NewGuid():N}@example.org";
        await app.CreateUserAsync(email, Roles.Coordinator);
        using var client = app.AnonymousFrom(System.Net.IPAddress.Parse("127.0.0.31"));
        for (var i = 0; i < 6; i++)
        {
            using var wrong = await client.PostFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = "wrong password " + i });
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        // The sixth failure set a wait of one second: even the right password must wait it out, and nothing is locked.
        using (var early = await client.PostFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = OutreachApp.Password }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, early.StatusCode);
            Assert.Contains("Wait 1 second and try again", await early.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        app.Clock.Offset += TimeSpan.FromSeconds(2);
        try
        {
            using var right = await client.PostFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = OutreachApp.Password });
            Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        }
        finally
        {
            app.Clock.Offset -= TimeSpan.FromSeconds(2);
        }
        Assert.Equal(0, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.users WHERE email = @email AND lockout_end IS NOT NULL", new { email }));
    }

    [Fact]
    public async Task Passwords_are_hashed_with_PBKDF2_SHA512_and_210000_iterations()
    {
        var email = $"hash.{Guid.NewGuid():N}@example.org";
        await app.CreateUserAsync(email, Roles.Commissioner);
        await using var c = await app.DataSource.OpenConnectionAsync();
        var hash = Convert.FromBase64String(await c.QuerySingleAsync<string>("SELECT password_hash FROM outreach.users WHERE email = @email", new { email }));

        // Identity's V3 format: 0x01, PRF (2 = HMAC-SHA512), iteration count, salt length, salt, subkey; big-endian.
        Assert.Equal(0x01, hash[0]);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(1)));
        Assert.Equal(210_000u, BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(5)));
    }

    [Theory]
    [InlineData("qwertyuiopasdfgh")]
    [InlineData("1qaz2wsx3edc")]
    [InlineData("PASSWORD1234")]
    public async Task A_common_password_is_refused_whatever_its_length(string password)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var email = $"common.{Guid.NewGuid():N}@example.org";
        var result = await users.CreateAsync(new AppUser { UserName = email, Email = email }, password);
        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Code == "CommonPassword");
        Assert.Null(await users.FindByEmailAsync(email));
    }

    [Fact]
    public async Task Short_passwords_are_refused_and_long_uncommon_ones_accepted_without_composition_rules()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var email = $"length.{Guid.NewGuid():N}@example.org";
        var tooShort = await users.CreateAsync(new AppUser { UserName = email, Email = email }, "Tr0ub4dor&3");
        Assert.Contains(tooShort.Errors, e => e.Code == "PasswordTooShort");
        Assert.True((await users.CreateAsync(new AppUser { UserName = email, Email = email }, "violet kettle harbour")).Succeeded);
    }

    [Fact]
    public async Task Pages_carry_the_security_headers_and_a_policy_without_inline_script()
    {
        using var client = app.Anonymous();
        using var response = await client.GetAsync("/Account/Login");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.DoesNotContain("<script>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_protection_keys_live_in_the_database_so_every_web_instance_shares_sign_ins()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        Assert.True(await TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.data_protection_keys") >= 1);
    }

    [Fact]
    public async Task Script_in_a_venue_name_is_shown_as_text()
    {
        var name = "<script>alert('x')</script> " + TestData.Unique("Academy");
        var area = await TestData.AreaAsync(app.DataSource);
        await using (var c = await app.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("INSERT INTO outreach.venues (kind, name, area_id) VALUES ('school', @name, @area)", new { name, area });
        }
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var page = await client.GetPageAsync("/Venues?search=" + Uri.EscapeDataString(name[30..]));
        Assert.DoesNotContain("<script>alert", page, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(", page, StringComparison.Ordinal);
    }
}
