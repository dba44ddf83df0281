using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;
using static Outreach.Tests.Infrastructure.WorkerProfiles;

namespace Outreach.Tests.Web;

/// <summary>
/// Worker profiles through the site: DBS checks block bookings with the reason shown, reviews falling due
/// are listed, the session page ranks workers with reasons, and bad input is refused beside its field.
/// </summary>
[Collection("App")]
public sealed partial class WorkerProfilePageTests(OutreachApp app)
{
    private static DateOnly Today => DateOnly.FromDateTime(Outreach.Data.UkTime.ToLocal(DateTime.UtcNow));

    // --- Safeguarding on the session page ---

    [Fact]
    public async Task A_worker_whose_DBS_check_expired_cannot_be_assigned_on_the_session_page_and_is_told_why()
    {
        var session = await TestData.SessionAsync(app.DataSource, FutureStart(), TimeSpan.FromHours(2));
        var worker = await TestData.WorkerAsync(app.DataSource);
        await DbsReviewAsync(app.DataSource, worker, Today.AddDays(-2));
        var name = await NameOfAsync(app.DataSource, "youth_workers", worker);
        using var client = await app.SignedInAsync(Roles.Coordinator);

        using var response = await AssignAsync(client, session, worker);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        FieldMessage.AssertShown(html, "WorkerId", $"{name}'s DBS check expired on");
        FieldMessage.AssertShown(html, "WorkerId", "cannot be assigned until it is renewed");
        Assert.Equal(0, await AssignmentCountAsync(session));
    }

    [Fact]
    public async Task A_worker_with_no_DBS_check_cannot_be_assigned_on_the_session_page_and_is_told_why()
    {
        var session = await TestData.SessionAsync(app.DataSource, FutureStart(), TimeSpan.FromHours(2));
        var worker = await TestData.WorkerAsync(app.DataSource);
        await DbsReviewAsync(app.DataSource, worker, null);
        using var client = await app.SignedInAsync(Roles.Coordinator);

        using var response = await AssignAsync(client, session, worker);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        FieldMessage.AssertShown(await response.Content.ReadAsStringAsync(), "WorkerId", "has no DBS check recorded");
        Assert.Equal(0, await AssignmentCountAsync(session));
    }

    [Fact]
    public async Task DBS_reviews_due_within_60_days_are_listed_for_coordinators_and_later_ones_are_not()
    {
        var dueSoon = await TestData.WorkerAsync(app.DataSource);
        await DbsReviewAsync(app.DataSource, dueSoon, Today.AddDays(30));
        var dueLater = await TestData.WorkerAsync(app.DataSource);
        await DbsReviewAsync(app.DataSource, dueLater, Today.AddDays(90));
        using var client = await app.SignedInAsync(Roles.Coordinator);

        var html = await client.GetPageAsync("/Workers");

        var section = DbsSection().Match(html);
        Assert.True(section.Success, "The workers page has no list of DBS checks to renew");
        var row = RowNaming(section.Value, await NameOfAsync(app.DataSource, "youth_workers", dueSoon));
        Assert.Contains("Due for review in 30 days", row, StringComparison.Ordinal);
        Assert.DoesNotContain(await NameOfAsync(app.DataSource, "youth_workers", dueLater), section.Value, StringComparison.Ordinal);
    }

    // --- Ranking on the session page ---

    [Fact]
    public async Task The_session_page_offers_eligible_workers_first_and_shows_why_the_others_are_not()
    {
        var region = UniqueRegion();
        var here = await AreaAsync(app.DataSource, region);
        var elsewhere = await AreaAsync(app.DataSource, region);
        var session = await TestData.SessionAsync(app.DataSource, FutureStart(), TimeSpan.FromHours(2),
            await TestData.VenueAsync(app.DataSource, areaId: here));
        var local = await WorkerAsync(app.DataSource, here);
        var away = await WorkerAsync(app.DataSource, elsewhere);
        var lapsed = await WorkerAsync(app.DataSource, here);
        await DbsReviewAsync(app.DataSource, lapsed, Today.AddDays(-1));
        using var client = await app.SignedInAsync(Roles.Coordinator);

        var html = await client.GetPageAsync($"/Sessions/Details/{session}");

        var eligible = Regex.Match(html, """<optgroup label="Eligible, best first">(.*?)</optgroup>""", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains($"<option value=\"{local}\">{await NameOfAsync(app.DataSource, "youth_workers", local)}</option>", eligible, StringComparison.Ordinal);
        Assert.DoesNotContain($"value=\"{away}\"", eligible, StringComparison.Ordinal);
        Assert.Contains($"Does not cover {WebUtility.HtmlEncode(await NameOfAsync(app.DataSource, "areas", here))}",
            WorkerRow(html, away), StringComparison.Ordinal);
        Assert.Contains("DBS check expired on", WorkerRow(html, lapsed), StringComparison.Ordinal);
        Assert.Matches($"<option value=\"{lapsed}\" disabled=\"disabled\">", html);
    }

    // --- Editing a profile ---

    [Fact]
    public async Task Editing_a_worker_with_a_landline_and_negative_hours_shows_messages_beside_both_and_saves_nothing()
    {
        var worker = await TestData.WorkerAsync(app.DataSource);
        var name = await NameOfAsync(app.DataSource, "youth_workers", worker);
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var auditsBefore = await AuditCountAsync(worker);

        var fields = EditFields(TestData.Unique("Renamed"), "0121 496 0000");
        fields["Input.ContractedHours"] = "-5";
        var html = await RefusedAsync(client, $"/Workers/Edit/{worker}", fields);

        FieldMessage.AssertShown(html, "Input.Mobile", "not a mobile number");
        FieldMessage.AssertShown(html, "Input.ContractedHours", "Enter contracted hours between 0 and 80 a week");
        FieldMessage.AssertNone(html, "Input.FullName");
        Assert.Equal(name, await NameOfAsync(app.DataSource, "youth_workers", worker));
        Assert.Equal(auditsBefore, await AuditCountAsync(worker));
    }

    [Fact]
    public async Task A_partly_filled_DBS_check_is_refused_with_a_message_beside_each_missing_field()
    {
        var worker = await TestData.WorkerAsync(app.DataSource);
        await DbsReviewAsync(app.DataSource, worker, null);
        using var client = await app.SignedInAsync(Roles.Coordinator);

        var fields = EditFields(TestData.Unique("Renamed"), FormValidationTests.National(FormValidationTests.UniqueMobile()));
        fields["Input.Dbs.CheckType"] = "enhanced_barred";
        fields["Input.Dbs.CertificateNumber"] = "12345";
        fields["Input.Dbs.NextReviewOn"] = "2027-01-01";
        var html = await RefusedAsync(client, $"/Workers/Edit/{worker}", fields);

        FieldMessage.AssertShown(html, "Input.Dbs.CertificateNumber", "A DBS certificate number is 12 digits");
        FieldMessage.AssertShown(html, "Input.Dbs.IssuedOn", "Enter the date on the certificate.");
        FieldMessage.AssertNone(html, "Input.Dbs.CheckType");
        Assert.Null(await ScalarAsync<string?>("SELECT dbs_check_type FROM outreach.youth_workers WHERE id = @worker", new { worker }));
    }

    [Fact]
    public async Task Editing_a_worker_saves_details_DBS_check_areas_and_skills_in_one_audited_change()
    {
        var worker = await TestData.WorkerAsync(app.DataSource);
        var area = await AreaAsync(app.DataSource, UniqueRegion());
        var skill = await SkillAsync(app.DataSource);
        var e164 = FormValidationTests.UniqueMobile();
        var newName = TestData.Unique("Renamed");
        using var client = await app.SignedInAsync(Roles.Coordinator);

        var fields = EditFields(newName, FormValidationTests.National(e164));
        fields["Input.ContractedHours"] = "22.5";
        fields["Input.AreaIds[0]"] = area.ToString(CultureInfo.InvariantCulture);
        fields["Input.SkillIds[0]"] = skill.ToString(CultureInfo.InvariantCulture);
        fields["Input.Dbs.CheckType"] = "enhanced_barred";
        fields["Input.Dbs.CertificateNumber"] = "0012 3456 7890";
        fields["Input.Dbs.IssuedOn"] = "2025-02-03";
        fields["Input.Dbs.UpdateService"] = "true";
        fields["Input.Dbs.NextReviewOn"] = "2028-02-03";
        using var response = await client.PostFormAsync($"/Workers/Edit/{worker}", fields);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/Workers/Details/{worker}", response.Headers.Location?.OriginalString);
        var saved = await ScalarAsync<string>("""
            SELECT concat_ws('|', full_name, mobile_e164, contracted_hours, dbs_check_type, dbs_certificate_number,
                             dbs_issued_on, dbs_update_service, dbs_next_review_on,
                             (SELECT string_agg(area_id::text, ',') FROM outreach.worker_areas WHERE worker_id = w.id),
                             (SELECT string_agg(skill_id::text, ',') FROM outreach.worker_skills WHERE worker_id = w.id))
            FROM outreach.youth_workers w WHERE id = @worker
            """, new { worker });
        Assert.Equal($"{newName}|{e164}|22.5|enhanced_barred|001234567890|2025-02-03|t|2028-02-03|{area}|{skill}", saved);
        var audit = await ScalarAsync<string>(
            "SELECT after::text FROM outreach.audit_events WHERE entity = 'youth_worker' AND entity_id = @id AND action = 'update' ORDER BY id DESC LIMIT 1",
            new { id = worker.ToString(CultureInfo.InvariantCulture) });
        Assert.Contains("\"DbsNextReviewOn\": \"2028-02-03\"", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(e164, audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_a_worker_with_a_DBS_check_and_areas_stores_them_and_they_can_be_booked()
    {
        var area = await AreaAsync(app.DataSource, UniqueRegion());
        var name = TestData.Unique("New worker");
        using var client = await app.SignedInAsync(Roles.Coordinator);

        using var response = await client.PostFormAsync("/Workers/Create", new()
        {
            ["Input.FullName"] = name,
            ["Input.Mobile"] = FormValidationTests.National(FormValidationTests.UniqueMobile()),
            ["Input.ContractedHours"] = "30",
            ["Input.AreaIds[0]"] = area.ToString(CultureInfo.InvariantCulture),
            ["Input.Dbs.CheckType"] = "enhanced_barred",
            ["Input.Dbs.CertificateNumber"] = "001234567890",
            ["Input.Dbs.IssuedOn"] = Today.AddYears(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Input.Dbs.NextReviewOn"] = Today.AddYears(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var worker = await ScalarAsync<long>("SELECT id FROM outreach.youth_workers WHERE full_name = @name", new { name });
        Assert.Equal($"enhanced_barred|30.0|{area}", await ScalarAsync<string>("""
            SELECT concat_ws('|', dbs_check_type, contracted_hours, (SELECT string_agg(area_id::text, ',') FROM outreach.worker_areas WHERE worker_id = w.id))
            FROM outreach.youth_workers w WHERE id = @worker
            """, new { worker }));
        var session = await TestData.SessionAsync(app.DataSource, FutureStart(), TimeSpan.FromHours(1));
        using var assigned = await AssignAsync(client, session, worker);
        Assert.Equal(HttpStatusCode.Redirect, assigned.StatusCode);
        Assert.Equal(1, await AssignmentCountAsync(session));
    }

    [Fact]
    public async Task The_worker_page_shows_their_safeguarding_status_and_upcoming_sessions()
    {
        var worker = await TestData.WorkerAsync(app.DataSource);
        await DbsReviewAsync(app.DataSource, worker, Today.AddDays(10));
        var session = await TestData.SessionAsync(app.DataSource, Today.AddDays(3).ToDateTime(new TimeOnly(10, 0), DateTimeKind.Utc), TimeSpan.FromHours(1));
        await TestData.AssignAsync(app.DataSource, session, worker);
        using var client = await app.SignedInAsync(Roles.Coordinator);

        var html = await client.GetPageAsync($"/Workers/Details/{worker}");

        Assert.Matches("id=\"dbs-status\" class=\"alert alert-warning[^\"]*\">Due for review in 10 days", html);
        Assert.Contains($"/Sessions/Details/{session}", Regex.Match(html, "<table[^>]*id=\"upcoming\".*?</table>", RegexOptions.Singleline).Value,
            StringComparison.Ordinal);
    }

    // --- Availability ---

    [Fact]
    public async Task A_weekly_pattern_with_a_bad_range_is_refused_beside_that_day_and_the_pattern_is_unchanged()
    {
        var worker = await TestData.WorkerAsync(app.DataSource);
        await PatternAsync(app.DataSource, worker, 1, "09:00", "17:00");
        using var client = await app.SignedInAsync(Roles.Coordinator);

        var html = await RefusedAsync(client, $"/Workers/Availability/{worker}", new()
        {
            ["Pattern.Day1"] = "09:00-12:00", ["Pattern.Day2"] = "nine till five", ["Pattern.Day5"] = "18:00-02:00",
        }, $"/Workers/Availability/{worker}?handler=Pattern");

        FieldMessage.AssertShown(html, "Pattern.Day2", "\"nine till five\" is not a time range");
        FieldMessage.AssertNone(html, "Pattern.Day1");
        Assert.Equal("1 09:00:00-17:00:00", await PatternTextAsync(worker));
    }

    [Fact]
    public async Task A_weekly_pattern_and_leave_are_saved_from_the_availability_page()
    {
        var worker = await TestData.WorkerAsync(app.DataSource);
        using var client = await app.SignedInAsync(Roles.Coordinator);

        using var pattern = await client.PostFormAsync($"/Workers/Availability/{worker}", new()
        {
            ["Pattern.Day1"] = "9-12, 12:00-17:30", ["Pattern.Day5"] = "18:00-02:00", ["Pattern.Day7"] = "all day",
        }, $"/Workers/Availability/{worker}?handler=Pattern");
        var first = Today.AddDays(7);
        using var leave = await client.PostFormAsync($"/Workers/Availability/{worker}", new()
        {
            ["NewLeave.FirstDay"] = first.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["NewLeave.LastDay"] = first.AddDays(4).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["NewLeave.Reason"] = "Training course",
        }, $"/Workers/Availability/{worker}?handler=AddLeave");

        Assert.Equal(HttpStatusCode.Redirect, pattern.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, leave.StatusCode);
        Assert.Equal("1 09:00:00-17:30:00, 5 18:00:00-02:00:00, 7 00:00:00-00:00:00", await PatternTextAsync(worker));
        Assert.Equal($"{first:yyyy-MM-dd}|{first.AddDays(4):yyyy-MM-dd}|Training course", await ScalarAsync<string>(
            "SELECT concat_ws('|', first_day, last_day, reason) FROM outreach.worker_leave WHERE worker_id = @worker", new { worker }));
    }

    [Fact]
    public async Task Leave_that_ends_before_it_starts_is_refused_beside_the_last_day()
    {
        var worker = await TestData.WorkerAsync(app.DataSource);
        using var client = await app.SignedInAsync(Roles.Coordinator);

        var html = await RefusedAsync(client, $"/Workers/Availability/{worker}", new()
        {
            ["NewLeave.FirstDay"] = Today.AddDays(9).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["NewLeave.LastDay"] = Today.AddDays(8).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["NewLeave.Reason"] = "Annual leave",
        }, $"/Workers/Availability/{worker}?handler=AddLeave");

        FieldMessage.AssertShown(html, "NewLeave.LastDay", "The last day must be on or after the first day.");
        Assert.Equal(0, await TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.worker_leave WHERE worker_id = @worker", new { worker }));
    }

    // --- Skills ---

    [Fact]
    public async Task A_coordinator_adds_a_skill_and_a_second_one_with_the_same_name_is_refused_beside_the_name()
    {
        var name = TestData.Unique("Bengali");
        using var client = await app.SignedInAsync(Roles.Coordinator);

        using var added = await client.PostFormAsync("/Workers/Skills", new() { ["NewSkill.Name"] = name }, "/Workers/Skills?handler=Add");
        var html = await RefusedAsync(client, "/Workers/Skills", new() { ["NewSkill.Name"] = name.ToUpperInvariant() }, "/Workers/Skills?handler=Add");

        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        FieldMessage.AssertShown(html, "NewSkill.Name", "There is already a skill with this name.");
        Assert.Equal(1, await TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.skills WHERE lower(name) = lower(@name)", new { name }));
    }

    [Fact]
    public async Task A_session_planned_with_skills_needed_keeps_them_and_shows_them()
    {
        var venue = await TestData.VenueAsync(app.DataSource);
        var skill = await SkillAsync(app.DataSource);
        var notes = TestData.Unique("Needs a skill");
        var start = FutureStart();
        using var client = await app.SignedInAsync(Roles.Coordinator);

        using var response = await client.PostFormAsync("/Sessions/Create", new()
        {
            ["Input.VenueId"] = venue.ToString(CultureInfo.InvariantCulture),
            ["Input.Kind"] = "workshop",
            ["Input.Title"] = TestData.Unique("Workshop"),
            ["Input.Start"] = LocalInput(start),
            ["Input.End"] = LocalInput(start.AddHours(1)),
            ["Input.RequiredWorkers"] = "1",
            ["Input.Notes"] = notes,
            ["Input.SkillIds[0]"] = skill.ToString(CultureInfo.InvariantCulture),
            ["Input.PlanOnClosedDays"] = "true",
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var session = await ScalarAsync<long>("SELECT id FROM outreach.sessions WHERE notes = @notes", new { notes });
        Assert.Equal(skill, await ScalarAsync<long>("SELECT skill_id FROM outreach.session_required_skills WHERE session_id = @session", new { session }));
        var page = await client.GetPageAsync($"/Sessions/Details/{session}");
        Assert.Contains(WebUtility.HtmlEncode(await NameOfAsync(app.DataSource, "skills", skill)), Regex.Match(page, "id=\"required-skills\">([^<]*)<").Groups[1].Value, StringComparison.Ordinal);
    }

    // --- Helpers ---

    private static Task<HttpResponseMessage> AssignAsync(SiteClient client, long session, long worker) =>
        client.PostFormAsync($"/Sessions/Details/{session}",
            new() { ["WorkerId"] = worker.ToString(CultureInfo.InvariantCulture) },
            action: $"/Sessions/Details/{session}?handler=Assign");

    private static async Task<string> RefusedAsync(SiteClient client, string path, Dictionary<string, string> fields, string? action = null)
    {
        using var response = await client.PostFormAsync(path, fields, action);
        Assert.True(response.StatusCode == HttpStatusCode.OK,
            $"POST {action ?? path} gave HTTP {(int)response.StatusCode} {response.Headers.Location}, expected the form again");
        return await response.Content.ReadAsStringAsync();
    }

    private static Dictionary<string, string> EditFields(string name, string mobile) => new()
    {
        ["Input.FullName"] = name,
        ["Input.Mobile"] = mobile,
        ["Input.Email"] = "",
        ["Input.HourlyCost"] = "20",
        ["Input.ContractedHours"] = "",
        ["Input.Active"] = "true",
    };

    // Whole hours, a random day a few months out, so sessions of different tests rarely meet.
    private static DateTime FutureStart() =>
        DateTime.UtcNow.Date.AddDays(Random.Shared.Next(60, 600)).AddHours(Random.Shared.Next(8, 16));

    private static string LocalInput(DateTime utc) =>
        Outreach.Data.UkTime.ToLocal(utc).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    private static string WorkerRow(string html, long worker)
    {
        var row = Regex.Match(html, $"""<tr data-worker-id="{worker}">(.*?)</tr>""", RegexOptions.Singleline);
        Assert.True(row.Success, $"No row with reasons for worker {worker}");
        return row.Groups[1].Value;
    }

    private static string RowNaming(string html, string name)
    {
        var row = Regex.Matches(html, "<tr>(.*?)</tr>", RegexOptions.Singleline)
            .FirstOrDefault(m => m.Groups[1].Value.Contains(WebUtility.HtmlEncode(name), StringComparison.Ordinal));
        Assert.True(row is not null, $"No row for {name}");
        return row.Groups[1].Value;
    }

    private async Task<string> PatternTextAsync(long worker) => await ScalarAsync<string>("""
        SELECT coalesce(string_agg(weekday || ' ' || from_time || '-' || to_time, ', ' ORDER BY weekday, from_time), '')
        FROM outreach.worker_availability WHERE worker_id = @worker
        """, new { worker });

    private Task<long> AuditCountAsync(long worker) => TestData.CountAsync(app.DataSource,
        "SELECT count(*) FROM outreach.audit_events WHERE entity = 'youth_worker' AND entity_id = @id",
        new { id = worker.ToString(CultureInfo.InvariantCulture) });

    private Task<long> AssignmentCountAsync(long session) =>
        TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.assignments WHERE session_id = @session", new { session });

    private async Task<T> ScalarAsync<T>(string sql, object args)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return (await c.ExecuteScalarAsync<T>(sql, args))!;
    }

    [GeneratedRegex("""<section id="dbs-due".*?</section>""", RegexOptions.Singleline)]
    private static partial Regex DbsSection();
}
