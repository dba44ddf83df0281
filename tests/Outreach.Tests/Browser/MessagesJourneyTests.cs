using Dapper;
using Microsoft.Playwright;
using Outreach.Data.Identity;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Browser;

/// <summary>
/// A coordinator in real Chromium sees from a worker's profile that a text did not reach them and why, reads the
/// worker's replies, and resends the text from the failed-or-not-delivered list, where a text that may no longer be
/// resent says why instead of offering the button.
/// </summary>
[Collection("App")]
public sealed class MessagesJourneyTests(OutreachApp app)
{
    [Fact]
    public async Task A_coordinator_finds_an_undelivered_text_on_a_workers_page_and_resends_it_from_the_log()
    {
        await using var browser = await BrowserSession.StartAsync(nameof(A_coordinator_finds_an_undelivered_text_on_a_workers_page_and_resends_it_from_the_log));
        var worker = await TestData.WorkerAsync(app.DataSource);
        var cancelled = await TestData.SessionAsync(app.DataSource, DateTime.UtcNow.AddDays(2), TimeSpan.FromHours(2), status: "cancelled");
        await TestData.AssignAsync(app.DataSource, cancelled, worker);
        string name;
        long undelivered;
        long outOfDate;
        await using (var c = await app.DataSource.OpenConnectionAsync())
        {
            name = await c.ExecuteScalarAsync<string>("SELECT full_name FROM outreach.youth_workers WHERE id = @worker", new { worker }) ?? "";
            await c.ExecuteAsync("""
                INSERT INTO outreach.sms_outbox (dedupe_key, purpose, worker_id, to_e164, body, status, sent_at, created_at, not_before, attempts, delivery_status)
                SELECT @key, 'roster', id, mobile_e164, 'Outreach: your week. Tue 09:00 assembly. Reply YES to confirm.', 'sent',
                       now() - interval '2 hours', now() - interval '2 hours', now() - interval '2 hours', 1, 'delivered'
                FROM outreach.youth_workers WHERE id = @worker
                """, new { key = TestData.Unique("journey-roster"), worker });
            await c.ExecuteAsync("""
                INSERT INTO outreach.sms_inbound (message_sid, from_e164, body, worker_id, received_at)
                SELECT @sid, mobile_e164, 'YES', id, now() - interval '90 minutes' FROM outreach.youth_workers WHERE id = @worker
                """, new { sid = "SM" + Guid.NewGuid().ToString("N"), worker });
            undelivered = await c.ExecuteScalarAsync<long>("""
                INSERT INTO outreach.sms_outbox (dedupe_key, purpose, worker_id, to_e164, body, status, sent_at, created_at, not_before, attempts,
                    delivery_status, delivery_error_code)
                SELECT @key, 'reminder-24h', id, mobile_e164, 'Outreach reminder: assembly tomorrow 09:00.', 'sent',
                       now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour', 1, 'undelivered', '30003'
                FROM outreach.youth_workers WHERE id = @worker
                RETURNING id
                """, new { key = TestData.Unique("journey-reminder"), worker });
            outOfDate = await c.ExecuteScalarAsync<long>("""
                INSERT INTO outreach.sms_outbox (dedupe_key, purpose, worker_id, session_id, to_e164, body, status, created_at, not_before,
                    attempts, last_error)
                SELECT @key, 'reminder', id, @cancelled, mobile_e164, 'Outreach reminder: workshop the day after tomorrow.', 'failed',
                       now() - interval '3 hours', now() - interval '3 hours', 5, 'gateway error'
                FROM outreach.youth_workers WHERE id = @worker
                RETURNING id
                """, new { key = TestData.Unique("journey-reminder"), worker, cancelled });
        }

        var page = await browser.NewPageAsync(app.BaseUrl);
        await BrowserSession.SignInAsync(page, app, app.Emails[Roles.Coordinator]);

        await page.GotoAsync($"/Workers/Details/{worker}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Texts", Exact = true }).ClickAsync();
        await Expect(page.Locator("#texting-state")).ToContainTextAsync("Receiving texts.");
        await Expect(page.Locator("#history tr[data-direction='in']")).ToContainTextAsync("YES");
        await Expect(page.Locator("#history")).ToContainTextAsync("30003: the phone was unreachable");
        await browser.ScreenshotAsync(page, "worker-texts");

        await page.GotoAsync("/Messages");
        await page.GetByRole(AriaRole.Link, new() { Name = "Failed or not delivered" }).ClickAsync();
        await page.GetByLabel("Youth worker (part of the name)").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        var row = page.Locator($"tr[data-message-id='{undelivered}']");
        await Expect(row).ToContainTextAsync("Not delivered");
        await Expect(page.Locator("#messages tbody tr")).ToHaveCountAsync(2);
        var stale = page.Locator($"tr[data-message-id='{outOfDate}']");
        await Expect(stale).ToContainTextAsync("Cannot be resent: ");
        await Expect(stale).ToContainTextAsync("has been cancelled. Only the cancellation notice can still be sent.");
        await Expect(stale.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        await browser.ScreenshotAsync(page, "failed-list");

        await row.GetByRole(AriaRole.Button, new() { Name = $"Resend message {undelivered}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Message {undelivered} is queued again");
        await Expect(row).ToContainTextAsync("Resent as message");
        await Expect(row.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        await browser.ScreenshotAsync(page, "resent");
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
