using Dapper;
using Outreach.Data;
using Outreach.Data.Messages;
using Outreach.Data.Sessions;
using Outreach.Jobs.Messages;
using Outreach.Tests.Infrastructure;
using Outreach.Tests.Jobs;
using static Outreach.Tests.Infrastructure.WorkerProfiles;

namespace Outreach.Tests.Messages;

/// <summary>Confirmations, declines and cover offers through the data layer and the jobs, on the real database.</summary>
[Collection("Database")]
public sealed class ReplyFlowTests(DatabaseFixture db) : MessagingScenario(db.DataSource)
{
    // The database stamps requests and offers with its own clock, so the jobs' clock starts at the real time.
    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    [Fact]
    public async Task A_booking_asks_its_worker_to_confirm_once_even_when_the_job_runs_twice()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 1, TimeSpan.FromDays(3));
        var assignment = await AssignAsync(harness, session, workers[0]);

        await harness.Get<ConfirmationJob>().RunAsync(CancellationToken.None);
        await harness.Get<ConfirmationJob>().RunAsync(CancellationToken.None);

        var rows = await OutboxAsync(session);
        var row = Assert.Single(rows);
        Assert.Equal("confirmation", row.Purpose);
        Assert.Equal(workers[0], row.WorkerId);
        Assert.StartsWith("Outreach: you are booked for ", row.Body, StringComparison.Ordinal);
        Assert.EndsWith("Reply YES to confirm or NO if you cannot go.", row.Body, StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM outreach.confirmation_requests WHERE assignment_id = @assignment", new { assignment }));
    }

    [Fact]
    public async Task YES_confirms_the_booking()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 1, TimeSpan.FromDays(3));
        var assignment = await AssignAsync(harness, session, workers[0]);

        // One question open: a word after YES that is not one of its codes still means yes to it.
        var result = await ReplyAsync(harness, workers[0], " Yes sure ");

        Assert.Equal("confirmed", result.Outcome);
        Assert.StartsWith("Outreach: thanks, you are confirmed for ", result.Response, StringComparison.Ordinal);
        Assert.Equal("confirmed", await StatusAsync(assignment));
        Assert.Equal("confirmed", await ScalarAsync<string>("SELECT status FROM outreach.confirmation_requests WHERE assignment_id = @assignment", new { assignment }));
    }

    [Fact]
    public async Task NO_declines_the_booking_and_offers_the_place_as_cover()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 1, TimeSpan.FromDays(3));
        var assignment = await AssignAsync(harness, session, workers[0]);

        var result = await ReplyAsync(harness, workers[0], "no");

        Assert.Equal("declined", result.Outcome);
        Assert.True(result.CoverChanged);
        Assert.Equal("declined", await StatusAsync(assignment));
        Assert.Equal("declined", await ScalarAsync<string>(
            "SELECT reason FROM outreach.cover_offers WHERE assignment_id = @assignment AND status = 'open'", new { assignment }));
    }

    [Fact]
    public async Task With_two_bookings_waiting_each_request_carries_a_code_a_bare_YES_asks_which_and_YES_with_a_code_confirms_that_one()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (first, workers) = await SessionWithWorkersAsync(harness, 1, TimeSpan.FromDays(3));
        var second = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddDays(4), TimeSpan.FromHours(1));
        var a1 = await AssignAsync(harness, first, workers[0]);
        var a2 = await AssignAsync(harness, second, workers[0]);
        var codes = (await QueryAsync<string>("""
            SELECT code FROM outreach.confirmation_requests WHERE assignment_id = ANY(@ids) ORDER BY assignment_id
            """, new { ids = new[] { a1, a2 } })).ToList();

        await harness.Get<ConfirmationJob>().RunAsync(CancellationToken.None);
        var bodies = (await OutboxAsync(first)).Concat(await OutboxAsync(second)).Select(r => r.Body).ToList();
        Assert.Contains(bodies, b => b.EndsWith($"Reply YES {codes[0]} to confirm or NO {codes[0]} if you cannot go.", StringComparison.Ordinal));
        Assert.Contains(bodies, b => b.EndsWith($"Reply YES {codes[1]} to confirm or NO {codes[1]} if you cannot go.", StringComparison.Ordinal));

        var bare = await ReplyAsync(harness, workers[0], "YES");
        Assert.Equal("ambiguous", bare.Outcome);
        Assert.Contains(codes[0], bare.Response, StringComparison.Ordinal);
        Assert.Contains(codes[1], bare.Response, StringComparison.Ordinal);
        Assert.Equal("assigned", await StatusAsync(a1));
        Assert.Equal("assigned", await StatusAsync(a2));

        var coded = await ReplyAsync(harness, workers[0], $"yes {codes[1].ToLowerInvariant()}");
        Assert.Equal("confirmed", coded.Outcome);
        Assert.Equal("assigned", await StatusAsync(a1));
        Assert.Equal("confirmed", await StatusAsync(a2));

        // One left: a bare NO now answers it.
        Assert.Equal("declined", (await ReplyAsync(harness, workers[0], "N")).Outcome);
        Assert.Equal("declined", await StatusAsync(a1));
    }

    [Fact]
    public async Task A_repeated_message_SID_acts_once_and_gets_the_same_answer()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 1, TimeSpan.FromDays(3));
        await AssignAsync(harness, session, workers[0]);
        var mobile = await MobileAsync(workers[0]);
        var sid = "SM" + Guid.NewGuid().ToString("N");

        var first = await harness.Get<ReplyData>().HandleAsync(sid, mobile, "+447700900999", "NO", CancellationToken.None);
        var again = await harness.Get<ReplyData>().HandleAsync(sid, mobile, "+447700900999", "NO", CancellationToken.None);

        Assert.False(first.Repeated);
        Assert.True(again.Repeated);
        Assert.Equal(first.Response, again.Response);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM outreach.cover_offers WHERE session_id = @session", new { session }));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM outreach.audit_events WHERE action = 'decline' AND after->>'Code' IS NOT NULL AND entity_id IN (SELECT id::text FROM outreach.assignments WHERE session_id = @session)", new { session }));
    }

    [Fact]
    public async Task STOP_opts_the_worker_out_and_alerts_the_coordinators_and_START_opts_them_back_in()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var worker = await TestData.WorkerAsync(db.DataSource);

        var stop = await ReplyAsync(harness, worker, "Stop");
        Assert.Equal("opted_out", stop.Outcome);
        Assert.Equal(SmsText.OptedOut, stop.Response);
        Assert.True(await ScalarAsync<bool>("SELECT sms_opted_out FROM outreach.youth_workers WHERE id = @worker", new { worker }));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM outreach.alerts WHERE kind = 'sms_opt_out' AND worker_id = @worker", new { worker }));

        var start = await ReplyAsync(harness, worker, "START");
        Assert.Equal("opted_in", start.Outcome);
        Assert.False(await ScalarAsync<bool>("SELECT sms_opted_out FROM outreach.youth_workers WHERE id = @worker", new { worker }));
    }

    [Fact]
    public async Task HELP_gets_the_help_text_and_anything_else_lands_in_the_inbox()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var worker = await TestData.WorkerAsync(db.DataSource);

        Assert.Equal(SmsText.Help, (await ReplyAsync(harness, worker, "help")).Response);
        var other = await ReplyAsync(harness, worker, "Running 10 minutes late, sorry");
        Assert.Equal("inbox", other.Outcome);

        var inbox = await harness.Get<ReplyData>().InboxAsync(false, 500, CancellationToken.None);
        var row = Assert.Single(inbox, m => m.WorkerId == worker);
        Assert.Equal("Running 10 minutes late, sorry", row.Body);
        Assert.True(await harness.Get<ReplyData>().MarkHandledAsync(row.Id, Actor.System, CancellationToken.None));
        Assert.False(await harness.Get<ReplyData>().MarkHandledAsync(row.Id, Actor.System, CancellationToken.None));
        Assert.DoesNotContain(await harness.Get<ReplyData>().InboxAsync(false, 500, CancellationToken.None), m => m.Id == row.Id);
    }

    [Fact]
    public async Task A_booking_not_confirmed_by_its_deadline_alerts_the_coordinators_and_offers_the_place_as_cover()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 4, TimeSpan.FromHours(30));
        var assignment = await AssignAsync(harness, session, workers[0]);
        await harness.Get<ConfirmationJob>().RunAsync(CancellationToken.None);

        // Five hours on, the deadline (24 hours before the start) has not come.
        harness.Clock.Advance(TimeSpan.FromHours(5));
        await harness.Get<ConfirmationJob>().RunAsync(CancellationToken.None);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM outreach.cover_offers WHERE session_id = @session", new { session }));

        harness.Clock.Advance(TimeSpan.FromHours(1.5));
        await harness.Get<ConfirmationJob>().RunAsync(CancellationToken.None);
        await harness.Get<ConfirmationJob>().RunAsync(CancellationToken.None);

        Assert.Equal("expired", await ScalarAsync<string>("SELECT status FROM outreach.confirmation_requests WHERE assignment_id = @assignment", new { assignment }));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM outreach.alerts WHERE kind = 'unconfirmed' AND session_id = @session", new { session }));
        Assert.Equal("unconfirmed", await ScalarAsync<string>("SELECT reason FROM outreach.cover_offers WHERE session_id = @session AND status = 'open'", new { session }));

        // The cover job offers it; the first YES takes the silent worker's place, who is told.
        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);
        var offered = (await OutboxAsync(session)).Where(r => r.Purpose == "cover_offer").Select(r => r.WorkerId).ToList();
        Assert.Equal(3, offered.Count);
        Assert.DoesNotContain(workers[0], offered);
        Assert.Equal("cover_taken", (await ReplyAsync(harness, offered[1]!.Value, "YES")).Outcome);
        Assert.Equal("withdrawn", await StatusAsync(assignment));
        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);
        Assert.Single(await OutboxAsync(session), r => r.Purpose == "cover_given_away" && r.WorkerId == workers[0]);
    }

    [Fact]
    public async Task A_declined_place_goes_to_the_best_ranked_eligible_workers_the_first_YES_takes_it_and_the_others_are_told_it_is_filled()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 7, TimeSpan.FromDays(3));
        var declined = await AssignAsync(harness, session, workers[0]);
        var optedOut = workers[6];
        await ExecuteAsync("UPDATE outreach.youth_workers SET sms_opted_out = true WHERE id = @optedOut", new { optedOut });
        await ReplyAsync(harness, workers[0], "NO");

        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);
        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);

        var offers = (await OutboxAsync(session)).Where(r => r.Purpose == "cover_offer").ToList();
        Assert.Equal(5, offers.Count);
        Assert.DoesNotContain(offers, o => o.WorkerId == workers[0] || o.WorkerId == optedOut);
        var code = await ScalarAsync<string>("SELECT code FROM outreach.cover_offers WHERE assignment_id = @declined", new { declined });
        Assert.All(offers, o => Assert.Contains($"Reply YES {code} to take it", o.Body, StringComparison.Ordinal));

        var taker = offers[2].WorkerId!.Value;
        var late = offers[3].WorkerId!.Value;
        var no = offers[4].WorkerId!.Value;
        Assert.Equal("cover_declined", (await ReplyAsync(harness, no, "NO")).Outcome);
        var taken = await ReplyAsync(harness, taker, $"YES {code}");
        Assert.Equal("cover_taken", taken.Outcome);
        Assert.NotNull(taken.NewAssignmentId);
        var lateYes = await ReplyAsync(harness, late, "yes");
        Assert.Equal("cover_filled", lateYes.Outcome);
        Assert.Contains("has already been filled", lateYes.Response, StringComparison.Ordinal);
        Assert.Equal("confirmed", await ScalarAsync<string>(
            "SELECT status FROM outreach.assignments WHERE session_id = @session AND worker_id = @taker", new { session, taker }));

        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);
        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);
        var filled = (await OutboxAsync(session)).Where(r => r.Purpose == "cover_filled").Select(r => r.WorkerId!.Value).Order().ToList();
        // Told: the two who never answered. Not the taker, nor the one who said NO, nor the one who already had a reply.
        Assert.Equal(offers.Select(o => o.WorkerId!.Value).Except([taker, late, no]).Order(), filled);
    }

    [Fact]
    public async Task A_withdrawal_puts_the_place_on_offer()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 2, TimeSpan.FromDays(3));
        var assignment = await AssignAsync(harness, session, workers[0]);

        var outcome = await harness.Get<SessionData>().WithdrawAsync(session, assignment, Actor.System, CancellationToken.None);
        Assert.True(outcome.Succeeded);
        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);

        Assert.Equal("withdrawn", await ScalarAsync<string>("SELECT reason FROM outreach.cover_offers WHERE assignment_id = @assignment", new { assignment }));
        Assert.Equal("void", await ScalarAsync<string>("SELECT status FROM outreach.confirmation_requests WHERE assignment_id = @assignment", new { assignment }));
        Assert.Single(await OutboxAsync(session), r => r.Purpose == "cover_offer" && r.WorkerId == workers[1]);
    }

    [Fact]
    public async Task A_hundred_YES_replies_at_once_to_one_cover_offer_make_exactly_one_booking()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var session = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddDays(2), TimeSpan.FromHours(2));
        var leaver = await TestData.WorkerAsync(db.DataSource);
        var place = await TestData.AssignAsync(db.DataSource, session, leaver);
        await ExecuteAsync("UPDATE outreach.assignments SET status = 'declined', is_lead = false WHERE id = @place", new { place });
        var offer = await ScalarAsync<long>("""
            INSERT INTO outreach.cover_offers (session_id, assignment_id, reason, offered_at) VALUES (@session, @place, 'declined', now())
            RETURNING id
            """, new { session, place });
        var takers = new List<(long Id, string Mobile)>();
        for (var i = 0; i < 100; i++)
        {
            var id = await TestData.WorkerAsync(db.DataSource);
            takers.Add((id, await MobileAsync(id)));
            await ExecuteAsync("INSERT INTO outreach.cover_offer_recipients (offer_id, worker_id, rank) VALUES (@offer, @id, @i)", new { offer, id, i });
        }

        var replies = harness.Get<ReplyData>();
        var results = await Task.WhenAll(takers.Select(t => Task.Run(() =>
            replies.HandleAsync("SM" + Guid.NewGuid().ToString("N"), t.Mobile, "+447700900999", "YES", CancellationToken.None))));

        Assert.Single(results, r => r.Outcome == "cover_taken");
        Assert.Equal(99, results.Count(r => r.Outcome == "cover_filled"));
        var booked = await QueryAsync<long>(
            "SELECT worker_id FROM outreach.assignments WHERE session_id = @session AND status IN ('assigned', 'confirmed')", new { session });
        var winner = Assert.Single(booked);
        Assert.Equal(winner, await ScalarAsync<long>("SELECT filled_by_worker_id FROM outreach.cover_offers WHERE id = @offer", new { offer }));
    }

    [Fact]
    public async Task Cover_nobody_takes_in_time_is_escalated_on_the_dashboard_and_by_text_to_the_on_call_coordinator()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 3, TimeSpan.FromDays(2));
        await AssignAsync(harness, session, workers[0]);
        await ReplyAsync(harness, workers[0], "NO");
        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);
        Assert.Equal("open", await ScalarAsync<string>("SELECT status FROM outreach.cover_offers WHERE session_id = @session", new { session }));

        harness.Clock.Advance(TimeSpan.FromHours(2.1));
        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);
        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);

        Assert.Equal("escalated", await ScalarAsync<string>("SELECT status FROM outreach.cover_offers WHERE session_id = @session", new { session }));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM outreach.alerts WHERE kind = 'cover_unfilled' AND session_id = @session", new { session }));
        var escalation = Assert.Single(await OutboxAsync(session), r => r.Purpose == "cover_escalation");
        Assert.Equal(JobHarness.OnCallMobile, escalation.ToE164);
        Assert.StartsWith("Outreach ALERT: no cover yet for ", escalation.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_a_session_tells_every_booked_worker_once()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 3, TimeSpan.FromDays(3));
        await ExecuteAsync("UPDATE outreach.sessions SET required_workers = 3 WHERE id = @session", new { session });
        var confirmed = await AssignAsync(harness, session, workers[0]);
        await AssignAsync(harness, session, workers[1]);
        await ReplyAsync(harness, workers[0], "YES");
        Assert.Equal("confirmed", await StatusAsync(confirmed));

        var outcome = await harness.Get<SessionEditData>().CancelAsync(session, ChangeScope.This, "Venue closed for a burst pipe", Actor.System, CancellationToken.None);
        Assert.True(outcome.Succeeded);
        await harness.Get<SessionNoticeJob>().RunAsync(CancellationToken.None);
        await harness.Get<SessionNoticeJob>().RunAsync(CancellationToken.None);

        var notices = (await OutboxAsync(session)).Where(r => r.Purpose == "cancellation").ToList();
        Assert.Equal(workers.Take(2).Order(), notices.Select(n => n.WorkerId!.Value).Order());
        Assert.All(notices, n => Assert.Contains("will not go ahead (Venue closed for a burst pipe)", n.Body, StringComparison.Ordinal));
        Assert.DoesNotContain(notices, n => n.WorkerId == workers[2]);
    }

    [Fact]
    public async Task A_worker_on_several_sessions_cancelled_together_gets_one_text_listing_them()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (first, workers) = await SessionWithWorkersAsync(harness, 1, TimeSpan.FromDays(3));
        var second = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddDays(10), TimeSpan.FromHours(1));
        await AssignAsync(harness, first, workers[0]);
        await AssignAsync(harness, second, workers[0]);

        foreach (var session in new[] { first, second })
        {
            Assert.True((await harness.Get<SessionEditData>().CancelAsync(session, ChangeScope.This, "Funding paused", Actor.System, CancellationToken.None)).Succeeded);
        }
        await harness.Get<SessionNoticeJob>().RunAsync(CancellationToken.None);
        await harness.Get<SessionNoticeJob>().RunAsync(CancellationToken.None);

        var worker = workers[0];
        var texts = await QueryAsync<string>("SELECT body FROM outreach.sms_outbox WHERE worker_id = @worker AND purpose = 'cancellation'", new { worker });
        var text = Assert.Single(texts);
        Assert.StartsWith("Outreach CANCELLED: 2 of your sessions will not go ahead (Funding paused): ", text, StringComparison.Ordinal);
        Assert.True(SmsText.Segments(text) <= 3);
    }

    [Fact]
    public async Task Moving_a_session_tells_every_booked_worker_the_new_time_once()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 2, TimeSpan.FromDays(3));
        await ExecuteAsync("UPDATE outreach.sessions SET required_workers = 2 WHERE id = @session", new { session });
        await AssignAsync(harness, session, workers[0]);
        await AssignAsync(harness, session, workers[1]);
        var edits = harness.Get<SessionEditData>();
        var current = (await edits.FindAsync(session, CancellationToken.None))!;
        var start = UkTime.ToLocal(current.StartsAt).AddHours(2);

        var outcome = await edits.ChangeAsync(new SessionChange(session, ChangeScope.This, DateOnly.FromDateTime(start), TimeOnly.FromDateTime(start),
            TimeOnly.FromDateTime(start.AddHours(1)), current.VenueId, current.Kind, current.Title, current.RequiredWorkers, current.Notes),
            Actor.System, CancellationToken.None);
        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        await harness.Get<SessionNoticeJob>().RunAsync(CancellationToken.None);
        await harness.Get<SessionNoticeJob>().RunAsync(CancellationToken.None);

        var notices = (await OutboxAsync(session)).Where(r => r.Purpose == "change").ToList();
        Assert.Equal(2, notices.Count);
        Assert.All(notices, n => Assert.Contains(start.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture) + "-", n.Body, StringComparison.Ordinal));
    }

    private Task<string> StatusAsync(long assignment) =>
        ScalarAsync<string>("SELECT status FROM outreach.assignments WHERE id = @assignment", new { assignment });

    private sealed record Sms(string DedupeKey, string Purpose, long? WorkerId, string ToE164, string Body);

    private async Task<List<Sms>> OutboxAsync(long session)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return (await c.QueryAsync<Sms>(
            "SELECT dedupe_key, purpose, worker_id, to_e164, body FROM outreach.sms_outbox WHERE session_id = @session ORDER BY id",
            new { session })).AsList();
    }

    private Task<long> CountAsync(string sql, object args) => ScalarAsync<long>(sql, args);
}
