using Dapper;
using Outreach.Data;
using Outreach.Data.Messages;
using Outreach.Data.Sessions;
using Outreach.Jobs.Messages;
using Outreach.Jobs.Sms;
using Outreach.Tests.Infrastructure;
using Outreach.Tests.Jobs;
using static Outreach.Tests.Infrastructure.WorkerProfiles;

namespace Outreach.Tests.Messages;

/// <summary>Workers who replied STOP get nothing queued for them; the send job's void stays as the last line of defence.</summary>
[Collection("Database")]
public sealed class OptedOutQueueingTests(DatabaseFixture db) : MessagingScenario(db.DataSource)
{
    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    [Fact]
    public async Task A_worker_who_opted_out_gets_no_confirm_request_queued_until_they_opt_back_in()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 1);
        await AssignAsync(harness, session, workers[0]);
        await ReplyAsync(harness, workers[0], "STOP");

        await harness.Get<ConfirmationJob>().RunAsync(CancellationToken.None);
        Assert.Empty(await OutboxAsync(workers[0], "confirmation"));

        await ReplyAsync(harness, workers[0], "START");
        await harness.Get<ConfirmationJob>().RunAsync(CancellationToken.None);
        Assert.Single(await OutboxAsync(workers[0], "confirmation"));
    }

    [Fact]
    public async Task A_worker_who_opted_out_gets_no_weekly_roster_and_the_others_still_do()
    {
        // Sunday 1 June 2031, 18:00 British Summer Time: the roster covers Monday 2 to Sunday 8 June.
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, new DateTimeOffset(2031, 6, 1, 17, 0, 0, TimeSpan.Zero));
        var texting = await TestData.WorkerAsync(db.DataSource);
        var optedOut = await TestData.WorkerAsync(db.DataSource);
        var venue = await TestData.VenueAsync(db.DataSource);
        await TestData.AssignAsync(db.DataSource, await TestData.SessionAsync(db.DataSource, new DateTime(2031, 6, 3, 8, 0, 0, DateTimeKind.Utc), TimeSpan.FromHours(1), venue), texting);
        await TestData.AssignAsync(db.DataSource, await TestData.SessionAsync(db.DataSource, new DateTime(2031, 6, 4, 8, 0, 0, DateTimeKind.Utc), TimeSpan.FromHours(1), venue), optedOut);
        await ExecuteAsync("UPDATE outreach.youth_workers SET sms_opted_out = true WHERE id = @optedOut", new { optedOut });

        await harness.Get<WeeklyRosterJob>().RunAsync(CancellationToken.None);

        Assert.Single(await OutboxAsync(texting, "roster"));
        Assert.Empty(await OutboxAsync(optedOut, "roster"));
    }

    [Fact]
    public async Task A_cover_recipient_who_opts_out_before_the_offer_goes_is_replaced_by_the_next_eligible_worker()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 7);
        var declined = await AssignAsync(harness, session, workers[0]);
        await ReplyAsync(harness, workers[0], "NO");
        var offer = await ScalarAsync<long>("SELECT id FROM outreach.cover_offers WHERE assignment_id = @declined", new { declined });
        // Recipients are chosen (the top five of the six eligible), then one of them opts out before the texts are queued.
        var cover = harness.Get<CoverData>();
        Assert.Equal(5, await cover.ChooseRecipientsAsync(new OfferToMake(offer, session, declined), 5, Now.UtcDateTime, CancellationToken.None));
        var chosen = (await QueryAsync<long>("SELECT worker_id FROM outreach.cover_offer_recipients WHERE offer_id = @offer", new { offer })).ToHashSet();
        var leaver = chosen.First();
        var nextInLine = Assert.Single(workers.Skip(1), w => !chosen.Contains(w));
        await ReplyAsync(harness, leaver, "STOP");

        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);
        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);

        var offered = (await QueryAsync<long>(
            "SELECT worker_id FROM outreach.sms_outbox WHERE session_id = @session AND purpose = 'cover_offer'", new { session })).ToList();
        Assert.Equal(5, offered.Count);
        Assert.DoesNotContain(leaver, offered);
        Assert.Contains(nextInLine, offered);
        var recipients = await QueryAsync<long>("SELECT worker_id FROM outreach.cover_offer_recipients WHERE offer_id = @offer", new { offer });
        Assert.Equal(offered.Order(), recipients.Order());
    }

    [Fact]
    public async Task A_cover_offer_nobody_else_can_take_is_escalated_when_its_only_recipient_opts_out()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 2);
        var declined = await AssignAsync(harness, session, workers[0]);
        await ReplyAsync(harness, workers[0], "NO");
        var offer = await ScalarAsync<long>("SELECT id FROM outreach.cover_offers WHERE assignment_id = @declined", new { declined });
        Assert.Equal(1, await harness.Get<CoverData>().ChooseRecipientsAsync(new OfferToMake(offer, session, declined), 5, Now.UtcDateTime, CancellationToken.None));
        await ReplyAsync(harness, workers[1], "STOP");

        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);

        Assert.Empty(await OutboxAsync(workers[1], "cover_offer"));
        Assert.Equal("escalated", await ScalarAsync<string>("SELECT status FROM outreach.cover_offers WHERE id = @offer", new { offer }));
        Assert.Contains("no eligible worker who takes texts could be offered it", await ScalarAsync<string>(
            "SELECT message FROM outreach.alerts WHERE dedupe_key = @key", new { key = $"cover-escalated:offer:{offer}" }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_who_opts_out_after_their_offer_is_queued_is_still_not_texted()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 2);
        await AssignAsync(harness, session, workers[0]);
        await ReplyAsync(harness, workers[0], "NO");
        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);
        var queued = Assert.Single(await OutboxAsync(workers[1], "cover_offer"));
        await ReplyAsync(harness, workers[1], "STOP");

        await harness.Get<SendOutboxJob>().RunAsync(CancellationToken.None);

        Assert.Equal("void", await ScalarAsync<string>("SELECT status FROM outreach.sms_outbox WHERE id = @queued", new { queued }));
        var mobile = await ScalarAsync<string>("SELECT mobile_e164 FROM outreach.youth_workers WHERE id = @worker", new { worker = workers[1] });
        Assert.DoesNotContain(harness.Twilio.Sent, m => m.To == mobile);
    }

    [Fact]
    public async Task A_withdrawal_committed_while_a_request_to_confirm_is_being_queued_leaves_no_text_waiting()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 1);
        var assignment = await AssignAsync(harness, session, workers[0]);
        var request = await ScalarAsync<long>("SELECT id FROM outreach.confirmation_requests WHERE assignment_id = @assignment", new { assignment });
        var text = new OutgoingSms($"confirm:request:{request}", "confirmation", workers[0], session, TestData.Mobile(), "Reply YES or NO",
            Now.UtcDateTime, Now.UtcDateTime.AddDays(3));

        // The withdrawal has voided the request but not committed when the job comes to queue the text.
        await using (var withdrawal = await db.DataSource.OpenConnectionAsync())
        {
            await using var transaction = await withdrawal.BeginTransactionAsync();
            await withdrawal.ExecuteAsync("UPDATE outreach.assignments SET status = 'withdrawn' WHERE id = @assignment", new { assignment }, transaction);
            await ConfirmationData.VoidForAssignmentAsync(withdrawal, transaction, assignment, CancellationToken.None);
            var queueing = harness.Get<ConfirmationData>().QueueAsync(request, text, CancellationToken.None);
            await Task.Delay(300);
            Assert.False(queueing.IsCompleted, "Queueing waits for the withdrawal that holds the request.");
            await transaction.CommitAsync();
            Assert.Null(await queueing);
        }

        Assert.Empty(await OutboxAsync(workers[0], "confirmation"));
    }

    [Fact]
    public async Task A_withdrawal_that_comes_while_a_request_to_confirm_is_being_queued_waits_and_voids_the_text()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 1);
        var assignment = await AssignAsync(harness, session, workers[0]);
        var request = await ScalarAsync<long>("SELECT id FROM outreach.confirmation_requests WHERE assignment_id = @assignment", new { assignment });

        // The job holds the request's row and has queued its text, not yet committed, when the coordinator withdraws.
        Task<Outreach.Data.Outcome<Withdrawal>> withdrawing;
        await using (var job = await db.DataSource.OpenConnectionAsync())
        {
            await using var transaction = await job.BeginTransactionAsync();
            await job.ExecuteAsync("SELECT 1 FROM outreach.confirmation_requests WHERE id = @request FOR UPDATE", new { request }, transaction);
            await OutboxData.AddAsync(job, transaction, new OutgoingSms($"confirm:request:{request}", "confirmation", workers[0], session,
                TestData.Mobile(), "Reply YES or NO", Now.UtcDateTime, Now.UtcDateTime.AddDays(3)), CancellationToken.None);
            withdrawing = harness.Get<SessionData>().WithdrawAsync(session, assignment, Actor.System, CancellationToken.None);
            await Task.Delay(300);
            Assert.False(withdrawing.IsCompleted, "The withdrawal waits for the job that holds the request.");
            await transaction.CommitAsync();
        }

        Assert.True((await withdrawing).Succeeded);
        Assert.Equal(["void"], await QueryAsync<string>(
            "SELECT status FROM outreach.sms_outbox WHERE worker_id = @worker AND purpose = 'confirmation'", new { worker = workers[0] }));
    }

    [Theory]
    [InlineData("cancellation")]
    [InlineData("change")]
    public async Task A_change_or_cancellation_notice_is_queued_for_the_workers_still_texting_and_not_for_one_who_opted_out_or_left(string purpose)
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 3);
        await ExecuteAsync("UPDATE outreach.sessions SET required_workers = 3 WHERE id = @session", new { session });
        foreach (var worker in workers)
        {
            await AssignAsync(harness, session, worker);
        }
        var (texting, optedOut, left) = (workers[0], workers[1], workers[2]);
        await ReplyAsync(harness, optedOut, "STOP");
        await ExecuteAsync("UPDATE outreach.youth_workers SET active = false WHERE id = @left", new { left });

        var edits = harness.Get<SessionEditData>();
        if (purpose == "cancellation")
        {
            Assert.True((await edits.CancelAsync(session, ChangeScope.This, "Venue closed", Actor.System, CancellationToken.None)).Succeeded);
        }
        else
        {
            var current = (await edits.FindAsync(session, CancellationToken.None))!;
            var start = UkTime.ToLocal(current.StartsAt).AddHours(2);
            var change = await edits.ChangeAsync(new SessionChange(session, ChangeScope.This, DateOnly.FromDateTime(start), TimeOnly.FromDateTime(start),
                TimeOnly.FromDateTime(start.AddHours(1)), current.VenueId, current.Kind, current.Title, current.RequiredWorkers, current.Notes),
                Actor.System, CancellationToken.None);
            Assert.True(change.Succeeded, string.Join("; ", change.Errors.Select(e => e.Message)));
        }
        await harness.Get<SessionNoticeJob>().RunAsync(CancellationToken.None);
        await harness.Get<SessionNoticeJob>().RunAsync(CancellationToken.None);

        Assert.Single(await OutboxAsync(texting, purpose));
        Assert.Empty(await OutboxAsync(optedOut, purpose));
        // No row at all, not one queued and voided later.
        Assert.Empty(await OutboxAsync(left, purpose));
    }

    private async Task<IReadOnlyList<long>> OutboxAsync(long worker, string purpose) =>
        await QueryAsync<long>("SELECT id FROM outreach.sms_outbox WHERE worker_id = @worker AND purpose = @purpose", new { worker, purpose });
}
