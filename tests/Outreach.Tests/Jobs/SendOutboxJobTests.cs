using Dapper;
using Outreach.Data.Messages;
using Outreach.Jobs.Sms;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Jobs;

[Collection("Database")]
public sealed class SendOutboxJobTests(DatabaseFixture db)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    // A 429 or 503 says Twilio did not take the message; after a 500 it may have, so the next attempt
    // looks it up first (state 'unknown').
    [Theory]
    [InlineData(429, 20429, "pending")]
    [InlineData(503, 20503, "pending")]
    [InlineData(500, 20500, "unknown")]
    public async Task A_transient_Twilio_failure_puts_the_message_back_with_a_back_off_and_it_is_sent_later_once(int httpStatus, int code, string waiting)
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (id, body) = await QueueWithBodyAsync(harness);
        harness.Twilio.FailNext(1, httpStatus, code);

        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        var (status, attempts, error) = await StateAsync(id);
        Assert.Equal(waiting, status);
        Assert.Equal(1, attempts);
        Assert.Contains(code.ToString(System.Globalization.CultureInfo.InvariantCulture), error, StringComparison.Ordinal);

        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        Assert.Equal(1, (await StateAsync(id)).Attempts);

        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        Assert.Equal("sent", (await StateAsync(id)).Status);
        Assert.Single(harness.Twilio.Sent, m => m.Body == body);
    }

    [Fact]
    public async Task An_invalid_number_fails_permanently_and_is_not_retried()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (id, body) = await QueueWithBodyAsync(harness);
        harness.Twilio.FailNext(1, 400, 21211);

        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        harness.Clock.Advance(TimeSpan.FromHours(1));
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        var (status, attempts, error) = await StateAsync(id);
        Assert.Equal("failed", status);
        Assert.Equal(1, attempts);
        Assert.Contains("21211", error, StringComparison.Ordinal);
        Assert.DoesNotContain(harness.Twilio.Sent, m => m.Body == body);
    }

    [Fact]
    public async Task Each_message_asks_Twilio_to_report_delivery_to_the_sites_public_status_address()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now,
            new Dictionary<string, string?> { ["Site:PublicBaseUrl"] = "https://outreach.example.org/" });
        var (_, body) = await QueueWithBodyAsync(harness);

        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        var sent = Assert.Single(harness.Twilio.Sent, m => m.Body == body);
        Assert.Equal("https://outreach.example.org/twilio/status", sent.StatusCallback);
    }

    [Fact]
    public async Task Two_workers_sending_at_once_send_each_message_once()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var ids = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await QueueAsync(harness));
        }

        await Task.WhenAll(
            harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None),
            harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None));

        await using var c = await db.DataSource.OpenConnectionAsync();
        var sids = (await c.QueryAsync<string>("SELECT provider_sid FROM outreach.sms_outbox WHERE id = ANY(@ids) AND status = 'sent'", new { ids })).AsList();
        Assert.Equal(20, sids.Count);
        Assert.Equal(20, harness.Twilio.Sent.Count);
        Assert.Equal(harness.Twilio.Sent.Select(m => m.Sid).Order(StringComparer.Ordinal), sids.Order(StringComparer.Ordinal));
    }

    private static async Task<(long Id, string Body)> QueueWithBodyAsync(JobHarness harness)
    {
        var now = harness.Clock.GetUtcNow().UtcDateTime;
        var body = TestData.Unique("Test message");
        var id = await harness.Get<OutboxData>().AddAsync(new OutgoingSms(
            TestData.Unique("test-message"), "test", null, null, TestData.Mobile(), body, now, now.AddHours(6)),
            CancellationToken.None);
        return (Assert.NotNull(id), body);
    }

    private static async Task<long> QueueAsync(JobHarness harness)
    {
        var now = harness.Clock.GetUtcNow().UtcDateTime;
        var id = await harness.Get<OutboxData>().AddAsync(new OutgoingSms(
            TestData.Unique("test-message"), "test", null, null, TestData.Mobile(), "Test message", now, now.AddHours(6)),
            CancellationToken.None);
        return Assert.NotNull(id);
    }

    private async Task<(string Status, int Attempts, string? Error)> StateAsync(long id)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return await c.QuerySingleAsync<(string, int, string?)>(
            "SELECT status, attempts, last_error FROM outreach.sms_outbox WHERE id = @id", new { id });
    }
}
