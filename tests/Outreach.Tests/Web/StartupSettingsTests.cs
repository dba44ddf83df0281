using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Outreach.Tests.Web;

/// <summary>A bad setting stops the site as it starts, with a message that names the setting, before it touches the database.</summary>
public sealed class StartupSettingsTests
{
    [Theory]
    [InlineData("Sms:DailyCap", "-1", "Sms:DailyCap must be a whole number from 0 (no cap) to 10000.")]
    [InlineData("Sms:QuietHoursStart", "9pm", "Sms:QuietHoursStart must be a time like 21:00.")]
    [InlineData("Sms:RosterTime", "25:00", "Sms:RosterTime must be a time like 18:00.")]
    [InlineData("Sms:SendingLease", "00:00:20", "Sms:SendingLease must exceed Sms:RequestTimeout")]
    [InlineData("Site:PublicBaseUrl", "outreach.example.org", "Site:PublicBaseUrl must be an absolute http or https address")]
    [InlineData("Site:KnownProxies", "10.0.0.1, proxy.internal", "Site:KnownProxies: 'proxy.internal' is not an IP address.")]
    [InlineData("Database:MaxConnections", "1", "Database:MaxConnections must be at least 2")]
    [InlineData("Retention:EngagementMonths", "0", "Retention:EngagementMonths must be whole months from 1 to 1200.")]
    [InlineData("Reminders:LeadMinutes:0", "-5", "Reminders:LeadMinutes must be whole minutes from 1 to 40320")]
    [InlineData("Scheduling:TravelBufferMinutes", "-10", "Scheduling:TravelBufferMinutes must be whole minutes from 0 to 1440.")]
    [InlineData("Twilio:FromNumber", "07700 900999", "Twilio:FromNumber must be a number in E.164 form")]
    [InlineData("RateLimits:ApiPerKeyPerMinute", "0", "RateLimits:ApiPerKeyPerMinute must be from 1 to 1000000.")]
    [InlineData("Jobs:WorkerCount", "0", "Jobs:WorkerCount must be from 1 to 256.")]
    [InlineData("Security:DataProtectionCertificateCreate", "true", "Security:DataProtectionCertificateCreate needs Security:DataProtectionCertificate")]
    [InlineData("Demo:Password", "short", "Demo:Password must be at least 12 characters")]
    public void A_bad_setting_stops_the_site_at_start_with_a_message_naming_it(string key, string value, string message)
    {
        using var site = new BadlySetSite(key, value);

        var error = Record.Exception(() => site.Services);

        Assert.NotNull(error);
        var said = Messages(error);
        Assert.True(said.Contains(message, StringComparison.Ordinal), $"The site stopped, but did not say '{message}': {said}");
    }

    [Fact]
    public void The_shipped_settings_pass_their_checks()
    {
        // The same host with a good setting in the key a theory above spoils gets past the checks, so the
        // theory's failures are the bad values' doing. It stops later, at the database nobody listens on.
        using var site = new BadlySetSite("Sms:DailyCap", "20");

        var error = Record.Exception(() => site.Services);

        Assert.DoesNotContain("must be", error is null ? "" : Messages(error), StringComparison.Ordinal);
    }

    private static string Messages(Exception error)
    {
        var messages = new List<string>();
        for (var e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(Messages));
            }
        }
        return string.Join(" | ", messages);
    }

    private sealed class BadlySetSite(string key, string value) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            // Nothing listens on port 1: the checks must stop the site before it ever connects.
            builder.UseSetting("ConnectionStrings:Outreach", "Host=127.0.0.1;Port=1;Database=none;Username=none;Timeout=1");
            builder.UseSetting("Database:MigrateOnStartup", "false");
            builder.UseSetting("Jobs:RunServerInWeb", "false");
            builder.UseSetting(key, value);
        }
    }
}
