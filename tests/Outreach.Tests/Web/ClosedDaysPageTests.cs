using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Outreach.Data.Identity;
using Outreach.Tests.Data;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>Uploading GOV.UK's bank holidays and entering term holidays and INSET days on the Closed days pages.</summary>
[Collection("App")]
public sealed partial class ClosedDaysPageTests(OutreachApp app)
{
    [Fact]
    public async Task Uploading_GOV_UKs_bank_holidays_file_adds_the_England_and_Wales_dates_and_lists_them()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);

        using var response = await UploadAsync(client, "bank-holidays.json", ClosedDayDataTests.BankHolidaysJson(2094));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/ClosedDays", response.Headers.Location?.OriginalString);
        Assert.Equal(4, await HolidaysInAsync(2094));
        var page = WebUtility.HtmlDecode(await client.GetPageAsync("/ClosedDays"));
        Assert.Contains("4 added, 0 updated, 0 already known", page, StringComparison.Ordinal);
        Assert.Contains("Early May bank holiday", page, StringComparison.Ordinal);
        Assert.DoesNotContain("St Andrew’s Day", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"england-and-wales\": {\"events\": [{\"title\": \"New Year\", \"date\": \"2095-01-01\"},", "The file is not valid JSON")]
    [InlineData("{\"scotland\": {\"events\": [{\"title\": \"2nd January\", \"date\": \"2095-01-02\"}]}}", "it has no \"england-and-wales\" division")]
    [InlineData("{\"england-and-wales\": {\"events\": [{\"title\": \"New Year\", \"date\": \"2095-01-01\"}, {\"title\": \"Bad\", \"date\": \"2095-02-30\"}]}}",
        "Event 2 of \"england-and-wales\" (Bad) has no date in the form YYYY-MM-DD")]
    public async Task A_malformed_or_wrongly_shaped_file_is_refused_beside_the_upload_field_and_nothing_is_written(string json, string message)
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);

        using var response = await UploadAsync(client, "bank-holidays.json", json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        FieldMessage.AssertShown(await response.Content.ReadAsStringAsync(), "Upload", message);
        Assert.Equal(0, await HolidaysInAsync(2095));
    }

    [Fact]
    public async Task A_file_over_the_upload_limit_is_refused_beside_the_upload_field_naming_the_limit()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var limit = OutreachApp.UploadMegabytes;
        var token = await TokenAsync(client);
        await using var large = new FileStream(Path.Combine(Path.GetTempPath(), Path.GetRandomFileName()), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.DeleteOnClose);
        large.SetLength(((limit + 2) * 1024L * 1024) - (64 * 1024));
        using var form = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
        form.Add(new StreamContent(large), "Upload", "bank-holidays.json");

        using var response = await client.Http.PostAsync("/ClosedDays?handler=Import", form);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/ClosedDays", response.Headers.Location?.OriginalString);
        FieldMessage.AssertShown(await client.GetPageAsync("/ClosedDays"), "Upload",
            $"This file is {limit + 2} MB; the largest file you can upload is {limit} MB.");
    }

    [Fact]
    public async Task Uploading_without_a_file_asks_for_one()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var token = await TokenAsync(client);
        using var form = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };

        using var response = await client.Http.PostAsync("/ClosedDays?handler=Import", form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        FieldMessage.AssertShown(await response.Content.ReadAsStringAsync(), "Upload", "Choose the bank-holidays.json file to upload.");
    }

    [Fact]
    public async Task A_coordinator_enters_an_INSET_day_for_one_school()
    {
        var school = await TestData.VenueAsync(app.DataSource, "school");
        using var client = await app.SignedInAsync(Roles.Coordinator);

        using var response = await client.PostFormAsync("/ClosedDays/Create", new()
        {
            ["Input.Kind"] = "inset_day", ["Input.AppliesTo"] = "venue", ["Input.AreaId"] = "", ["Input.VenueId"] = Id(school),
            ["Input.FirstDay"] = "2027-09-06", ["Input.LastDay"] = "", ["Input.Reason"] = "INSET: first day of term",
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await using var c = await app.DataSource.OpenConnectionAsync();
        var stored = await c.QuerySingleAsync<(string Scope, DateTime First, DateTime Last, string Reason)>(
            "SELECT scope, first_day::timestamp, last_day::timestamp, reason FROM outreach.closed_days WHERE venue_id = @school", new { school });
        Assert.Equal(("venue", new DateTime(2027, 9, 6), new DateTime(2027, 9, 6), "INSET: first day of term"), stored);
    }

    [Fact]
    public async Task A_term_holiday_without_an_authority_or_reason_is_refused_beside_the_fields()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var before = await TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.closed_days");

        using var response = await client.PostFormAsync("/ClosedDays/Create", new()
        {
            ["Input.Kind"] = "school_holiday", ["Input.AppliesTo"] = "area", ["Input.AreaId"] = "", ["Input.VenueId"] = "",
            ["Input.FirstDay"] = "2027-10-25", ["Input.LastDay"] = "2027-10-22", ["Input.Reason"] = "",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        FieldMessage.AssertShown(html, "Input.AreaId", "Choose the local authority.");
        FieldMessage.AssertShown(html, "Input.Reason", "Give the reason");
        FieldMessage.AssertShown(html, "Input.LastDay", "The last day must be on or after the first day.");
        Assert.Equal(before, await TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.closed_days"));
    }

    [Fact]
    public async Task Only_coordinators_and_administrators_reach_the_closed_days_pages()
    {
        foreach (var path in new[] { "/ClosedDays", "/ClosedDays/Create" })
        {
            using (var anonymous = app.Anonymous())
            using (var response = await anonymous.GetAsync(path))
            {
                Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
                Assert.Contains("/Account/Login", response.Headers.Location?.ToString(), StringComparison.Ordinal);
            }
            foreach (var role in Roles.All)
            {
                using var client = await app.SignedInAsync(role);
                using var response = await client.GetAsync(path);
                if (role is Roles.Coordinator or Roles.Administrator)
                {
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
                else
                {
                    Assert.True(response.StatusCode == HttpStatusCode.Forbidden
                        || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.ToString().Contains("/Account/AccessDenied", StringComparison.Ordinal)),
                        $"{path} for {role}: {(int)response.StatusCode}");
                }
            }
        }
    }

    private static async Task<HttpResponseMessage> UploadAsync(SiteClient client, string fileName, string json)
    {
        var token = await TokenAsync(client);
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(token), "__RequestVerificationToken");
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        form.Add(file, "Upload", fileName);
        return await client.Http.PostAsync("/ClosedDays?handler=Import", form);
    }

    private static async Task<string> TokenAsync(SiteClient client)
    {
        var match = Token().Match(await client.GetPageAsync("/ClosedDays"));
        Assert.True(match.Success, "No anti-forgery token on /ClosedDays");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    private async Task<long> HolidaysInAsync(int year) =>
        await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.closed_days WHERE kind = 'bank_holiday' AND extract(year FROM first_day) = @year", new { year });

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
