using System.Net;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

[Collection("App")]
public sealed class TwilioWebhookTests(OutreachApp app)
{
    [Fact]
    public async Task A_signed_reply_is_stored_once_however_often_Twilio_sends_it()
    {
        var worker = await TestData.WorkerAsync(app.DataSource);
        var mobile = await Scalar<string>("SELECT mobile_e164 FROM outreach.youth_workers WHERE id = @worker", new { worker });
        var sid = "SM" + Guid.NewGuid().ToString("N");
        var fields = new Dictionary<string, string> { ["MessageSid"] = sid, ["From"] = mobile, ["To"] = "+447700900999", ["Body"] = "YES" };

        for (var i = 0; i < 2; i++)
        {
            using var response = await PostAsync("/twilio/sms", fields, Sign("/twilio/sms", fields));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(1, await Scalar<long>("SELECT count(*) FROM outreach.sms_inbound WHERE message_sid = @sid", new { sid }));
        Assert.Equal(worker, await Scalar<long>("SELECT worker_id FROM outreach.sms_inbound WHERE message_sid = @sid", new { sid }));
    }

    [Fact]
    public async Task A_forged_or_missing_signature_gets_403_and_writes_nothing()
    {
        var sid = "SM" + Guid.NewGuid().ToString("N");
        var fields = new Dictionary<string, string> { ["MessageSid"] = sid, ["From"] = "+447400123456", ["Body"] = "STOP" };
        var forged = Sign("/twilio/sms", fields, token: "not-the-auth-token");
        var tampered = Sign("/twilio/sms", new Dictionary<string, string>(fields) { ["Body"] = "YES" });

        foreach (var signature in new[] { forged, tampered, null })
        {
            using var response = await PostAsync("/twilio/sms", fields, signature);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
        using (var status = await PostAsync("/twilio/status", new() { ["MessageSid"] = sid, ["MessageStatus"] = "delivered" }, forged))
        {
            Assert.Equal(HttpStatusCode.Forbidden, status.StatusCode);
        }
        Assert.Equal(0, await Scalar<long>("SELECT count(*) FROM outreach.sms_inbound WHERE message_sid = @sid", new { sid }));
        Assert.Equal(0, await Scalar<long>("SELECT count(*) FROM outreach.sms_status_events WHERE message_sid = @sid", new { sid }));
    }

    [Fact]
    public async Task A_signed_delivery_report_updates_the_outbox_row_once()
    {
        var sid = "SM" + Guid.NewGuid().ToString("N");
        await using (var c = await app.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("""
                INSERT INTO outreach.sms_outbox (dedupe_key, purpose, to_e164, body, status, provider_sid)
                VALUES (@key, 'test', '+447400123456', 'Test', 'sent', @sid)
                """, new { key = TestData.Unique("webhook"), sid });
        }
        var fields = new Dictionary<string, string> { ["MessageSid"] = sid, ["MessageStatus"] = "delivered" };
        for (var i = 0; i < 2; i++)
        {
            using var response = await PostAsync("/twilio/status", fields, Sign("/twilio/status", fields));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        Assert.Equal("delivered", await Scalar<string>("SELECT delivery_status FROM outreach.sms_outbox WHERE provider_sid = @sid", new { sid }));
        Assert.Equal(1, await Scalar<long>("SELECT count(*) FROM outreach.sms_status_events WHERE message_sid = @sid", new { sid }));
    }

    [Fact]
    public async Task HELP_is_answered_in_TwiML_and_a_repeated_webhook_gets_the_same_answer()
    {
        var worker = await TestData.WorkerAsync(app.DataSource);
        var mobile = await Scalar<string>("SELECT mobile_e164 FROM outreach.youth_workers WHERE id = @worker", new { worker });
        var fields = new Dictionary<string, string> { ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"), ["From"] = mobile, ["Body"] = " help " };

        for (var i = 0; i < 2; i++)
        {
            using var response = await PostAsync("/twilio/sms", fields, Sign("/twilio/sms", fields));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var twiml = System.Xml.Linq.XDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(Outreach.Data.Messages.SmsText.Help, twiml.Root!.Element("Message")!.Value);
        }
    }

    [Fact]
    public async Task STOP_by_webhook_opts_the_worker_out_and_START_opts_them_back_in()
    {
        var worker = await TestData.WorkerAsync(app.DataSource);
        var mobile = await Scalar<string>("SELECT mobile_e164 FROM outreach.youth_workers WHERE id = @worker", new { worker });

        foreach (var (body, optedOut) in new[] { ("STOP", true), ("start", false), ("Unsubscribe", true) })
        {
            var fields = new Dictionary<string, string> { ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"), ["From"] = mobile, ["Body"] = body };
            using var response = await PostAsync("/twilio/sms", fields, Sign("/twilio/sms", fields));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(optedOut, await Scalar<bool>("SELECT sms_opted_out FROM outreach.youth_workers WHERE id = @worker", new { worker }));
        }
    }

    [Fact]
    public async Task Text_from_an_unknown_number_lands_in_the_inbox_with_an_empty_answer()
    {
        var sid = "SM" + Guid.NewGuid().ToString("N");
        var fields = new Dictionary<string, string> { ["MessageSid"] = sid, ["From"] = TestData.Mobile(), ["Body"] = "Who is this?" };

        using var response = await PostAsync("/twilio/sms", fields, Sign("/twilio/sms", fields));

        var twiml = System.Xml.Linq.XDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Empty(twiml.Root!.Elements());
        Assert.Equal("inbox", await Scalar<string>("SELECT outcome FROM outreach.sms_inbound WHERE message_sid = @sid", new { sid }));
        using var coordinator = await app.SignedInAsync(Outreach.Data.Identity.Roles.Coordinator);
        Assert.Contains("Who is this?", await coordinator.GetPageAsync("/Messages/Inbox"), StringComparison.Ordinal);
    }

    // Twilio's scheme: HMAC-SHA1 over the full URL followed by each field name and value, sorted by name.
    // SHA-1 is Twilio's choice, not ours; the test has to sign the way Twilio does.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "Twilio's signature scheme is HMAC-SHA1.")]
    private string Sign(string path, Dictionary<string, string> fields, string token = OutreachApp.WebhookAuthToken)
    {
        var data = new StringBuilder(new Uri(app.BaseUrl, path).ToString());
        foreach (var (key, value) in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            data.Append(key).Append(value);
        }
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(data.ToString())));
    }

    private async Task<HttpResponseMessage> PostAsync(string path, Dictionary<string, string> fields, string? signature)
    {
        using var http = new HttpClient { BaseAddress = app.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        if (signature is not null)
        {
            request.Headers.Add("X-Twilio-Signature", signature);
        }
        return await http.SendAsync(request);
    }

    private async Task<T> Scalar<T>(string sql, object args)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        return (await c.ExecuteScalarAsync<T>(sql, args))!;
    }
}
