using Dapper;
using Outreach.Data.Messages;
using Outreach.Jobs.Sms;
using Outreach.Tests.Infrastructure;
using static Outreach.Tests.Jobs.Sms.SmsTestSupport;

namespace Outreach.Tests.Jobs.Sms;

[Collection("Database")]
public sealed class SendingFaultTests(DatabaseFixture db)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    // No quiet hours, so advancing the clock through the night does not hold anything back.
    private static readonly Dictionary<string, string?> AllDay = new()
    {
        ["Sms:QuietHoursStart"] = "00:00",
        ["Sms:QuietHoursEnd"] = "00:00",
        ["Sms:RequestTimeout"] = "00:00:01",
    };

    [Fact]
    public async Task With_thirty_percent_of_requests_failing_two_hundred_messages_each_reach_Twilio_exactly_once()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now, AllDay);
        var bodies = Enumerable.Range(0, 200).Select(i => Body($"Fault run message {i}")).ToList();
        var ids = new List<long>();
        foreach (var body in bodies)
        {
            ids.Add(await QueueAsync(harness, body));
        }
        // 500 and 429 refused, stored then cut off, and stored but answered after the client's 1 s timeout.
        harness.Twilio.InjectFaults(0.3, seed: 20261202, slow: TimeSpan.FromSeconds(1.3));

        for (var round = 0; round < 30 && await CountNotSentAsync(ids) > 0; round++)
        {
            await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
            harness.Clock.Advance(TimeSpan.FromMinutes(61));
        }

        Assert.Equal(0, await CountNotSentAsync(ids));
        var received = harness.Twilio.ReceivedByBody;
        Assert.All(bodies, body => Assert.Equal(1, received.GetValueOrDefault(body)));
        // Every row records the SID of the one message Twilio holds for it.
        await using var c = await db.DataSource.OpenConnectionAsync();
        var recorded = (await c.QueryAsync<(string Body, string Sid)>(
            "SELECT body, provider_sid FROM outreach.sms_outbox WHERE id = ANY(@ids)", new { ids })).ToDictionary(r => r.Body, r => r.Sid);
        Assert.All(harness.Twilio.Sent.Where(m => recorded.ContainsKey(m.Body)), m => Assert.Equal(m.Sid, recorded[m.Body]));
        // The faults did happen: cut-off requests (recorded as 0), 500s and 429s.
        var statuses = harness.Twilio.Requests.Where(r => r.Method == "POST").Select(r => r.StatusCode).ToList();
        Assert.Contains(0, statuses);
        Assert.Contains(500, statuses);
        Assert.Contains(429, statuses);
        Assert.True(statuses.Count(s => s != 201) >= 40, $"only {statuses.Count(s => s != 201)} faults");
    }

    [Fact]
    public async Task A_message_stored_by_Twilio_whose_answer_was_lost_is_found_in_the_list_and_not_sent_again()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now, AllDay);
        var body = Body("Dropped answer");
        var id = await QueueAsync(harness, body);
        harness.Twilio.DropNextAfterAccept();

        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        Assert.Equal("unknown", (await StateAsync(db.DataSource, id)).Status);
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        var state = await StateAsync(db.DataSource, id);
        Assert.Equal("sent", state.Status);
        Assert.Equal(harness.Twilio.Sent.Single(m => m.Body == body).Sid, state.ProviderSid);
        Assert.Equal(1, harness.Twilio.ReceivedCount(body));
        Assert.Contains(harness.Twilio.Requests, r => r.Method == "GET" && r.Query.ContainsKey("DateSent>"));
    }

    [Fact]
    public async Task A_row_left_sending_by_a_crashed_worker_whose_message_reached_Twilio_is_recorded_sent_and_not_resent()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now, AllDay);
        var body = Body("Crash after the request left");
        var id = await QueueAsync(harness, body);
        // The worker claimed the row, its request reached Twilio, and it died before recording the answer.
        var claimed = await ClaimOneAsync(harness, id);
        Assert.True(await harness.Get<OutboxData>().BeginAttemptAsync(id, claimed.Attempts, CancellationToken.None));
        var sid = await harness.Get<ISmsGateway>().SendAsync(claimed.ToE164, body, CancellationToken.None);

        // Within the lease the row belongs to the (perhaps slow) worker: nothing happens.
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        Assert.Equal("sending", (await StateAsync(db.DataSource, id)).Status);

        harness.Clock.Advance(TimeSpan.FromMinutes(2));
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        var state = await StateAsync(db.DataSource, id);
        Assert.Equal("sent", state.Status);
        Assert.Equal(sid, state.ProviderSid);
        Assert.Equal(1, harness.Twilio.ReceivedCount(body));
    }

    [Fact]
    public async Task A_row_left_sending_by_a_crashed_worker_whose_message_never_arrived_is_sent_once()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now, AllDay);
        var body = Body("Crash before Twilio had it");
        var id = await QueueAsync(harness, body);
        var claimed = await ClaimOneAsync(harness, id);
        Assert.True(await harness.Get<OutboxData>().BeginAttemptAsync(id, claimed.Attempts, CancellationToken.None));

        harness.Clock.Advance(TimeSpan.FromMinutes(3));
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        var state = await StateAsync(db.DataSource, id);
        Assert.Equal("sent", state.Status);
        Assert.Equal(1, harness.Twilio.ReceivedCount(body));
        // It was looked up before it was sent again.
        var methods = RequestsTo(harness, claimed.ToE164);
        Assert.Equal("GET", methods[0]);
        Assert.Equal("POST", methods[^1]);
    }

    [Fact]
    public async Task A_row_claimed_by_a_worker_that_died_before_its_request_left_is_sent_without_a_lookup()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now, AllDay);
        var body = Body("Crash before the request");
        var id = await QueueAsync(harness, body);
        var claimed = await ClaimOneAsync(harness, id);

        harness.Clock.Advance(TimeSpan.FromMinutes(3));
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        Assert.Equal("sent", (await StateAsync(db.DataSource, id)).Status);
        Assert.Equal(["POST"], RequestsTo(harness, claimed.ToE164));
        Assert.Equal(1, harness.Twilio.ReceivedCount(body));
    }

    [Fact]
    public async Task When_Twilio_list_cannot_be_read_an_unknown_row_waits_and_is_not_sent_blindly()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now, AllDay);
        var body = Body("List down");
        var id = await QueueAsync(harness, body);
        harness.Twilio.DropNextAfterAccept();
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        harness.Twilio.FailNext(1, 503, 20503);
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        Assert.Equal("unknown", (await StateAsync(db.DataSource, id)).Status);
        Assert.Equal(1, harness.Twilio.Requests.Count(r => r.Method == "POST" && r.Form.GetValueOrDefault("Body") == body));

        harness.Clock.Advance(TimeSpan.FromMinutes(2));
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        Assert.Equal("sent", (await StateAsync(db.DataSource, id)).Status);
        Assert.Equal(1, harness.Twilio.ReceivedCount(body));
    }

    private static async Task<ClaimedSms> ClaimOneAsync(JobHarness harness, long id)
    {
        // Other tests' rows may be due in the shared database; claim until ours comes up, give the rest back.
        var outbox = harness.Get<OutboxData>();
        for (var i = 0; i < 100; i++)
        {
            var batch = await outbox.ClaimDueAsync(50, SmsSendPolicy.Default with { QuietStart = default, QuietEnd = default },
                TimeSpan.FromMinutes(2), CancellationToken.None);
            foreach (var other in batch.Claimed.Where(c => c.Id != id))
            {
                await outbox.MarkForRetryAsync(other.Id, other.Attempts, "given back by a test", harness.Clock.GetUtcNow().UtcDateTime,
                    outcomeUnknown: false, CancellationToken.None);
            }
            if (batch.Claimed.FirstOrDefault(c => c.Id == id) is { } mine)
            {
                return mine;
            }
        }
        throw new InvalidOperationException("The row was never claimed.");
    }

    // Other tests' leftover rows may go to the same fake; these are the requests about one number.
    private static List<string> RequestsTo(JobHarness harness, string to) =>
        [.. harness.Twilio.Requests
            .Where(r => r.Query.GetValueOrDefault("To") == to || r.Form.GetValueOrDefault("To") == to)
            .Select(r => r.Method)];

    private async Task<long> CountNotSentAsync(List<long> ids) =>
        await TestData.CountAsync(db.DataSource, "SELECT count(*) FROM outreach.sms_outbox WHERE id = ANY(@ids) AND status <> 'sent'", new { ids });
}
