using System.Globalization;
using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Outreach.Tests.Browser;

/// <summary>
/// A youth worker records a session and an A&amp;E engagement on a phone-sized screen in real Chromium, and a
/// coordinator reads the safeguarding concern; axe-core checks every page on the way (no serious or critical findings).
/// </summary>
[Collection("App")]
public sealed class RecordingJourneyTests(OutreachApp app, ITestOutputHelper output)
{
    private static readonly string[] Blocking = ["serious", "critical"];

    private readonly List<string> _blocking = [];

    [Fact]
    public async Task A_youth_worker_records_a_session_and_an_engagement_on_a_phone_and_a_coordinator_reads_the_concern()
    {
        await using var browser = await BrowserSession.StartAsync(nameof(A_youth_worker_records_a_session_and_an_engagement_on_a_phone_and_a_coordinator_reads_the_concern));
        var email = $"phone-recorder-{Guid.NewGuid():N}@tests.outreach.test";
        var user = await app.CreateUserAsync(email, Roles.YouthWorker);
        var worker = await TestData.WorkerAsync(app.DataSource, user.Id);
        var yesterday = DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(-1).AddHours(12), DateTimeKind.Utc);
        var session = await TestData.SessionAsync(app.DataSource, yesterday, TimeSpan.FromHours(1));
        await TestData.AssignAsync(app.DataSource, session, worker);
        var shift = await RecordingData.AeShiftAsync(app.DataSource, DateTime.UtcNow.AddHours(-3), TimeSpan.FromHours(8));
        await TestData.AssignAsync(app.DataSource, shift, worker);
        var topic = await RecordingData.ScalarAsync<string>(app.DataSource, "SELECT name FROM outreach.record_topics WHERE active ORDER BY id LIMIT 1");
        var concern = TestData.Unique("Pupil said they were threatened on the way home");

        var page = await browser.NewPageAsync(app.BaseUrl, phone: true);
        await BrowserSession.SignInAsync(page, app, email);
        await CheckAsync(page, "/Records", "my sessions");
        await page.GotoAsync($"/Records/Edit?sessionId={session}");
        await page.GetByLabel("11 to 13").FillAsync("21");
        await page.GetByLabel("14 to 15").FillAsync("7");
        await page.GetByLabel(topic).CheckAsync();
        await page.GetByLabel("Mentoring").FillAsync("1");
        await page.GetByText("Optional: counts by gender and year group").ClickAsync();
        await page.GetByLabel("Female").FillAsync("20");
        await page.GetByLabel("Male", new() { Exact = true }).FillAsync("20");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save record" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-valmsg-for='Input.CountFemale']")).ToContainTextAsync("more than the 28 young people");
        await CheckAsync(page, null, "the record form with its messages");
        await browser.ScreenshotAsync(page, "record-form-with-messages");

        await page.GetByLabel("Male", new() { Exact = true }).FillAsync("8");
        // Both optional sections stay open after a refusal, so the worker sees what to fix.
        await page.Locator("#Input_Surveys_0__BeforeMean").FillAsync("2.6");
        await page.Locator("#Input_Surveys_0__BeforeN").FillAsync("26");
        await page.Locator("#Input_Surveys_0__AfterMean").FillAsync("3.8");
        await page.Locator("#Input_Surveys_0__AfterN").FillAsync("25");
        await page.GetByLabel("Raise a safeguarding concern").CheckAsync();
        await page.GetByLabel("What happened (for the coordinators only)").FillAsync(concern);
        await browser.ScreenshotAsync(page, "record-form-filled");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save record" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("Recorded: 28 young people reached");
        await Assertions.Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("Your safeguarding concern has gone to the coordinators");
        await browser.ScreenshotAsync(page, "recorded");
        await CheckAsync(page, $"/Records/Edit?sessionId={session}", "a saved record with a concern");
        await Assertions.Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("You raised a safeguarding concern");
        Assert.DoesNotContain(concern, await page.ContentAsync(), StringComparison.Ordinal);

        await CheckAsync(page, $"/Engagements/Create?sessionId={shift}", "record an engagement");
        await page.GetByLabel("Age band").SelectOptionAsync("16_17");
        await page.GetByLabel("Why they came to A&E").SelectOptionAsync("knife");
        await page.GetByLabel("Referred by").SelectOptionAsync("ed_staff");
        await page.GetByLabel("They consent to support and follow-up").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Record engagement" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("Their reference is AE-");
        await CheckAsync(page, null, "an engagement");
        await browser.ScreenshotAsync(page, "engagement");
        await CheckAsync(page, "/Engagements", "engagements");
        await CheckAsync(page, "/Engagements/FollowUps", "follow-ups due");

        var coordinator = await browser.NewPageAsync(app.BaseUrl);
        await BrowserSession.SignInAsync(coordinator, app, app.Emails[Roles.Coordinator]);
        await CheckAsync(coordinator, "/Safeguarding", "safeguarding concerns");
        var id = await RecordingData.ScalarAsync<long>(app.DataSource, "SELECT id FROM outreach.safeguarding_concerns WHERE session_id = @session", new { session });
        await CheckAsync(coordinator, $"/Safeguarding/Details/{id}", "a safeguarding concern");
        await Assertions.Expect(coordinator.GetByRole(AriaRole.Main)).ToContainTextAsync(concern);
        await CheckAsync(coordinator, "/Records", "missing records");
        await CheckAsync(coordinator, "/", "dashboard");

        var admin = await browser.NewPageAsync(app.BaseUrl);
        await BrowserSession.SignInAsync(admin, app, app.Emails[Roles.Administrator]);
        await CheckAsync(admin, "/Admin/Topics", "topics and survey questions");

        Assert.True(_blocking.Count == 0, "Serious or critical accessibility violations:\n" + string.Join("\n", _blocking));
    }

    private async Task CheckAsync(IPage page, string? path, string name)
    {
        if (path is not null)
        {
            var response = await page.GotoAsync(path);
            Assert.True(response?.Ok == true, $"{path} answered HTTP {response?.Status}");
        }
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var result = await page.RunAxe();
        foreach (var violation in result.Violations)
        {
            var text = new StringBuilder($"{name}: [{violation.Impact}] {violation.Id}: {violation.Help}");
            foreach (var node in violation.Nodes.Take(5))
            {
                text.Append(CultureInfo.InvariantCulture, $"\n    {node.Target} {node.Html}");
            }
            if (Blocking.Contains(violation.Impact))
            {
                _blocking.Add(text.ToString());
            }
            else
            {
                output.WriteLine($"(not blocking) {text}");
            }
        }
        output.WriteLine($"{name}: {result.Violations.Length} violation(s)");
    }
}
