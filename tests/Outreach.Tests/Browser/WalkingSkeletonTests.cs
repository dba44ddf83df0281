using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Playwright;
using Outreach.Data;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Browser;

/// <summary>
/// The whole mission once, through the site in real Chromium: plan, staff, remind by SMS, record,
/// compile, report.
/// </summary>
[Collection("App")]
public sealed partial class WalkingSkeletonTests(OutreachApp app)
{
    [Fact]
    public async Task A_session_is_planned_staffed_reminded_recorded_compiled_and_reported()
    {
        await using var browser = await BrowserSession.StartAsync(nameof(A_session_is_planned_staffed_reminded_recorded_compiled_and_reported));
        var areaName = await AreaAsync();
        var school = TestData.Unique("Perry Beeches Academy");
        var workerName = TestData.Unique("Amara Okafor");
        var workerEmail = $"amara.{Guid.NewGuid():N}@example.org";
        var mobileNational = "0" + TestData.Mobile()[3..];
        var title = TestData.Unique("Knife crime awareness assembly");

        // The coordinator adds a school and a youth worker, plans a session and assigns the worker.
        var coordinator = await browser.NewPageAsync(app.BaseUrl);
        await SignInAsync(coordinator, app.Emails[Roles.Coordinator], OutreachApp.Password);
        await browser.ScreenshotAsync(coordinator, "coordinator-dashboard");

        await coordinator.GotoAsync("/Venues/Create");
        await coordinator.GetByLabel("Kind").SelectOptionAsync("school");
        await coordinator.GetByLabel("Name").FillAsync(school);
        await coordinator.GetByLabel("Area (local authority)").SelectOptionAsync(new SelectOptionValue { Label = areaName });
        await coordinator.GetByLabel("Postcode").FillAsync("b42 1ps");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Add venue" }).ClickAsync();
        await Expect(coordinator.GetByRole(AriaRole.Status)).ToContainTextAsync($"{school} was added.");

        await coordinator.GotoAsync("/Workers/Create");
        await coordinator.GetByLabel("Full name").FillAsync(workerName);
        await coordinator.GetByLabel("Mobile number").FillAsync("0121 496 0000");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Add youth worker" }).ClickAsync();
        await Expect(coordinator.Locator("[data-valmsg-for='Input.Mobile']")).ToContainTextAsync("not a mobile number");
        await browser.ScreenshotAsync(coordinator, "landline-refused");
        await coordinator.GetByLabel("Mobile number").FillAsync(mobileNational);
        await coordinator.GetByLabel("Email (for signing in)").FillAsync(workerEmail);
        await coordinator.GetByLabel(areaName, new() { Exact = true }).CheckAsync();
        await coordinator.GetByLabel("Type of check").SelectOptionAsync("enhanced_barred");
        await coordinator.GetByLabel("Certificate number").FillAsync("001234567890");
        await coordinator.GetByLabel("Issue date").FillAsync(DateTime.UtcNow.AddYears(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await coordinator.GetByLabel("Next review date").FillAsync(DateTime.UtcNow.AddYears(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Add youth worker" }).ClickAsync();
        await Expect(coordinator.GetByRole(AriaRole.Status)).ToContainTextAsync("sent a text with a link");

        var start = NextWholeHourUk(hoursAhead: 3);
        await coordinator.GotoAsync("/Sessions/Create");
        await coordinator.GetByLabel("Venue").SelectOptionAsync(new SelectOptionValue { Label = $"{school} ({areaName})" });
        await coordinator.GetByLabel("Kind").SelectOptionAsync("assembly");
        await coordinator.GetByLabel("Title").FillAsync(title);
        await coordinator.GetByLabel("Starts (UK time)").FillAsync(start.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
        await coordinator.GetByLabel("Ends (UK time)").FillAsync(start.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
        await coordinator.GetByLabel("Expected audience").FillAsync("180");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Plan session" }).ClickAsync();
        await Expect(coordinator.GetByRole(AriaRole.Heading, new() { Name = title })).ToBeVisibleAsync();

        await coordinator.GetByLabel("Youth worker").SelectOptionAsync(new SelectOptionValue { Label = workerName });
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Assign" }).ClickAsync();
        await Expect(coordinator.Locator("#assignments")).ToContainTextAsync($"{workerName} (lead)");
        await browser.ScreenshotAsync(coordinator, "session-staffed");
        var sessionId = long.Parse(SessionIdInUrl().Match(coordinator.Url).Groups[1].Value, CultureInfo.InvariantCulture);

        // Hangfire sends the reminder (the session is within the 24-hour lead time) through the development gateway.
        var e164 = "+44" + mobileNational[1..];
        await EventuallyAsync(coordinator, "/Messages", $"#dev-messages tr:has-text('Outreach reminder: {title}')");
        await browser.ScreenshotAsync(coordinator, "reminder-sent");
        Assert.Equal(1, await QuerySingleAsync<int>(
            "SELECT count(*)::int FROM outreach.sms_outbox WHERE session_id = @sessionId AND purpose = 'reminder' AND status = 'sent' AND to_e164 = @e164",
            new { sessionId, e164 }));

        // The invitation text carries the worker's link to set a password. The log hides it from the coordinator;
        // only the worker's phone (here the development phone) shows it.
        var logged = await coordinator.Locator("#dev-messages tr", new() { HasTextString = "Welcome to Outreach" }).Last.InnerTextAsync();
        Assert.Contains(Outreach.Data.Messages.SmsText.HiddenLink, logged, StringComparison.Ordinal);
        Assert.DoesNotContain("Activate?user=", logged, StringComparison.Ordinal);
        var workerId = await QuerySingleAsync<long>("SELECT id FROM outreach.youth_workers WHERE mobile_e164 = @e164", new { e164 });
        await coordinator.GotoAsync($"/Messages/Phone?workerId={workerId}");
        var invitation = await coordinator.Locator(".to-worker", new() { HasTextString = "Welcome to Outreach" }).Last.InnerTextAsync();
        var link = ActivationLink().Match(invitation).Value;
        Assert.False(string.IsNullOrEmpty(link), invitation);

        // Time passes: the session has now happened.
        await ExecuteAsync(
            "UPDATE outreach.sessions SET starts_at = now() - interval '2 hours', ends_at = now() - interval '1 hour' WHERE id = @sessionId",
            new { sessionId });

        // The worker sets a password from the link, signs in on a phone and records attendance.
        var worker = await browser.NewPageAsync(app.BaseUrl, phone: true);
        await worker.GotoAsync(link);
        await worker.GetByLabel("New password", new() { Exact = true }).FillAsync("river lantern copper meadow");
        await worker.GetByLabel("New password again").FillAsync("river lantern copper meadow");
        await worker.GetByRole(AriaRole.Button, new() { Name = "Set password" }).ClickAsync();
        await SignInAsync(worker, workerEmail, "river lantern copper meadow");
        await Expect(worker.GetByRole(AriaRole.Heading, new() { Name = "My sessions" })).ToBeVisibleAsync();
        await browser.ScreenshotAsync(worker, "worker-my-sessions");
        await worker.Locator(".list-group-item", new() { HasTextString = title })
            .GetByRole(AriaRole.Link, new() { Name = "Record attendance" }).ClickAsync();
        await worker.GetByLabel("14 to 15").FillAsync("20");
        await worker.GetByLabel("16 to 17").FillAsync("12");
        await browser.ScreenshotAsync(worker, "worker-recording");
        await worker.GetByRole(AriaRole.Button, new() { Name = "Save record" }).ClickAsync();
        await Expect(worker.GetByRole(AriaRole.Status)).ToContainTextAsync("Recorded: 32 young people reached.");

        // An administrator compiles the reach figures on demand.
        var admin = await browser.NewPageAsync(app.BaseUrl);
        await SignInAsync(admin, app.Emails[Roles.Administrator], OutreachApp.Password);
        await admin.GotoAsync("/Admin");
        var runsBefore = await admin.Locator("#compile-runs tbody tr").CountAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Compile reach figures now" }).ClickAsync();
        for (var i = 0; i < 100 && await admin.Locator("#compile-runs tbody tr").CountAsync() <= runsBefore; i++)
        {
            await Task.Delay(200);
            await admin.ReloadAsync();
        }
        // The page follows the queued run and reloads when it has finished: the run then shows its finishing time.
        await Expect(admin.Locator("#compile-runs tbody tr").First.Locator("td").Nth(1)).ToHaveTextAsync(
            new System.Text.RegularExpressions.Regex(@"^\d\d:\d\d:\d\d$"));
        await browser.ScreenshotAsync(admin, "compiled");

        // The commissioner's office sees the session delivered and the young people reached.
        var expected = await QuerySingleAsync<(long Sessions, long People)>("""
            SELECT coalesce(sum(sessions_delivered), 0)::bigint, coalesce(sum(young_people_reached), 0)::bigint
            FROM outreach.reach_monthly
            WHERE month BETWEEN date_trunc('month', now() AT TIME ZONE 'Europe/London') - interval '11 months'
                            AND date_trunc('month', now() AT TIME ZONE 'Europe/London')
            """);
        Assert.True(expected.People >= 32, $"compiled young people reached: {expected.People}");
        var commissioner = await browser.NewPageAsync(app.BaseUrl);
        await SignInAsync(commissioner, app.Emails[Roles.Commissioner], OutreachApp.Password);
        await Expect(commissioner.GetByRole(AriaRole.Heading, new() { Name = "Reach and impact", Level = 1 })).ToBeVisibleAsync();
        await Expect(commissioner.Locator("#young-people-reached")).ToHaveTextAsync(expected.People.ToString("N0", CultureInfo.GetCultureInfo("en-GB")));
        await Expect(commissioner.Locator("#sessions-delivered")).ToHaveTextAsync(
            expected.Sessions is > 0 and < 5 ? "<5" : expected.Sessions.ToString("N0", CultureInfo.GetCultureInfo("en-GB")));
        // All areas show a row per commissioner area; choosing one shows its local authorities.
        await commissioner.GetByLabel("Area", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = areaName });
        await commissioner.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(commissioner.Locator("#areas-table")).ToContainTextAsync(areaName);
        await browser.ScreenshotAsync(commissioner, "commissioner-reach");
    }

    private async Task<T> QuerySingleAsync<T>(string sql, object? args = null)
    {
        await using var connection = await app.DataSource.OpenConnectionAsync();
        return await connection.QuerySingleAsync<T>(sql, args);
    }

    private async Task ExecuteAsync(string sql, object? args = null)
    {
        await using var connection = await app.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, args);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private Task SignInAsync(IPage page, string email, string password) => BrowserSession.SignInAsync(page, app, email, password);

    /// <summary>Reloads <paramref name="path"/> until <paramref name="selector"/> appears (jobs run in the background).</summary>
    private static async Task EventuallyAsync(IPage page, string path, string selector)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await page.GotoAsync(path);
            if (await page.Locator(selector).CountAsync() > 0)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{selector} did not appear on {path} within 30 s");
            await Task.Delay(250);
        }
    }

    private async Task<string> AreaAsync()
    {
        var id = await TestData.AreaAsync(app.DataSource);
        return await QuerySingleAsync<string>("SELECT name FROM outreach.areas WHERE id = @id", new { id });
    }

    private static DateTime NextWholeHourUk(int hoursAhead)
    {
        var local = UkTime.ToLocal(DateTimeOffset.UtcNow.AddHours(hoursAhead));
        return new DateTime(local.Year, local.Month, local.Day, local.Hour, 0, 0, DateTimeKind.Unspecified).AddHours(1);
    }

    [GeneratedRegex(@"/Sessions/Details/(\d+)")]
    private static partial Regex SessionIdInUrl();

    [GeneratedRegex(@"http\S+/Account/Activate\?user=\d+&code=[A-Za-z0-9_-]+")]
    private static partial Regex ActivationLink();
}
