using Dapper;
using Outreach.Data.Messages;
using Outreach.Jobs.Sms;
using Outreach.Tests.Infrastructure;
using static Outreach.Tests.Jobs.Sms.SmsTestSupport;

namespace Outreach.Tests.Jobs.Sms;

[Collection("Database")]
public sealed class SendingRulesTests(DatabaseFixture db)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 11, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Running_the_send_job_twice_sends_each_message_once()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var bodies = Enumerable.Range(0, 5).Select(i => Body($"Twice {i}")).ToList();
        foreach (var body in bodies)
        {
            await QueueAsync(harness, body);
        }

        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        Assert.All(bodies, body => Assert.Equal(1, harness.Twilio.ReceivedCount(body)));
    }

    [Theory]
    [InlineData(21211)]
    [InlineData(21610)]
    [InlineData(21614)]
    public async Task A_number_Twilio_refuses_for_good_is_marked_failing_with_one_alert_and_not_retried(int code)
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var worker = await TestData.WorkerAsync(db.DataSource);
        var mobile = await MobileOfAsync(db.DataSource, worker);
        var first = await QueueAsync(harness, Body("First"), worker, mobile);
        var second = await QueueAsync(harness, Body("Second"), worker, mobile);
        harness.Twilio.FailNext(2, 400, code);

        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);
        harness.Clock.Advance(TimeSpan.FromHours(2));
        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        foreach (var id in new[] { first, second })
        {
            var state = await StateAsync(db.DataSource, id);
            Assert.Equal("failed", state.Status);
            Assert.Equal(1, state.Attempts);
            Assert.Contains(code.ToString(System.Globalization.CultureInfo.InvariantCulture), state.LastError, StringComparison.Ordinal);
        }
        await using var c = await db.DataSource.OpenConnectionAsync();
        Assert.True(await c.ExecuteScalarAsync<bool>("SELECT sms_failing FROM outreach.youth_workers WHERE id = @worker", new { worker }));
        Assert.Equal(1, await c.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM outreach.alerts WHERE kind = 'sms_failing' AND worker_id = @worker AND resolved_at IS NULL", new { worker }));
        Assert.DoesNotContain(harness.Twilio.Sent, m => m.To == mobile);
    }

    [Fact]
    public async Task A_refusal_that_is_not_about_the_number_fails_the_message_but_not_the_worker()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var worker = await TestData.WorkerAsync(db.DataSource);
        var id = await QueueAsync(harness, Body("Too long"), worker, await MobileOfAsync(db.DataSource, worker));
        harness.Twilio.FailNext(1, 400, 21617);

        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        Assert.Equal("failed", (await StateAsync(db.DataSource, id)).Status);
        await using var c = await db.DataSource.OpenConnectionAsync();
        Assert.False(await c.ExecuteScalarAsync<bool>("SELECT sms_failing FROM outreach.youth_workers WHERE id = @worker", new { worker }));
        Assert.Equal(0, await c.ExecuteScalarAsync<int>("SELECT count(*) FROM outreach.alerts WHERE worker_id = @worker", new { worker }));
    }

    [Fact]
    public async Task Messages_to_a_worker_who_opted_out_are_never_sent_even_urgent_ones()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var worker = await TestData.WorkerAsync(db.DataSource);
        var mobile = await MobileOfAsync(db.DataSource, worker);
        var routine = await QueueAsync(harness, Body("Roster"), worker, mobile);
        var urgent = await QueueAsync(harness, Body("Cover"), worker, mobile, urgent: true);
        await using (var c = await db.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("UPDATE outreach.youth_workers SET sms_opted_out = true WHERE id = @worker", new { worker });
        }

        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        foreach (var id in new[] { routine, urgent })
        {
            var state = await StateAsync(db.DataSource, id);
            Assert.Equal("void", state.Status);
            Assert.Equal("worker opted out of SMS", state.LastError);
        }
        Assert.DoesNotContain(harness.Twilio.Requests, r => r.Form.GetValueOrDefault("To") == mobile);
    }

    [Fact]
    public async Task A_worker_who_opts_out_after_a_message_was_claimed_does_not_get_it()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var worker = await TestData.WorkerAsync(db.DataSource);
        var id = await QueueAsync(harness, Body("Claimed then STOP"), worker, await MobileOfAsync(db.DataSource, worker));
        var outbox = harness.Get<OutboxData>();
        ClaimedSms? mine = null;
        for (var i = 0; i < 100 && mine is null; i++)
        {
            var batch = await outbox.ClaimDueAsync(50, SmsSendPolicy.Default, TimeSpan.FromMinutes(2), CancellationToken.None);
            mine = batch.Claimed.FirstOrDefault(c => c.Id == id);
        }
        await using (var c = await db.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("UPDATE outreach.youth_workers SET sms_opted_out = true WHERE id = @worker", new { worker });
        }

        Assert.NotNull(mine);
        Assert.False(await outbox.BeginAttemptAsync(id, mine.Attempts, CancellationToken.None));
        Assert.Equal("void", (await StateAsync(db.DataSource, id)).Status);
    }
}
