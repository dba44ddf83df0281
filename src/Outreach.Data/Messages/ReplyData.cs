using System.Globalization;
using Dapper;
using Npgsql;
using Outreach.Data.Alerts;
using Outreach.Data.Audit;
using Outreach.Data.Workers;

namespace Outreach.Data.Messages;

public enum ReplyKeyword
{
    Yes,
    No,
    Stop,
    Start,
    Help,
    Other,
}

public sealed record ParsedReply(ReplyKeyword Keyword, string? Code);

/// <summary>What a reply did and what to answer. <see cref="Repeated"/>: the same message SID came again and nothing was done.</summary>
public sealed record ReplyResult(
    string Outcome, string? Response, bool Repeated, long? WorkerId = null, long? NewAssignmentId = null,
    DateTime? NewAssignmentStartsAt = null, bool CoverChanged = false);

public sealed record InboxRow(long Id, DateTime ReceivedAt, string FromE164, long? WorkerId, string? WorkerName, string Body, DateTime? HandledAt);

public sealed record PhoneMessage(DateTime At, bool FromWorker, string Body);

/// <summary>
/// What workers' replies do. Each reply is stored and acted on in one transaction keyed by its message SID, so
/// a webhook Twilio repeats (or a crash halfway) never acts twice; the stored answer is given again.
/// </summary>
public sealed class ReplyData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    // The alphabet of outreach.next_reply_code(): no 0, 1, I, L or O.
    private const string CodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    private static readonly HashSet<string> YesWords = new(StringComparer.Ordinal) { "YES", "Y", "CONFIRM" };
    private static readonly HashSet<string> NoWords = new(StringComparer.Ordinal) { "NO", "N", "DECLINE" };
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal) { "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT" };
    private static readonly HashSet<string> StartWords = new(StringComparer.Ordinal) { "START", "UNSTOP" };
    private static readonly HashSet<string> HelpWords = new(StringComparer.Ordinal) { "HELP", "INFO" };

    private sealed record Stored(long Id, long? WorkerId);

    private sealed record Booking(long WorkerId, bool IsLead);

    private sealed record Question(
        string Kind, long Id, string Code, string Status, long AssignmentId, long SessionId, string Title, string VenueName,
        DateTime StartsAt, DateTime EndsAt)
    {
        public bool Live => Status is "pending" or "expired" or "open" or "escalated";
    }

    /// <summary>
    /// YES/Y/CONFIRM and NO/N/DECLINE, each optionally followed by a code; the opt-out and help words only as
    /// the whole message (as carriers treat them). Case, spaces and trailing punctuation do not matter.
    /// </summary>
    public static ParsedReply Parse(string body)
    {
        var words = body.ToUpperInvariant()
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(w => w.Trim('.', '!', ',', '?', '"', '\''))
            .Where(w => w.Length > 0)
            .ToArray();
        if (words.Length is 0 or > 2)
        {
            return new ParsedReply(ReplyKeyword.Other, null);
        }
        // "YES K4M" carries a code; "Yes please" or "No thanks" is a plain answer.
        var code = words.Length == 2 && LooksLikeCode(words[1]) ? words[1] : null;
        if (YesWords.Contains(words[0]))
        {
            return new ParsedReply(ReplyKeyword.Yes, code);
        }
        if (NoWords.Contains(words[0]))
        {
            return new ParsedReply(ReplyKeyword.No, code);
        }
        if (words.Length == 1 && StopWords.Contains(words[0]))
        {
            return new ParsedReply(ReplyKeyword.Stop, null);
        }
        if (words.Length == 1 && StartWords.Contains(words[0]))
        {
            return new ParsedReply(ReplyKeyword.Start, null);
        }
        return words.Length == 1 && HelpWords.Contains(words[0])
            ? new ParsedReply(ReplyKeyword.Help, null)
            : new ParsedReply(ReplyKeyword.Other, null);
    }

    private static bool LooksLikeCode(string word) =>
        word.Length is >= 3 and <= 5 && word.All(c => CodeAlphabet.Contains(c, StringComparison.Ordinal));

        public async Task<ReplyResult> HandleAsync(string messageSid, string from, string to, string body, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var stored = await connection.QuerySingleOrDefaultAsync<Stored>(new CommandDefinition("""
            INSERT INTO outreach.sms_inbound (message_sid, from_e164, to_e164, body, worker_id)
            VALUES (@messageSid, @from, @to, @body,
                    (SELECT id FROM outreach.youth_workers WHERE mobile_e164 = @from AND active LIMIT 1))
            ON CONFLICT (message_sid) DO NOTHING
            RETURNING id, worker_id
            """, new { messageSid, from, to, body }, transaction, cancellationToken: cancellationToken));
        if (stored is not { } inbound)
        {
            var earlier = await connection.QuerySingleAsync<(string? Outcome, string? Response)>(new CommandDefinition(
                "SELECT outcome, response FROM outreach.sms_inbound WHERE message_sid = @messageSid",
                new { messageSid }, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            return new ReplyResult(earlier.Outcome ?? "stored", earlier.Response, Repeated: true);
        }

        var parsed = Parse(body);
        var result = await ActAsync(connection, transaction, inbound.Id, inbound.WorkerId, parsed, now, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outreach.sms_inbound SET outcome = @Outcome, response = @Response WHERE id = @id",
            new { id = inbound.Id, result.Outcome, result.Response }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return result with { WorkerId = inbound.WorkerId };
    }

    private static async Task<ReplyResult> ActAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long inboundId, long? workerId, ParsedReply reply, DateTime now,
        CancellationToken cancellationToken)
    {
        if (workerId is not { } worker)
        {
            // Opting out must work for any number that texts us, known or not.
            return reply.Keyword switch
            {
                ReplyKeyword.Help => new ReplyResult("help", SmsText.Help, false),
                ReplyKeyword.Stop => new ReplyResult("opted_out", SmsText.OptedOut, false),
                ReplyKeyword.Start => new ReplyResult("opted_in", SmsText.OptedIn, false),
                _ => new ReplyResult("inbox", null, false),
            };
        }
        var actor = new Actor(null, $"youth worker {worker} by text", null);
        switch (reply.Keyword)
        {
            case ReplyKeyword.Help:
                return new ReplyResult("help", SmsText.Help, false);
            case ReplyKeyword.Stop:
            case ReplyKeyword.Start:
                var optOut = reply.Keyword == ReplyKeyword.Stop;
                var changed = await connection.ExecuteAsync(new CommandDefinition("""
                    UPDATE outreach.youth_workers SET sms_opted_out = @optOut, updated_at = now()
                    WHERE id = @worker AND sms_opted_out <> @optOut
                    """, new { worker, optOut }, transaction, cancellationToken: cancellationToken));
                if (changed == 1)
                {
                    await AuditLog.WriteAsync(connection, transaction, actor, optOut ? "sms_opt_out" : "sms_opt_in", "youth_worker", worker,
                        new { SmsOptedOut = !optOut }, new { SmsOptedOut = optOut }, cancellationToken);
                    if (optOut)
                    {
                        await AlertData.RaiseAsync(connection, transaction, new NewAlert(
                            $"sms-opt-out:inbound:{inboundId}", "sms_opt_out",
                            "A youth worker replied STOP: they get no texts (reminders, rosters, offers) until they reply START.",
                            WorkerId: worker), cancellationToken);
                    }
                }
                return optOut ? new ReplyResult("opted_out", SmsText.OptedOut, false) : new ReplyResult("opted_in", SmsText.OptedIn, false);
            case ReplyKeyword.Yes:
            case ReplyKeyword.No:
                return await AnswerAsync(connection, transaction, worker, reply, now, actor, cancellationToken);
            default:
                return new ReplyResult("inbox", SmsText.PassedOn, false);
        }
    }

    private static async Task<ReplyResult> AnswerAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long worker, ParsedReply reply, DateTime now, Actor actor,
        CancellationToken cancellationToken)
    {
        var yes = reply.Keyword == ReplyKeyword.Yes;
        var questions = (await connection.QueryAsync<Question>(new CommandDefinition("""
            SELECT 'confirmation' AS kind, r.id, r.code, r.status, a.id AS assignment_id, s.id AS session_id, s.title,
                   v.name AS venue_name, s.starts_at, s.ends_at
            FROM outreach.confirmation_requests r
            JOIN outreach.assignments a ON a.id = r.assignment_id
            JOIN outreach.sessions s ON s.id = a.session_id JOIN outreach.venues v ON v.id = s.venue_id
            WHERE a.worker_id = @worker AND s.starts_at > @now
              AND (r.status IN ('pending', 'expired') AND a.status = 'assigned' AND s.status IN ('planned', 'confirmed')
                   OR r.code = @Code)
            UNION ALL
            SELECT 'cover', o.id, o.code, o.status, o.assignment_id, s.id, s.title, v.name, s.starts_at, s.ends_at
            FROM outreach.cover_offer_recipients c
            JOIN outreach.cover_offers o ON o.id = c.offer_id
            JOIN outreach.sessions s ON s.id = o.session_id JOIN outreach.venues v ON v.id = s.venue_id
            WHERE c.worker_id = @worker AND s.starts_at > @now
              AND (c.response IS NULL OR o.code = @Code)
            ORDER BY starts_at, kind
            """, new { worker, now, reply.Code }, transaction, cancellationToken: cancellationToken))).AsList();

        Question? chosen;
        if (reply.Code is { } code)
        {
            chosen = questions.FirstOrDefault(q => q.Code == code);
            var live = questions.Where(q => q.Live).ToList();
            // With one question open, a word after YES that is no code ("Yes sure") or a mistyped code still means it.
            chosen ??= live.Count == 1 ? live[0] : null;
            if (chosen is null)
            {
                return new ReplyResult("unknown_code", SmsText.ToGsm(live.Count == 0
                    ? $"Outreach: no request has the code {code}. {SmsText.NothingWaiting["Outreach: ".Length..]}"
                    : $"Outreach: no request has the code {code}. {Which(live, yes)}"), false);
            }
        }
        else
        {
            var live = questions.Where(q => q.Live).ToList();
            if (live.Count > 1)
            {
                return new ReplyResult("ambiguous", SmsText.ToGsm($"Outreach: you have {live.Count} requests waiting. {Which(live, yes)}"), false);
            }
            // Nothing live: a late answer to a cover offer that has just been filled still deserves a proper reply.
            chosen = live.Count == 1 ? live[0] : questions.FirstOrDefault(q => q.Kind == "cover");
            if (chosen is null)
            {
                return new ReplyResult("inbox", SmsText.NothingWaiting, false);
            }
        }

        // Every answer locks its session first, as booking does, so answers, bookings and cover takes on one
        // session take turns and cannot deadlock.
        var session = await connection.QuerySingleAsync<(string Status, DateTime StartsAt, int RequiredWorkers)>(new CommandDefinition(
            "SELECT status, starts_at, required_workers FROM outreach.sessions WHERE id = @SessionId FOR UPDATE",
            chosen, transaction, cancellationToken: cancellationToken));
        var what = $"{SmsText.What(chosen.Title, chosen.VenueName)}, {SmsText.When(chosen.StartsAt, chosen.EndsAt)}";
        if (session.Status is not ("planned" or "confirmed") || session.StartsAt <= now)
        {
            return new ReplyResult("too_late", SmsText.ToGsm($"Outreach: {what} is no longer open ({session.Status}). No need to do anything."), false);
        }
        return chosen.Kind == "confirmation"
            ? await AnswerConfirmationAsync(connection, transaction, chosen, yes, what, now, actor, cancellationToken)
            : await AnswerCoverAsync(connection, transaction, chosen, worker, yes, what, session.RequiredWorkers, now, actor, cancellationToken);
    }

    private static string Which(IReadOnlyList<Question> live, bool yes)
    {
        var word = yes ? "YES" : "NO";
        var list = string.Join("; ", live.Take(4).Select(q =>
            $"{q.Code}: {(q.Kind == "cover" ? "cover, " : "")}{(string.IsNullOrWhiteSpace(q.Title) ? "session" : q.Title.Trim())} " +
            UkTime.ToLocal(q.StartsAt).ToString("ddd d MMM HH:mm", CultureInfo.GetCultureInfo("en-GB"))));
        return $"Reply {word} and the code, e.g. {word} {live[0].Code}. {list}";
    }

    private static async Task<ReplyResult> AnswerConfirmationAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Question q, bool yes, string what, DateTime now, Actor actor,
        CancellationToken cancellationToken)
    {
        var booking = await connection.QuerySingleAsync<(long WorkerId, string Status, bool IsLead)>(new CommandDefinition(
            "SELECT worker_id, status, is_lead FROM outreach.assignments WHERE id = @AssignmentId FOR UPDATE",
            q, transaction, cancellationToken: cancellationToken));
        if (booking.Status != "assigned" || q.Status is not ("pending" or "expired"))
        {
            var already = booking.Status switch
            {
                "confirmed" => $"Outreach: you are already confirmed for {what}.",
                "declined" => $"Outreach: you have already said no to {what}. Call your coordinator if that has changed.",
                _ => $"Outreach: you are no longer booked for {what}. No need to do anything.",
            };
            return new ReplyResult("already_answered", SmsText.ToGsm(already), false);
        }
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outreach.confirmation_requests SET status = @status, answered_at = @now WHERE id = @Id",
            new { q.Id, status = yes ? "confirmed" : "declined", now }, transaction, cancellationToken: cancellationToken));
        if (yes)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE outreach.assignments SET status = 'confirmed', updated_at = now() WHERE id = @AssignmentId",
                q, transaction, cancellationToken: cancellationToken));
            // A late YES: the cover offered because of the silence is no longer needed.
            var voided = await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE outreach.cover_offers SET status = 'void', closed_at = @now
                WHERE assignment_id = @AssignmentId AND reason = 'unconfirmed' AND status IN ('open', 'escalated')
                """, new { q.AssignmentId, now }, transaction, cancellationToken: cancellationToken));
            await AuditLog.WriteAsync(connection, transaction, actor, "confirm", "assignment", q.AssignmentId,
                new { Status = "assigned" }, new { Status = "confirmed", q.Code }, cancellationToken);
            return new ReplyResult("confirmed", SmsText.ToGsm($"Outreach: thanks, you are confirmed for {what}."), false, CoverChanged: voided > 0);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outreach.assignments SET status = 'declined', is_lead = false, updated_at = now() WHERE id = @AssignmentId",
            q, transaction, cancellationToken: cancellationToken));
        if (booking.IsLead)
        {
            await PassLeadAsync(connection, transaction, q.SessionId, cancellationToken);
        }
        await VoidRemindersAsync(connection, transaction, booking.WorkerId, q.SessionId, "booking declined", cancellationToken);
        await AuditLog.WriteAsync(connection, transaction, actor, "decline", "assignment", q.AssignmentId,
            new { Status = "assigned", booking.IsLead }, new { Status = "declined", IsLead = false, q.Code }, cancellationToken);
        var offer = await CoverData.OpenAsync(connection, transaction, q.SessionId, q.AssignmentId, "declined", now, cancellationToken);
        // A place already on offer because it went unconfirmed stays on offer.
        var onOffer = offer is not null || await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM outreach.cover_offers WHERE assignment_id = @AssignmentId AND status IN ('open', 'escalated'))",
            q, transaction, cancellationToken: cancellationToken));
        return new ReplyResult("declined", SmsText.ToGsm($"Outreach: thanks for letting us know. You are off {what}."), false, CoverChanged: onOffer);
    }

    private static async Task<ReplyResult> AnswerCoverAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Question q, long worker, bool yes, string what, int requiredWorkers,
        DateTime now, Actor actor, CancellationToken cancellationToken)
    {
        var offer = await connection.QuerySingleAsync<(string Status, string Reason, long AssignmentId, long? FilledBy)>(new CommandDefinition(
            "SELECT status, reason, assignment_id, filled_by_worker_id FROM outreach.cover_offers WHERE id = @Id FOR UPDATE",
            q, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.cover_offer_recipients SET response = @response, responded_at = @now
            WHERE offer_id = @Id AND worker_id = @worker AND response IS NULL
            """, new { q.Id, worker, response = yes ? "yes" : "no", now }, transaction, cancellationToken: cancellationToken));
        if (offer.FilledBy == worker)
        {
            return new ReplyResult("already_answered", SmsText.ToGsm($"Outreach: {what} is already yours."), false);
        }
        if (!yes)
        {
            return new ReplyResult("cover_declined", SmsText.ToGsm($"Outreach: thanks, noted. You will not be booked for {what}."), false);
        }
        if (offer.Status is not ("open" or "escalated"))
        {
            return new ReplyResult("cover_filled", SmsText.ToGsm($"Outreach: thanks, but {what} has already been filled. No need to do anything."), false);
        }
        var stillNeeded = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            SELECT count(*) FROM outreach.assignments
            WHERE session_id = @SessionId AND status IN ('assigned', 'confirmed') AND NOT (@Reason = 'unconfirmed' AND id = @AssignmentId)
            """, new { q.SessionId, offer.Reason, offer.AssignmentId }, transaction, cancellationToken: cancellationToken)) < requiredWorkers;
        if (!stillNeeded)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE outreach.cover_offers SET status = 'void', closed_at = @now WHERE id = @Id",
                new { q.Id, now }, transaction, cancellationToken: cancellationToken));
            return new ReplyResult("cover_filled", SmsText.ToGsm($"Outreach: thanks, but {what} has already been filled. No need to do anything."), false, CoverChanged: true);
        }

        // The worker's row, as booking locks it, so their own bookings take turns (see SessionData.AssignAsync).
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT 1 FROM outreach.youth_workers WHERE id = @worker FOR NO KEY UPDATE",
            new { worker }, transaction, cancellationToken: cancellationToken));
        await transaction.SaveAsync("take_cover", cancellationToken);
        long assignmentId;
        try
        {
            if (offer.Reason == "unconfirmed")
            {
                // The silent worker's place goes to the one who said YES.
                var original = await connection.QuerySingleOrDefaultAsync<Booking>(new CommandDefinition("""
                    UPDATE outreach.assignments n SET status = 'withdrawn', is_lead = false, updated_at = now()
                    FROM outreach.assignments o
                    WHERE n.id = o.id AND n.id = @AssignmentId AND n.status = 'assigned'
                    RETURNING n.worker_id, o.is_lead
                    """, new { offer.AssignmentId }, transaction, cancellationToken: cancellationToken));
                if (original is { } gone)
                {
                    await ConfirmationData.VoidForAssignmentAsync(connection, transaction, offer.AssignmentId, now, cancellationToken);
                    await VoidRemindersAsync(connection, transaction, gone.WorkerId, q.SessionId, "place given to cover", cancellationToken);
                    await AuditLog.WriteAsync(connection, transaction, actor, "withdraw", "assignment", offer.AssignmentId,
                        new { Status = "assigned", gone.IsLead }, new { Status = "withdrawn", Reason = "not confirmed; cover taken" }, cancellationToken);
                }
            }
            assignmentId = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO outreach.assignments (session_id, worker_id, status, is_lead, during)
                VALUES (@SessionId, @worker, 'confirmed',
                        NOT EXISTS (SELECT 1 FROM outreach.assignments
                                     WHERE session_id = @SessionId AND is_lead AND status IN ('assigned', 'confirmed')),
                        'empty')
                ON CONFLICT (session_id, worker_id) DO UPDATE
                   SET status = 'confirmed', is_lead = EXCLUDED.is_lead, updated_at = now()
                 WHERE outreach.assignments.status IN ('declined', 'withdrawn')
                RETURNING id
                """, new { q.SessionId, worker }, transaction, cancellationToken: cancellationToken));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ExclusionViolation
                                          || (e.SqlState == PostgresErrorCodes.CheckViolation && e.ConstraintName == Dbs.ConstraintName))
        {
            await transaction.RollbackAsync("take_cover", cancellationToken);
            var why = e.SqlState == PostgresErrorCodes.ExclusionViolation
                ? "you are booked elsewhere at that time"
                : "your DBS check does not cover it";
            return new ReplyResult("cover_refused", SmsText.ToGsm($"Outreach: sorry, you cannot take {what}: {why}."), false);
        }
        if (assignmentId == 0)
        {
            await transaction.RollbackAsync("take_cover", cancellationToken);
            return new ReplyResult("already_answered", SmsText.ToGsm($"Outreach: you are already booked for {what}."), false);
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.cover_offers
               SET status = 'filled', closed_at = @now, filled_by_worker_id = @worker, filled_assignment_id = @assignmentId
             WHERE id = @Id
            """, new { q.Id, now, worker, assignmentId }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, "assign", "assignment", assignmentId, null,
            new { q.SessionId, WorkerId = worker, Status = "confirmed", CoverOfferId = q.Id }, cancellationToken);
        return new ReplyResult("cover_taken", SmsText.ToGsm($"Outreach: it's yours. You are booked and confirmed for {what}."), false,
            NewAssignmentId: assignmentId, NewAssignmentStartsAt: q.StartsAt, CoverChanged: true);
    }

    private static Task<int> PassLeadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long sessionId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.assignments SET is_lead = true, updated_at = now()
            WHERE id = (SELECT id FROM outreach.assignments
                         WHERE session_id = @sessionId AND status IN ('assigned', 'confirmed')
                         ORDER BY created_at, id LIMIT 1)
              AND NOT EXISTS (SELECT 1 FROM outreach.assignments
                               WHERE session_id = @sessionId AND is_lead AND status IN ('assigned', 'confirmed'))
            """, new { sessionId }, transaction, cancellationToken: cancellationToken));

    private static Task<int> VoidRemindersAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long workerId, long sessionId, string why, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.sms_outbox SET status = 'void', last_error = @why
            WHERE worker_id = @workerId AND session_id = @sessionId AND purpose = 'reminder' AND status = 'pending'
            """, new { workerId, sessionId, why }, transaction, cancellationToken: cancellationToken));

    public async Task<IReadOnlyList<InboxRow>> InboxAsync(bool includeHandled, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<InboxRow>(new CommandDefinition("""
            SELECT i.id, i.received_at, i.from_e164, i.worker_id, w.full_name AS worker_name, i.body, i.handled_at
            FROM outreach.sms_inbound i LEFT JOIN outreach.youth_workers w ON w.id = i.worker_id
            WHERE i.outcome IN ('inbox', 'unknown_code', 'ambiguous') AND (@includeHandled OR i.handled_at IS NULL)
            ORDER BY i.received_at DESC, i.id DESC
            LIMIT @limit
            """, new { includeHandled, limit }, cancellationToken: cancellationToken))).AsList();
    }

    /// <returns>False when the message is not in the inbox or was already handled.</returns>
    public async Task<bool> MarkHandledAsync(long id, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var done = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.sms_inbound SET handled_at = @now, handled_by = @UserId
            WHERE id = @id AND handled_at IS NULL AND outcome IN ('inbox', 'unknown_code', 'ambiguous')
            """, new { id, now = clock.GetUtcNow().UtcDateTime, actor.UserId }, transaction, cancellationToken: cancellationToken)) == 1;
        if (done)
        {
            await AuditLog.WriteAsync(connection, transaction, actor, "handle", "sms_inbound", id, null, new { Handled = true }, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return done;
    }

    /// <summary>A phone's conversation: what the development gateway delivered to it and what it sent back, oldest first.</summary>
    public async Task<IReadOnlyList<PhoneMessage>> ConversationAsync(string mobileE164, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<PhoneMessage>(new CommandDefinition("""
            SELECT at, from_worker, body FROM (
                SELECT created_at AS at, false AS from_worker, body, id * 2 AS seq FROM outreach.dev_sms_messages WHERE to_e164 = @mobileE164
                UNION ALL
                SELECT received_at, true, body, id * 2 + 1 FROM outreach.sms_inbound WHERE from_e164 = @mobileE164
            ) m
            ORDER BY at DESC, seq DESC
            LIMIT @limit
            """, new { mobileE164, limit }, cancellationToken: cancellationToken))).AsList();
        rows.Reverse();
        return rows;
    }
}
