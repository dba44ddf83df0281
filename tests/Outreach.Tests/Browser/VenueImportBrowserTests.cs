using System.Globalization;
using Microsoft.Playwright;
using Outreach.Bench.VenueImports;
using Outreach.Data.Identity;
using Outreach.Tests.Data;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Browser;

/// <summary>
/// A coordinator imports a GIAS file too large to check while they wait, in real Chromium: the progress
/// bar (wwwroot/js/import-progress.js) turns into the preview by itself; then the import, then the
/// details of one school, its access notes and its safeguarding lead.
/// </summary>
[Collection("App")]
public sealed class VenueImportBrowserTests(OutreachApp app)
{
    [Fact]
    public async Task A_coordinator_imports_schools_watches_the_progress_and_completes_a_school_record()
    {
        await using var browser = await BrowserSession.StartAsync(nameof(A_coordinator_imports_schools_watches_the_progress_and_completes_a_school_record));
        var la = await ImportFiles.LaCodeAsync(app.DataSource);
        var laName = TestData.Unique("Browsershire");
        var firstUrn = 20_000_000 + (Random.Shared.Next(0, 7_999) * 10_000);
        var schools = Enumerable.Range(0, 4_000)
            .Select(i => ImportFiles.School(la, urn: (firstUrn + i).ToString(CultureInfo.InvariantCulture),
                name: $"{TestData.Unique("Browser Academy")}") with { LaName = laName })
            .ToList();
        var rows = schools.Select(SyntheticGias.Row).ToList();
        rows.Insert(10, SyntheticGias.Row(ImportFiles.School(la) with { LaName = laName, Pupils = "lots", Postcode = "B99" }));
        var content = SyntheticGias.ToCsv(rows, SyntheticGias.Windows1252);

        var page = await browser.NewPageAsync(app.BaseUrl);
        await SignInAsync(page, app.Emails[Roles.Coordinator], OutreachApp.Password);
        await page.GotoAsync("/Venues");
        await page.GetByRole(AriaRole.Link, new() { Name = "Import schools or A&E sites" }).ClickAsync();
        await page.GetByLabel("Schools (GIAS establishments file)").CheckAsync();
        await page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload { Name = "edubasealldata20260302.csv", MimeType = "text/csv", Buffer = content });
        await page.GetByLabel("Other local authority numbers").FillAsync(la);
        await browser.ScreenshotAsync(page, "import-form");
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and check" }).ClickAsync();

        // The file is checked by a job; the page polls and shows the preview when it is done.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "What the import will do" }))
            .ToBeVisibleAsync(new() { Timeout = 90_000 });
        await Assertions.Expect(page.Locator("#import-plan")).ToContainTextAsync("4,000 new schools will be added.");
        await Assertions.Expect(page.Locator("#problems")).ToContainTextAsync("'lots' is not a whole number of pupils.");
        await Assertions.Expect(page.Locator("#problems")).ToContainTextAsync("'B99' is not a UK postcode.");
        await Assertions.Expect(page.Locator("#authorities")).ToContainTextAsync($"New area: {laName}");
        await browser.ScreenshotAsync(page, "preview");

        await page.GetByRole(AriaRole.Button, new() { Name = "Import 4,000 schools" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Imported: 4,000 added, 0 updated, 0 marked closed, 0 unchanged.");
        await browser.ScreenshotAsync(page, "imported");

        await page.GotoAsync("/Venues?search=" + Uri.EscapeDataString(schools[0].Name));
        await page.GetByRole(AriaRole.Link, new() { Name = schools[0].Name }).ClickAsync();
        await Assertions.Expect(page.Locator("#venue")).ToContainTextAsync(schools[0].Urn);
        await Assertions.Expect(page.GetByText("No designated safeguarding lead on record for this school.")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await page.GetByLabel("Access notes").FillAsync("Sign in at the Bromford Lane gate; parking behind the sports hall.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.Locator("#access-notes")).ToContainTextAsync("parking behind the sports hall");

        await page.GetByRole(AriaRole.Link, new() { Name = "Add a contact" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync("Dee Okafor");
        await page.GetByLabel("Job title").FillAsync("Deputy Head");
        await page.GetByLabel("Email").FillAsync("dsl@browser-academy.sch.uk");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save contact" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-valmsg-for='Input.Phone']")).ToContainTextAsync("Enter the safeguarding lead's phone number.");
        await page.GetByLabel("Phone").FillAsync("0121 464 2000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save contact" }).ClickAsync();
        await Assertions.Expect(page.Locator("#contacts")).ToContainTextAsync("Designated safeguarding lead");
        await Assertions.Expect(page.Locator("#contacts")).ToContainTextAsync("Dee Okafor, Deputy Head");
        await browser.ScreenshotAsync(page, "school-details");
    }

    [Fact]
    public async Task A_coordinator_imports_hospital_sites_and_marks_the_emergency_departments()
    {
        await using var browser = await BrowserSession.StartAsync(nameof(A_coordinator_imports_hospital_sites_and_marks_the_emergency_departments));
        var areaId = await TestData.AreaAsync(app.DataSource);
        var otherArea = await TestData.AreaAsync(app.DataSource);
        await using var c = await app.DataSource.OpenConnectionAsync();
        var areaNames = (await Dapper.SqlMapper.QueryAsync<(long Id, string Name)>(c,
            "SELECT id, name FROM outreach.areas WHERE id = ANY(@ids)", new { ids = new[] { areaId, otherArea } })).ToDictionary(a => a.Id, a => a.Name);
        var tag = "T" + Random.Shared.Next(10_000, 99_999).ToString(CultureInfo.InvariantCulture);
        string heartlands = ImportFiles.SiteCode(), goodHope = ImportFiles.SiteCode(), clinic = ImportFiles.SiteCode();
        var content = ImportFiles.Ods(
            ImportFiles.Site(heartlands, $"HEARTLANDS HOSPITAL {tag}", "B9 5SS"),
            ImportFiles.Site(goodHope, $"GOOD HOPE HOSPITAL {tag}", "B75 7RR"),
            ImportFiles.Site(clinic, $"WARD END NHS CLINIC {tag}", "B8 2HB"),
            ImportFiles.Site(ImportFiles.SiteCode(), $"NOWHERE HOSPITAL {tag}", "B15"));

        var page = await browser.NewPageAsync(app.BaseUrl);
        await SignInAsync(page, app.Emails[Roles.Coordinator], OutreachApp.Password);
        await page.GotoAsync("/Venues/Import");
        await page.GetByLabel("Hospital sites (NHS ODS ets.csv)").CheckAsync();
        await page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload { Name = "ets.csv", MimeType = "text/csv", Buffer = content });
        await page.GetByLabel("Area for these sites").SelectOptionAsync(new SelectOptionValue { Label = areaNames[areaId] });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and check" }).ClickAsync();

        await Assertions.Expect(page.Locator("#sites")).ToContainTextAsync($"Heartlands Hospital {tag}");
        await Assertions.Expect(page.Locator("#problems")).ToContainTextAsync("'B15' is not a UK postcode.");
        await page.GetByLabel($"Heartlands Hospital {tag} is an emergency department").CheckAsync();
        await page.GetByLabel($"Good Hope Hospital {tag} is an emergency department").CheckAsync();
        await page.GetByLabel($"Area for Good Hope Hospital {tag}").SelectOptionAsync(new SelectOptionValue { Label = areaNames[otherArea] });
        await browser.ScreenshotAsync(page, "sites-marked");
        await page.GetByRole(AriaRole.Button, new() { Name = "Import the marked sites" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Imported: 2 added");
        await browser.ScreenshotAsync(page, "sites-imported");
        var venues = (await Dapper.SqlMapper.QueryAsync<(string OdsCode, long AreaId)>(c,
            "SELECT ods_code, area_id FROM outreach.venues WHERE kind = 'emergency_department' AND ods_code = ANY(@codes) ORDER BY ods_code",
            new { codes = new[] { heartlands, goodHope, clinic } })).ToList();
        Assert.Equal(new[] { (heartlands, areaId), (goodHope, otherArea) }.OrderBy(v => v.Item1, StringComparer.Ordinal), venues);
    }

    [Fact]
    public async Task A_file_over_the_upload_limit_is_refused_in_the_page_before_it_is_sent()
    {
        await using var browser = await BrowserSession.StartAsync(nameof(A_file_over_the_upload_limit_is_refused_in_the_page_before_it_is_sent));
        var limit = OutreachApp.UploadMegabytes;
        var path = Path.Combine(Path.GetTempPath(), $"edubasealldata-{Guid.NewGuid():N}.csv");
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew))
            {
                file.SetLength(((limit + 2) * 1024L * 1024) - (64 * 1024));
            }
            var page = await browser.NewPageAsync(app.BaseUrl);
            await SignInAsync(page, app.Emails[Roles.Coordinator], OutreachApp.Password);
            await page.GotoAsync("/Venues/Import");
            await Assertions.Expect(page.Locator("#file-help")).ToContainTextAsync($"up to {limit} MB.");

            var posts = 0;
            page.Request += (_, request) => posts += request.Method == "POST" ? 1 : 0;

            // Said as soon as the file is chosen, and again on Upload, which then sends nothing.
            await page.GetByLabel("CSV file").SetInputFilesAsync(path);
            var message = page.Locator("[data-valmsg-for='Input.File']");
            await Assertions.Expect(message).ToHaveTextAsync($"This file is {limit + 2} MB; the largest file you can upload is {limit} MB.");
            await page.GetByLabel("Every local authority in the file").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Upload and check" }).ClickAsync();
            await Assertions.Expect(page.GetByLabel("CSV file")).ToBeFocusedAsync();

            await Assertions.Expect(message).ToHaveTextAsync($"This file is {limit + 2} MB; the largest file you can upload is {limit} MB.");
            Assert.Equal(0, posts);
            await browser.ScreenshotAsync(page, "file-too-large");
            Assert.Equal(0, await TestData.CountAsync(app.DataSource,
                "SELECT count(*) FROM outreach.venue_imports WHERE file_name = @name", new { name = Path.GetFileName(path) }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private Task SignInAsync(IPage page, string email, string password) => BrowserSession.SignInAsync(page, app, email, password);
}
