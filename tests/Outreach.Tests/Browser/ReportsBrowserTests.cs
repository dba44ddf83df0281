using Dapper;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Outreach.Data.Identity;
using Outreach.Data.Reach;
using Outreach.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Outreach.Tests.Browser;

/// <summary>The commissioner's office reads the charts and their tables in real Chromium and downloads a table as CSV.</summary>
[Collection("App")]
public sealed class ReportsBrowserTests(OutreachApp app)
{
    [Fact]
    public async Task The_commissioner_sees_charts_with_tables_and_downloads_a_suppressed_CSV()
    {
        await using var browser = await BrowserSession.StartAsync(nameof(The_commissioner_sees_charts_with_tables_and_downloads_a_suppressed_CSV));
        var area = await TestData.AreaAsync(app.DataSource);
        var school = await TestData.VenueAsync(app.DataSource, "school", area);
        var today = DateTime.UtcNow.Date;
        var session = await TestData.SessionAsync(app.DataSource, today.AddDays(-2).AddHours(10), TimeSpan.FromHours(1), school, "delivered");
        await using (var c = await app.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("""
                INSERT INTO outreach.session_records (session_id, delivered, count_14_15) VALUES (@session, true, 27);
                INSERT INTO outreach.session_record_referrals (session_id, service, count) VALUES (@session, 'mentoring', 3);
                """, new { session });
        }
        await app.Services.GetRequiredService<ImpactData>().CompileAsync(CompileMode.Incremental, null, CancellationToken.None);

        var page = await browser.NewPageAsync(app.BaseUrl);
        await BrowserSession.SignInAsync(page, app, app.Emails[Roles.Commissioner]);
        await page.GotoAsync($"/Reports?area={area}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Reach and impact", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("#young-people-reached")).ToHaveTextAsync("27");
        // Chart.js drew each chart (it sizes the canvas), and each has its table.
        await Expect(page.Locator("canvas[data-chart]")).ToHaveCountAsync(4);
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('canvas[data-chart]')].every(c => window.Chart && Chart.getChart(c))");
        await Expect(page.Locator("#referrals-table")).ToContainTextAsync("Mentoring");
        await Expect(page.Locator("#referrals-table tbody tr").First.Locator("td")).ToHaveTextAsync("<5");
        await browser.ScreenshotAsync(page, "commissioner-reports");

        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.Locator("#referrals-section").GetByRole(AriaRole.Link, new() { Name = "CSV" }).ClickAsync());
        var path = await download.PathAsync();
        var csv = await File.ReadAllTextAsync(path!);
        Assert.StartsWith("Service,Referrals", csv, StringComparison.Ordinal);
        Assert.Contains("Mentoring,<5", csv, StringComparison.Ordinal);
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);

        var axe = await page.RunAxe();
        var blocking = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.True(blocking.Count == 0, "Serious or critical accessibility violations on /Reports:\n" + string.Join("\n", blocking));

        await page.GotoAsync("/Reports/Archive");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Monthly reports" })).ToBeVisibleAsync();
        var archiveAxe = await page.RunAxe();
        Assert.DoesNotContain(archiveAxe.Violations, v => v.Impact is "serious" or "critical");
        await browser.ScreenshotAsync(page, "report-archive");
    }
}
