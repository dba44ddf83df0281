using System.Globalization;
using System.Text;
using Dapper;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Outreach.Data;
using Outreach.Data.Identity;
using Outreach.Data.Sessions;
using Outreach.Tests.Data;
using Outreach.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Outreach.Tests.Browser;

/// <summary>
/// Every main page, in real Chromium, as the person who uses it, checked by axe-core: no serious or critical
/// violations. Lesser findings are printed to the test output so they stay visible without failing the build.
/// </summary>
[Collection("App")]
public sealed class AccessibilityTests(OutreachApp app, ITestOutputHelper output)
{
    private static readonly string[] Blocking = ["serious", "critical"];

    private readonly List<string> _blocking = [];

    [Fact]
    public async Task The_sign_in_pages_have_no_serious_or_critical_accessibility_violations()
    {
        await using var browser = await BrowserSession.StartAsync(nameof(The_sign_in_pages_have_no_serious_or_critical_accessibility_violations));
        var page = await browser.NewPageAsync(app.BaseUrl);

        await CheckAsync(page, "/Account/Login");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await CheckAsync(page, null, "sign-in with its validation messages");

        await page.GetByLabel("Email").FillAsync(app.Emails[Roles.Coordinator]);
        await page.GetByLabel("Password").FillAsync(OutreachApp.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/Account/LoginWith2fa", StringComparison.Ordinal));
        await CheckAsync(page, null, "authenticator code");
        await page.GotoAsync("/Account/LoginWithRecoveryCode");
        await CheckAsync(page, null, "recovery code");

        AssertNoBlockingViolations();
    }

    [Fact]
    public async Task The_coordinators_pages_have_no_serious_or_critical_accessibility_violations()
    {
        await using var browser = await BrowserSession.StartAsync(nameof(The_coordinators_pages_have_no_serious_or_critical_accessibility_violations));
        var db = app.DataSource;
        var areaId = await TestData.AreaAsync(db);
        var school = await TestData.VenueAsync(db, "school", areaId);
        var hospital = await TestData.VenueAsync(db, "emergency_department", areaId);
        var (lead, _) = await SchedulingData.BookableWorkerAsync(db);
        var (spare, _) = await SchedulingData.BookableWorkerAsync(db);
        await ExecuteAsync("""
            INSERT INTO outreach.worker_areas (worker_id, area_id) VALUES (@lead, @areaId), (@spare, @areaId);
            INSERT INTO outreach.venue_contacts (venue_id, role, name, job_title, phone)
            VALUES (@school, 'safeguarding_lead', 'Dee Okafor', 'Deputy Head', '+441214642000');
            INSERT INTO outreach.worker_leave (worker_id, first_day, last_day, reason)
            VALUES (@spare, current_date + 200, current_date + 205, 'Annual leave');
            """, new { lead, spare, areaId, school });

        // A session today at 10:00 UK time (so it shows in this week's calendar whatever the hour), staffed by one
        // worker, with another to pick.
        Assert.True(UkTime.TryToUtc(UkTime.ToLocal(DateTime.UtcNow).Date.AddHours(10), out var today10));
        var session = await TestData.SessionAsync(db, today10, TimeSpan.FromMinutes(45), school);
        await TestData.AssignAsync(db, session, lead);
        var series = await app.Services.GetRequiredService<SeriesData>().CreateAsync(new NewSeries(
            hospital, "ae_shift", TestData.Unique("A&E Friday nights"),
            new SeriesPattern(new HashSet<DayOfWeek> { DayOfWeek.Friday }, new TimeOnly(18, 0), new TimeOnly(2, 0),
                DateOnly.FromDateTime(DateTime.UtcNow.AddDays(300)), null, 3),
            2, "Bring the referral cards.", PlanOnClosedDays: true), Actor.System, CancellationToken.None);
        Assert.True(series.Succeeded, string.Join("; ", series.Errors.Select(e => e.Message)));
        var inSeries = series.Value!.SessionIds[1];
        await SchedulingData.ClosedDayAsync(db, DateOnly.FromDateTime(DateTime.UtcNow.AddDays(400)),
            DateOnly.FromDateTime(DateTime.UtcNow.AddDays(401)), TestData.Unique("INSET day"), venueId: school);

        var page = await browser.NewPageAsync(app.BaseUrl);
        await SignInAsync(page, app.Emails[Roles.Coordinator]);
        await CheckAsync(page, "/");

        await CheckAsync(page, "/Sessions");
        await page.GotoAsync("/Sessions/Calendar?areaId=" + areaId.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("#calendar .fc-view")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#calendar .fc-event").First).ToBeVisibleAsync();
        await CheckAsync(page, null, "calendar (week, with a session)");
        await page.GetByRole(AriaRole.Button, new() { Name = "List" }).ClickAsync();
        await Assertions.Expect(page.Locator("#calendar .fc-list")).ToBeVisibleAsync();
        await CheckAsync(page, null, "calendar (list)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Month" }).ClickAsync();
        await Assertions.Expect(page.Locator("#calendar .fc-daygrid")).ToBeVisibleAsync();
        await CheckAsync(page, null, "calendar (month)");
        await browser.ScreenshotAsync(page, "calendar-month");

        await CheckAsync(page, "/Sessions/Create");
        await page.GetByRole(AriaRole.Button, new() { Name = "Plan session" }).ClickAsync();
        await CheckAsync(page, null, "plan a session with its validation messages");
        await CheckAsync(page, $"/Sessions/Details/{session}");
        await CheckAsync(page, "/Sessions/CreateSeries");
        await page.GetByLabel("Venue").SelectOptionAsync(hospital.ToString(CultureInfo.InvariantCulture));
        await page.GetByLabel("Title").FillAsync(TestData.Unique("A&E Saturday nights"));
        await page.GetByLabel("Saturday", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Starts at (UK time)").FillAsync("18:00");
        await page.GetByLabel("Ends at (UK time)").FillAsync("02:00");
        await page.GetByLabel("From", new() { Exact = true }).FillAsync(DateTime.UtcNow.AddDays(320).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await page.GetByLabel("After a number of occurrences", new() { Exact = false }).CheckAsync();
        await page.GetByLabel("Number of occurrences", new() { Exact = true }).FillAsync("4");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview occurrences" }).ClickAsync();
        await Assertions.Expect(page.Locator("#occurrences tbody tr")).ToHaveCountAsync(4);
        await CheckAsync(page, null, "series preview");
        await CheckAsync(page, $"/Sessions/Details/{inSeries}");
        await CheckAsync(page, $"/Sessions/Edit/{inSeries}");
        await CheckAsync(page, $"/Sessions/Cancel/{inSeries}");

        await CheckAsync(page, "/Venues");
        await CheckAsync(page, $"/Venues/Details/{school}");
        await CheckAsync(page, $"/Venues/Edit/{school}");
        await CheckAsync(page, "/Venues/Create");
        await CheckAsync(page, $"/Venues/Contact/{hospital}");
        await CheckAsync(page, "/Venues/Import");
        var tag = "A" + Random.Shared.Next(10_000, 99_999).ToString(CultureInfo.InvariantCulture);
        await page.GetByLabel("Hospital sites (NHS ODS ets.csv)").CheckAsync();
        await page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload
        {
            Name = "ets.csv", MimeType = "text/csv",
            Buffer = ImportFiles.Ods(
                ImportFiles.Site(ImportFiles.SiteCode(), $"AXE GENERAL HOSPITAL {tag}", "B9 5SS"),
                ImportFiles.Site(ImportFiles.SiteCode(), $"NOWHERE HOSPITAL {tag}", "B15")),
        });
        await page.GetByLabel("Area for these sites").SelectOptionAsync(areaId.ToString(CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and check" }).ClickAsync();
        await Assertions.Expect(page.Locator("#sites")).ToContainTextAsync($"Axe General Hospital {tag}", new() { Timeout = 60_000 });
        await CheckAsync(page, null, "import preview");

        await CheckAsync(page, "/Workers");
        await CheckAsync(page, $"/Workers/Details/{spare}");
        await CheckAsync(page, $"/Workers/Edit/{spare}");
        await CheckAsync(page, $"/Workers/Availability/{spare}");
        await CheckAsync(page, "/Workers/Skills");
        await CheckAsync(page, "/Workers/Create");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add youth worker" }).ClickAsync();
        await CheckAsync(page, null, "add a youth worker with its validation messages");

        await CheckAsync(page, "/Messages");
        await CheckAsync(page, "/Messages?status=problems");
        await CheckAsync(page, $"/Messages/Worker/{spare}");
        await CheckAsync(page, "/Messages/Inbox");
        await CheckAsync(page, "/Messages/Compose");
        await CheckAsync(page, $"/Messages/Phone?workerId={spare}");
        await CheckAsync(page, "/ClosedDays");
        await CheckAsync(page, "/ClosedDays/Create");
        await CheckAsync(page, "/Records");
        await CheckAsync(page, "/Account/Security");

        AssertNoBlockingViolations();
    }

    [Fact]
    public async Task A_youth_workers_pages_on_a_phone_have_no_serious_or_critical_accessibility_violations()
    {
        await using var browser = await BrowserSession.StartAsync(nameof(A_youth_workers_pages_on_a_phone_have_no_serious_or_critical_accessibility_violations));
        var email = $"axe-worker-{Guid.NewGuid():N}@tests.outreach.test";
        var user = await app.CreateUserAsync(email, Roles.YouthWorker);
        var worker = await TestData.WorkerAsync(app.DataSource, user.Id);
        var yesterday = DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(-1).AddHours(12), DateTimeKind.Utc);
        var past = await TestData.SessionAsync(app.DataSource, yesterday, TimeSpan.FromHours(1));
        await TestData.AssignAsync(app.DataSource, past, worker);
        var coming = await TestData.SessionAsync(app.DataSource, DateTime.UtcNow.Date.AddDays(Random.Shared.Next(3, 20)).AddHours(10), TimeSpan.FromHours(1));
        await TestData.AssignAsync(app.DataSource, coming, worker);

        var page = await browser.NewPageAsync(app.BaseUrl, phone: true);
        await SignInAsync(page, email);
        await CheckAsync(page, "/Records", "my sessions");
        await page.GetByRole(AriaRole.Button, new() { Name = "Make my calendar address" }).ClickAsync();
        await CheckAsync(page, null, "my sessions with a new calendar address");
        await CheckAsync(page, $"/Records/Edit?sessionId={past}");
        await page.GetByLabel("14 to 15").FillAsync("-3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save record" }).ClickAsync();
        await CheckAsync(page, null, "the record form with its validation messages");
        await browser.ScreenshotAsync(page, "record-form-with-messages");
        await CheckAsync(page, "/Account/Security");
        await CheckAsync(page, "/Account/EnableAuthenticator");

        AssertNoBlockingViolations();
    }

    [Fact]
    public async Task The_commissioners_and_administrators_pages_have_no_serious_or_critical_accessibility_violations()
    {
        await using var browser = await BrowserSession.StartAsync(nameof(The_commissioners_and_administrators_pages_have_no_serious_or_critical_accessibility_violations));
        var commissioner = await browser.NewPageAsync(app.BaseUrl);
        await SignInAsync(commissioner, app.Emails[Roles.Commissioner]);
        await CheckAsync(commissioner, "/Reports", "reach");
        await CheckAsync(commissioner, "/Account/EnableAuthenticator");

        var admin = await browser.NewPageAsync(app.BaseUrl);
        await SignInAsync(admin, app.Emails[Roles.Administrator]);
        await CheckAsync(admin, "/Admin");
        await CheckAsync(admin, "/Admin/ApiKeys");
        await admin.GetByLabel("Name").FillAsync(TestData.Unique("Axe check key"));
        await admin.GetByRole(AriaRole.Button, new() { Name = "Make a key" }).ClickAsync();
        await Assertions.Expect(admin.Locator("#new-key")).ToBeVisibleAsync();
        await CheckAsync(admin, null, "API keys with a new key shown once");
        await CheckAsync(admin, "/Admin/Audit");
        await CheckAsync(admin, "/Admin/Audit?entity=session");
        await CheckAsync(admin, "/Account/Security");

        AssertNoBlockingViolations();
    }

    /// <summary>Goes to <paramref name="path"/> (or stays, when null), runs axe and keeps what it finds.</summary>
    private async Task CheckAsync(IPage page, string? path, string? name = null)
    {
        if (path is not null)
        {
            var response = await page.GotoAsync(path);
            Assert.True(response?.Ok == true, $"{path} answered HTTP {response?.Status}");
        }
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var label = name ?? path ?? page.Url;
        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = await page.RunAxe();
        foreach (var violation in result.Violations)
        {
            var text = Describe(label, violation);
            if (Blocking.Contains(violation.Impact))
            {
                _blocking.Add(text);
            }
            else
            {
                output.WriteLine($"(not blocking) {text}");
            }
        }
        output.WriteLine($"{label}: {result.Violations.Length} violation(s), {result.Passes.Length} rule(s) passed ({started.ElapsedMilliseconds} ms)");
    }

    private void AssertNoBlockingViolations() =>
        Assert.True(_blocking.Count == 0, "Serious or critical accessibility violations:\n" + string.Join("\n", _blocking));

    private static string Describe(string page, AxeResultItem violation)
    {
        var text = new StringBuilder($"{page}: [{violation.Impact}] {violation.Id}: {violation.Help}");
        foreach (var node in violation.Nodes.Take(5))
        {
            var why = string.Join("; ", (node.Any ?? []).Concat(node.All ?? []).Concat(node.None ?? []).Select(c => c.Message));
            text.Append(CultureInfo.InvariantCulture, $"\n    {node.Target} {node.Html} -- {why}");
        }
        if (violation.Nodes.Length > 5)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n    ... and {violation.Nodes.Length - 5} more");
        }
        return text.ToString();
    }

    private Task SignInAsync(IPage page, string email) => BrowserSession.SignInAsync(page, app, email);

    private async Task ExecuteAsync(string sql, object args)
    {
        await using var connection = await app.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, args);
    }
}
