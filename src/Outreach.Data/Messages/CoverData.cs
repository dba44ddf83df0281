using Dapper;
using Npgsql;
using Outreach.Data.Alerts;
using Outreach.Data.Sessions;

namespace Outreach.Data.Messages;

public sealed record OfferToMake(long OfferId, long SessionId, long AssignmentId);

/// <summary>An SMS the cover job owes someone: an offer, a "filled" notice, or the unconfirmed worker's "given away" notice.</summary>
public sealed record CoverMessage(
    string DedupeKey, string Kind, long OfferId, string Code, long WorkerId, string MobileE164, long SessionId,
    string Title, string VenueName, DateTime StartsAt, DateTime EndsAt);

public sealed record EscalatedOffer(long OfferId, long SessionId, string Title, string VenueName, DateTime StartsAt, DateTime EndsAt);

public sealed record CoverOfferRow(
    long Id, long SessionId, string Reason, string Code, string Status, DateTime CreatedAt, long Recipients, string? FilledBy);

/// <summary>
/// Cover offers: a place left by a decline, a withdrawal or a missing confirmation goes by SMS to the
/// best-ranked eligible workers, and the first YES takes it. Taking is one transaction that locks the session
/// (as booking does) and the offer, so however many YES replies arrive at once, one booking is made.
/// </summary>
public sealed class CoverData(NpgsqlDataSource dataSource, CandidateData candidates)
{
    /// <summary>
    /// Opens an offer for the place of <paramref name="assignmentId"/>, in the caller's transaction, when the session
    /// is still to happen and short of workers (an unconfirmed worker's own place counts as empty).
    /// </summary>
    /// <param name="nowUtc">The moment of the change, from the caller's clock: a session that has started gets no offer.</param>
    /// <returns>The offer's id, or null when no offer was needed or one is open already.</returns>
    public static Task<long?> OpenAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long sessionId, long assignmentId, string reason,
        DateTime nowUtc, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO outreach.cover_offers (session_id, assignment_id, reason)
            SELECT s.id, @assignmentId, @reason FROM outreach.sessions s
            WHERE s.id = @sessionId AND s.status IN ('planned', 'confirmed') AND s.starts_at > @nowUtc
              AND (SELECT count(*) FROM outreach.assignments a
                    WHERE a.session_id = s.id AND a.status IN ('assigned', 'confirmed')
                      AND NOT (@reason = 'unconfirmed' AND a.id = @assignmentId)) < s.required_workers
            ON CONFLICT (assignment_id) WHERE status IN ('open', 'escalated') DO NOTHING
            RETURNING id
            """, new { sessionId, assignmentId, reason, nowUtc }, transaction, cancellationToken: cancellationToken));

    /// <summary>
    /// As <see cref="OpenAsync(NpgsqlConnection, NpgsqlTransaction, long, long, string, DateTime, CancellationToken)"/>,
    /// at the database's transaction time, for the session operation until it passes its own clock.
    /// </summary>
    public static async Task<long?> OpenAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long sessionId, long assignmentId, string reason,
        CancellationToken cancellationToken)
    {
        var nowUtc = await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition(
            "SELECT now()", transaction: transaction, cancellationToken: cancellationToken));
        return await OpenAsync(connection, transaction, sessionId, assignmentId, reason, nowUtc, cancellationToken);
    }

    /// <summary>Offers opened but not yet sent to anyone.</summary>
    public async Task<IReadOnlyList<OfferToMake>> NotYetOfferedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<OfferToMake>(new CommandDefinition("""
            SELECT id AS offer_id, session_id, assignment_id FROM outreach.cover_offers
            WHERE offered_at IS NULL AND status IN ('open', 'escalated')
            ORDER BY id LIMIT 200
            """, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>
    /// Picks the offer's recipients once: the top <paramref name="howMany"/> eligible workers for the session who
    /// take texts and have not been on it. An offer nobody can be offered is escalated at once.
    /// </summary>
    /// <returns>How many workers the offer goes to.</returns>
    public async Task<int> ChooseRecipientsAsync(OfferToMake offer, int howMany, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var ranked = (await candidates.RankAsync(offer.SessionId, cancellationToken)).Where(c => c.Eligible).Select(c => c.Id).ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var claimed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outreach.cover_offers SET offered_at = @nowUtc WHERE id = @OfferId AND offered_at IS NULL",
            new { offer.OfferId, nowUtc }, transaction, cancellationToken: cancellationToken));
        if (claimed == 0)
        {
            return 0;
        }
        var chosen = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.cover_offer_recipients (offer_id, worker_id, rank)
            SELECT @OfferId, r.worker_id, r.rank
            FROM unnest(@ranked) WITH ORDINALITY AS r(worker_id, rank)
            JOIN outreach.youth_workers w ON w.id = r.worker_id
            WHERE w.active AND NOT w.sms_opted_out
              AND NOT EXISTS (SELECT 1 FROM outreach.assignments a WHERE a.session_id = @SessionId AND a.worker_id = r.worker_id)
            ORDER BY r.rank
            LIMIT @howMany
            """, new { offer.OfferId, offer.SessionId, ranked, howMany }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return chosen;
    }

    /// <summary>
    /// A recipient who opted out of texts (or left) before their offer reached them would spend one of the offer's
    /// places on nobody: they are taken off it (their unsent offer voided) and the next eligible workers from the
    /// ranking take their places, up to <paramref name="howMany"/> recipients in all. Offers already answered by
    /// the worker, or sent to them, are left as they are.
    /// </summary>
    /// <returns>How many recipients were replaced.</returns>
    public async Task<int> ReplaceOptedOutRecipientsAsync(int howMany, DateTime nowUtc, CancellationToken cancellationToken)
    {
        List<OfferToMake> offers;
        await using (var reading = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            offers = (await reading.QueryAsync<OfferToMake>(new CommandDefinition($"""
                SELECT DISTINCT o.id AS offer_id, o.session_id, o.assignment_id
                FROM outreach.cover_offers o
                JOIN outreach.sessions s ON s.id = o.session_id
                JOIN outreach.cover_offer_recipients c ON c.offer_id = o.id
                JOIN outreach.youth_workers w ON w.id = c.worker_id
                WHERE o.status IN ('open', 'escalated') AND o.offered_at IS NOT NULL AND s.starts_at > @nowUtc
                  AND {Unreached}
                ORDER BY o.id LIMIT 200
                """, new { nowUtc }, cancellationToken: cancellationToken))).AsList();
        }
        var replaced = 0;
        foreach (var offer in offers)
        {
            // Ranked before the transaction opens: ranking takes its own connection.
            var ranked = (await candidates.RankAsync(offer.SessionId, cancellationToken)).Where(c => c.Eligible).Select(c => c.Id).ToArray();
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var open = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT id FROM outreach.cover_offers WHERE id = @OfferId AND status IN ('open', 'escalated') FOR UPDATE",
                new { offer.OfferId }, transaction, cancellationToken: cancellationToken));
            if (open is null)
            {
                continue;
            }
            var removed = (await connection.QueryAsync<long>(new CommandDefinition($"""
                DELETE FROM outreach.cover_offer_recipients c USING outreach.youth_workers w
                WHERE c.offer_id = @OfferId AND w.id = c.worker_id AND {Unreached}
                RETURNING c.worker_id
                """, new { offer.OfferId }, transaction, cancellationToken: cancellationToken))).ToArray();
            if (removed.Length == 0)
            {
                continue;
            }
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE outreach.sms_outbox SET status = 'void', last_error = 'worker opted out of SMS'
                WHERE dedupe_key = ANY(@keys) AND status = 'pending'
                """, new { keys = removed.Select(w => $"cover-offer:{offer.OfferId}:worker:{w}").ToArray() },
                transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO outreach.cover_offer_recipients (offer_id, worker_id, rank)
                SELECT @OfferId, r.worker_id, r.rank
                FROM unnest(@ranked) WITH ORDINALITY AS r(worker_id, rank)
                JOIN outreach.youth_workers w ON w.id = r.worker_id
                WHERE w.active AND NOT w.sms_opted_out
                  AND NOT EXISTS (SELECT 1 FROM outreach.assignments a WHERE a.session_id = @SessionId AND a.worker_id = r.worker_id)
                  AND NOT EXISTS (SELECT 1 FROM outreach.cover_offer_recipients c WHERE c.offer_id = @OfferId AND c.worker_id = r.worker_id)
                ORDER BY r.rank
                LIMIT greatest(0, @howMany - (SELECT count(*) FROM outreach.cover_offer_recipients c WHERE c.offer_id = @OfferId))
                """, new { offer.OfferId, offer.SessionId, ranked, howMany }, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            replaced += removed.Length;
        }
        return replaced;
    }

    // A recipient (c) who cannot be texted (w) and whose offer has not reached them: not answered, not sent or being sent.
    private const string Unreached = """
        (w.sms_opted_out OR NOT w.active) AND c.response IS NULL
        AND NOT EXISTS (SELECT 1 FROM outreach.sms_outbox x
                        WHERE x.dedupe_key = 'cover-offer:' || c.offer_id || ':worker:' || c.worker_id
                          AND x.status IN ('sending', 'unknown', 'sent'))
        """;

    /// <summary>
    /// Messages owed: offers to their recipients, "filled" notices to those who did not answer, and the unconfirmed
    /// worker's notice; none to a worker who has opted out of texts (the send job voids any that slip through).
    /// </summary>
    public async Task<IReadOnlyList<CoverMessage>> UnsentMessagesAsync(DateTime nowUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CoverMessage>(new CommandDefinition("""
            SELECT m.* FROM (
                SELECT 'cover-offer:' || o.id || ':worker:' || c.worker_id AS dedupe_key, 'offer' AS kind, o.id AS offer_id,
                       o.code, c.worker_id, w.mobile_e164, s.id AS session_id, s.title, v.name AS venue_name, s.starts_at, s.ends_at
                FROM outreach.cover_offers o
                JOIN outreach.cover_offer_recipients c ON c.offer_id = o.id
                JOIN outreach.youth_workers w ON w.id = c.worker_id AND w.active AND NOT w.sms_opted_out
                JOIN outreach.sessions s ON s.id = o.session_id JOIN outreach.venues v ON v.id = s.venue_id
                WHERE o.status IN ('open', 'escalated') AND s.starts_at > @nowUtc
                UNION ALL
                SELECT 'cover-filled:' || o.id || ':worker:' || c.worker_id, 'filled', o.id, o.code, c.worker_id, w.mobile_e164,
                       s.id, s.title, v.name, s.starts_at, s.ends_at
                FROM outreach.cover_offers o
                JOIN outreach.cover_offer_recipients c ON c.offer_id = o.id AND c.response IS NULL
                JOIN outreach.youth_workers w ON w.id = c.worker_id AND NOT w.sms_opted_out
                JOIN outreach.sessions s ON s.id = o.session_id JOIN outreach.venues v ON v.id = s.venue_id
                WHERE o.status IN ('filled', 'void') AND s.starts_at > @nowUtc
                  AND EXISTS (SELECT 1 FROM outreach.sms_outbox x WHERE x.dedupe_key = 'cover-offer:' || o.id || ':worker:' || c.worker_id)
                UNION ALL
                SELECT 'cover-given-away:' || o.id, 'given-away', o.id, o.code, a.worker_id, w.mobile_e164,
                       s.id, s.title, v.name, s.starts_at, s.ends_at
                FROM outreach.cover_offers o
                JOIN outreach.assignments a ON a.id = o.assignment_id AND a.status = 'withdrawn'
                JOIN outreach.youth_workers w ON w.id = a.worker_id AND NOT w.sms_opted_out
                JOIN outreach.sessions s ON s.id = o.session_id JOIN outreach.venues v ON v.id = s.venue_id
                WHERE o.status = 'filled' AND o.reason = 'unconfirmed' AND s.starts_at > @nowUtc
            ) m
            WHERE NOT EXISTS (SELECT 1 FROM outreach.sms_outbox x WHERE x.dedupe_key = m.dedupe_key)
            ORDER BY m.offer_id, m.kind
            LIMIT 2000
            """, new { nowUtc }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>
    /// Offers still open at their deadline (<paramref name="after"/> from opening, or <paramref name="beforeStart"/>
    /// ahead of the session, whichever comes first), and offers nobody could be sent: escalated, with a dashboard alert.
    /// </summary>
    public async Task<IReadOnlyList<EscalatedOffer>> EscalateDueAsync(
        DateTime nowUtc, TimeSpan after, TimeSpan beforeStart, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var escalated = (await connection.QueryAsync<(long OfferId, long SessionId, string Title, string VenueName, DateTime StartsAt, DateTime EndsAt, long Recipients)>(new CommandDefinition("""
            WITH due AS (
                SELECT o.id FROM outreach.cover_offers o JOIN outreach.sessions s ON s.id = o.session_id
                WHERE o.status = 'open' AND o.offered_at IS NOT NULL
                  AND (least(o.created_at + @after, s.starts_at - @beforeStart) <= @nowUtc
                       OR NOT EXISTS (SELECT 1 FROM outreach.cover_offer_recipients c WHERE c.offer_id = o.id))
                ORDER BY o.id
                FOR UPDATE OF o SKIP LOCKED
            )
            UPDATE outreach.cover_offers o SET status = 'escalated', escalated_at = @nowUtc
            FROM due, outreach.sessions s, outreach.venues v
            WHERE o.id = due.id AND s.id = o.session_id AND v.id = s.venue_id
            RETURNING o.id, s.id, s.title, v.name, s.starts_at, s.ends_at,
                      (SELECT count(*) FROM outreach.cover_offer_recipients c WHERE c.offer_id = o.id)
            """, new { nowUtc, after, beforeStart }, transaction, cancellationToken: cancellationToken))).AsList();
        foreach (var e in escalated)
        {
            var what = $"{(string.IsNullOrWhiteSpace(e.Title) ? "A session" : e.Title)} on {UkTime.Format(e.StartsAt)}";
            await AlertData.RaiseAsync(connection, transaction, new NewAlert(
                $"cover-escalated:offer:{e.OfferId}", "cover_unfilled",
                e.Recipients == 0
                    ? $"{what} needs cover, and no eligible worker who takes texts could be offered it."
                    : $"{what} still needs cover: none of the {e.Recipients} workers offered it has taken it.",
                e.SessionId), cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return escalated.Select(e => new EscalatedOffer(e.OfferId, e.SessionId, e.Title, e.VenueName, e.StartsAt, e.EndsAt)).ToList();
    }

    /// <summary>Offers that can no longer be taken (session cancelled, started or full) are closed, so their recipients are told.</summary>
    public async Task<int> VoidStaleAsync(DateTime nowUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.cover_offers o SET status = 'void', closed_at = @nowUtc
            FROM outreach.sessions s
            WHERE s.id = o.session_id AND o.status IN ('open', 'escalated')
              AND (s.status NOT IN ('planned', 'confirmed') OR s.starts_at <= @nowUtc
                   OR (SELECT count(*) FROM outreach.assignments a
                        WHERE a.session_id = s.id AND a.status IN ('assigned', 'confirmed')
                          AND NOT (o.reason = 'unconfirmed' AND a.id = o.assignment_id)) >= s.required_workers)
            """, new { nowUtc }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<CoverOfferRow>> ForSessionAsync(long sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CoverOfferRow>(new CommandDefinition("""
            SELECT o.id, o.session_id, o.reason, o.code, o.status, o.created_at,
                   (SELECT count(*) FROM outreach.cover_offer_recipients c WHERE c.offer_id = o.id) AS recipients,
                   w.full_name AS filled_by
            FROM outreach.cover_offers o LEFT JOIN outreach.youth_workers w ON w.id = o.filled_by_worker_id
            WHERE o.session_id = @sessionId
            ORDER BY o.id
            """, new { sessionId }, cancellationToken: cancellationToken))).AsList();
    }
}
