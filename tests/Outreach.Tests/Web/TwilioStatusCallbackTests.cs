using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Data.Identity;
using Outreach.Data.Messages;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>
/// Twilio's delivery reports through the real signed endpoint: repeated, shuffled, and arriving before the send job
/// has stored the message SID. The outbox row only ever moves forward and the first final status wins.
/// </summary>
[Collection("App")]
public sealed class TwilioStatusCallbackTests(OutreachApp app)
{
    private static readonly Dictionary<string, int> Rank = new(StringComparer.Ordinal)
    {
        ["queued"] = 2, ["sending"] = 3, ["sent"] = 4, ["delivered"] = 5, ["undelivered"] = 5, ["failed"] = 5,
    };

    [Fact]
    public async Task Fifty_shuffled_and_repeated_reports_each_end_delivered_without_ever_moving_back()
    {
        var random = new Random(20_261_129);
        using var twilio = new TwilioWebhookClient(app);
        var outbox = app.Services.GetRequiredService<OutboxData>();
        for (var run = 0; run < 50; run++)
        {
            var reports = new List<string> { "queued", "sending", "sent", "delivered" };
            for (var extra = random.Next(1, 5); extra > 0; extra--)
            {
                reports.Add(reports[random.Next(4)]);
            }
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(reports));
            // Every other run, the SID reaches the outbox row only after some reports have arrived.
            var storeSidAfter = run % 2 == 0 ? -1 : random.Next(reports.Count + 1);
            var sid = "SM" + Guid.NewGuid().ToString("N");
            var id = await OutboxRowAsync(storeSidAfter < 0 ? sid : null, storeSidAfter < 0 ? "sent" : "sending");

            var highest = 0;
            for (var i = 0; i <= reports.Count; i++)
            {
                if (i == storeSidAfter)
                {
                    await outbox.MarkSentAsync(id, 0, sid, CancellationToken.None);
                }
                if (i == reports.Count)
                {
                    break;
                }
                using var response = await twilio.StatusAsync(sid, reports[i]);
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
                var now = await DeliveryAsync(id);
                var rank = now.DeliveryStatus is null ? 0 : Rank[now.DeliveryStatus];
                Assert.True(rank >= highest, $"run {run}: {string.Join(",", reports)} moved back to {now.DeliveryStatus} at report {i}");
                highest = rank;
            }

            var end = await DeliveryAsync(id);
            Assert.True(end.DeliveryStatus == "delivered", $"run {run}: {string.Join(",", reports)} (SID stored after {storeSidAfter}) ended {end.DeliveryStatus}");
            Assert.Null(end.DeliveryErrorCode);
            Assert.NotNull(end.DeliveryUpdatedAt);
            Assert.Equal(reports.Distinct().Count(), await TestData.CountAsync(app.DataSource,
                "SELECT count(*) FROM outreach.sms_status_events WHERE message_sid = @sid", new { sid }));
        }
    }

    [Fact]
    public async Task An_undelivered_report_keeps_its_error_code_and_the_first_final_status_wins()
    {
        using var twilio = new TwilioWebhookClient(app);
        var sid = "SM" + Guid.NewGuid().ToString("N");
        var id = await OutboxRowAsync(sid, "sent");

        foreach (var status in new[] { "sent", "undelivered", "queued", "sending", "sent", "undelivered" })
        {
            using var response = await twilio.StatusAsync(sid, status, status == "undelivered" ? "30003" : null);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        // A later, different final report (a retry at the network) does not overwrite the first.
        using (var late = await twilio.StatusAsync(sid, "delivered"))
        {
            Assert.Equal(HttpStatusCode.NoContent, late.StatusCode);
        }

        var end = await DeliveryAsync(id);
        Assert.Equal("undelivered", end.DeliveryStatus);
        Assert.Equal("30003", end.DeliveryErrorCode);

        using var coordinator = await app.SignedInAsync(Roles.Coordinator);
        var html = await coordinator.GetPageAsync("/Messages?status=undelivered&kind=callback-test");
        Assert.Contains($"data-message-id=\"{id}\"", html, StringComparison.Ordinal);
        Assert.Contains("30003: the phone was unreachable (switched off or out of signal)", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reports_racing_the_send_job_storing_the_SID_are_never_lost()
    {
        using var twilio = new TwilioWebhookClient(app);
        var outbox = app.Services.GetRequiredService<OutboxData>();
        for (var run = 0; run < 20; run++)
        {
            var sid = "SM" + Guid.NewGuid().ToString("N");
            var id = await OutboxRowAsync(null, "sending");
            var report = Task.Run(async () =>
            {
                using var response = await twilio.StatusAsync(sid, "delivered");
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            });
            var store = Task.Run(() => outbox.MarkSentAsync(id, 0, sid, CancellationToken.None));
            await Task.WhenAll(report, store);

            Assert.Equal("delivered", (await DeliveryAsync(id)).DeliveryStatus);
        }
    }

    [Fact]
    public async Task A_report_that_the_number_is_a_landline_marks_the_workers_number_failing_and_alerts_once()
    {
        using var twilio = new TwilioWebhookClient(app);
        var worker = await TestData.WorkerAsync(app.DataSource);
        var sid = "SM" + Guid.NewGuid().ToString("N");
        var id = await OutboxRowAsync(sid, "sent", worker);

        for (var i = 0; i < 2; i++)
        {
            using var response = await twilio.StatusAsync(sid, "undelivered", "30006");
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.youth_workers WHERE id = @worker AND sms_failing", new { worker }));
        Assert.Equal(1, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.alerts WHERE worker_id = @worker AND kind = 'sms_failing' AND dedupe_key = @key",
            new { worker, key = $"sms-failing:{id}" }));
    }

    [Fact]
    public async Task A_temporary_failure_does_not_mark_the_number_failing()
    {
        using var twilio = new TwilioWebhookClient(app);
        var worker = await TestData.WorkerAsync(app.DataSource);
        var sid = "SM" + Guid.NewGuid().ToString("N");
        await OutboxRowAsync(sid, "sent", worker);

        using var response = await twilio.StatusAsync(sid, "undelivered", "30003");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(0, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.youth_workers WHERE id = @worker AND sms_failing", new { worker }));
    }

    [Fact]
    public async Task A_forged_report_gets_403_and_changes_nothing()
    {
        using var twilio = new TwilioWebhookClient(app);
        var sid = "SM" + Guid.NewGuid().ToString("N");
        var id = await OutboxRowAsync(sid, "sent");
        var fields = new Dictionary<string, string> { ["MessageSid"] = sid, ["MessageStatus"] = "delivered" };

        using var response = await twilio.PostAsync("/twilio/status", fields, token: "not-the-auth-token");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null((await DeliveryAsync(id)).DeliveryStatus);
        Assert.Equal(0, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.sms_status_events WHERE message_sid = @sid", new { sid }));
    }

    [Fact]
    public async Task A_signed_report_with_a_malformed_error_code_gets_400_and_changes_nothing()
    {
        using var twilio = new TwilioWebhookClient(app);
        var sid = "SM" + Guid.NewGuid().ToString("N");
        var id = await OutboxRowAsync(sid, "sent");

        using var response = await twilio.StatusAsync(sid, "undelivered", "30003<script>");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null((await DeliveryAsync(id)).DeliveryStatus);
        Assert.Equal(0, await TestData.CountAsync(app.DataSource,
            "SELECT count(*) FROM outreach.sms_status_events WHERE message_sid = @sid", new { sid }));
    }

    private async Task<long> OutboxRowAsync(string? sid, string status, long? workerId = null)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>("""
            INSERT INTO outreach.sms_outbox (dedupe_key, purpose, worker_id, to_e164, body, status, provider_sid, not_before)
            VALUES (@key, 'callback-test', @workerId,
                    coalesce((SELECT mobile_e164 FROM outreach.youth_workers WHERE id = @workerId), '+447400123456'),
                    'Delivery test', @status, @sid, now() + interval '1 day')
            RETURNING id
            """, new { key = TestData.Unique("callback"), workerId, status, sid });
    }

    private async Task<Delivery> DeliveryAsync(long id)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return await c.QuerySingleAsync<Delivery>(
            "SELECT delivery_status, delivery_error_code, delivery_updated_at FROM outreach.sms_outbox WHERE id = @id", new { id });
    }

    private sealed record Delivery(string? DeliveryStatus, string? DeliveryErrorCode, DateTime? DeliveryUpdatedAt);
}
