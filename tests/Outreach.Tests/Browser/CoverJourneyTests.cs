using System.Globalization;
using Microsoft.Playwright;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static Outreach.Tests.Infrastructure.WorkerProfiles;

namespace Outreach.Tests.Browser;

/// <summary>
/// Replies end to end in real Chromium, offline through the development gateway: a coordinator books a worker, who
/// declines by text; the place goes out as a cover offer; another worker takes it with YES; the session shows them booked.
/// </summary>
[Collection("App")]
public sealed class CoverJourneyTests(OutreachApp app)
{
    [Fact]
    public async Task A_worker_declines_by_text_cover_goes_out_and_the_first_YES_is_booked_on_the_session()
    {
        await using var browser = await BrowserSession.StartAsync(nameof(A_worker_declines_by_text_cover_goes_out_and_the_first_YES_is_booked_on_the_session));
        var area = await AreaAsync(app.DataSource, UniqueRegion());
        var venue = await TestData.VenueAsync(app.DataSource, "school", area);
        // Later today: messages about it are urgent, so they go whatever the hour.
        var session = await TestData.SessionAsync(app.DataSource, DateTime.UtcNow.AddHours(6), TimeSpan.FromHours(1), venue);
        var decliner = await WorkerAsync(app.DataSource, area);
        var cover = await WorkerAsync(app.DataSource, area);
        var declinerName = await NameOfAsync(app.DataSource, "youth_workers", decliner);
        var coverName = await NameOfAsync(app.DataSource, "youth_workers", cover);

        var page = await browser.NewPageAsync(app.BaseUrl);
        await BrowserSession.SignInAsync(page, app, app.Emails[Roles.Coordinator]);

        await page.GotoAsync($"/Sessions/Details/{session}");
        await page.GetByLabel("Youth worker").SelectOptionAsync(decliner.ToString(CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Assign" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"{declinerName} is assigned.");

        // The worker's phone gets "reply YES or NO"; the coordinator replies NO as them.
        await WaitForTextOnPhoneAsync(page, decliner, "Reply YES to confirm or NO if you cannot go.");
        await browser.ScreenshotAsync(page, "asked-to-confirm");
        await page.GetByLabel("Reply as this worker").FillAsync("no");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();
        await Expect(page.Locator("#conversation")).ToContainTextAsync("thanks for letting us know");

        // The place goes out as cover; the other worker takes it.
        await WaitForTextOnPhoneAsync(page, cover, "cover needed for");
        await page.GetByLabel("Reply as this worker").FillAsync("YES");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();
        await Expect(page.Locator("#conversation")).ToContainTextAsync("it's yours");
        await browser.ScreenshotAsync(page, "cover-taken-on-the-phone");

        await page.GotoAsync($"/Sessions/Details/{session}");
        var assignments = page.Locator("#assignments");
        await Expect(assignments.Locator("li", new() { HasText = coverName })).ToContainTextAsync("confirmed");
        await Expect(assignments.Locator("li", new() { HasText = declinerName })).ToContainTextAsync("declined");
        await Expect(page.Locator("#cover-offers")).ToContainTextAsync($"Taken by {coverName}");
        await browser.ScreenshotAsync(page, "session-with-cover");
    }

    /// <summary>Messages leave through the in-process job server; the phone page is reloaded until the text arrives.</summary>
    private static async Task WaitForTextOnPhoneAsync(IPage page, long worker, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await page.GotoAsync($"/Messages/Phone?workerId={worker}");
            var conversation = page.Locator("#conversation");
            if (await conversation.CountAsync() > 0 && (await conversation.InnerTextAsync()).Contains(text, StringComparison.Ordinal))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"The phone never showed \"{text}\": {await page.Locator("main").InnerTextAsync()}");
            await Task.Delay(500);
        }
    }
}
