using System.Net;
using Dapper;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Web;

/// <summary>
/// Twilio is never turned away: junk from the internet (no signature, or a forged one) is limited per source
/// address and never counts against Twilio's signed requests, and a burst of signed reports is stored whole.
/// Each test floods from a loopback address of its own (127.0.0.x), as a junk sender elsewhere on the internet would.
/// </summary>
[Collection("App")]
public sealed class TwilioWebhookFloodTests(OutreachApp app)
{
    [Fact]
    public async Task After_3000_unsigned_requests_a_signed_reply_from_the_same_address_gets_200_and_is_acted_on()
    {
        var source = IPAddress.Parse("127.0.0.2");
        using var twilio = new TwilioWebhookClient(app, source);
        var worker = await TestData.WorkerAsync(app.DataSource);
        var mobile = await Scalar<string>("SELECT mobile_e164 FROM outreach.youth_workers WHERE id = @worker", new { worker });
        var junkSid = "SM" + Guid.NewGuid().ToString("N");

        var junk = await FloodAsync(twilio, 3_000, i => ("/twilio/sms", new() { ["MessageSid"] = junkSid, ["From"] = mobile, ["Body"] = "STOP" }, i % 2 == 0));

        // The flood was refused, first with 403 and, once its address had spent its budget, with 429.
        Assert.All(junk, status => Assert.Contains(status, new[] { HttpStatusCode.Forbidden, HttpStatusCode.TooManyRequests }));
        Assert.Contains(HttpStatusCode.TooManyRequests, junk);
        Assert.Equal(0, await Scalar<long>("SELECT count(*) FROM outreach.sms_inbound WHERE message_sid = @junkSid", new { junkSid }));
        Assert.False(await Scalar<bool>("SELECT sms_opted_out FROM outreach.youth_workers WHERE id = @worker", new { worker }));

        var sid = "SM" + Guid.NewGuid().ToString("N");
        using var reply = await twilio.PostAsync("/twilio/sms", new() { ["MessageSid"] = sid, ["From"] = mobile, ["To"] = "+447700900999", ["Body"] = "HELP" });

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var twiml = System.Xml.Linq.XDocument.Parse(await reply.Content.ReadAsStringAsync());
        Assert.Equal(Outreach.Data.Messages.SmsText.Help, twiml.Root!.Element("Message")!.Value);
        Assert.Equal(worker, await Scalar<long>("SELECT worker_id FROM outreach.sms_inbound WHERE message_sid = @sid", new { sid }));
    }

    [Fact]
    public async Task A_burst_of_3100_signed_delivery_reports_is_stored_whole()
    {
        using var twilio = new TwilioWebhookClient(app, IPAddress.Parse("127.0.0.3"));
        var sids = Enumerable.Range(0, 3_100).Select(_ => "SM" + Guid.NewGuid().ToString("N")).ToArray();

        var statuses = new HttpStatusCode[sids.Length];
        await Parallel.ForAsync(0, sids.Length, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            using var response = await twilio.StatusAsync(sids[i], "delivered");
            statuses[i] = response.StatusCode;
        });

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.NoContent, status));
        Assert.Equal(sids.Length, await Scalar<long>(
            "SELECT count(*) FROM outreach.sms_status_events WHERE message_sid = ANY(@sids) AND status = 'delivered'", new { sids }));
    }

    [Fact]
    public async Task A_STOP_in_the_middle_of_a_junk_flood_opts_the_worker_out()
    {
        var source = IPAddress.Parse("127.0.0.4");
        using var junkSender = new TwilioWebhookClient(app, source);
        using var twilio = new TwilioWebhookClient(app);
        var worker = await TestData.WorkerAsync(app.DataSource);
        var mobile = await Scalar<string>("SELECT mobile_e164 FROM outreach.youth_workers WHERE id = @worker", new { worker });
        var sid = "SM" + Guid.NewGuid().ToString("N");

        var flood = FloodAsync(junkSender, 2_000, i => (i % 2 == 0 ? "/twilio/sms" : "/twilio/status",
            new() { ["MessageSid"] = "SM" + i, ["From"] = mobile, ["MessageStatus"] = "failed", ["Body"] = "START" }, i % 3 == 0));
        await Task.Delay(100);
        using var stop = await twilio.PostAsync("/twilio/sms", new() { ["MessageSid"] = sid, ["From"] = mobile, ["Body"] = "STOP" });
        var junk = await flood;

        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        Assert.Contains(HttpStatusCode.TooManyRequests, junk);
        Assert.True(await Scalar<bool>("SELECT sms_opted_out FROM outreach.youth_workers WHERE id = @worker", new { worker }));
        Assert.Equal(1, await Scalar<long>("SELECT count(*) FROM outreach.sms_inbound WHERE worker_id = @worker", new { worker }));
    }

    [Fact]
    public async Task One_address_that_spent_its_junk_budget_leaves_another_address_its_own()
    {
        using var flooder = new TwilioWebhookClient(app, IPAddress.Parse("127.0.0.5"));
        using var other = new TwilioWebhookClient(app, IPAddress.Parse("127.0.0.6"));
        var fields = new Dictionary<string, string> { ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"), ["MessageStatus"] = "delivered" };

        var junk = await FloodAsync(flooder, 500, _ => ("/twilio/status", fields, false));
        using var fromOther = await other.JunkAsync("/twilio/status", fields, withForgedSignature: true);

        Assert.Equal(HttpStatusCode.TooManyRequests, junk[^1]);
        Assert.Equal(HttpStatusCode.Forbidden, fromOther.StatusCode);
    }

    private static async Task<HttpStatusCode[]> FloodAsync(
        TwilioWebhookClient client, int count, Func<int, (string Path, Dictionary<string, string> Fields, bool Forged)> request)
    {
        var statuses = new HttpStatusCode[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            var (path, fields, forged) = request(i);
            using var response = await client.JunkAsync(path, fields, forged);
            statuses[i] = response.StatusCode;
        });
        return statuses;
    }

    private async Task<T> Scalar<T>(string sql, object parameters)
    {
        await using var connection = await app.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<T>(sql, parameters) ?? throw new InvalidOperationException("No value: " + sql);
    }
}
