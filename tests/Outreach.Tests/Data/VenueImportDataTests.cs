using System.Text;
using CsvHelper;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Outreach.Bench.VenueImports;
using Outreach.Data;
using Outreach.Data.Venues;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Data;

/// <summary>
/// Imports of the GIAS schools file and the NHS ODS sites file, straight through the data layer the
/// page and the jobs call: bad rows are reported with line, column and reason, good rows are written in
/// one transaction, a re-import updates by URN or site code, and running any step twice changes nothing.
/// </summary>
[Collection("Database")]
public sealed class VenueImportDataTests(DatabaseFixture db)
{
    private static readonly Actor Coordinator = new(null, "coordinator@tests", "127.0.0.1");

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));

    private VenueImportData Imports => new(db.DataSource, _clock);

    [Fact]
    public async Task A_GIAS_file_with_bad_rows_imports_the_good_rows_and_returns_the_bad_ones_with_line_column_and_reason()
    {
        var (areaId, la) = await ImportFiles.AuthorityAsync(db.DataSource);
        var alpha = ImportFiles.School(la);
        var beta = ImportFiles.School(la);
        var gamma = ImportFiles.School(la, name: "Smith, Jones & \"Partners\" Academy");
        var lots = ImportFiles.School(la) with { Pupils = "lots" };
        var nowhere = ImportFiles.School(la) with { Postcode = "NOT A POSTCODE" };
        var noUrn = ImportFiles.School(la, urn: "");
        var badDate = ImportFiles.School(la) with { Status = "Closed", CloseDate = "31-02-2020" };
        var twice = ImportFiles.School(la, urn: alpha.Urn);
        var content = ImportFiles.Gias(new[]
        {
            SyntheticGias.Row(alpha),            // line 2
            SyntheticGias.Row(lots),             // line 3
            SyntheticGias.Row(nowhere),          // line 4
            SyntheticGias.Row(beta),             // line 5
            SyntheticGias.Row(noUrn),            // line 6
            SyntheticGias.Row(badDate),          // line 7
            SyntheticGias.Row(twice),            // line 8
            SyntheticGias.Row(ImportFiles.School(la))[..10], // line 9: cut short
            SyntheticGias.Row(gamma),            // line 10
        });

        var id = await UploadAndCheckAsync(content, [la]);

        var import = await Imports.GetAsync(id, default);
        Assert.Equal(("checked", 9, 3, 6), (import!.Status, import.RowsRead, import.RowsGood, import.RowsBad));
        var problems = await Imports.ProblemsAsync(id, 100, default);
        AssertProblem(problems, 3, "NumberOfPupils", "'lots' is not a whole number of pupils.");
        AssertProblem(problems, 4, "Postcode", "'NOT A POSTCODE' is not a UK postcode.");
        AssertProblem(problems, 6, "URN", "The URN is missing.");
        AssertProblem(problems, 7, "CloseDate", "'31-02-2020' is not a date in the form DD-MM-YYYY.");
        AssertProblem(problems, 8, "URN", $"URN {alpha.Urn} is also on line 2.");
        AssertProblem(problems, 9, "(whole row)", $"The row has 10 values but the header has {SyntheticGias.Header.Length} columns.");
        Assert.DoesNotContain(problems, p => p.Line is 2 or 5 or 10);

        var committed = await Imports.CommitAsync(id, Coordinator, default);

        Assert.True(committed.Succeeded);
        Assert.Equal(3, committed.Value!.Added);
        await using var c = await db.DataSource.OpenConnectionAsync();
        var written = (await c.QueryAsync<(string Urn, string Name, long AreaId, int? Pupils)>(
            "SELECT urn, name, area_id, pupils FROM outreach.venues WHERE urn = ANY(@urns) ORDER BY name",
            new { urns = new[] { alpha.Urn, beta.Urn, gamma.Urn, lots.Urn, nowhere.Urn, badDate.Urn } })).ToList();
        Assert.Equal(new[] { alpha.Urn, beta.Urn, gamma.Urn }.Order(), written.Select(w => w.Urn).Order());
        Assert.All(written, w => Assert.Equal(areaId, w.AreaId));
        Assert.Contains(written, w => w.Name == "Smith, Jones & \"Partners\" Academy");
        Assert.Equal(850, written.First(w => w.Urn == alpha.Urn).Pupils);

        // The rejected rows come back under the file's own header with the reasons, ready to fix and upload.
        using var rejects = new MemoryStream();
        await Imports.WriteRejectsAsync(id, rejects, default);
        using var reader = CsvReader.Create(rejects.ToArray(), CsvReaderOptions.Default with { Separator = ',' });
        var header = reader.Headers.ToList();
        Assert.Equal([.. SyntheticGias.Header, "Import line", "Import problem columns", "Import problem reasons"], header);
        var rows = new List<string[]>();
        while (reader.Read())
        {
            rows.Add(reader.Current.ToArray());
        }
        Assert.Equal(["3", "4", "6", "7", "8", "9"], rows.Select(r => r[header.IndexOf("Import line")]));
        var lotsRow = rows.Single(r => r[header.IndexOf("Import line")] == "3");
        Assert.Equal("lots", lotsRow[header.IndexOf("NumberOfPupils")]);
        Assert.Equal(lots.Urn, lotsRow[0]);
        Assert.Equal("NumberOfPupils", lotsRow[header.IndexOf("Import problem columns")]);
        Assert.Contains("'lots' is not a whole number", lotsRow[header.IndexOf("Import problem reasons")], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_rejected_rows_file_escapes_values_a_spreadsheet_would_run_as_formulas_and_the_fixed_file_reads_as_first_uploaded()
    {
        var (_, la) = await ImportFiles.AuthorityAsync(db.DataSource);
        var school = ImportFiles.School(la, name: "=HYPERLINK(\"http://example.org\",\"Open\")") with
        {
            Pupils = "lots", Telephone = "+44 121 464 4265", Street = "-1 Bromford Lane", Town = "@Birmingham",
        };
        var id = await UploadAndCheckAsync(ImportFiles.Gias(school), [la]);

        using var rejects = new MemoryStream();
        await Imports.WriteRejectsAsync(id, rejects, default);
        using var reader = CsvReader.Create(rejects.ToArray(), CsvReaderOptions.Default with { Separator = ',' });
        var header = reader.Headers.ToList();
        Assert.True(reader.Read());
        var row = reader.Current.ToArray();
        string Cell(string column) => row[header.IndexOf(column)];
        Assert.Equal("'=HYPERLINK(\"http://example.org\",\"Open\")", Cell("EstablishmentName"));
        Assert.Equal("'+44 121 464 4265", Cell("TelephoneNum"));
        Assert.Equal("'-1 Bromford Lane", Cell("Street"));
        Assert.Equal("'@Birmingham", Cell("Town"));
        Assert.Equal(school.Urn, Cell("URN"));

        // Fixed in a text editor (the escapes stay) and uploaded again: the values are the ones first uploaded.
        var fixedRow = row[..SyntheticGias.Header.Length];
        fixedRow[header.IndexOf("NumberOfPupils")] = "850";
        var result = await ImportAsync(ImportFiles.Gias([fixedRow]), [la]);

        Assert.Equal(1, result.Added);
        await using var c = await db.DataSource.OpenConnectionAsync();
        var venue = await c.QuerySingleAsync<(string Name, string Address, string Phone)>(
            "SELECT name, address, phone FROM outreach.venues WHERE urn = @Urn", school);
        Assert.Equal(school.Name, venue.Name);
        Assert.Equal("-1 Bromford Lane, @Birmingham", venue.Address);
        Assert.Equal("+44 121 464 4265", venue.Phone);
    }

    [Fact]
    public async Task A_reimport_updates_schools_by_URN_and_marks_closed_schools_closed_keeping_their_history()
    {
        var (_, la) = await ImportFiles.AuthorityAsync(db.DataSource);
        var alpha = ImportFiles.School(la, name: TestData.Unique("Alpha School")) with { Pupils = "500" };
        var beta = ImportFiles.School(la);
        await ImportAsync(ImportFiles.Gias(alpha, beta), [la]);
        var alphaId = await VenueIdAsync(alpha.Urn);
        var betaId = await VenueIdAsync(beta.Urn);
        var session = await TestData.SessionAsync(db.DataSource, new DateTime(2025, 6, 3, 9, 0, 0, DateTimeKind.Utc), TimeSpan.FromHours(1), betaId);

        var renamed = alpha with { Name = TestData.Unique("Alpha Academy"), Pupils = "600" };
        var closed = beta with { Status = "Closed", CloseDate = "31-08-2025" };
        var neverKnown = ImportFiles.School(la) with { Status = "Closed", CloseDate = "31-08-2019", Postcode = "" };
        var id = await UploadAndCheckAsync(ImportFiles.Gias(renamed, closed, neverKnown), [la]);
        var plan = await Imports.PlanAsync(id, default);
        Assert.Equal(new ImportPlan(ToAdd: 0, ToRefresh: 1, ToClose: 1, ToSkip: 1, NotMarked: 0), plan);

        var result = (await Imports.CommitAsync(id, Coordinator, default)).Value!;

        Assert.Equal(new CommitResult(Added: 0, Updated: 1, Closed: 1, Unchanged: 0, Skipped: 1, AreasAdded: 0), result);
        await using var c = await db.DataSource.OpenConnectionAsync();
        var a = await c.QuerySingleAsync<(string Name, int Pupils, string Status)>(
            "SELECT name, pupils, status FROM outreach.venues WHERE id = @alphaId", new { alphaId });
        Assert.Equal((renamed.Name, 600, "open"), a);
        var b = await c.QuerySingleAsync<(string Status, DateTime? ClosedOn)>(
            "SELECT status, closed_on::timestamp FROM outreach.venues WHERE id = @betaId", new { betaId });
        Assert.Equal(("closed", new DateTime(2025, 8, 31)), b);
        Assert.Equal(1, await TestData.CountAsync(db.DataSource, "SELECT count(*) FROM outreach.sessions WHERE id = @session AND venue_id = @betaId", new { session, betaId }));
        Assert.Equal(0, await TestData.CountAsync(db.DataSource, "SELECT count(*) FROM outreach.venues WHERE urn = @Urn", neverKnown));
        var closure = await c.QuerySingleAsync<(string Before, string After, string ActorName)>("""
            SELECT before->>'status', after->>'status', actor_name FROM outreach.audit_events
            WHERE entity = 'venue' AND entity_id = @id AND action = 'import-close'
            """, new { id = betaId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal(("open", "closed", Coordinator.Name), closure);

        // The same file again: nothing left to change.
        var again = await ImportAsync(ImportFiles.Gias(renamed, closed, neverKnown), [la]);
        Assert.Equal(new CommitResult(Added: 0, Updated: 0, Closed: 0, Unchanged: 2, Skipped: 1, AreasAdded: 0), again);
    }

    [Fact]
    public async Task A_Windows_1252_file_is_read_with_its_curly_apostrophe_and_a_UTF8_file_with_a_byte_order_mark_too()
    {
        var (_, la) = await ImportFiles.AuthorityAsync(db.DataSource);
        var stMarys = ImportFiles.School(la, name: $"St Mary\u2019s C of E Primary School {Guid.NewGuid():N}"[..48]);
        var cp1252 = ImportFiles.Gias(new[] { SyntheticGias.Row(stMarys) }, SyntheticGias.Windows1252);
        Assert.Contains((byte)0x92, cp1252);

        var id = await UploadAndCheckAsync(cp1252, [la]);
        await Imports.CommitAsync(id, Coordinator, default);

        Assert.Equal("Windows-1252", (await Imports.GetAsync(id, default))!.Encoding);
        Assert.Equal(stMarys.Name, await NameOfAsync(stMarys.Urn));

        var ecole = ImportFiles.School(la, name: $"\u00c9cole Caf\u00e9 \u2013 St Mary\u2019s {Guid.NewGuid():N}"[..40]);
        var utf8 = ImportFiles.Gias(new[] { SyntheticGias.Row(ecole) }, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.Equal([0xEF, 0xBB, 0xBF], utf8[..3]);
        var utf8Id = await UploadAndCheckAsync(utf8, [la]);
        await Imports.CommitAsync(utf8Id, Coordinator, default);

        Assert.Equal("UTF-8", (await Imports.GetAsync(utf8Id, default))!.Encoding);
        Assert.Equal(ecole.Name, await NameOfAsync(ecole.Urn));
    }

    [Fact]
    public async Task Only_the_chosen_local_authorities_are_imported_and_an_unknown_one_becomes_a_new_area()
    {
        var (knownArea, known) = await ImportFiles.AuthorityAsync(db.DataSource);
        var other = await ImportFiles.LaCodeAsync(db.DataSource);
        var unknown = await ImportFiles.LaCodeAsync(db.DataSource);
        var inKnown = ImportFiles.School(known);
        var inOther = ImportFiles.School(other);
        var inUnknown = ImportFiles.School(unknown) with { LaName = TestData.Unique("Newshire"), Region = "North West" };

        var id = await UploadAndCheckAsync(ImportFiles.Gias(inKnown, inOther, inUnknown), [known, unknown]);

        var import = (await Imports.GetAsync(id, default))!;
        Assert.Equal((3, 2, 1), (import.RowsRead, import.RowsGood, import.RowsElsewhere));
        var authorities = await Imports.AuthoritiesAsync(id, default);
        Assert.Equal(knownArea, authorities.Single(a => a.LaCode == known).AreaId);
        Assert.Null(authorities.Single(a => a.LaCode == unknown).AreaId);
        Assert.DoesNotContain(authorities, a => a.LaCode == other);

        var result = (await Imports.CommitAsync(id, Coordinator, default)).Value!;

        Assert.Equal((2, 1), (result.Added, result.AreasAdded));
        await using var c = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(knownArea, await c.ExecuteScalarAsync<long>("SELECT area_id FROM outreach.venues WHERE urn = @Urn", inKnown));
        Assert.Equal(0, await TestData.CountAsync(db.DataSource, "SELECT count(*) FROM outreach.venues WHERE urn = @Urn", inOther));
        var made = await c.QuerySingleAsync<(string Code, string Name, string Region, long Id)>(
            "SELECT code, name, region, id FROM outreach.areas WHERE dfe_code = @unknown", new { unknown });
        Assert.Equal((inUnknown.GssLaCode, inUnknown.LaName, "North West"), (made.Code, made.Name, made.Region));
        Assert.Equal(made.Id, await c.ExecuteScalarAsync<long>("SELECT area_id FROM outreach.venues WHERE urn = @Urn", inUnknown));

        // Next time the authority is known: its schools go into the same area.
        var next = ImportFiles.School(unknown) with { LaName = inUnknown.LaName };
        var again = await ImportAsync(ImportFiles.Gias(next), [unknown]);
        Assert.Equal((1, 0), (again.Added, again.AreasAdded));
        Assert.Equal(made.Id, await c.ExecuteScalarAsync<long>("SELECT area_id FROM outreach.venues WHERE urn = @Urn", next));
    }

    [Fact]
    public async Task An_area_known_only_by_its_ONS_code_takes_the_DfE_number_from_the_file()
    {
        var ons = "E0" + Random.Shared.Next(9_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var la = await ImportFiles.LaCodeAsync(db.DataSource);
        await using var c = await db.DataSource.OpenConnectionAsync();
        var areaId = await c.ExecuteScalarAsync<long>(
            "INSERT INTO outreach.areas (code, name, region) VALUES (@ons, @name, 'West Midlands') RETURNING id",
            new { ons, name = TestData.Unique("Borough") });
        var school = ImportFiles.School(la) with { GssLaCode = ons };

        var result = await ImportAsync(ImportFiles.Gias(school), [la]);

        Assert.Equal((1, 0), (result.Added, result.AreasAdded));
        Assert.Equal(la, await c.ExecuteScalarAsync<string>("SELECT dfe_code FROM outreach.areas WHERE id = @areaId", new { areaId }));
        Assert.Equal(areaId, await c.ExecuteScalarAsync<long>("SELECT area_id FROM outreach.venues WHERE urn = @Urn", school));
    }

    [Fact]
    public async Task Every_local_authority_in_the_file_is_taken_when_none_is_chosen()
    {
        var first = ImportFiles.School(await ImportFiles.LaCodeAsync(db.DataSource));
        var second = ImportFiles.School(await ImportFiles.LaCodeAsync(db.DataSource));

        var result = await ImportAsync(ImportFiles.Gias(first, second), laCodes: null);

        Assert.Equal((2, 2), (result.Added, result.AreasAdded));
    }

    [Theory]
    [InlineData("empty", "The file is empty.")]
    [InlineData("workbook", "This is an Excel workbook")]
    [InlineData("binary", "This is not a CSV file: it holds binary data")]
    [InlineData("wrong header", "This is not a GIAS establishments file: its first line should begin URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName")]
    [InlineData("no postcode column", "The file has no \"Postcode\" column.")]
    [InlineData("header only", "The file has a header row but no schools.")]
    [InlineData("ODS file", "This looks like an NHS ODS file, not a GIAS schools file.")]
    public async Task A_bad_upload_is_refused_with_a_clear_message_and_nothing_is_stored(string kind, string message)
    {
        var content = kind switch
        {
            "empty" => [],
            "workbook" => [(byte)'P', (byte)'K', 3, 4, 20, 0, 6, 0, 8, 0],
            "binary" => [0x89, (byte)'P', (byte)'N', (byte)'G', 0, 0, 0, 13],
            "wrong header" => Encoding.UTF8.GetBytes("Name,Address,Postcode\r\nPark School,1 Park Road,B8 2HB\r\n"),
            "no postcode column" => SyntheticGias.ToCsv([SyntheticGias.Row(ImportFiles.School("330"))[..20]],
                header: SyntheticGias.Header[..20]),
            "header only" => ImportFiles.Gias(Array.Empty<string[]>()),
            _ => ImportFiles.Ods(ImportFiles.Site(ImportFiles.SiteCode(), "PARK HOSPITAL", "B15 2GW")),
        };
        var fileName = TestData.Unique("upload") + ".csv";

        var outcome = await Imports.UploadAsync(new NewImport(ImportSources.Gias, fileName, new MemoryStream(content), ["330"], null), Coordinator, default);

        Assert.False(outcome.Succeeded);
        Assert.Equal("File", outcome.Errors.Single().Field);
        Assert.Contains(message, outcome.Errors.Single().Message, StringComparison.Ordinal);
        Assert.Equal(0, await TestData.CountAsync(db.DataSource, "SELECT count(*) FROM outreach.venue_imports WHERE file_name = @fileName", new { fileName }));
    }

    [Theory]
    [InlineData("a character across a piece boundary", "UTF-8", null)]
    [InlineData("a Windows-1252 byte after the first piece", "Windows-1252", null)]
    [InlineData("a character cut short by the end", "Windows-1252", null)]
    [InlineData("a null character after the first piece", "UTF-8", "This is not a CSV file: it holds binary data, not text.")]
    public async Task A_file_is_looked_at_a_piece_at_a_time_wherever_its_telling_bytes_fall(string kind, string encoding, string? problem)
    {
        // The file is read in pieces of 64 KB: the telling bytes go across or past the first boundary.
        const int Piece = 64 * 1024;
        var content = Enumerable.Repeat((byte)'a', (Piece * 2) + 100).ToArray();
        switch (kind)
        {
            case "a character across a piece boundary":
                "\u20ac"u8.CopyTo(content.AsSpan(Piece - 1));
                "\u00e9"u8.CopyTo(content.AsSpan((Piece * 2) - 1));
                break;
            case "a Windows-1252 byte after the first piece":
                content[Piece + 10] = 0x92;
                break;
            case "a character cut short by the end":
                "\u20ac"u8[..2].CopyTo(content.AsSpan(content.Length - 2));
                break;
            default:
                content[Piece + 10] = 0;
                break;
        }

        var inspection = await ImportFile.InspectAsync(new MemoryStream(content), default);

        Assert.Equal((problem, encoding), (inspection.WhyNotText, ImportFile.EncodingName(inspection.Encoding)));
        if (problem is null)
        {
            Assert.Equal(content.Length, inspection.Length);
        }
    }

    [Fact]
    public async Task An_ODS_file_is_parsed_and_only_the_sites_marked_as_emergency_departments_become_venues()
    {
        var areaId = await TestData.AreaAsync(db.DataSource);
        var otherArea = await TestData.AreaAsync(db.DataSource);
        string queens = ImportFiles.SiteCode(), gone = ImportFiles.SiteCode(), clinic = ImportFiles.SiteCode(), childrens = ImportFiles.SiteCode();
        var content = ImportFiles.Ods(
            ImportFiles.Site(queens, "QUEEN ELIZABETH HOSPITAL BIRMINGHAM", "b15 2gw"),          // line 1
            ImportFiles.Site(gone, "OLD GENERAL HOSPITAL", "B4 6NH", closed: "20200101"),       // line 2
            ImportFiles.Site(ImportFiles.SiteCode(), "NOWHERE HOSPITAL", "B15"),                // line 3
            ImportFiles.Site(ImportFiles.SiteCode(), "EARLY HOSPITAL", "B9 5SS", opened: "2001-04-01"), // line 4
            ["RXX99", "SHORT ROW", "Y60", "QHL", "SOMEWHERE"],                                   // line 5
            ImportFiles.Site(clinic, "SMALL HEATH NHS CLINIC", "B10 0TS"),                       // line 6
            ImportFiles.Site(childrens, "BIRMINGHAM CHILDREN'S HOSPITAL", "B4 6NH"));            // line 7

        var uploaded = await Imports.UploadAsync(new NewImport(ImportSources.Ods, "ets.csv", new MemoryStream(content), null, areaId), Coordinator, default);
        Assert.True(uploaded.Succeeded, string.Join("; ", uploaded.Errors.Select(e => e.Message)));
        var id = uploaded.Value;
        await Imports.CheckAsync(id, default);

        var import = (await Imports.GetAsync(id, default))!;
        Assert.Equal((7, 4, 3), (import.RowsRead, import.RowsGood, import.RowsBad));
        var problems = await Imports.ProblemsAsync(id, 100, default);
        AssertProblem(problems, 3, "Postcode (column 10)", "'B15' is not a UK postcode.");
        AssertProblem(problems, 4, "Open date (column 11)", "'2001-04-01' is not a date in the form YYYYMMDD.");
        AssertProblem(problems, 5, "(whole row)", "The row has 5 values; ets.csv rows have at least 12.");
        var (sites, total) = await Imports.SitesAsync(id, null, false, 0, 50, default);
        Assert.Equal(4, total);
        Assert.All(sites, s => Assert.False(s.IsEmergencyDepartment));
        var line = sites.ToDictionary(s => s.Ref, s => s.Line);

        var marked = await Imports.MarkSitesAsync(id,
            [new SiteMark(line[queens], true, null), new SiteMark(line[gone], true, null), new SiteMark(line[childrens], true, otherArea)], default);
        Assert.True(marked.Succeeded);
        var result = (await Imports.CommitAsync(id, Coordinator, default)).Value!;

        Assert.Equal(new CommitResult(Added: 2, Updated: 0, Closed: 0, Unchanged: 0, Skipped: 2, AreasAdded: 0), result);
        await using var c = await db.DataSource.OpenConnectionAsync();
        var venues = (await c.QueryAsync<(string OdsCode, string Kind, string Name, string Address, string Postcode, long AreaId)>(
            "SELECT ods_code, kind, name, address, postcode, area_id FROM outreach.venues WHERE ods_code = ANY(@codes)",
            new { codes = new[] { queens, gone, clinic, childrens } })).ToDictionary(v => v.OdsCode);
        Assert.Equal(new[] { queens, childrens }.Order(), venues.Keys.Order());
        Assert.Equal(("emergency_department", "Queen Elizabeth Hospital Birmingham", "Metchley Park Road, Edgbaston, Birmingham, West Midlands", "B15 2GW", areaId),
            (venues[queens].Kind, venues[queens].Name, venues[queens].Address, venues[queens].Postcode, venues[queens].AreaId));
        Assert.Equal(("Birmingham Children's Hospital", otherArea), (venues[childrens].Name, venues[childrens].AreaId));

        // Next year's file closes the hospital; the site already on the list is marked for the coordinator.
        var next = ImportFiles.Ods(ImportFiles.Site(queens, "QUEEN ELIZABETH HOSPITAL BIRMINGHAM", "B15 2GW", closed: "20260101"));
        var nextId = (await Imports.UploadAsync(new NewImport(ImportSources.Ods, "ets.csv", new MemoryStream(next), null, null), Coordinator, default)).Value;
        await Imports.CheckAsync(nextId, default);
        var (nextSites, _) = await Imports.SitesAsync(nextId, null, markedOnly: true, 0, 50, default);
        Assert.Equal((queens, true, areaId), (nextSites.Single().Ref, nextSites.Single().IsEmergencyDepartment, nextSites.Single().AreaId));
        var closing = (await Imports.CommitAsync(nextId, Coordinator, default)).Value!;
        Assert.Equal(1, closing.Closed);
        Assert.Equal("closed", await c.ExecuteScalarAsync<string>("SELECT status FROM outreach.venues WHERE ods_code = @queens", new { queens }));
    }

    [Fact]
    public async Task Sites_marked_without_an_area_are_refused_at_commit_and_nothing_is_written()
    {
        var code = ImportFiles.SiteCode();
        var uploaded = await Imports.UploadAsync(
            new NewImport(ImportSources.Ods, "ets.csv", new MemoryStream(ImportFiles.Ods(ImportFiles.Site(code, "LONELY HOSPITAL", "B15 2GW"))), null, null),
            Coordinator, default);
        var id = uploaded.Value;
        await Imports.CheckAsync(id, default);
        var (sites, _) = await Imports.SitesAsync(id, null, false, 0, 10, default);
        await Imports.MarkSitesAsync(id, [new SiteMark(sites.Single().Line, true, null)], default);

        var outcome = await Imports.CommitAsync(id, Coordinator, default);

        Assert.False(outcome.Succeeded);
        Assert.Contains("Choose an area for Lonely Hospital", outcome.Errors.Single().Message, StringComparison.Ordinal);
        Assert.Equal(0, await TestData.CountAsync(db.DataSource, "SELECT count(*) FROM outreach.venues WHERE ods_code = @code", new { code }));
        Assert.Equal("checked", (await Imports.GetAsync(id, default))!.Status);
    }

    [Fact]
    public async Task Checking_or_committing_an_import_twice_writes_nothing_more()
    {
        var (_, la) = await ImportFiles.AuthorityAsync(db.DataSource);
        var school = ImportFiles.School(la);
        var id = await UploadAndCheckAsync(ImportFiles.Gias(school, ImportFiles.School(la) with { Pupils = "many" }), [la]);
        async Task<long> StagedAsync() => await TestData.CountAsync(db.DataSource,
            "SELECT count(*) FROM outreach.venue_import_rows WHERE import_id = @id", new { id });
        async Task<long> AuditedAsync() => await TestData.CountAsync(db.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE entity = 'venue' AND entity_id = (SELECT id::text FROM outreach.venues WHERE urn = @Urn)", school);

        await Imports.CheckAsync(id, default);
        Assert.Equal(2, await StagedAsync());

        var first = await Imports.CommitAsync(id, Coordinator, default);
        var second = await Imports.CommitAsync(id, Coordinator, default);

        Assert.Equal(first.Value, second.Value);
        Assert.Equal(1, first.Value!.Added);
        Assert.Equal(1, await AuditedAsync());
        Assert.Equal(1, await TestData.CountAsync(db.DataSource, "SELECT count(*) FROM outreach.venues WHERE urn = @Urn", school));
        Assert.Equal("committed", (await Imports.GetAsync(id, default))!.Status);
    }

    [Fact]
    public async Task A_commit_handed_to_a_job_is_written_in_the_name_of_the_coordinator_who_asked()
    {
        var (_, la) = await ImportFiles.AuthorityAsync(db.DataSource);
        var school = ImportFiles.School(la);
        var id = await UploadAndCheckAsync(ImportFiles.Gias(school), [la]);
        var asker = new Actor(null, TestData.Unique("coordinator"), "10.0.0.7");

        Assert.True((await Imports.RequestCommitAsync(id, asker, default)).Succeeded);
        Assert.False((await Imports.RequestCommitAsync(id, asker, default)).Succeeded);
        var result = await Imports.CommitAsync(id, actor: null, default);

        Assert.True(result.Succeeded);
        await using var c = await db.DataSource.OpenConnectionAsync();
        var audit = await c.QuerySingleAsync<(string Action, string ActorName, string RemoteIp)>("""
            SELECT action, actor_name, remote_ip FROM outreach.audit_events
            WHERE entity = 'venue' AND entity_id = (SELECT id::text FROM outreach.venues WHERE urn = @Urn)
            """, school);
        Assert.Equal(("import-create", asker.Name, "10.0.0.7"), audit);
        var progress = (await Imports.ProgressAsync(id, default))!;
        Assert.Equal(("committed", "done", 100), (progress.Status, progress.Phase, progress.Percent));
    }

    [Fact]
    public async Task A_discarded_import_cannot_be_committed_and_keeps_no_copy_of_the_file()
    {
        var (_, la) = await ImportFiles.AuthorityAsync(db.DataSource);
        var school = ImportFiles.School(la);
        var id = await UploadAndCheckAsync(ImportFiles.Gias(school), [la]);

        Assert.True(await Imports.DiscardAsync(id, Coordinator, default));
        var outcome = await Imports.CommitAsync(id, Coordinator, default);

        Assert.False(outcome.Succeeded);
        Assert.Equal("This import was discarded.", outcome.Errors.Single().Message);
        Assert.Equal(0, await TestData.CountAsync(db.DataSource, "SELECT count(*) FROM outreach.venues WHERE urn = @Urn", school));
        Assert.Equal(0, await TestData.CountAsync(db.DataSource, "SELECT count(*) FROM outreach.venue_imports WHERE id = @id AND content IS NOT NULL", new { id }));
    }

    private static void AssertProblem(IReadOnlyList<ImportProblem> problems, int line, string column, string reason) =>
        Assert.True(problems.Any(p => p.Line == line && p.ColumnName == column && p.Reason == reason),
            $"No problem ({line}, {column}, {reason}) among: {string.Join(" | ", problems.Select(p => $"{p.Line} {p.ColumnName}: {p.Reason}"))}");

    private async Task<long> UploadAndCheckAsync(byte[] content, string[]? laCodes)
    {
        var uploaded = await Imports.UploadAsync(new NewImport(ImportSources.Gias, "edubasealldata20260302.csv", new MemoryStream(content), laCodes, null), Coordinator, default);
        Assert.True(uploaded.Succeeded, string.Join("; ", uploaded.Errors.Select(e => e.Message)));
        await Imports.CheckAsync(uploaded.Value, default);
        return uploaded.Value;
    }

    private async Task<CommitResult> ImportAsync(byte[] content, string[]? laCodes)
    {
        var id = await UploadAndCheckAsync(content, laCodes);
        var committed = await Imports.CommitAsync(id, Coordinator, default);
        Assert.True(committed.Succeeded, string.Join("; ", committed.Errors.Select(e => e.Message)));
        return committed.Value!;
    }

    private async Task<long> VenueIdAsync(string urn)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>("SELECT id FROM outreach.venues WHERE urn = @urn", new { urn });
    }

    private async Task<string?> NameOfAsync(string urn)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<string?>("SELECT name FROM outreach.venues WHERE urn = @urn", new { urn });
    }
}
