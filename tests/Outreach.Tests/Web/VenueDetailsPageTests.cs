using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>A venue's page: its details, access notes, open or closed, and its contacts, with edits audited.</summary>
[Collection("App")]
public sealed partial class VenueDetailsPageTests(OutreachApp app)
{
    [Fact]
    public async Task Editing_a_venue_saves_its_access_notes_and_closing_it_records_the_day_with_an_audit_event()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource);
        var edit = $"/Venues/Edit/{Id(venue)}";
        var form = await client.GetPageAsync(edit);
        var fields = new Dictionary<string, string>
        {
            ["Input.Name"] = "  Park   Hall School ",
            ["Input.AreaId"] = Value(form, "Input.AreaId"),
            ["Input.Address"] = "1 Park Road, Birmingham",
            ["Input.Postcode"] = "b8 2hb",
            ["Input.Phone"] = "0121 464 2000",
            ["Input.AccessNotes"] = "Sign in at main reception; visitor parking behind the sports hall.",
            ["Input.Status"] = "closed",
            ["Input.Version"] = Value(form, "Input.Version"),
        };

        using var response = await client.PostFormAsync(edit, fields);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/Venues/Details/{Id(venue)}", response.Headers.Location?.OriginalString);
        await using var c = await app.DataSource.OpenConnectionAsync();
        var saved = await c.QuerySingleAsync<(string Name, string Postcode, string AccessNotes, string Status, bool ClosedToday)>("""
            SELECT name, postcode, access_notes, status, closed_on = (now() AT TIME ZONE 'Europe/London')::date
            FROM outreach.venues WHERE id = @venue
            """, new { venue });
        Assert.Equal(("Park Hall School", "B8 2HB", fields["Input.AccessNotes"], "closed", true), saved);
        var audit = await c.QuerySingleAsync<(string Action, string ActorName, string Before, string After)>("""
            SELECT action, actor_name, before->>'Status', after->>'Status' FROM outreach.audit_events
            WHERE entity = 'venue' AND entity_id = @id
            """, new { id = Id(venue) });
        Assert.Equal(("close", app.Emails[Roles.Coordinator], "open", "closed"), audit);
        var details = await client.GetPageAsync($"/Venues/Details/{Id(venue)}");
        Assert.Contains("visitor parking behind the sports hall", details, StringComparison.Ordinal);
        Assert.Contains("No new sessions should be planned here.", details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_venue_changed_by_someone_else_meanwhile_is_not_overwritten()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource);
        var edit = $"/Venues/Edit/{Id(venue)}";
        var form = await client.GetPageAsync(edit);
        await using (var c = await app.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("UPDATE outreach.venues SET access_notes = 'Theirs', updated_at = now() WHERE id = @venue", new { venue });
        }

        using var response = await client.PostFormAsync(edit, new()
        {
            ["Input.Name"] = "Mine", ["Input.AreaId"] = Value(form, "Input.AreaId"), ["Input.Postcode"] = "B8 2HB",
            ["Input.AccessNotes"] = "Mine", ["Input.Status"] = "open", ["Input.Version"] = Value(form, "Input.Version"),
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Someone else changed this venue while you were editing it.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("Theirs", await AccessNotesAsync(venue));
    }

    [Fact]
    public async Task A_school_has_one_designated_safeguarding_lead_who_needs_an_email_and_a_phone_number()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource);
        var add = $"/Venues/Contact/{Id(venue)}";
        var lead = TestData.Unique("Dee Lead");

        using var missingPhone = await client.PostFormAsync(add, new()
        {
            ["Input.Role"] = "safeguarding_lead", ["Input.Name"] = lead, ["Input.Email"] = "dsl@park.sch.uk", ["Input.Phone"] = "",
        });
        FieldMessage.AssertShown(await missingPhone.Content.ReadAsStringAsync(), "Input.Phone", "Enter the safeguarding lead's phone number.");
        Assert.Equal(0, await ContactsAsync(venue));

        using var added = await client.PostFormAsync(add, new()
        {
            ["Input.Role"] = "safeguarding_lead", ["Input.Name"] = lead, ["Input.JobTitle"] = "Deputy Head",
            ["Input.Email"] = "dsl@park.sch.uk", ["Input.Phone"] = "0121 464 2001",
        });
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);

        using var second = await client.PostFormAsync(add, new()
        {
            ["Input.Role"] = "safeguarding_lead", ["Input.Name"] = TestData.Unique("Other Lead"),
            ["Input.Email"] = "other@park.sch.uk", ["Input.Phone"] = "0121 464 2002",
        });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        FieldMessage.AssertShown(await second.Content.ReadAsStringAsync(), "Input.Role",
            $"This venue already has a designated safeguarding lead ({lead}).");
        Assert.Equal(1, await ContactsAsync(venue));

        var details = await client.GetPageAsync($"/Venues/Details/{Id(venue)}");
        Assert.Contains("Designated safeguarding lead", details, StringComparison.Ordinal);
        Assert.Contains($"{lead}, Deputy Head", details, StringComparison.Ordinal);
        Assert.Contains("mailto:dsl@park.sch.uk", details, StringComparison.Ordinal);
        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE entity = 'venue_contact' AND action = 'create' AND after->>'Name' = @lead", new { lead }));
    }

    [Fact]
    public async Task Changing_and_removing_a_contact_is_audited()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource, kind: "community");
        var name = TestData.Unique("Reception");
        using (var added = await client.PostFormAsync($"/Venues/Contact/{Id(venue)}", new()
        {
            ["Input.Role"] = "reception", ["Input.Name"] = name, ["Input.Phone"] = "0121 464 2003",
        }))
        {
            Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        }
        await using var c = await app.DataSource.OpenConnectionAsync();
        var contactId = await c.ExecuteScalarAsync<long>("SELECT id FROM outreach.venue_contacts WHERE venue_id = @venue", new { venue });

        using var changed = await client.PostFormAsync($"/Venues/Contact/{Id(venue)}/{Id(contactId)}", new()
        {
            ["Input.Role"] = "main", ["Input.Name"] = name, ["Input.Email"] = "office@centre.org.uk", ["Input.Phone"] = "",
        });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Equal(("main", "office@centre.org.uk", (string?)null), await c.QuerySingleAsync<(string, string, string?)>(
            "SELECT role, email, phone FROM outreach.venue_contacts WHERE id = @contactId", new { contactId }));

        var details = $"/Venues/Details/{Id(venue)}";
        using var removed = await client.PostFormAsync(details, [], action: $"{details}?handler=RemoveContact&contactId={Id(contactId)}");

        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Equal(0, await ContactsAsync(venue));
        var actions = (await c.QueryAsync<string>(
            "SELECT action FROM outreach.audit_events WHERE entity = 'venue_contact' AND entity_id = @id ORDER BY id",
            new { id = Id(contactId) })).ToList();
        Assert.Equal(["create", "update", "delete"], actions);
    }

    [Fact]
    public async Task The_venue_list_links_to_each_venue_and_to_the_import()
    {
        using var client = await app.SignedInAsync(Roles.Coordinator);
        var venue = await TestData.VenueAsync(app.DataSource);
        await using var c = await app.DataSource.OpenConnectionAsync();
        var name = await c.ExecuteScalarAsync<string>("SELECT name FROM outreach.venues WHERE id = @venue", new { venue });

        var list = await client.GetPageAsync("/Venues?search=" + Uri.EscapeDataString(name!));

        Assert.Contains($"href=\"/Venues/Details/{Id(venue)}\"", list, StringComparison.Ordinal);
        Assert.Contains("href=\"/Venues/Import\"", list, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/Venues/Details/999999999")).StatusCode);
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Value(string html, string name)
    {
        var input = Regex.Match(html, $"<input[^>]*name=\"{Regex.Escape(name)}\"[^>]*value=\"([^\"]*)\"");
        if (input.Success)
        {
            return WebUtility.HtmlDecode(input.Groups[1].Value);
        }
        var select = Regex.Match(html, $"<select[^>]*name=\"{Regex.Escape(name)}\".*?<option selected=\"selected\" value=\"([^\"]*)\"", RegexOptions.Singleline);
        Assert.True(select.Success, $"No value for {name} on the form");
        return select.Groups[1].Value;
    }

    private async Task<string> AccessNotesAsync(long venue)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<string>("SELECT access_notes FROM outreach.venues WHERE id = @venue", new { venue }) ?? "";
    }

    private async Task<long> ContactsAsync(long venue) =>
        await TestData.CountAsync(app.DataSource, "SELECT count(*) FROM outreach.venue_contacts WHERE venue_id = @venue", new { venue });
}
