using System.Globalization;
using Dapper;
using Microsoft.Playwright;
using Outreach.Data;
using Outreach.Data.Identity;
using Outreach.Tests.Data;
using Outreach.Tests.Infrastructure;
using static Outreach.Tests.Infrastructure.WorkerProfiles;

namespace Outreach.Tests.Browser;

/// <summary>
/// Scheduling end to end in real Chromium: a coordinator imports the area's schools, plans the A&amp;E weekend
/// nights as a series, auto-fills it with a balanced rota of A&amp;E-trained workers, and sees every night booked on
/// the calendar (awaiting the workers' confirmations).
/// </summary>
[Collection("App")]
public sealed class SchedulingJourneyTests(OutreachApp app)
{
    [Fact]
    public async Task A_coordinator_imports_schools_plans_A_and_E_weekend_nights_auto_fills_them_and_sees_them_staffed_on_the_calendar()
    {
        await using var browser = await BrowserSession.StartAsync(nameof(A_coordinator_imports_schools_plans_A_and_E_weekend_nights_auto_fills_them_and_sees_them_staffed_on_the_calendar));

        // The test's own local authority (its own region, so no other test's workers are candidates), with a DfE
        // number so the GIAS file's schools land in it, an emergency department, and its youth workers.
        var area = await AreaAsync(app.DataSource, UniqueRegion());
        var areaName = await NameOfAsync(app.DataSource, "areas", area);
        var la = await ImportFiles.LaCodeAsync(app.DataSource);
        var hospital = await TestData.VenueAsync(app.DataSource, "emergency_department", area);
        await using var c = await app.DataSource.OpenConnectionAsync();
        await c.ExecuteAsync("UPDATE outreach.areas SET dfe_code = @la WHERE id = @area", new { la, area });
        var aeTrained = await c.ExecuteScalarAsync<long>("SELECT id FROM outreach.skills WHERE name = 'A&E-trained'");
        var trained = new long[3];
        for (var i = 0; i < trained.Length; i++)
        {
            trained[i] = await WorkerAsync(app.DataSource, area);
            await GiveSkillAsync(app.DataSource, trained[i], aeTrained);
        }
        var untrained = await WorkerAsync(app.DataSource, area);
        var schools = Enumerable.Range(0, 3).Select(_ => ImportFiles.School(la, name: TestData.Unique("Journey Academy")) with { LaName = areaName }).ToArray();

        var page = await browser.NewPageAsync(app.BaseUrl);
        await SignInAsync(page, app.Emails[Roles.Coordinator]);

        // Import the area's schools from a GIAS file.
        await page.GotoAsync("/Venues/Import");
        await page.GetByLabel("Schools (GIAS establishments file)").CheckAsync();
        await page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload
        {
            Name = "edubasealldata20270501.csv", MimeType = "text/csv", Buffer = ImportFiles.Gias(schools),
        });
        await page.GetByLabel("Other local authority numbers").FillAsync(la);
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and check" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "What the import will do" })).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(page.Locator("#import-plan")).ToContainTextAsync("3 new schools will be added.");
        await Expect(page.Locator("#authorities")).ToContainTextAsync(areaName);
        await browser.ScreenshotAsync(page, "import-preview");
        await page.GetByRole(AriaRole.Button, new() { Name = "Import 3 schools" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Imported: 3 added");
        Assert.Equal(3, await c.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM outreach.venues WHERE kind = 'school' AND area_id = @area AND urn = ANY(@urns)",
            new { area, urns = schools.Select(s => s.Urn).ToArray() }));

        // A&E every Friday and Saturday night, 18:00 to 02:00, for two weekends, needing an A&E-trained worker.
        var firstFriday = NextFriday();
        var title = TestData.Unique("A&E weekend nights");
        await page.GotoAsync("/Sessions");
        await page.GetByRole(AriaRole.Link, new() { Name = "Plan a recurring series" }).ClickAsync();
        await page.GetByLabel("Venue").SelectOptionAsync(hospital.ToString(CultureInfo.InvariantCulture));
        await page.GetByLabel("Kind").SelectOptionAsync("ae_shift");
        await page.GetByLabel("Title").FillAsync(title);
        await page.GetByLabel("Friday", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Saturday", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Starts at (UK time)").FillAsync("18:00");
        await page.GetByLabel("Ends at (UK time)").FillAsync("02:00");
        await page.GetByLabel("From", new() { Exact = true }).FillAsync(firstFriday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await page.GetByLabel("After a number of occurrences", new() { Exact = false }).CheckAsync();
        await page.GetByLabel("Number of occurrences", new() { Exact = true }).FillAsync("4");
        await page.GetByLabel("A&E-trained", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview occurrences" }).ClickAsync();
        await Expect(page.Locator("#occurrences tbody tr")).ToHaveCountAsync(4);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the series" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The series is planned: 4 sessions.");
        await Expect(page.Locator("#required-skills")).ToContainTextAsync("A&E-trained");

        // Auto-fill it from the first night's page: a preview, then one click books the rota.
        await page.GetByRole(AriaRole.Link, new() { Name = "Auto-fill this series" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Auto-fill a series" })).ToBeVisibleAsync();
        await Expect(page.Locator("#proposal tbody tr")).ToHaveCountAsync(4);
        await Expect(page.Locator("#plan-summary")).ToContainTextAsync("4 sessions need workers. The plan proposes 4 workers for 4 of them.");
        await Expect(page.Locator("#unfillable")).ToHaveCountAsync(0);
        await browser.ScreenshotAsync(page, "auto-fill-preview");
        await page.GetByRole(AriaRole.Button, new() { Name = "Assign 4 workers" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("4 workers assigned to 4 sessions.");
        await Expect(page.Locator("#nothing-to-fill")).ToBeVisibleAsync();
        await browser.ScreenshotAsync(page, "auto-filled");

        var booked = (await c.QueryAsync<(long SessionId, long WorkerId)>("""
            SELECT a.session_id, a.worker_id FROM outreach.assignments a JOIN outreach.sessions s ON s.id = a.session_id
            WHERE s.title = @title AND a.status = 'assigned' ORDER BY s.starts_at
            """, new { title })).ToList();
        Assert.Equal(4, booked.Select(b => b.SessionId).Distinct().Count());
        // Balanced: the first three nights go to three different workers; only A&E-trained workers are booked.
        Assert.Equal(trained.Order(), booked.Take(3).Select(b => b.WorkerId).Order());
        Assert.DoesNotContain(booked, b => b.WorkerId == untrained);

        // The calendar, for the test's area, shows each night with its worker booked, in its week.
        await page.GotoAsync("/Sessions/Calendar");
        await page.GetByLabel("Area", new() { Exact = true }).SelectOptionAsync(area.ToString(CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains($"areaId={area}", StringComparison.Ordinal));
        var sessionIds = booked.Select(b => b.SessionId).Distinct().ToList();
        var weeksAhead = (firstFriday.DayNumber - Monday(Today()).DayNumber) / 7;
        for (var i = 0; i < weeksAhead; i++)
        {
            await page.Locator(".fc-next-button").ClickAsync();
        }
        foreach (var (weekend, nights) in new[] { ("first", sessionIds.Take(2)), ("second", sessionIds.Skip(2)) })
        {
            foreach (var id in nights)
            {
                // Every worker needed is booked (not yet confirmed by text). A night past midnight may be drawn in two
                // pieces; each piece is a link to the session.
                var night = page.Locator($"a.fc-event.session-unconfirmed[href='/Sessions/Details/{id}']").First;
                await Expect(night).ToBeVisibleAsync();
                await Expect(night).ToContainTextAsync("(1/1)");
            }
            await browser.ScreenshotAsync(page, $"calendar-{weekend}-weekend");
            await page.Locator(".fc-next-button").ClickAsync();
        }
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static DateOnly Today() => DateOnly.FromDateTime(UkTime.ToLocal(DateTime.UtcNow));

    private static DateOnly Monday(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    /// <summary>The first Friday after today (UK), so every night of the series is still to come.</summary>
    private static DateOnly NextFriday()
    {
        var day = Today().AddDays(1);
        while (day.DayOfWeek != DayOfWeek.Friday)
        {
            day = day.AddDays(1);
        }
        return day;
    }

    private Task SignInAsync(IPage page, string email) => BrowserSession.SignInAsync(page, app, email);
}
