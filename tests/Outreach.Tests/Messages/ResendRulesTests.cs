using Dapper;
using Outreach.Data;
using Outreach.Data.Messages;
using Outreach.Data.Sessions;
using Outreach.Jobs.Messages;
using Outreach.Tests.Infrastructure;
using Outreach.Tests.Jobs;
using static Outreach.Tests.Infrastructure.WorkerProfiles;

namespace Outreach.Tests.Messages;

/// <summary>A coordinator's resend of a text that did not arrive: sent again only while it still makes sense.</summary>
[Collection("Database")]
public sealed class ResendRulesTests(DatabaseFixture db) : MessagingScenario(db.DataSource)
{
    // The database stamps requests, offers and notices with its own clock, so the jobs' clock starts at the real time.
    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    [Fact]
    public async Task A_failed_reminder_for_a_session_the_worker_is_still_on_is_queued_again()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var worker = await TestData.WorkerAsync(db.DataSource);
        var session = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddDays(2), TimeSpan.FromHours(1));
        await TestData.AssignAsync(db.DataSource, session, worker);
        var original = await FailedTextAsync(worker, session, "reminder", TestData.Unique("reminder-1440m"), expires: Now.UtcDateTime.AddDays(2));

        var outcome = await ResendAsync(harness, original);

        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        var copy = await SingleCopyAsync(original);
        Assert.Equal(("pending", "reminder", false), (copy.Status, copy.Purpose, copy.Urgent));
    }

    [Fact]
    public async Task A_resent_cover_offer_still_open_keeps_its_urgent_flag_for_the_send_policy()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 3);
        await AssignAsync(harness, session, workers[0]);
        await ReplyAsync(harness, workers[0], "NO");
        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);
        var offered = await OfferRowsAsync(session);
        Assert.NotEmpty(offered);
        await FailAsync(offered[0].Id);

        var outcome = await ResendAsync(harness, offered[0].Id);

        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        var copy = await SingleCopyAsync(offered[0].Id);
        Assert.Equal(("cover_offer", true), (copy.Purpose, copy.Urgent));
        Assert.True(SmsSendPolicy.IsUrgent(copy.Urgent, null, Now.UtcDateTime));
    }

    [Fact]
    public async Task A_text_about_a_cancelled_session_is_refused_but_its_cancellation_notice_is_resent()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var worker = await TestData.WorkerAsync(db.DataSource);
        var session = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddDays(2), TimeSpan.FromHours(1));
        await TestData.AssignAsync(db.DataSource, session, worker);
        var reminder = await FailedTextAsync(worker, session, "reminder", TestData.Unique("reminder-1440m"));
        var notice = await FailedTextAsync(worker, session, "cancellation", TestData.Unique("notice"), urgent: true);
        var outcome = await harness.Get<SessionEditData>().CancelAsync(session, ChangeScope.This, "Venue closed", Actor.System, CancellationToken.None);
        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.Message)));
        await NoticesToldAsync(session);

        await AssertRefusedAsync(harness, reminder, "has been cancelled. Only the cancellation notice can still be sent.");
        var resent = await ResendAsync(harness, notice);
        Assert.True(resent.Succeeded, string.Join("; ", resent.Errors.Select(e => e.Message)));
        Assert.Equal("cancellation", (await SingleCopyAsync(notice)).Purpose);
    }

    [Fact]
    public async Task A_text_about_a_session_that_has_ended_is_refused()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var worker = await TestData.WorkerAsync(db.DataSource);
        var session = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddHours(-3), TimeSpan.FromHours(2));
        await TestData.AssignAsync(db.DataSource, session, worker);
        // A coordinator's own text carries no expiry: only the session's end says it is too late.
        var text = await FailedTextAsync(worker, session, "adhoc", TestData.Unique("compose"), createdAt: Now.UtcDateTime.AddHours(-4));

        await AssertRefusedAsync(harness, text, "has already ended.");
    }

    [Fact]
    public async Task A_text_about_a_session_moved_since_it_was_written_is_refused()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var worker = await TestData.WorkerAsync(db.DataSource);
        var session = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddDays(2), TimeSpan.FromHours(1));
        await TestData.AssignAsync(db.DataSource, session, worker);
        var reminder = await FailedTextAsync(worker, session, "reminder", TestData.Unique("reminder-1440m"));
        var edits = harness.Get<SessionEditData>();
        var current = (await edits.FindAsync(session, CancellationToken.None))!;
        var start = UkTime.ToLocal(current.StartsAt).AddHours(2);
        var change = await edits.ChangeAsync(new SessionChange(session, ChangeScope.This, DateOnly.FromDateTime(start), TimeOnly.FromDateTime(start),
            TimeOnly.FromDateTime(start.AddHours(1)), current.VenueId, current.Kind, current.Title, current.RequiredWorkers, current.Notes),
            Actor.System, CancellationToken.None);
        Assert.True(change.Succeeded, string.Join("; ", change.Errors.Select(e => e.Message)));
        await NoticesToldAsync(session);

        await AssertRefusedAsync(harness, reminder, "has changed since this text was written, so it is out of date.");
    }

    [Fact]
    public async Task A_reminder_for_a_session_the_worker_is_no_longer_booked_on_is_refused()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 1);
        var assignment = await AssignAsync(harness, session, workers[0]);
        var reminder = await FailedTextAsync(workers[0], session, "reminder", TestData.Unique("reminder-1440m"));
        var withdrawn = await harness.Get<SessionData>().WithdrawAsync(session, assignment, Actor.System, CancellationToken.None);
        Assert.True(withdrawn.Succeeded);

        await AssertRefusedAsync(harness, reminder, "is no longer booked on ");
    }

    [Theory]
    [InlineData("YES", "this booking has already been confirmed")]
    [InlineData("NO", "the worker has declined this booking")]
    [InlineData(null, "the worker has been taken off this booking")]
    public async Task A_confirm_request_is_refused_once_the_booking_is_no_longer_open(string? reply, string expected)
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 1);
        var assignment = await AssignAsync(harness, session, workers[0]);
        await harness.Get<ConfirmationJob>().RunAsync(CancellationToken.None);
        var request = await ScalarAsync<long>("SELECT id FROM outreach.sms_outbox WHERE dedupe_key = (SELECT 'confirm:request:' || id FROM outreach.confirmation_requests WHERE assignment_id = @assignment)", new { assignment });
        await FailAsync(request);
        // Still waiting for the answer: a resend is allowed (and undone, so the same text can be tried again below).
        Assert.True((await ResendAsync(harness, request)).Succeeded);
        await ExecuteAsync("DELETE FROM outreach.sms_outbox WHERE resend_of = @request", new { request });

        if (reply is null)
        {
            Assert.True((await harness.Get<SessionData>().WithdrawAsync(session, assignment, Actor.System, CancellationToken.None)).Succeeded);
        }
        else
        {
            await ReplyAsync(harness, workers[0], reply);
        }

        await AssertRefusedAsync(harness, request, expected);
    }

    [Fact]
    public async Task A_cover_offer_is_refused_once_the_cover_is_filled()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 3);
        await AssignAsync(harness, session, workers[0]);
        await ReplyAsync(harness, workers[0], "NO");
        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);
        var offered = await OfferRowsAsync(session);
        Assert.Equal(2, offered.Count);
        await FailAsync(offered[0].Id);

        Assert.Equal("cover_taken", (await ReplyAsync(harness, offered[1].WorkerId, "YES")).Outcome);

        await AssertRefusedAsync(harness, offered[0].Id, "this cover has been filled since the text was written.");
    }

    [Fact]
    public async Task A_cover_offer_is_refused_once_the_offer_is_withdrawn()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 3);
        await AssignAsync(harness, session, workers[0]);
        await ReplyAsync(harness, workers[0], "NO");
        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);
        var offered = await OfferRowsAsync(session);
        await FailAsync(offered[0].Id);
        // A coordinator books someone into the place directly: the offer is no longer needed and is closed.
        await AssignAsync(harness, session, offered[1].WorkerId);
        await harness.Get<CoverOfferJob>().RunAsync(CancellationToken.None);
        Assert.Equal("void", await ScalarAsync<string>("SELECT status FROM outreach.cover_offers WHERE session_id = @session", new { session }));

        await AssertRefusedAsync(harness, offered[0].Id, "this cover offer has been withdrawn");
    }

    [Fact]
    public async Task A_text_to_a_worker_who_is_no_longer_active_is_refused()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var worker = await TestData.WorkerAsync(db.DataSource);
        var text = await FailedTextAsync(worker, null, "roster", TestData.Unique("roster"));
        await ExecuteAsync("UPDATE outreach.youth_workers SET active = false WHERE id = @worker", new { worker });

        await AssertRefusedAsync(harness, text, "is no longer an active youth worker.");
    }

    [Fact]
    public async Task A_text_to_a_worker_who_opted_out_is_refused()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var worker = await TestData.WorkerAsync(db.DataSource);
        var text = await FailedTextAsync(worker, null, "roster", TestData.Unique("roster"));
        await ReplyAsync(harness, worker, "STOP");

        await AssertRefusedAsync(harness, text, "has opted out of texts (they replied STOP)");
    }

    [Fact]
    public async Task A_record_chaser_is_resent_after_the_session_but_refused_once_the_session_is_recorded()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var worker = await TestData.WorkerAsync(db.DataSource);
        var session = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddDays(-2), TimeSpan.FromHours(1));
        await TestData.AssignAsync(db.DataSource, session, worker);
        var first = await FailedTextAsync(worker, session, "record-chase", TestData.Unique("record-chase"));
        var second = await FailedTextAsync(worker, session, "record-chase", TestData.Unique("record-chase"));

        // The session has ended, which is what a chaser is for: it may go again.
        Assert.True((await ResendAsync(harness, first)).Succeeded);
        await ExecuteAsync("""
            INSERT INTO outreach.session_records (session_id, delivered, count_11_13) VALUES (@session, true, 20)
            """, new { session });

        await AssertRefusedAsync(harness, second, "has been recorded since this text was written.");
    }

    [Fact]
    public async Task One_change_text_for_several_sessions_is_refused_when_one_of_them_has_been_cancelled_since()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var worker = await TestData.WorkerAsync(db.DataSource);
        var first = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddDays(2), TimeSpan.FromHours(1));
        var second = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddDays(9), TimeSpan.FromHours(1));
        await TestData.AssignAsync(db.DataSource, first, worker);
        await TestData.AssignAsync(db.DataSource, second, worker);
        var notices = await QueryAsync<long>("""
            INSERT INTO outreach.session_notices (session_id, kind, version, created_at, sent_at)
            SELECT id, 'changed', version, now() - interval '1 hour', now() - interval '1 hour' FROM outreach.sessions WHERE id = ANY(@ids)
            RETURNING id
            """, new { ids = new[] { first, second } });
        // The grouped text names its notices, not one session.
        var text = await FailedTextAsync(worker, null, "change", $"notice:{string.Join('+', notices.Order())}:worker:{worker}");
        Assert.True((await ResendAsync(harness, text)).Succeeded);
        await ExecuteAsync("DELETE FROM outreach.sms_outbox WHERE resend_of = @text", new { text });

        Assert.True((await harness.Get<SessionEditData>().CancelAsync(second, ChangeScope.This, "Exams", Actor.System, CancellationToken.None)).Succeeded);
        await NoticesToldAsync(second);

        await AssertRefusedAsync(harness, text, "has been cancelled.");
    }

    [Fact]
    public async Task A_page_of_texts_judged_together_gets_for_each_the_verdict_its_resend_gives()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var (session, workers) = await SessionWithWorkersAsync(harness, 3);
        await ExecuteAsync("UPDATE outreach.sessions SET required_workers = 2 WHERE id = @session", new { session });
        var (booked, confirming, optedOut) = (workers[0], workers[1], workers[2]);
        await AssignAsync(harness, session, booked);
        var confirmation = await AssignAsync(harness, session, confirming);
        await harness.Get<ConfirmationJob>().RunAsync(CancellationToken.None);
        var confirmRequest = await ScalarAsync<long>("SELECT id FROM outreach.sms_outbox WHERE dedupe_key = (SELECT 'confirm:request:' || id FROM outreach.confirmation_requests WHERE assignment_id = @confirmation)", new { confirmation });
        await FailAsync(confirmRequest);
        await ReplyAsync(harness, confirming, "YES");
        var cancelled = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddDays(4), TimeSpan.FromHours(1), status: "cancelled");
        var ended = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddHours(-3), TimeSpan.FromHours(2));
        await TestData.AssignAsync(db.DataSource, cancelled, booked);
        await TestData.AssignAsync(db.DataSource, ended, booked);
        var resendable = await FailedTextAsync(booked, session, "reminder", TestData.Unique("reminder-1440m"));
        var aboutCancelled = await FailedTextAsync(booked, cancelled, "reminder", TestData.Unique("reminder-1440m"));
        var cancellationNotice = await FailedTextAsync(booked, cancelled, "cancellation", TestData.Unique("notice"), urgent: true);
        var aboutEnded = await FailedTextAsync(booked, ended, "adhoc", TestData.Unique("compose"), createdAt: Now.UtcDateTime.AddHours(-4));
        var toOptedOut = await FailedTextAsync(optedOut, null, "roster", TestData.Unique("roster"));
        var notBooked = await FailedTextAsync(await TestData.WorkerAsync(db.DataSource), session, "change", TestData.Unique("notice"));
        await ReplyAsync(harness, optedOut, "STOP");
        var later = await TestData.SessionAsync(db.DataSource, Now.UtcDateTime.AddDays(9), TimeSpan.FromHours(1));
        await TestData.AssignAsync(db.DataSource, later, booked);
        var notices = await QueryAsync<long>("""
            INSERT INTO outreach.session_notices (session_id, kind, version, created_at, sent_at)
            SELECT id, 'changed', version, now() - interval '1 hour', now() - interval '1 hour' FROM outreach.sessions WHERE id = ANY(@ids)
            RETURNING id
            """, new { ids = new[] { later, cancelled } });
        var grouped = await FailedTextAsync(booked, null, "change", $"notice:{string.Join('+', notices.Order())}:worker:{booked}");
        long[] texts = [resendable, aboutCancelled, cancellationNotice, aboutEnded, toOptedOut, confirmRequest, notBooked, grouped];

        var together = await harness.Get<MessageLogData>().ResendRefusalsAsync(texts, CancellationToken.None);

        Assert.Equal(new[] { aboutCancelled, aboutEnded, toOptedOut, confirmRequest, notBooked, grouped }.Order(), together.Keys.Order());
        Assert.Contains("has opted out of texts", together[toOptedOut], StringComparison.Ordinal);
        Assert.Contains("has already been confirmed", together[confirmRequest], StringComparison.Ordinal);
        foreach (var text in texts)
        {
            var alone = await PageVerdictAsync(harness, text);
            Assert.Equal(together.GetValueOrDefault(text), alone);
            // The resend, judged the same way on its own, agrees (ResendAsync asserts it).
            await ResendAsync(harness, text);
        }
    }

    private async Task AssertRefusedAsync(JobHarness harness, long original, string expected)
    {
        var outcome = await ResendAsync(harness, original);
        Assert.False(outcome.Succeeded);
        var message = Assert.Single(outcome.Errors).Message;
        Assert.StartsWith("Not resent: ", message, StringComparison.Ordinal);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM outreach.sms_outbox WHERE resend_of = @original", new { original }));
    }

    /// <summary>
    /// Resends as the log's button does, after asking what the log would have shown for the text: the button exactly
    /// when the resend goes ahead, otherwise the very reason the resend gives.
    /// </summary>
    private static async Task<Outcome<long>> ResendAsync(JobHarness harness, long original)
    {
        var shown = await PageVerdictAsync(harness, original);
        var outcome = await harness.Get<MessageLogData>().ResendAsync(original, Actor.System, CancellationToken.None);
        Assert.Equal(shown is null, outcome.Succeeded);
        if (shown is not null)
        {
            Assert.Equal("Not resent: " + shown, Assert.Single(outcome.Errors).Message);
        }
        return outcome;
    }

    private static async Task<string?> PageVerdictAsync(JobHarness harness, long text) =>
        (await harness.Get<MessageLogData>().ResendRefusalsAsync([text], CancellationToken.None)).GetValueOrDefault(text);

    // The notice job sweeps the shared database; this test's notices are marked told so no later test texts about them.
    private Task NoticesToldAsync(long session) =>
        ExecuteAsync("UPDATE outreach.session_notices SET sent_at = now() WHERE session_id = @session AND sent_at IS NULL", new { session });

    private async Task<long> FailedTextAsync(
        long worker, long? session, string purpose, string key, DateTime? expires = null, DateTime? createdAt = null, bool urgent = false)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>("""
            INSERT INTO outreach.sms_outbox (dedupe_key, purpose, worker_id, session_id, to_e164, body, status, delivery_status,
                delivery_error_code, created_at, sent_at, not_before, attempts, expires_at, urgent)
            VALUES (@key, @purpose, @worker, @session, (SELECT mobile_e164 FROM outreach.youth_workers WHERE id = @worker), 'Test message',
                    'sent', 'undelivered', '30003', @createdAt, @createdAt, @createdAt, 1, @expires, @urgent)
            RETURNING id
            """, new { key, purpose, worker, session, expires, urgent, createdAt = createdAt ?? Now.UtcDateTime.AddMinutes(-30) });
    }

    private Task FailAsync(long id) => ExecuteAsync("""
        UPDATE outreach.sms_outbox SET status = 'sent', delivery_status = 'undelivered', delivery_error_code = '30003', sent_at = now()
        WHERE id = @id
        """, new { id });

    private sealed record Copy(string Status, string Purpose, bool Urgent);

    private async Task<Copy> SingleCopyAsync(long original)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return Assert.Single(await c.QueryAsync<Copy>(
            "SELECT status, purpose, urgent FROM outreach.sms_outbox WHERE resend_of = @original", new { original }));
    }

    private sealed record OfferRow(long Id, long WorkerId);

    private async Task<List<OfferRow>> OfferRowsAsync(long session)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return (await c.QueryAsync<OfferRow>(
            "SELECT id, worker_id FROM outreach.sms_outbox WHERE session_id = @session AND purpose = 'cover_offer' ORDER BY id",
            new { session })).AsList();
    }
}
