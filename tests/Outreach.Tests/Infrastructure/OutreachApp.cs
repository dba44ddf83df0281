using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
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

    public const string WebhookAuthToken = "test-webhook-auth-token";

    /// <summary>The largest upload the test site takes: below the default, so a test of a larger file sends less.</summary>
    public const int UploadMegabytes = 64;

    private readonly int _port = FreePort();

    public string ConnectionString { get; private set; } = "";

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public Uri BaseUrl => new($"http://localhost:{_port}");

    public string DataProtectionCertificate { get; } = Path.Combine(Path.GetTempPath(), $"outreach-tests-{Guid.NewGuid():N}", "data-protection.pfx");

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

    /// <summary>The site's clock: real time plus an offset a test can move (idle and absolute sign-in expiry).</summary>
    public OffsetClock Clock { get; } = new();

    /// <param name="twoFactor">Whether the user has an authenticator set up; by default staff (who must) do.</param>
    public async Task<AppUser> CreateUserAsync(string email, string role, string password = Password, bool? twoFactor = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email };
        var created = await users.CreateAsync(user, password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        if (twoFactor ?? role is Roles.Administrator or Roles.Coordinator)
        {
            await users.ResetAuthenticatorKeyAsync(user);
            await users.SetTwoFactorEnabledAsync(user, true);
        }
        return user;
    }

    /// <summary>The code the user's authenticator app would show now.</summary>
    public async Task<string> AuthenticatorCodeAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No user {email}");
        var key = await users.GetAuthenticatorKeyAsync(user) ?? throw new InvalidOperationException($"{email} has no authenticator");
        return new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(key)).ComputeTotp(Clock.GetUtcNow().UtcDateTime);
    }

    /// <summary>An HTTP client that does not follow redirects, signed in through the real sign-in form.</summary>
    public async Task<SiteClient> SignedInAsync(string role) => await SignedInAsEmailAsync(Emails[role]);

    public async Task<SiteClient> SignedInAsEmailAsync(string email, string password = Password)
    {
        var client = Anonymous();
        var response = await client.PostFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        if (response.Headers.Location?.ToString().Contains("/Account/LoginWith2fa", StringComparison.Ordinal) == true)
        {
            response = await client.PostFormAsync(response.Headers.Location.ToString(), new() { ["Code"] = await AuthenticatorCodeAsync(email) });
        }
        Assert.True(response.StatusCode == HttpStatusCode.Redirect,
            $"Signing in as {email} gave HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return client;
    }

    // A plain HTTP client over the loopback: the site runs on Kestrel, and the factory's own client
    // follows redirects whatever its options say.
    public SiteClient Anonymous()
    {
        var cookies = new CookieContainer();
        return new(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = cookies })
        {
            BaseAddress = BaseUrl,
        }, cookies);
    }

    /// <summary>Like <see cref="Anonymous"/>, from another loopback address: another person, on another network.</summary>
    public SiteClient AnonymousFrom(IPAddress source)
    {
        var cookies = new CookieContainer();
        return new(new HttpClient(LoopbackSource.Handler(source, allowRedirects: false, cookies: cookies)) { BaseAddress = BaseUrl }, cookies);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Outreach", ConnectionString);
        builder.UseSetting("Demo:Load", "false");
        // What run.sh gives a two-core machine: every test then also shows that no page needs more at once.
        builder.UseSetting("Database:MaxConnections", "8");
        builder.UseSetting("Jobs:PollInterval", "00:00:00.200");
        builder.UseSetting("Jobs:WorkerCount", "2");
        builder.UseSetting("Site:PublicBaseUrl", BaseUrl.ToString());
        builder.UseSetting("Uploads:MaxMegabytes", UploadMegabytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Twilio:AccountSid", "");
        // Sends still go to the development gateway (no account); the token only checks webhook signatures.
        builder.UseSetting("Twilio:AuthToken", WebhookAuthToken);
        // Plain http on loopback: Secure cookies would not come back to HttpClient (tested apart).
        builder.UseSetting("Security:SecureCookies", "false");
        // The site's clock is the real one: without this, a journey run at night would wait for 08:00.
        // Quiet hours and the daily cap are tested with a set clock in Jobs/Sms.
        builder.UseSetting("Sms:QuietHoursStart", "00:00");
        builder.UseSetting("Sms:QuietHoursEnd", "00:00");
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
        // Every test signs in from 127.0.0.1, many times a minute; the limits themselves are tested apart.
        builder.UseSetting("RateLimits:SignInPerAddressPerMinute", "100000");
        // Data-protection keys encrypted at rest with a certificate made for this run, as run.sh does for the demo.
        builder.UseSetting("Security:DataProtectionCertificate", DataProtectionCertificate);
        builder.UseSetting("Security:DataProtectionCertificateCreate", "true");
        // Records nothing until a test opens a recording (log hygiene).
        builder.ConfigureLogging(logging => logging.AddCapturedLogs());
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await DataSource.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(DataProtectionCertificate)!, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Real time, moved by an offset: the App tests run one at a time, so one test may jump ahead and back.</summary>
public sealed class OffsetClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
