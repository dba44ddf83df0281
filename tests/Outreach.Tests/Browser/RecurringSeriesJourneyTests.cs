using System.Globalization;
using Microsoft.Playwright;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Browser;

/// <summary>
/// A coordinator in real Chromium plans the autumn A&amp;E weekend nights, sees the clock-change night is nine
/// hours long before saving, renames the later nights, and cancels the last one with a reason.
/// </summary>
[Collection("App")]
public sealed class RecurringSeriesJourneyTests(OutreachApp app)
{
    [Fact]
    public async Task A_coordinator_previews_and_creates_an_A_and_E_series_then_changes_and_cancels_later_nights()
    {
        await using var browser = await BrowserSession.StartAsync(nameof(A_coordinator_previews_and_creates_an_A_and_E_series_then_changes_and_cancels_later_nights));
        var hospital = await TestData.VenueAsync(app.DataSource, "emergency_department");
        var title = TestData.Unique("A&E Saturday nights");
        var page = await browser.NewPageAsync(app.BaseUrl);
        await SignInAsync(page, app.Emails[Roles.Coordinator]);

        await page.GotoAsync("/Sessions");
        await page.GetByRole(AriaRole.Link, new() { Name = "Plan a recurring series" }).ClickAsync();
        await page.GetByLabel("Venue").SelectOptionAsync(hospital.ToString(CultureInfo.InvariantCulture));
        await page.GetByLabel("Title").FillAsync(title);
        await page.GetByLabel("Saturday", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Starts at (UK time)").FillAsync("18:00");
        await page.GetByLabel("Ends at (UK time)").FillAsync("02:00");
        await page.GetByLabel("From", new() { Exact = true }).FillAsync("2027-10-16");
        await page.GetByLabel("After a number of occurrences", new() { Exact = false }).CheckAsync();
        await page.GetByLabel("Number of occurrences", new() { Exact = true }).FillAsync("4");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview occurrences" }).ClickAsync();

        var rows = page.Locator("#occurrences tbody tr");
        await Expect(rows).ToHaveCountAsync(4);
        await Expect(rows.Nth(2)).ToContainTextAsync("Sat 30 Oct 2027");
        await Expect(rows.Nth(2)).ToContainTextAsync("9 h");
        await Expect(rows.Nth(3)).ToContainTextAsync("8 h");
        await browser.ScreenshotAsync(page, "series-preview");

        await page.GetByRole(AriaRole.Button, new() { Name = "Create the series" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The series is planned: 4 sessions.");

        // The second night onwards get a new title; the first keeps its own.
        var second = await SessionIdAsync(title, 1);
        await page.GotoAsync($"/Sessions/Details/{second}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit", Exact = true }).ClickAsync();
        await page.GetByLabel("this and the 2 later sessions", new() { Exact = false }).CheckAsync();
        await page.GetByLabel("Title").FillAsync(title + " (paired)");
        await browser.ScreenshotAsync(page, "edit-this-and-following");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("3 sessions are changed.");

        var last = await SessionIdAsync(title + " (paired)", 2);
        await page.GotoAsync($"/Sessions/Details/{last}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Cancel session", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel the session" }).ClickAsync();
        await Expect(page.Locator("[data-valmsg-for='Input.Reason']")).ToContainTextAsync("Give the reason for cancelling");
        await page.GetByLabel("Reason").FillAsync("Hospital team covering that night");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel the session" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The session is cancelled.");
        await browser.ScreenshotAsync(page, "cancelled");
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private async Task<long> SessionIdAsync(string titlePrefix, int index)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        await using var command = c.CreateCommand();
        command.CommandText = "SELECT id FROM outreach.sessions WHERE title LIKE @prefix || '%' ORDER BY starts_at OFFSET @index LIMIT 1";
        command.Parameters.Add(new Npgsql.NpgsqlParameter("prefix", titlePrefix));
        command.Parameters.Add(new Npgsql.NpgsqlParameter("index", index));
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private Task SignInAsync(IPage page, string email) => BrowserSession.SignInAsync(page, app, email);
}
