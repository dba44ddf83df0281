using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Outreach.Data;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>Administrators search the audit log, page through it newest first, and export what they find.</summary>
[Collection("App")]
public sealed partial class AuditPageTests(OutreachApp app)
{
    [Fact]
    public async Task An_administrator_finds_an_entitys_events_newest_first_in_UK_time_with_before_and_after_shown_as_text()
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        await WriteAsync(new Actor(null, "first.editor@audit.test", "10.1.2.3"), "create", "venue", id, null, new { Name = "Old <b>name</b>" },
            new DateTime(2026, 7, 1, 11, 30, 0, DateTimeKind.Utc));
        await WriteAsync(new Actor(null, "second.editor@audit.test", "10.9.8.7"), "update", "venue", id,
            new { Name = "Old <b>name</b>" }, new { Name = "<script>alert(1)</script>" }, new DateTime(2026, 7, 2, 8, 0, 0, DateTimeKind.Utc));
        using var admin = await app.SignedInAsync(Roles.Administrator);

        var html = await admin.GetPageAsync($"/Admin/Audit?entity=Venue&entityId={id}");

        var rows = Rows().Matches(html).Select(m => m.Value).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains("second.editor@audit.test", rows[0], StringComparison.Ordinal);
        Assert.Contains("2 Jul 2026 09:00:00", rows[0], StringComparison.Ordinal);
        Assert.Contains("10.9.8.7", rows[0], StringComparison.Ordinal);
        Assert.Contains("first.editor@audit.test", rows[1], StringComparison.Ordinal);
        Assert.Contains("1 Jul 2026 12:30:00", rows[1], StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", rows[0], StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_search_comes_fifty_events_a_page_with_links_to_older_and_newer_events()
    {
        var actor = $"pager-{Guid.NewGuid():N}@audit.test";
        var start = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < 53; i++)
        {
            await WriteAsync(new Actor(null, actor, null), "update", "session", i.ToString(CultureInfo.InvariantCulture), null, null, start.AddMinutes(i));
        }
        using var admin = await app.SignedInAsync(Roles.Administrator);

        var first = await admin.GetPageAsync($"/Admin/Audit?who={Uri.EscapeDataString(actor)}");
        Assert.Equal(50, Rows().Count(first));
        Assert.Matches("session\\s+52", Rows().Matches(first)[0].Value);
        Assert.Contains("pageNumber=2", first, StringComparison.Ordinal);
        Assert.Contains(">Older<", first, StringComparison.Ordinal);

        var second = await admin.GetPageAsync($"/Admin/Audit?who={Uri.EscapeDataString(actor)}&pageNumber=2");
        Assert.Equal(3, Rows().Count(second));
        Assert.Contains(">Newer<", second, StringComparison.Ordinal);
        Assert.DoesNotContain(">Older<", second, StringComparison.Ordinal);

        var none = await admin.GetPageAsync($"/Admin/Audit?who={Guid.NewGuid():N}");
        Assert.Empty(Rows().Matches(none));
        Assert.Contains("No events match this search.", none, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UK_dates_bound_the_search_on_both_days_inclusive()
    {
        var actor = $"dates-{Guid.NewGuid():N}@audit.test";
        // UK summer time is an hour ahead: 1 July runs from 23:00 UTC on 30 June to 23:00 UTC on 1 July.
        await WriteAsync(new Actor(null, actor, null), "update", "venue", "before", null, null, new DateTime(2026, 6, 30, 22, 59, 0, DateTimeKind.Utc));
        await WriteAsync(new Actor(null, actor, null), "update", "venue", "inside-early", null, null, new DateTime(2026, 6, 30, 23, 30, 0, DateTimeKind.Utc));
        await WriteAsync(new Actor(null, actor, null), "update", "venue", "inside-late", null, null, new DateTime(2026, 7, 1, 22, 59, 0, DateTimeKind.Utc));
        await WriteAsync(new Actor(null, actor, null), "update", "venue", "after", null, null, new DateTime(2026, 7, 1, 23, 0, 0, DateTimeKind.Utc));
        using var admin = await app.SignedInAsync(Roles.Administrator);

        var html = await admin.GetPageAsync($"/Admin/Audit?who={actor}&from=2026-07-01&to=01/07/2026");

        var ids = Rows().Matches(html).Select(m => EntityIdIn(m.Value)).ToList();
        Assert.Equal(["inside-late", "inside-early"], ids);
    }

    [Fact]
    public async Task Bad_filters_are_refused_with_a_message_beside_each_field()
    {
        using var admin = await app.SignedInAsync(Roles.Administrator);

        var html = await admin.GetPageAsync("/Admin/Audit?from=2026-02-30&to=yesterday&entity=two%20words&what=" + new string('x', 60));
        FieldMessage.AssertShown(html, "From", "Enter a date like 31/01/2026.");
        FieldMessage.AssertShown(html, "To", "Enter a date like 31/01/2026.");
        FieldMessage.AssertShown(html, "Entity", "An entity is one word, like session or youth_worker.");
        FieldMessage.AssertShown(html, "What", "Keep this under 50 characters.");
        Assert.Empty(Rows().Matches(html));

        var reversed = await admin.GetPageAsync("/Admin/Audit?from=2026-07-02&to=2026-07-01");
        FieldMessage.AssertShown(reversed, "To", "The end date is before the start date.");
        FieldMessage.AssertNone(reversed, "From");
    }

    [Fact]
    public async Task Exporting_streams_every_matching_event_as_CSV_with_formulas_defused_and_records_the_export()
    {
        var actor = $"=HYPERLINK(\"x\")-{Guid.NewGuid():N}@audit.test";
        for (var i = 0; i < 60; i++)
        {
            await WriteAsync(new Actor(null, actor, null), "update", "session", $"csv-{i}", null, new { Title = $"Row {i}, \"quoted\"" },
                new DateTime(2026, 5, 1, 9, 0, 0, DateTimeKind.Utc).AddMinutes(i));
        }
        using var admin = await app.SignedInAsync(Roles.Administrator);
        var before = await ExportsByAsync(Roles.Administrator);

        using var response = await admin.PostFormAsync($"/Admin/Audit?who={Uri.EscapeDataString(actor)}",
            new() { ["Who"] = actor }, action: "/Admin/Audit?handler=Export");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("attachment", response.Content.Headers.ContentDisposition?.ToString() ?? "", StringComparison.Ordinal);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Event,When (UTC),When (UK time),Who,User id,From,What,Entity,Entity id,Before,After", lines[0]);
        Assert.Equal(61, lines.Length);
        Assert.Contains(",csv-59,", lines[1], StringComparison.Ordinal);
        Assert.Contains("2026-05-01T09:59:00.000Z,2026-05-01 10:59:00,", lines[1], StringComparison.Ordinal);
        Assert.Contains(",\"'=HYPERLINK(\"\"x\"\")-", lines[1], StringComparison.Ordinal);
        Assert.Contains("\"{\"\"Title\"\": \"\"Row 59, \\\"\"quoted\\\"\"\"\"}\"", lines[1], StringComparison.Ordinal);
        Assert.Equal(before + 1, await ExportsByAsync(Roles.Administrator));
    }

    [Fact]
    public async Task Only_administrators_open_the_audit_log()
    {
        foreach (var role in new[] { Roles.Coordinator, Roles.Commissioner, Roles.YouthWorker })
        {
            using var client = await app.SignedInAsync(role);
            using var response = await client.GetAsync("/Admin/Audit");
            var location = response.Headers.Location?.ToString() ?? "";
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden || location.Contains("/Account/AccessDenied", StringComparison.Ordinal),
                $"{role}: {(int)response.StatusCode} {location}");
        }
    }

    // Written as AuditLog writes them, but with the time set: the log is append-only, so it cannot be moved afterwards.
    private async Task WriteAsync(Actor actor, string action, string entity, string entityId, object? before, object? after, DateTime at)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        await c.ExecuteAsync("""
            INSERT INTO outreach.audit_events (occurred_at, actor_id, actor_name, remote_ip, action, entity, entity_id, before, after)
            VALUES (@at, NULL, @Name, @RemoteIp, @action, @entity, @entityId, @before::jsonb, @after::jsonb)
            """, new
        {
            at, actor.Name, actor.RemoteIp, action, entity, entityId,
            before = before is null ? null : System.Text.Json.JsonSerializer.Serialize(before),
            after = after is null ? null : System.Text.Json.JsonSerializer.Serialize(after),
        });
    }

    private async Task<long> ExportsByAsync(string role) => await TestData.CountAsync(app.DataSource,
        "SELECT count(*) FROM outreach.audit_events WHERE action = 'export' AND entity = 'audit_events' AND actor_name = @email",
        new { email = app.Emails[role] });

    private static string EntityIdIn(string row) => EntityCell().Match(row).Groups[1].Value;

    [GeneratedRegex("<tr>\\s*<td class=\"text-nowrap\">.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex Rows();

    [GeneratedRegex("entityId=([^\"&]+)")]
    private static partial Regex EntityCell();
}
