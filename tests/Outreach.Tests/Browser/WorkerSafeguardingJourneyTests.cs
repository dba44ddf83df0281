using System.Globalization;
using Microsoft.Playwright;
using Outreach.Data;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;
using static Outreach.Tests.Infrastructure.WorkerProfiles;

namespace Outreach.Tests.Browser;

/// <summary>
/// A coordinator in real Chromium finds a worker they cannot book because the DBS check has lapsed, renews it
/// on the profile, gives them their weekly pattern, and books them from the ranked list.
/// </summary>
[Collection("App")]
public sealed class WorkerSafeguardingJourneyTests(OutreachApp app)
{
    [Fact]
    public async Task A_coordinator_renews_a_lapsed_DBS_check_and_then_books_the_worker_from_the_ranked_list()
    {
        await using var browser = await BrowserSession.StartAsync(nameof(A_coordinator_renews_a_lapsed_DBS_check_and_then_books_the_worker_from_the_ranked_list));
        var region = UniqueRegion();
        var here = await AreaAsync(app.DataSource, region);
        var elsewhere = await AreaAsync(app.DataSource, region);
        var start = DateTime.UtcNow.Date.AddDays(Random.Shared.Next(60, 300)).AddHours(10);
        var session = await TestData.SessionAsync(app.DataSource, start, TimeSpan.FromHours(2), await TestData.VenueAsync(app.DataSource, areaId: here));
        var lapsed = await WorkerAsync(app.DataSource, here);
        var today = DateOnly.FromDateTime(UkTime.ToLocal(DateTime.UtcNow));
        await DbsReviewAsync(app.DataSource, lapsed, today.AddDays(-3));
        var away = await WorkerAsync(app.DataSource, elsewhere);
        var lapsedName = await NameOfAsync(app.DataSource, "youth_workers", lapsed);
        var awayName = await NameOfAsync(app.DataSource, "youth_workers", away);

        var page = await browser.NewPageAsync(app.BaseUrl);
        await SignInAsync(page, app.Emails[Roles.Coordinator]);

        // The session's ranked list says why neither worker is eligible; the lapsed one cannot even be chosen.
        await page.GotoAsync($"/Sessions/Details/{session}");
        await Expect(page.Locator("#no-eligible")).ToContainTextAsync("Nobody is eligible");
        await Expect(page.Locator($"tr[data-worker-id='{lapsed}']")).ToContainTextAsync("DBS check expired on");
        await Expect(page.Locator($"tr[data-worker-id='{away}']")).ToContainTextAsync("Does not cover");
        await Expect(page.Locator($"option[value='{lapsed}']")).ToBeDisabledAsync();
        await browser.ScreenshotAsync(page, "session-reasons");

        // The profile shows the lapsed check; the coordinator records the renewed one.
        await page.Locator($"tr[data-worker-id='{lapsed}']").GetByRole(AriaRole.Link, new() { Name = lapsedName }).ClickAsync();
        await Expect(page.Locator("#dbs-status")).ToContainTextAsync("Expired");
        await browser.ScreenshotAsync(page, "worker-dbs-expired");
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit profile" }).ClickAsync();
        await page.GetByLabel("Issue date").FillAsync(today.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await page.GetByLabel("Next review date").FillAsync(today.AddYears(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await page.GetByLabel("Certificate number").FillAsync("0019 8765 4321");
        await browser.ScreenshotAsync(page, "edit-dbs");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"{lapsedName}'s profile is saved.");
        await Expect(page.Locator("#dbs-status")).ToContainTextAsync("Valid: next review");

        // Weekday mornings only: the session (10:00 to 12:00 UK time on its day) still fits.
        await page.GetByRole(AriaRole.Link, new() { Name = "Availability and leave" }).ClickAsync();
        var local = UkTime.ToLocal(start);
        var weekday = local.DayOfWeek == DayOfWeek.Sunday ? "Sunday" : local.DayOfWeek.ToString();
        await page.GetByLabel(weekday, new() { Exact = true }).FillAsync("08:00-13:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save weekly pattern" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("weekly availability is saved");
        await browser.ScreenshotAsync(page, "availability");

        // Back on the session the worker is eligible and is booked.
        await page.GotoAsync($"/Sessions/Details/{session}");
        await Expect(page.Locator("#eligible-workers")).ToContainTextAsync(lapsedName);
        await page.GetByLabel("Youth worker").SelectOptionAsync(new SelectOptionValue { Label = lapsedName });
        await page.GetByRole(AriaRole.Button, new() { Name = "Assign" }).ClickAsync();
        await Expect(page.Locator("#assignments")).ToContainTextAsync($"{lapsedName} (lead)");
        await Expect(page.Locator($"tr[data-worker-id='{away}']")).ToContainTextAsync(awayName);
        await browser.ScreenshotAsync(page, "worker-booked");

        // Renewed, the worker is no longer on the coordinators' list of checks to renew.
        await page.GotoAsync("/Workers");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Youth workers" })).ToBeVisibleAsync();
        await Expect(page.Locator("#dbs-due", new() { HasTextString = lapsedName })).ToHaveCountAsync(0);
        await browser.ScreenshotAsync(page, "workers-dbs-list");
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private Task SignInAsync(IPage page, string email) => BrowserSession.SignInAsync(page, app, email);
}
