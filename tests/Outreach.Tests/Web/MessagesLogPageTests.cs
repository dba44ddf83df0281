using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>Coordinators search the log of texts, download it, resend what failed and read one worker's texts both ways.</summary>
[Collection("App")]
public sealed partial class MessagesLogPageTests(OutreachApp app)
{
    [Fact]
    public async Task The_log_filters_by_worker_status_kind_and_UK_dates()
    {
        var (worker, name) = await WorkerAsync();
        var kind = "kind-" + Guid.NewGuid().ToString("N")[..8];
        // UK summer time: 1 July runs from 23:00 UTC on 30 June to 23:00 UTC on 1 July.
        var delivered = await RowAsync(worker, kind, "sent", "delivered", new DateTime(2026, 6, 30, 23, 30, 0, DateTimeKind.Utc));
        var undelivered = await RowAsync(worker, kind, "sent", "undelivered", new DateTime(2026, 7, 1, 22, 59, 0, DateTimeKind.Utc), "30005");
        var failed = await RowAsync(worker, "other-kind", "failed", null, new DateTime(2026, 7, 1, 12, 0, 0, DateTimeKind.Utc));
        var pending = await RowAsync(worker, kind, "pending", null, new DateTime(2026, 7, 2, 9, 0, 0, DateTimeKind.Utc));
        var before = await RowAsync(worker, kind, "sent", null, new DateTime(2026, 6, 30, 22, 59, 0, DateTimeKind.Utc));
        var someoneElse = await RowAsync((await WorkerAsync()).Id, kind, "sent", "delivered", new DateTime(2026, 7, 1, 12, 0, 0, DateTimeKind.Utc));
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        var who = Uri.EscapeDataString(name);

        Assert.Equal([pending, undelivered, failed, delivered, before], await IdsAsync(coordinator, $"/Messages?worker={who}"));
        Assert.Equal([undelivered, failed, delivered], await IdsAsync(coordinator, $"/Messages?worker={who}&from=2026-07-01&to=01/07/2026"));
        Assert.Equal([delivered], await IdsAsync(coordinator, $"/Messages?worker={who}&status=delivered"));
        Assert.Equal([undelivered], await IdsAsync(coordinator, $"/Messages?worker={who}&status=undelivered"));
        Assert.Equal([failed], await IdsAsync(coordinator, $"/Messages?worker={who}&status=failed"));
        Assert.Equal([pending], await IdsAsync(coordinator, $"/Messages?worker={who}&status=pending"));
        Assert.Equal([undelivered, failed], await IdsAsync(coordinator, $"/Messages?worker={who}&status=problems"));
        Assert.Equal([pending, undelivered, delivered, before], await IdsAsync(coordinator, $"/Messages?worker={who}&kind={kind}"));
        Assert.Equal([pending, undelivered, someoneElse, delivered, before], await IdsAsync(coordinator, $"/Messages?kind={kind}"));
        Assert.Equal([pending, undelivered, failed, delivered, before], await IdsAsync(coordinator, $"/Messages?workerId={worker}"));

        var page = await coordinator.GetPageAsync($"/Messages?worker={who}&status=undelivered");
        Assert.Contains("30005: the number is unknown or no longer in use", page, StringComparison.Ordinal);
        Assert.Contains("Not delivered", page, StringComparison.Ordinal);

        var none = await coordinator.GetPageAsync($"/Messages?worker={Guid.NewGuid():N}");
        Assert.Contains("No messages match this search.", none, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_filters_get_a_message_beside_the_field_and_no_rows()
    {
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);

        var html = await coordinator.GetPageAsync("/Messages?status=lost&from=2026-02-30&to=yesterday");

        FieldMessage.AssertShown(html, "Status", "Choose a status from the list.");
        FieldMessage.AssertShown(html, "From", "Enter a date like 31/01/2026.");
        FieldMessage.AssertShown(html, "To", "Enter a date like 31/01/2026.");
        Assert.Empty(MessageIds().Matches(html));
    }

    [Fact]
    public async Task A_long_log_comes_fifty_a_page()
    {
        var (worker, name) = await WorkerAsync();
        var start = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        var ids = new List<long>();
        for (var i = 0; i < 53; i++)
        {
            ids.Add(await RowAsync(worker, "paging", "sent", null, start.AddMinutes(i)));
        }
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        var who = Uri.EscapeDataString(name);

        var first = await IdsAsync(coordinator, $"/Messages?worker={who}");
        var second = await IdsAsync(coordinator, $"/Messages?worker={who}&pageNumber=2");

        Assert.Equal(50, first.Count);
        Assert.Equal(ids[52], first[0]);
        Assert.Equal([ids[2], ids[1], ids[0]], second);
        Assert.Contains("Page 1 of 2", await coordinator.GetPageAsync($"/Messages?worker={who}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_CSV_download_holds_a_header_and_exactly_the_filtered_rows_in_UK_time_and_is_audited()
    {
        var (worker, name) = await WorkerAsync();
        var undelivered = await RowAsync(worker, "csv-test", "sent", "undelivered", new DateTime(2026, 7, 1, 8, 5, 0, DateTimeKind.Utc), "30003",
            body: "=SUM(A1) Reminder, \"quoted\" – café");
        await RowAsync(worker, "csv-test", "sent", "delivered", new DateTime(2026, 7, 1, 9, 0, 0, DateTimeKind.Utc));
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        var exportsBefore = await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE action = 'export' AND entity = 'sms_outbox' AND after->>'Worker' = @name", new { name });

        using var response = await coordinator.GetAsync($"/Messages?handler=Csv&worker={Uri.EscapeDataString(name)}&status=problems");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("attachment", response.Content.Headers.ContentDisposition?.ToString() ?? "", StringComparison.Ordinal);
        var text = System.Text.Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Message,Queued (UK time),Sent (UK time),Kind,Worker,To,Status,Delivery status,Error code,Error meaning,", lines[0], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"{undelivered},2026-07-01 09:05:00,", lines[1], StringComparison.Ordinal);
        Assert.Contains(name, lines[1], StringComparison.Ordinal);
        Assert.Contains(",30003,the phone was unreachable (switched off or out of signal),", lines[1], StringComparison.Ordinal);
        Assert.Contains("\"'=SUM(A1) Reminder, \"\"quoted\"\" – café\"", lines[1], StringComparison.Ordinal);
        Assert.Equal(exportsBefore + 1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE action = 'export' AND entity = 'sms_outbox' AND after->>'Worker' = @name", new { name }));
    }

    [Fact]
    public async Task Resending_an_undelivered_text_queues_exactly_one_new_row_and_audits_it()
    {
        var (worker, name) = await WorkerAsync();
        var session = await TestData.SessionAsync(app.DataSource, DateTime.UtcNow.AddDays(3), TimeSpan.FromHours(2));
        await TestData.AssignAsync(app.DataSource, session, worker);
        var key = TestData.Unique("reminder-24h");
        var original = await RowAsync(worker, "reminder", "sent", "undelivered", DateTime.UtcNow.AddHours(-1), "30003", key: key, session: session);
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        var list = $"/Messages?status=problems&worker={Uri.EscapeDataString(name)}";
        var form = ResendForm().Match(await coordinator.GetPageAsync(list));
        Assert.True(form.Success, "no Resend form on the failed list");
        var action = WebUtility.HtmlDecode(form.Groups[1].Value);
        Assert.Contains($"id={original}", action, StringComparison.Ordinal);

        using (var response = await coordinator.PostFormAsync(list, new(), action: action))
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            var back = response.Headers.Location?.ToString() ?? "";
            Assert.Contains("status=problems", back, StringComparison.Ordinal);
            Assert.Contains($"Message {original} is queued again", await coordinator.GetPageAsync(back), StringComparison.Ordinal);
        }
        using (var again = await coordinator.PostFormAsync(list, new(), action: $"/Messages?handler=Resend&id={original}"))
        {
            Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        }

        await using var c = await app.DataSource.OpenConnectionAsync();
        var copies = (await c.QueryAsync<(long Id, string DedupeKey, long? WorkerId, long? SessionId, string Body, string Purpose)>(
            "SELECT id, dedupe_key, worker_id, session_id, body, purpose FROM outreach.sms_outbox WHERE resend_of = @original",
            new { original })).ToList();
        var copy = Assert.Single(copies);
        Assert.Equal(key + ":resend:1", copy.DedupeKey);
        Assert.Equal((worker, session, "Test message", "reminder"), (copy.WorkerId!.Value, copy.SessionId!.Value, copy.Body, copy.Purpose));
        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.audit_events WHERE action = 'resend' AND entity = 'sms_outbox' AND entity_id = @id",
            new { id = copy.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        var page = await coordinator.GetPageAsync($"/Messages?worker={Uri.EscapeDataString(name)}");
        Assert.Contains($"Resent as message {copy.Id}", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"aria-label=\"Resend message {original}\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resend_to_a_worker_who_opted_out_or_whose_number_is_failing_is_refused_with_a_reason()
    {
        var (optedOut, optedOutName) = await WorkerAsync();
        var (failing, failingName) = await WorkerAsync();
        await using (var c = await app.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("UPDATE outreach.youth_workers SET sms_opted_out = true WHERE id = @optedOut", new { optedOut });
            await c.ExecuteAsync("UPDATE outreach.youth_workers SET sms_failing = true WHERE id = @failing", new { failing });
        }
        var first = await RowAsync(optedOut, "reminder", "failed", null, DateTime.UtcNow.AddHours(-1));
        var second = await RowAsync(failing, "reminder", "sent", "undelivered", DateTime.UtcNow.AddHours(-1), "30005");
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);

        foreach (var (id, expected) in new[]
                 {
                     (first, $"Not resent: {optedOutName} has opted out of texts"),
                     (second, $"Not resent: texts to {failingName}&#x27;s mobile number are failing"),
                 })
        {
            using var response = await coordinator.PostFormAsync("/Messages?status=problems", new(), action: $"/Messages?handler=Resend&id={id}&status=problems");
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            var shown = await coordinator.GetPageAsync(response.Headers.Location!.ToString());
            Assert.Contains(expected, shown, StringComparison.Ordinal);
            Assert.Contains("id=\"resend-problem\"", shown, StringComparison.Ordinal);
        }
        Assert.Equal(0, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.sms_outbox WHERE resend_of = ANY(@ids)", new { ids = new[] { first, second } }));
    }

    [Fact]
    public async Task A_resend_of_a_reminder_for_a_cancelled_session_is_refused_on_the_page_with_the_reason()
    {
        var (worker, name) = await WorkerAsync();
        var session = await TestData.SessionAsync(app.DataSource, DateTime.UtcNow.AddDays(3), TimeSpan.FromHours(2), status: "cancelled");
        await TestData.AssignAsync(app.DataSource, session, worker);
        var original = await RowAsync(worker, "reminder", "failed", null, DateTime.UtcNow.AddHours(-1), session: session);
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        var list = $"/Messages?status=problems&worker={Uri.EscapeDataString(name)}";

        using var response = await coordinator.PostFormAsync(list, new(), action: $"/Messages?handler=Resend&id={original}&status=problems");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var shown = await coordinator.GetPageAsync(response.Headers.Location!.ToString());
        Assert.Contains("id=\"resend-problem\"", shown, StringComparison.Ordinal);
        Assert.Contains("has been cancelled. Only the cancellation notice can still be sent.", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("is queued again", shown, StringComparison.Ordinal);
        Assert.Equal(0, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.sms_outbox WHERE resend_of = @original", new { original }));
    }

    [Fact]
    public async Task The_failed_list_offers_Resend_where_a_resend_would_go_ahead_and_says_why_not_where_it_would_be_refused()
    {
        var (worker, name) = await WorkerAsync();
        var going = await TestData.SessionAsync(app.DataSource, DateTime.UtcNow.AddDays(3), TimeSpan.FromHours(2));
        var cancelled = await TestData.SessionAsync(app.DataSource, DateTime.UtcNow.AddDays(4), TimeSpan.FromHours(2), status: "cancelled");
        await TestData.AssignAsync(app.DataSource, going, worker);
        await TestData.AssignAsync(app.DataSource, cancelled, worker);
        var resendable = await RowAsync(worker, "reminder", "sent", "undelivered", DateTime.UtcNow.AddHours(-1), "30003", session: going);
        var refused = await RowAsync(worker, "reminder", "failed", null, DateTime.UtcNow.AddHours(-1), session: cancelled);
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        var list = $"/Messages?status=problems&worker={Uri.EscapeDataString(name)}";

        var html = await coordinator.GetPageAsync(list);

        var canRow = RowHtml(html, resendable);
        Assert.Contains($"aria-label=\"Resend message {resendable}\"", canRow, StringComparison.Ordinal);
        Assert.DoesNotContain("Cannot be resent", canRow, StringComparison.Ordinal);
        var refusedRow = RowHtml(html, refused);
        Assert.DoesNotContain("<button", refusedRow, StringComparison.Ordinal);
        var shown = Refusal().Match(refusedRow);
        Assert.True(shown.Success, "no reason in place of the Resend button");
        Assert.Equal(refused.ToString(System.Globalization.CultureInfo.InvariantCulture), shown.Groups[1].Value);
        Assert.Contains("has been cancelled. Only the cancellation notice can still be sent.", shown.Groups[2].Value, StringComparison.Ordinal);

        // Resending it anyway (a stale page, a hand-made request) is refused with the very words the page showed.
        using var response = await coordinator.PostFormAsync(list, new(), action: $"/Messages?handler=Resend&id={refused}&status=problems");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var problem = ResendProblemText().Match(await coordinator.GetPageAsync(response.Headers.Location!.ToString()));
        Assert.True(problem.Success, "no refusal shown after the resend");
        Assert.Equal("Not resent: " + shown.Groups[2].Value, problem.Groups[1].Value);
    }

    [Fact]
    public async Task A_workers_texts_page_shows_what_was_sent_and_their_replies_in_time_order_with_their_texting_state()
    {
        var (worker, name) = await WorkerAsync();
        await using (var c = await app.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("UPDATE outreach.youth_workers SET sms_failing = true WHERE id = @worker", new { worker });
        }
        await RowAsync(worker, "reminder", "sent", "delivered", DateTime.UtcNow.AddHours(-3), body: "Reminder: assembly tomorrow");
        await ReplyAsync(worker, "YES see you there", DateTime.UtcNow.AddHours(-2));
        await RowAsync(worker, "confirmation", "sent", "undelivered", DateTime.UtcNow.AddHours(-1), "30006", body: "Thanks, you are confirmed");
        using var coordinator = await app.SignedInAsync(Roles.Coordinator);

        var html = await coordinator.GetPageAsync($"/Messages/Worker/{worker}");

        Assert.Contains(name, html, StringComparison.Ordinal);
        Assert.Contains("Number failing", html, StringComparison.Ordinal);
        var confirmed = html.IndexOf("Thanks, you are confirmed", StringComparison.Ordinal);
        var reply = html.IndexOf("YES see you there", StringComparison.Ordinal);
        var reminder = html.IndexOf("Reminder: assembly tomorrow", StringComparison.Ordinal);
        Assert.True(confirmed > 0 && confirmed < reply && reply < reminder, "newest first: confirmation, reply, reminder");
        Assert.Contains("Their reply", html, StringComparison.Ordinal);
        Assert.Contains("30006: the number is a landline or cannot receive texts", html, StringComparison.Ordinal);

        var details = await coordinator.GetPageAsync($"/Workers/Details/{worker}");
        Assert.Contains($"href=\"/Messages/Worker/{worker}\"", details, StringComparison.Ordinal);
        using var missing = await coordinator.GetAsync($"/Messages/Worker/{long.MaxValue}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private async Task<(long Id, string Name)> WorkerAsync()
    {
        var id = await TestData.WorkerAsync(app.DataSource);
        await using var c = await app.DataSource.OpenConnectionAsync();
        return (id, await c.ExecuteScalarAsync<string>("SELECT full_name FROM outreach.youth_workers WHERE id = @id", new { id }) ?? "");
    }

    // Pending rows are due far ahead so the running send job leaves them alone.
    private async Task<long> RowAsync(long worker, string purpose, string status, string? delivery, DateTime createdAt, string? errorCode = null,
        string body = "Test message", string? key = null, long? session = null)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>("""
            INSERT INTO outreach.sms_outbox (dedupe_key, purpose, worker_id, session_id, to_e164, body, status, delivery_status,
                delivery_error_code, created_at, sent_at, not_before, attempts)
            VALUES (@key, @purpose, @worker, @session, (SELECT mobile_e164 FROM outreach.youth_workers WHERE id = @worker), @body, @status,
                    @delivery, @errorCode, @createdAt, CASE WHEN @status = 'sent' THEN @createdAt END,
                    CASE WHEN @status = 'pending' THEN now() + interval '30 days' ELSE @createdAt END, 1)
            RETURNING id
            """, new { key = key ?? TestData.Unique("log"), purpose, worker, session, body, status, delivery, errorCode, createdAt });
    }

    private async Task ReplyAsync(long worker, string body, DateTime receivedAt)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        await c.ExecuteAsync("""
            INSERT INTO outreach.sms_inbound (message_sid, from_e164, body, worker_id, received_at)
            VALUES (@sid, (SELECT mobile_e164 FROM outreach.youth_workers WHERE id = @worker), @body, @worker, @receivedAt)
            """, new { sid = "SM" + Guid.NewGuid().ToString("N"), worker, body, receivedAt });
    }

    private static async Task<List<long>> IdsAsync(SiteClient client, string path) =>
        MessageIds().Matches(await client.GetPageAsync(path)).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    private static string RowHtml(string html, long id)
    {
        var start = html.IndexOf($"<tr data-message-id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"message {id} is not on the page");
        return html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }

    [GeneratedRegex("id=\"resend-refused-([0-9]+)\">Cannot be resent: ([^<]*)</p>")]
    private static partial Regex Refusal();

    [GeneratedRegex("id=\"resend-problem\">([^<]*)</div>")]
    private static partial Regex ResendProblemText();

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]*handler=Resend[^\"]*)\"")]
    private static partial Regex ResendForm();

    [GeneratedRegex("data-message-id=\"([0-9]+)\"")]
    private static partial Regex MessageIds();
}
