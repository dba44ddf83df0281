using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Outreach.Data;
using Outreach.Data.ApiKeys;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;
using Outreach.Web.Infrastructure;
using Xunit.Abstractions;

namespace Outreach.Tests.Web;

/// <summary>
/// Logs are read by operators and shipped to log stores that are not built for personal data: a whole
/// journey through the running site and its jobs is recorded at every level, and no line may carry the
/// worker's name, number, email, a text message's body or a secret.
/// </summary>
[Collection("App")]
public sealed partial class LogHygieneTests(OutreachApp app, ITestOutputHelper output)
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    [Fact]
    public async Task No_log_line_of_a_full_journey_carries_a_name_number_email_message_body_or_secret()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var surname = $"Hygienic{tag}";
        var fullName = $"Imogen {surname}";
        var email = $"imogen.{tag}@hygiene.test";
        var mobile = TestData.Mobile();
        var national = "0" + mobile[3..];
        var workerPassword = $"kettle lantern {tag} meadow";
        var wrongPassword = $"wrong battery {tag} staple";
        var staffEmail = $"hygiene-{tag}@tests.outreach.test";
        var staffPassword = $"orchard {tag} pebble river";
        var venueName = TestData.Unique("Hygiene Academy");

        using var recording = CapturedLogs.Start();

        // A coordinator adds a venue, a worker with an email (who is invited by text), and a session, and assigns the worker.
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        var area = await TestData.AreaAsync(app.DataSource);
        await AssertRedirectAsync(coordinator.PostFormAsync("/Venues/Create", new()
        {
            ["Input.Kind"] = "school", ["Input.Name"] = venueName, ["Input.AreaId"] = Id(area), ["Input.Postcode"] = "B8 2AA",
        }));
        var venue = await ScalarAsync("SELECT id FROM outreach.venues WHERE name = @venueName", new { venueName });

        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, London));
        await AssertRedirectAsync(coordinator.PostFormAsync("/Workers/Create", new()
        {
            ["Input.FullName"] = fullName, ["Input.Mobile"] = national[..5] + " " + national[5..], ["Input.Email"] = email,
            ["Input.HourlyCost"] = "21.50", ["Input.AreaIds"] = Id(area),
            ["Input.Dbs.CheckType"] = "enhanced_barred", ["Input.Dbs.CertificateNumber"] = "0012 3456 7890",
            ["Input.Dbs.IssuedOn"] = today.AddYears(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Input.Dbs.NextReviewOn"] = today.AddYears(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        }));
        var worker = await ScalarAsync("SELECT id FROM outreach.youth_workers WHERE email = @email", new { email });
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM outreach.youth_workers WHERE id = @worker AND mobile_e164 = @mobile", new { worker, mobile }));

        var start = DateTime.UtcNow.AddHours(3);
        using var created = await coordinator.PostFormAsync("/Sessions/Create", new()
        {
            ["Input.VenueId"] = Id(venue), ["Input.Kind"] = "assembly", ["Input.Title"] = $"Knife crime assembly {tag}",
            ["Input.Start"] = Local(start), ["Input.End"] = Local(start.AddHours(1)), ["Input.RequiredWorkers"] = "1",
            ["Input.PlanOnClosedDays"] = "true",
        });
        Assert.True(created.StatusCode == HttpStatusCode.Redirect, ValidationMessages(await created.Content.ReadAsStringAsync()));
        var session = long.Parse(created.Headers.Location!.OriginalString.Split('/')[^1], CultureInfo.InvariantCulture);
        await AssertRedirectAsync(coordinator.PostFormAsync($"/Sessions/Details/{session}",
            new() { ["WorkerId"] = Id(worker) }, action: $"/Sessions/Details/{session}?handler=Assign"));

        // Hangfire sends the invitation and the 24-hour reminder to the development gateway.
        var invitation = await DevelopmentMessageAsync(mobile, "Welcome to Outreach");
        var reminder = await DevelopmentMessageAsync(mobile, "Outreach reminder");
        var link = LinkInText().Match(invitation);
        Assert.True(link.Success, invitation);
        var (userId, code) = (link.Groups["user"].Value, link.Groups["code"].Value);

        // The worker sets a password from the link, gets it wrong once, then signs in.
        using (var newcomer = app.Anonymous())
        {
            var activate = $"/Account/Activate?user={userId}&code={Uri.EscapeDataString(code)}";
            await AssertRedirectAsync(newcomer.PostFormAsync(activate,
                new() { ["Input.Password"] = workerPassword, ["Input.ConfirmPassword"] = workerPassword }));
            using var refused = await newcomer.PostFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = wrongPassword });
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        }
        using (var signedInWorker = await app.SignedInAsEmailAsync(email, workerPassword))
        {
            Assert.Contains($"Knife crime assembly {tag}", await signedInWorker.GetPageAsync("/Records/Index"), StringComparison.Ordinal);
        }

        // A member of staff fails to sign in, then signs in; an API client reads the worker list with its key.
        await app.CreateUserAsync(staffEmail, Roles.Commissioner, staffPassword);
        using (var staff = app.Anonymous())
        {
            using var refused = await staff.PostFormAsync("/Account/Login", new() { ["Input.Email"] = staffEmail, ["Input.Password"] = wrongPassword });
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        }
        (await app.SignedInAsEmailAsync(staffEmail, staffPassword)).Dispose();
        var key = (await app.Services.GetRequiredService<ApiKeyData>()
            .CreateAsync($"Hygiene {tag}", Roles.Coordinator, Actor.System, CancellationToken.None)).Value!;
        using (var api = new HttpClient { BaseAddress = app.BaseUrl })
        {
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            Assert.Contains(surname, await api.GetStringAsync($"/api/v1/workers?search={surname}"), StringComparison.Ordinal);
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key[..^4] + "abcd");
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/workers")).StatusCode);
        }

        var entries = recording.Entries;
        output.WriteLine($"{entries.Count} log entries captured, {entries.Sum(e => e.Values.Count)} structured values.");
        // The recording really saw the site and its jobs (else an empty log would pass).
        Assert.Contains(entries, e => e.Category.StartsWith("Outreach.Jobs.Sms", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Category.StartsWith("Outreach.Web.Infrastructure.SecurityEventLog", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));

        var forbidden = new Dictionary<string, string>
        {
            ["the worker's name"] = fullName, ["the worker's surname"] = surname, ["the worker's email"] = email,
            ["the email's local part"] = email.Split('@')[0],
            ["a member of staff's email"] = staffEmail,
            ["the invitation text"] = invitation, ["the reminder text"] = reminder,
            ["the reminder's wording"] = reminder[..Math.Min(40, reminder.Length)],
            ["the invitation code"] = code,
            ["the worker's password"] = workerPassword, ["a wrong password"] = wrongPassword, ["a staff password"] = staffPassword,
            ["the test accounts' password"] = OutreachApp.Password,
            ["the API key"] = key, ["the API key's secret part"] = key.Split('_')[^1],
        };
        var nationalSignificant = mobile[3..];
        var leaks = new List<string>();
        foreach (var entry in entries)
        {
            foreach (var text in entry.Texts)
            {
                foreach (var (what, value) in forbidden)
                {
                    if (text.Contains(value, StringComparison.OrdinalIgnoreCase))
                    {
                        leaks.Add($"{what} in {entry}  [{Clip(text)}]");
                    }
                }
                // The mobile number in any format: +44 7400 123456, 07400 123456, (07400) 123-456, 447400123456 ...
                if (NumberLike().Matches(text).Any(m => NotDigits().Replace(m.Value, "").Contains(nationalSignificant, StringComparison.Ordinal)))
                {
                    leaks.Add($"the mobile number in {entry}  [{Clip(text)}]");
                }
            }
        }
        Assert.True(leaks.Count == 0, $"{leaks.Count} log lines carry personal data or secrets:\n" + string.Join("\n", leaks.Distinct().Take(40)));
    }

    [Fact]
    public void Request_lines_which_carry_query_strings_stay_out_of_the_logs_even_when_configuration_asks_for_them()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:" + LogHygiene.RequestLines] = "Trace",
        }).Build();
        using var services = new ServiceCollection()
            .AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).KeepRequestLinesOut().AddProvider(CapturedLogs.Provider))
            .BuildServiceProvider();
        var loggers = services.GetRequiredService<ILoggerFactory>();
        using var recording = CapturedLogs.Start();

        Assert.False(loggers.CreateLogger(LogHygiene.RequestLines).IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger(LogHygiene.RequestLines).IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Routing.EndpointMiddleware").IsEnabled(LogLevel.Debug));
    }

    private static string Clip(string text) => text.Length > 300 ? text[..300] + "..." : text;

    private static async Task AssertRedirectAsync(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        Assert.True(response.StatusCode == HttpStatusCode.Redirect,
            $"Expected a redirect, got HTTP {(int)response.StatusCode}: {ValidationMessages(await response.Content.ReadAsStringAsync())}");
    }

    private static string ValidationMessages(string html) =>
        string.Join(" | ", Regex.Matches(html, "field-validation-error[^>]*>([^<]+)<").Select(m => m.Groups[1].Value));

    private async Task<long> ScalarAsync(string sql, object args)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>(sql, args);
    }

    private async Task<string> DevelopmentMessageAsync(string to, string startsWith)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using (var c = await app.DataSource.OpenConnectionAsync())
            {
                var body = await c.ExecuteScalarAsync<string?>(
                    "SELECT body FROM outreach.dev_sms_messages WHERE to_e164 = @to AND body LIKE @prefix ORDER BY id LIMIT 1",
                    new { to, prefix = startsWith + "%" });
                if (body is not null)
                {
                    return body;
                }
            }
            Assert.True(DateTime.UtcNow < deadline, $"No '{startsWith}' text reached the development gateway within 30 seconds.");
            await Task.Delay(200);
        }
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Local(DateTime utc) =>
        TimeZoneInfo.ConvertTimeFromUtc(utc, London).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"/Account/Activate\?user=(?<user>\d+)&code=(?<code>[A-Za-z0-9_\-]+)")]
    private static partial Regex LinkInText();

    [GeneratedRegex(@"\D")]
    private static partial Regex NotDigits();

    [GeneratedRegex(@"[\d\s\-\(\)\+\.]{10,}")]
    private static partial Regex NumberLike();
}
