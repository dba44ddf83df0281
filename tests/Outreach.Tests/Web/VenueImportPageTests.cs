using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Outreach.Bench.VenueImports;
using Outreach.Data.Identity;
using Outreach.Tests.Data;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>
/// The import pages as a coordinator uses them: upload, preview with the bad rows, commit; a large file
/// through the background jobs with a progress endpoint; bad uploads refused beside the file field.
/// </summary>
[Collection("App")]
public sealed partial class VenueImportPageTests(OutreachApp app)
{
    [Fact]
    public async Task Uploading_a_GIAS_file_shows_a_preview_with_the_bad_rows_and_committing_writes_the_good_rows()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var (areaId, la) = await ImportFiles.AuthorityAsync(app.DataSource);
        var good = new[] { ImportFiles.School(la), ImportFiles.School(la) };
        var bad = ImportFiles.School(la) with { Pupils = "lots" };

        using var uploaded = await UploadAsync(client, ImportFiles.Gias(good[0], bad, good[1]), "edubasealldata.csv",
            ("Input.Source", "gias"), ("Input.LaCodes", la));

        var preview = PreviewPath(uploaded);
        var html = await client.GetPageAsync(preview);
        Assert.Contains("What the import will do", html, StringComparison.Ordinal);
        Assert.Contains("2 new schools will be added.", html, StringComparison.Ordinal);
        Assert.Matches(@"<td>3</td>\s*<td>" + bad.Urn + @"</td>\s*<td>[^<]*</td>\s*<td>NumberOfPupils</td>\s*<td>&#x27;lots&#x27; is not a whole number of pupils.</td>", html);
        Assert.Contains("Import 2 schools", html, StringComparison.Ordinal);
        Assert.Equal(0, await VenuesAsync(good.Select(s => s.Urn)));

        using var committed = await client.PostFormAsync(preview, [], action: preview + "?handler=Commit");

        Assert.Equal(HttpStatusCode.Redirect, committed.StatusCode);
        var after = await client.GetPageAsync(preview);
        Assert.Contains("Imported: 2 added, 0 updated, 0 marked closed, 0 unchanged.", after, StringComparison.Ordinal);
        Assert.Equal(2, await VenuesAsync(good.Select(s => s.Urn), areaId));
        Assert.Equal(0, await VenuesAsync([bad.Urn]));

        using var rejects = await client.GetAsync(preview + "?handler=Rejects");
        Assert.Equal(HttpStatusCode.OK, rejects.StatusCode);
        Assert.Equal("text/csv", rejects.Content.Headers.ContentType?.MediaType);
        var csv = await rejects.Content.ReadAsStringAsync();
        Assert.StartsWith("URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName,", csv, StringComparison.Ordinal);
        Assert.Contains(bad.Urn, csv, StringComparison.Ordinal);
        Assert.Contains("'lots' is not a whole number of pupils.", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(good[0].Urn, csv, StringComparison.Ordinal);
    }

    public static readonly TheoryData<string, string> BadUploads = new()
    {
        { "empty", "The file is empty." },
        { "no file", "Choose the CSV file to upload." },
        { "wrong header", "This is not a GIAS establishments file" },
        { "not CSV", "This is not a CSV file: it holds binary data" },
        { "workbook", "This is an Excel workbook" },
    };

    [Theory]
    [MemberData(nameof(BadUploads))]
    public async Task A_bad_upload_is_refused_with_a_message_beside_the_file_field_and_nothing_is_stored(string kind, string message)
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var fileName = TestData.Unique("upload").Replace(' ', '-') + ".csv";
        byte[]? content = kind switch
        {
            "empty" => [],
            "no file" => null,
            "wrong header" => Encoding.UTF8.GetBytes("School,Town\r\nPark School,Birmingham\r\n"),
            "not CSV" => [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0, 0, 13],
            _ => [(byte)'P', (byte)'K', 3, 4, 20, 0, 6, 0],
        };

        using var response = await UploadAsync(client, content, fileName, ("Input.Source", "gias"), ("Input.AllAuthorities", "true"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        FieldMessage.AssertShown(await response.Content.ReadAsStringAsync(), "Input.File", message);
        Assert.Equal(0, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.venue_imports WHERE file_name = @fileName", new { fileName }));
    }

    [Fact]
    public async Task Schools_without_a_local_authority_chosen_are_refused_beside_the_authorities()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var school = ImportFiles.School("401");

        using var none = await UploadAsync(client, ImportFiles.Gias(school), "edubasealldata.csv", ("Input.Source", "gias"));
        using var wrong = await UploadAsync(client, ImportFiles.Gias(school), "edubasealldata.csv",
            ("Input.Source", "gias"), ("Input.OtherLaCodes", "330, 33x"));

        FieldMessage.AssertShown(await none.Content.ReadAsStringAsync(), "Input.LaCodes",
            "Choose at least one local authority, or take every local authority in the file.");
        FieldMessage.AssertShown(await wrong.Content.ReadAsStringAsync(), "Input.OtherLaCodes",
            "Local authority numbers are three digits, such as 330. '33x' is not one.");
        Assert.Equal(0, await VenuesAsync([school.Urn]));
    }

    [Fact]
    public async Task A_large_file_is_checked_and_imported_by_background_jobs_while_the_page_polls_its_progress()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var la = await ImportFiles.LaCodeAsync(app.DataSource);
        var laName = TestData.Unique("Largeshire");
        // Eight-digit URNs, above the range ImportFiles hands out.
        var firstUrn = 10_000_000 + (Random.Shared.Next(0, 8_999) * 10_000);
        var schools = Enumerable.Range(0, 5_200)
            .Select(i => ImportFiles.School(la, urn: (firstUrn + i).ToString(System.Globalization.CultureInfo.InvariantCulture)) with { LaName = laName })
            .ToList();
        var content = ImportFiles.Gias(schools.Select(SyntheticGias.Row));
        Assert.True(content.Length > 2 * 1024 * 1024, "The file must be too large to check during the request.");

        using var uploaded = await UploadAsync(client, content, "edubasealldata-large.csv",
            ("Input.Source", "gias"), ("Input.OtherLaCodes", la));
        var preview = PreviewPath(uploaded);

        var waiting = await client.GetPageAsync(preview);
        Assert.Contains("data-import-progress=\"" + preview + "?handler=Progress\"", waiting, StringComparison.Ordinal);
        Assert.Contains("/js/import-progress.js", waiting, StringComparison.Ordinal);
        var checkedProgress = await ProgressUntilAsync(client, preview, "checked");
        Assert.Equal(("checked", "done", 100), checkedProgress);

        using var commit = await client.PostFormAsync(preview, [], action: preview + "?handler=Commit");
        Assert.Equal(HttpStatusCode.Redirect, commit.StatusCode);
        Assert.Contains("The import is running.", await client.GetPageAsync(preview), StringComparison.Ordinal);
        await ProgressUntilAsync(client, preview, "committed");

        Assert.Equal(5_200, await TestData.CountAsync(app.DataSource, """
            SELECT count(*) FROM outreach.venues v JOIN outreach.areas a ON a.id = v.area_id
            WHERE a.dfe_code = @la AND a.name = @laName
            """, new { la, laName }));
        Assert.Contains("<li>5,200 added</li>", await client.GetPageAsync(preview), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ODS_file_imports_only_the_sites_the_coordinator_marks_as_emergency_departments()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var areaId = await TestData.AreaAsync(app.DataSource);
        string hospital = ImportFiles.SiteCode(), clinic = ImportFiles.SiteCode();
        var content = ImportFiles.Ods(
            ImportFiles.Site(hospital, "HEARTLANDS HOSPITAL", "B9 5SS"),
            ImportFiles.Site(clinic, "WARD END NHS CLINIC", "B8 2HB"));

        using var uploaded = await UploadAsync(client, content, "ets.csv", ("Input.Source", "ods"), ("Input.AreaId", areaId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var preview = PreviewPath(uploaded);
        var html = await client.GetPageAsync(preview);
        Assert.Contains("Heartlands Hospital", html, StringComparison.Ordinal);
        Assert.Contains("Ward End NHS Clinic", html, StringComparison.Ordinal);

        using var committed = await client.PostFormAsync(preview, new()
        {
            ["Sites[0].Line"] = "1", ["Sites[0].IsEmergencyDepartment"] = "true",
            ["Sites[1].Line"] = "2", ["Sites[1].IsEmergencyDepartment"] = "false",
        }, action: preview + "?handler=Commit");

        Assert.Equal(HttpStatusCode.Redirect, committed.StatusCode);
        await using var c = await app.DataSource.OpenConnectionAsync();
        var venues = (await c.QueryAsync<(string OdsCode, string Kind, long AreaId)>(
            "SELECT ods_code, kind, area_id FROM outreach.venues WHERE ods_code = ANY(@codes)",
            new { codes = new[] { hospital, clinic } })).ToList();
        Assert.Equal([(hospital, "emergency_department", areaId)], venues);
    }

    private const long Megabyte = 1024 * 1024;

    [Theory]
    [InlineData("declared well over")]
    [InlineData("declared just over")]
    [InlineData("sent in chunks")]
    public async Task A_file_over_the_upload_limit_is_refused_beside_the_file_field_naming_the_limit_and_nothing_is_stored(string how)
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var limit = OutreachApp.UploadMegabytes;
        var la = await ImportFiles.LaCodeAsync(app.DataSource);
        var fileName = TestData.Unique("too-large").Replace(' ', '-') + ".csv";
        // A good GIAS file, which a larger limit would take: over the request's room for the form (well over), or
        // within it but over the limit for the file itself (just over).
        var size = how == "declared just over" ? (limit * Megabyte) + (Megabyte / 2) : ((limit + 2) * Megabyte) - (64 * 1024);
        await using var file = LargeGiasFile([ImportFiles.School(la)], ImportFiles.School(la), size);

        using var response = await UploadAsync(client, file, fileName, chunked: how == "sent in chunks",
            ("Input.Source", "gias"), ("Input.AllAuthorities", "true"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Venues/Import", response.Headers.Location!.OriginalString);
        FieldMessage.AssertShown(await client.GetPageAsync("/Venues/Import"), "Input.File", how switch
        {
            "declared well over" => $"This file is {limit + 2} MB; the largest file you can upload is {limit} MB.",
            "declared just over" => $"This file is {limit + 1} MB; the largest file you can upload is {limit} MB.",
            _ => $"This file is larger than {limit} MB, the largest file you can upload.",
        });
        // Shown once: the next visit to the page starts clean, and states the limit.
        var again = await client.GetPageAsync("/Venues/Import");
        FieldMessage.AssertNone(again, "Input.File");
        Assert.Contains($"up to {limit} MB.", again, StringComparison.Ordinal);
        Assert.Equal(0, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.venue_imports WHERE file_name = @fileName", new { fileName }));
    }

    [Fact]
    public async Task A_large_upload_is_stored_and_checked_without_the_file_ever_being_held_in_memory()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var la = await ImportFiles.LaCodeAsync(app.DataSource);
        var elsewhere = await ImportFiles.LaCodeAsync(app.DataSource);
        var school = ImportFiles.School(la);
        // Rows of an authority not chosen fill the file and are quick to check.
        await using var file = LargeGiasFile([school], ImportFiles.School(elsewhere), 40 * Megabyte);
        var length = file.Length;

        using var large = await LargeAllocations.WatchAsync(length / 4);
        using var uploaded = await UploadAsync(client, file, "edubasealldata-40mb.csv", chunked: false,
            ("Input.Source", "gias"), ("Input.LaCodes", la));
        var preview = PreviewPath(uploaded);
        await ProgressUntilAsync(client, preview, "checked");
        var seen = await large.StopAsync();

        Assert.True(seen.Count == 0, $"Objects of a quarter of the file or more: {string.Join(", ", seen.Select(o => $"{o.Type} of {o.Bytes:N0} bytes"))}");
        var id = long.Parse(preview[(preview.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        await using var c = await app.DataSource.OpenConnectionAsync();
        var stored = await c.QuerySingleAsync<(long FileSize, long Stored, int RowsGood, int RowsElsewhere)>(
            "SELECT file_size, octet_length(content)::bigint AS stored, rows_good, rows_elsewhere FROM outreach.venue_imports WHERE id = @id", new { id });
        Assert.Equal((length, length, 1), (stored.FileSize, stored.Stored, stored.RowsGood));
        Assert.True(stored.RowsElsewhere > 20_000, $"{stored.RowsElsewhere} rows of the other authority");
        using var discarded = await client.PostFormAsync(preview, [], action: preview + "?handler=Discard");
        Assert.Equal(HttpStatusCode.Redirect, discarded.StatusCode);
    }

    /// <summary>
    /// A GIAS file in a temporary file (deleted when closed): <paramref name="schools"/>, then copies of
    /// <paramref name="filler"/> up to <paramref name="bytes"/>.
    /// </summary>
    private static FileStream LargeGiasFile(GiasSchool[] schools, GiasSchool filler, long bytes)
    {
        var start = ImportFiles.Gias(schools);
        var row = ImportFiles.Gias([.. schools, filler])[start.Length..];
        var file = new FileStream(Path.Combine(Path.GetTempPath(), Path.GetRandomFileName()), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        file.Write(start);
        while (file.Length + row.Length <= bytes)
        {
            file.Write(row);
        }
        file.Position = 0;
        return file;
    }

    [Theory]
    [InlineData(Roles.YouthWorker)]
    [InlineData(Roles.Commissioner)]
    public async Task Only_coordinators_and_administrators_reach_the_import_pages(string role)
    {
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        var (_, la) = await ImportFiles.AuthorityAsync(app.DataSource);
        using var uploaded = await UploadAsync(coordinator, ImportFiles.Gias(ImportFiles.School(la)), "edubasealldata.csv",
            ("Input.Source", "gias"), ("Input.LaCodes", la));
        var preview = PreviewPath(uploaded);
        using var client = await app.SignedInAsync(role);

        foreach (var path in new[] { "/Venues/Import", preview, preview + "?handler=Progress", preview + "?handler=Rejects" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden
                || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.ToString().Contains("/Account/AccessDenied", StringComparison.Ordinal)),
                $"{path} for {role}: {(int)response.StatusCode}");
        }
    }

    /// <summary>Posts the import form as a browser does: multipart, with the anti-forgery token from the page.</summary>
    private static Task<HttpResponseMessage> UploadAsync(SiteClient client, byte[]? content, string fileName, params (string Name, string Value)[] fields) =>
        UploadAsync(client, content is null ? null : new MemoryStream(content), fileName, chunked: false, fields);

    /// <param name="chunked">Sent in chunks, as a client does that does not say the length up front.</param>
    private static async Task<HttpResponseMessage> UploadAsync(
        SiteClient client, Stream? content, string fileName, bool chunked, params (string Name, string Value)[] fields)
    {
        var page = await client.GetPageAsync("/Venues/Import");
        var token = Token().Match(page);
        Assert.True(token.Success, "No anti-forgery token on the import page");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(WebUtility.HtmlDecode(token.Groups[1].Value)), "__RequestVerificationToken" },
        };
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }
        if (content is not null)
        {
            var file = new StreamContent(content);
            file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            form.Add(file, "Input.File", fileName);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Venues/Import") { Content = form };
        request.Headers.TransferEncodingChunked = chunked;
        return await client.Http.SendAsync(request);
    }

    private static string PreviewPath(HttpResponseMessage uploaded)
    {
        Assert.True(uploaded.StatusCode == HttpStatusCode.Redirect, $"The upload gave HTTP {(int)uploaded.StatusCode}, not a redirect to the preview");
        var location = uploaded.Headers.Location!.OriginalString;
        Assert.Matches("^/Venues/ImportPreview/[0-9]+$", location);
        return location;
    }

    private static async Task<(string Status, string Phase, int Percent)> ProgressUntilAsync(SiteClient client, string preview, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var json = await client.GetPageAsync(preview + "?handler=Progress");
            using var progress = JsonDocument.Parse(json);
            var root = progress.RootElement;
            var now = (root.GetProperty("status").GetString()!, root.GetProperty("phase").GetString()!, root.GetProperty("percent").GetInt32());
            Assert.True(root.GetProperty("error").ValueKind == JsonValueKind.Null, $"The job reported: {root.GetProperty("error")}");
            if (now.Item1 == status)
            {
                return now;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Still {now} after two minutes, waiting for {status}");
            await Task.Delay(250);
        }
    }

    private async Task<long> VenuesAsync(IEnumerable<string> urns, long? areaId = null) =>
        await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.venues WHERE urn = ANY(@urns) AND (@areaId::bigint IS NULL OR area_id = @areaId)",
            new { urns = urns.ToArray(), areaId });

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
