using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>
/// Each form refuses bad input with its message beside the field and writes nothing, and stores good
/// input in the shape the rest of the system expects (E.164 mobiles, tidy postcodes, UTC times).
/// </summary>
[Collection("App")]
public sealed class FormValidationTests(OutreachApp app)
{
    // --- Venues ---

    [Fact]
    public async Task A_venue_without_a_name_postcode_or_area_is_refused_with_a_message_beside_each_field()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var address = TestData.Unique("Address");
        var before = await VenuesWithAddressAsync(address);

        var html = await RefusedAsync(client, "/Venues/Create", new()
        {
            ["Input.Kind"] = "school", ["Input.Name"] = "", ["Input.AreaId"] = "", ["Input.Address"] = address,
            ["Input.Postcode"] = "",
        });

        FieldMessage.AssertShown(html, "Input.Name", "Enter the venue's name.");
        FieldMessage.AssertShown(html, "Input.AreaId", "Choose the local authority area.");
        FieldMessage.AssertShown(html, "Input.Postcode", "Enter the postcode.");
        Assert.Equal(before, await VenuesWithAddressAsync(address));
    }

    [Fact]
    public async Task A_venue_with_a_postcode_that_is_not_a_UK_postcode_is_refused_with_a_message_beside_the_postcode()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var area = await TestData.AreaAsync(app.DataSource);
        var name = TestData.Unique("School");
        var before = await VenuesNamedAsync(name);

        var html = await RefusedAsync(client, "/Venues/Create", new()
        {
            ["Input.Kind"] = "school", ["Input.Name"] = name, ["Input.AreaId"] = Id(area), ["Input.Postcode"] = "12345 ABC",
        });

        FieldMessage.AssertShown(html, "Input.Postcode", "Enter a UK postcode like B8 2AA.");
        FieldMessage.AssertNone(html, "Input.Name");
        Assert.Equal(before, await VenuesNamedAsync(name));
    }

    [Fact]
    public async Task A_valid_venue_is_stored_with_its_postcode_in_capitals_with_one_space()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var area = await TestData.AreaAsync(app.DataSource);
        var name = TestData.Unique("School");

        using var response = await client.PostFormAsync("/Venues/Create", new()
        {
            ["Input.Kind"] = "school", ["Input.Name"] = "  " + name + " ", ["Input.AreaId"] = Id(area),
            ["Input.Postcode"] = " b82aa ",
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Venues", response.Headers.Location?.OriginalString);
        await using var c = await app.DataSource.OpenConnectionAsync();
        var venue = await c.QuerySingleAsync<(string Postcode, long AreaId, string Kind)>(
            "SELECT postcode, area_id, kind FROM outreach.venues WHERE name = @name", new { name });
        Assert.Equal(("B8 2AA", area, "school"), venue);
    }

    // --- Youth workers ---

    [Fact]
    public async Task A_youth_worker_without_a_name_or_mobile_is_refused_with_a_message_beside_each_field()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var email = UniqueEmail();
        var before = await WorkersWithEmailAsync(email);

        var html = await RefusedAsync(client, "/Workers/Create", new()
        {
            ["Input.FullName"] = "", ["Input.Mobile"] = "", ["Input.Email"] = email,
        });

        FieldMessage.AssertShown(html, "Input.FullName", "Enter the youth worker's full name.");
        FieldMessage.AssertShown(html, "Input.Mobile", "Enter a mobile number.");
        Assert.Equal(before, await WorkersWithEmailAsync(email));
    }

    [Fact]
    public async Task A_landline_is_refused_with_a_message_beside_the_mobile_field()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var name = TestData.Unique("Worker");
        var before = await WorkersNamedAsync(name);

        var html = await RefusedAsync(client, "/Workers/Create", new()
        {
            ["Input.FullName"] = name, ["Input.Mobile"] = "0121 496 0000",
        });

        FieldMessage.AssertShown(html, "Input.Mobile", "That is not a mobile number: text messages need a mobile.");
        FieldMessage.AssertNone(html, "Input.FullName");
        Assert.Equal(before, await WorkersNamedAsync(name));
    }

    [Fact]
    public async Task A_malformed_number_is_refused_with_a_message_beside_the_mobile_field()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var name = TestData.Unique("Worker");
        var before = await WorkersNamedAsync(name);

        var html = await RefusedAsync(client, "/Workers/Create", new()
        {
            ["Input.FullName"] = name, ["Input.Mobile"] = "12345",
        });

        FieldMessage.AssertShown(html, "Input.Mobile", "That is not a valid phone number. Enter a mobile number like 07400 123456.");
        Assert.Equal(before, await WorkersNamedAsync(name));
    }

    [Fact]
    public async Task A_bad_email_address_is_refused_with_a_message_beside_the_email_field()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var name = TestData.Unique("Worker");
        var before = await WorkersNamedAsync(name);

        var html = await RefusedAsync(client, "/Workers/Create", new()
        {
            ["Input.FullName"] = name, ["Input.Mobile"] = National(UniqueMobile()), ["Input.Email"] = "not-an-email-address",
        });

        FieldMessage.AssertShown(html, "Input.Email", "Enter an email address like name@example.org.");
        FieldMessage.AssertNone(html, "Input.Mobile");
        Assert.Equal(before, await WorkersNamedAsync(name));
    }

    [Fact]
    public async Task A_valid_youth_worker_is_stored_with_the_mobile_in_E164_and_the_page_goes_back_to_the_list()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var name = TestData.Unique("Worker");
        var e164 = UniqueMobile();

        using var response = await client.PostFormAsync("/Workers/Create", new()
        {
            ["Input.FullName"] = name, ["Input.Mobile"] = National(e164), ["Input.HourlyCost"] = "18.50",
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Workers", response.Headers.Location?.OriginalString);
        await using var c = await app.DataSource.OpenConnectionAsync();
        var worker = await c.QuerySingleAsync<(string Mobile, decimal? HourlyCost, bool Active)>(
            "SELECT mobile_e164, hourly_cost, active FROM outreach.youth_workers WHERE full_name = @name", new { name });
        Assert.Equal((e164, 18.50m, true), worker);
    }

    // --- Sessions ---

    [Fact]
    public async Task A_session_with_empty_fields_is_refused_with_a_message_beside_each_field()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var notes = TestData.Unique("Notes");
        var before = await SessionsWithNotesAsync(notes);

        var html = await RefusedAsync(client, "/Sessions/Create", SessionFields(null, "", "", "", notes));

        FieldMessage.AssertShown(html, "Input.VenueId", "Choose a venue.");
        FieldMessage.AssertShown(html, "Input.Title", "Give the session a title.");
        FieldMessage.AssertShown(html, "Input.Start", "Enter when the session starts.");
        FieldMessage.AssertShown(html, "Input.End", "Enter when the session ends.");
        Assert.Equal(before, await SessionsWithNotesAsync(notes));
    }

    [Fact]
    public async Task A_session_that_ends_before_it_starts_is_refused_with_a_message_beside_the_end()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource);
        var notes = TestData.Unique("Notes");
        var before = await SessionsWithNotesAsync(notes);

        var html = await RefusedAsync(client, "/Sessions/Create",
            SessionFields(venue, TestData.Unique("Assembly"), "2027-05-10T12:00", "2027-05-10T11:00", notes));

        FieldMessage.AssertShown(html, "Input.End", "The end must be after the start.");
        FieldMessage.AssertNone(html, "Input.Start");
        Assert.Equal(before, await SessionsWithNotesAsync(notes));
    }

    [Fact]
    public async Task A_session_that_starts_in_the_past_is_refused_with_a_message_beside_the_start()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource);
        var notes = TestData.Unique("Notes");
        var before = await SessionsWithNotesAsync(notes);

        var html = await RefusedAsync(client, "/Sessions/Create",
            SessionFields(venue, TestData.Unique("Assembly"), "2020-06-01T10:00", "2020-06-01T11:00", notes));

        FieldMessage.AssertShown(html, "Input.Start", "The start is in the past. Choose a time in the future.");
        FieldMessage.AssertNone(html, "Input.End");
        Assert.Equal(before, await SessionsWithNotesAsync(notes));
    }

    [Fact]
    public async Task A_session_longer_than_24_hours_is_refused_with_a_message_beside_the_end()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource);
        var notes = TestData.Unique("Notes");
        var before = await SessionsWithNotesAsync(notes);

        var html = await RefusedAsync(client, "/Sessions/Create",
            SessionFields(venue, TestData.Unique("A&E shift"), "2027-05-10T10:00", "2027-05-11T10:30", notes));

        FieldMessage.AssertShown(html, "Input.End", "A session can last at most 24 hours.");
        Assert.Equal(before, await SessionsWithNotesAsync(notes));
    }

    [Fact]
    public async Task A_start_time_skipped_when_the_UK_clocks_go_forward_is_refused_with_a_message_beside_the_start()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource);
        var notes = TestData.Unique("Notes");
        var before = await SessionsWithNotesAsync(notes);

        // On 28 March 2027 UK clocks jump from 01:00 GMT to 02:00 BST: 01:30 never happens.
        var html = await RefusedAsync(client, "/Sessions/Create",
            SessionFields(venue, TestData.Unique("Drop-in"), "2027-03-28T01:30", "2027-03-28T03:00", notes));

        FieldMessage.AssertShown(html, "Input.Start",
            "That time does not exist in the UK (the clocks go forward then). Choose another.");
        FieldMessage.AssertNone(html, "Input.End");
        Assert.Equal(before, await SessionsWithNotesAsync(notes));
    }

    [Theory]
    [InlineData("2027-07-01T10:00", "2027-07-01T11:30", "2027-07-01T09:00:00Z", "2027-07-01T10:30:00Z")] // BST, UTC+1
    [InlineData("2027-01-15T10:00", "2027-01-15T11:30", "2027-01-15T10:00:00Z", "2027-01-15T11:30:00Z")] // GMT, UTC+0
    public async Task A_valid_session_is_stored_in_UTC_and_the_page_goes_to_its_details(
        string start, string end, string expectedStartUtc, string expectedEndUtc)
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource);
        var notes = TestData.Unique("Notes");

        using var response = await client.PostFormAsync("/Sessions/Create",
            SessionFields(venue, TestData.Unique("Assembly"), start, end, notes));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await using var c = await app.DataSource.OpenConnectionAsync();
        var session = await c.QuerySingleAsync<(long Id, long VenueId, DateTime StartsAt, DateTime EndsAt)>(
            "SELECT id, venue_id, starts_at, ends_at FROM outreach.sessions WHERE notes = @notes", new { notes });
        Assert.Equal($"/Sessions/Details/{session.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal(venue, session.VenueId);
        Assert.Equal(Utc(expectedStartUtc), session.StartsAt);
        Assert.Equal(Utc(expectedEndUtc), session.EndsAt);
    }

    // --- Records ---

    [Fact]
    public async Task A_negative_head_count_is_refused_with_a_message_beside_that_count()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var session = await TestData.SessionAsync(app.DataSource, DateTime.UtcNow.AddHours(-3), TimeSpan.FromHours(1));
        var before = await RecordsForAsync(session);

        var html = await RefusedAsync(client, $"/Records/Edit?sessionId={session}",
            RecordFields(delivered: true, reason: "", under11: "-3"));

        FieldMessage.AssertShown(html, "Input.CountUnder11", "Enter a number from 0 to 2000.");
        FieldMessage.AssertNone(html, "Input.Count11To13");
        Assert.Equal(before, await RecordsForAsync(session));
        Assert.Equal("planned", await SessionStatusAsync(session));
    }

    [Fact]
    public async Task A_session_recorded_as_not_delivered_without_a_reason_is_refused_with_a_message_beside_the_reason()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var session = await TestData.SessionAsync(app.DataSource, DateTime.UtcNow.AddHours(-3), TimeSpan.FromHours(1));
        var before = await RecordsForAsync(session);

        var html = await RefusedAsync(client, $"/Records/Edit?sessionId={session}",
            RecordFields(delivered: false, reason: "  ", under11: "0"));

        FieldMessage.AssertShown(html, "Input.NotDeliveredReason", "Say why the session did not go ahead.");
        Assert.Equal(before, await RecordsForAsync(session));
        Assert.Equal("planned", await SessionStatusAsync(session));
    }

    [Fact]
    public async Task A_session_that_has_not_started_yet_cannot_be_recorded()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var session = await TestData.SessionAsync(app.DataSource, DateTime.UtcNow.AddDays(3), TimeSpan.FromHours(1));
        var before = await RecordsForAsync(session);

        var html = await RefusedAsync(client, $"/Records/Edit?sessionId={session}",
            RecordFields(delivered: true, reason: "", under11: "4"));

        FieldMessage.AssertShown(html, "Input.Delivered", "This session has not started yet: record it once it has happened.");
        Assert.Equal(before, await RecordsForAsync(session));
        Assert.Equal("planned", await SessionStatusAsync(session));
    }

    [Fact]
    public async Task An_actual_start_time_skipped_when_the_UK_clocks_go_forward_is_refused_not_dropped()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        // 29 March 2026, 00:00-03:00 UTC: UK clocks went from 01:00 GMT to 02:00 BST inside it.
        var session = await TestData.SessionAsync(app.DataSource, Utc("2026-03-29T00:00:00Z"), TimeSpan.FromHours(3));
        var before = await RecordsForAsync(session);
        var fields = RecordFields(delivered: true, reason: "", under11: "4");
        fields["Input.ActualStart"] = "2026-03-29T01:30";
        fields["Input.ActualEnd"] = "2026-03-29T03:30";

        var html = await RefusedAsync(client, $"/Records/Edit?sessionId={session}", fields);

        FieldMessage.AssertShown(html, "Input.ActualStart", "does not exist in the UK");
        Assert.Equal(before, await RecordsForAsync(session));
    }

    // --- Helpers ---

    /// <summary>Posts the form and expects it back (HTTP 200), as it is when input is refused.</summary>
    private static async Task<string> RefusedAsync(SiteClient client, string path, Dictionary<string, string> fields)
    {
        using var response = await client.PostFormAsync(path, fields);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK,
            $"POST {path} gave HTTP {(int)response.StatusCode} {response.Headers.Location}, expected the form again");
        return html;
    }

    private static Dictionary<string, string> SessionFields(long? venue, string title, string start, string end, string notes) => new()
    {
        ["Input.VenueId"] = venue is { } v ? Id(v) : "",
        ["Input.Kind"] = "assembly",
        ["Input.Title"] = title,
        ["Input.Start"] = start,
        ["Input.End"] = end,
        ["Input.RequiredWorkers"] = "1",
        ["Input.ExpectedSize"] = "",
        ["Input.Notes"] = notes,
    };

    private static Dictionary<string, string> RecordFields(bool delivered, string reason, string under11) => new()
    {
        ["Input.Delivered"] = delivered ? "true" : "false",
        ["Input.NotDeliveredReason"] = reason,
        ["Input.ActualStart"] = "",
        ["Input.ActualEnd"] = "",
        ["Input.CountUnder11"] = under11,
        ["Input.Count11To13"] = "5",
        ["Input.Count14To15"] = "0",
        ["Input.Count16To17"] = "0",
        ["Input.Count18To24"] = "0",
        ["Input.Notes"] = "",
    };

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static DateTime Utc(string iso) =>
        DateTime.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    private static string UniqueEmail() => $"worker-{Guid.NewGuid():N}@tests.outreach.test";

    /// <summary>A unique mobile in E.164 that every UK numbering plan treats as a mobile.</summary>
    internal static string UniqueMobile()
    {
        // 07457 6xxxxx is not allocated to mobiles, so a random 074... number may fall in it.
        string e164;
        do
        {
            e164 = TestData.Mobile();
        }
        while (e164.StartsWith("+447457", StringComparison.Ordinal));
        return e164;
    }

    /// <summary>"+447412345678" as a coordinator types it: "07412 345678".</summary>
    internal static string National(string e164)
    {
        var digits = "0" + e164["+44".Length..];
        return digits[..5] + " " + digits[5..];
    }

    private Task<long> VenuesWithAddressAsync(string address) =>
        TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.venues WHERE address = @address", new { address });

    private Task<long> VenuesNamedAsync(string name) =>
        TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.venues WHERE name = @name", new { name });

    private Task<long> WorkersNamedAsync(string name) =>
        TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.youth_workers WHERE full_name = @name", new { name });

    private Task<long> WorkersWithEmailAsync(string email) =>
        TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.youth_workers WHERE lower(email) = lower(@email)", new { email });

    private Task<long> SessionsWithNotesAsync(string notes) =>
        TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.sessions WHERE notes = @notes", new { notes });

    private Task<long> RecordsForAsync(long session) =>
        TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.session_records WHERE session_id = @session", new { session });

    private async Task<string> SessionStatusAsync(long session)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<string>("SELECT status FROM outreach.sessions WHERE id = @session", new { session }) ?? "";
    }
}

/// <summary>Reads the validation message a Razor form shows beside one field (its data-valmsg-for span).</summary>
internal static partial class FieldMessage
{
    /// <returns>The decoded text of the field's message span, "" when it shows none, null when the page has no span for the field.</returns>
    public static string? For(string html, string field)
    {
        foreach (Match span in ValidationSpan().Matches(html))
        {
            if (string.Equals(WebUtility.HtmlDecode(span.Groups["for"].Value), field, StringComparison.Ordinal))
            {
                return WebUtility.HtmlDecode(Tag().Replace(span.Groups["body"].Value, "")).Trim();
            }
        }
        return null;
    }

    public static void AssertShown(string html, string field, string expected)
    {
        var shown = For(html, field);
        Assert.True(shown is not null, $"The page has no validation message span for {field}");
        Assert.Contains(expected, shown, StringComparison.Ordinal);
    }

    public static void AssertNone(string html, string field)
    {
        var shown = For(html, field);
        Assert.True(shown is not null, $"The page has no validation message span for {field}");
        Assert.Equal("", shown);
    }

    [GeneratedRegex("""<span\b[^>]*\bdata-valmsg-for="(?<for>[^"]*)"[^>]*>(?<body>.*?)</span>""", RegexOptions.Singleline)]
    private static partial Regex ValidationSpan();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tag();
}
