using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Outreach.Data.Identity;

namespace Outreach.Tests.Infrastructure;

[CollectionDefinition("App")]
public sealed class AppCollection : ICollectionFixture<OutreachApp>;

/// <summary>
/// The whole site on Kestrel (so real Chromium can reach it too), with its in-process Hangfire server,
/// over its own migrated database and the development SMS gateway. One per test run: Hangfire keeps
/// process-wide state, so no second host runs beside it.
/// </summary>
public sealed class OutreachApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Password = "correct horse battery staple";

    private readonly int _port = FreePort();

    public string ConnectionString { get; private set; } = "";

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public Uri BaseUrl => new($"http://localhost:{_port}");

    /// <summary>One signed-in account per role, made at start.</summary>
    public IReadOnlyDictionary<string, string> Emails { get; } = Roles.All.ToDictionary(r => r, r => $"{r.ToLowerInvariant()}@tests.outreach.test");

    public async Task InitializeAsync()
    {
        ConnectionString = await MigratedDatabase.CreateMigratedAsync("app");
        DataSource = NpgsqlDataSource.Create(ConnectionString);
        UseKestrel(_port);
        StartServer();
        foreach (var (role, email) in Emails)
        {
            await CreateUserAsync(email, role);
        }
    }

    public async Task<AppUser> CreateUserAsync(string email, string role, string password = Password)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email };
        var created = await users.CreateAsync(user, password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        return user;
    }

    /// <summary>An HTTP client that does not follow redirects, signed in through the real sign-in form.</summary>
    public async Task<SiteClient> SignedInAsync(string role) => await SignedInAsEmailAsync(Emails[role]);

    public async Task<SiteClient> SignedInAsEmailAsync(string email, string password = Password)
    {
        var client = Anonymous();
        var response = await client.PostFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.True(response.StatusCode == HttpStatusCode.Redirect,
            $"Signing in as {email} gave HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return client;
    }

    // A plain HTTP client over the loopback: the site runs on Kestrel, and the factory's own client
    // follows redirects whatever its options say.
    public SiteClient Anonymous() =>
        new(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = BaseUrl,
        });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Outreach", ConnectionString);
        builder.UseSetting("Demo:Load", "false");
        builder.UseSetting("Jobs:PollInterval", "00:00:00.200");
        builder.UseSetting("Jobs:WorkerCount", "2");
        builder.UseSetting("Site:PublicBaseUrl", BaseUrl.ToString());
        builder.UseSetting("Twilio:AccountSid", "");
        // Every test signs in from 127.0.0.1, many times a minute; the limits themselves are tested apart.
        builder.UseSetting("RateLimits:SignInPerAddressPerMinute", "100000");
        builder.UseSetting("RateLimits:SignInPerAccountPerMinute", "100000");
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await DataSource.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
