using Dapper;
using Npgsql;
using Outreach.Data.Alerts;

namespace Outreach.Data.Messages;

/// <summary>A confirmation request whose SMS has not been queued yet.</summary>
public sealed record UnsentConfirmation(
    long RequestId, string Code, long WorkerId, string MobileE164, long SessionId, string Title, string VenueName,
    DateTime StartsAt, DateTime EndsAt, long OtherOpenQuestions)
{
    public string DedupeKey => $"confirm:request:{RequestId}";
}

public sealed record ExpiredConfirmation(long RequestId, long AssignmentId, long SessionId, long WorkerId, long? CoverOfferId);

/// <summary>
/// "Reply YES or NO" for new bookings. A request is opened in the booking's own transaction, so a booking
/// never lacks one; the job turns open requests into SMS keyed by the request, so running it twice sends one.
/// </summary>
public sealed class ConfirmationData(NpgsqlDataSource dataSource)
{
    /// <summary>Opens a request for a booking that is waiting for its worker's answer (none if one is open already).</summary>
    public static Task OpenRequestAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long assignmentId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.confirmation_requests (assignment_id)
            SELECT a.id FROM outreach.assignments a WHERE a.id = @assignmentId AND a.status = 'assigned'
            ON CONFLICT (assignment_id) WHERE status IN ('pending', 'expired') DO NOTHING
            """, new { assignmentId }, transaction, cancellationToken: cancellationToken));

    /// <summary>A booking taken off a session: its question no longer stands.</summary>
    public static Task VoidForAssignmentAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long assignmentId, DateTime nowUtc, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.confirmation_requests SET status = 'void', answered_at = @nowUtc
            WHERE assignment_id = @assignmentId AND status IN ('pending', 'expired')
            """, new { assignmentId, nowUtc }, transaction, cancellationToken: cancellationToken));

    /// <summary>As the overload with a time, at the database's transaction time, for the session operation until it passes its own clock.</summary>
    public static async Task VoidForAssignmentAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long assignmentId, CancellationToken cancellationToken)
    {
        var nowUtc = await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition(
            "SELECT now()", transaction: transaction, cancellationToken: cancellationToken));
        await VoidForAssignmentAsync(connection, transaction, assignmentId, nowUtc, cancellationToken);
    }

    public async Task<IReadOnlyList<UnsentConfirmation>> UnsentAsync(DateTime nowUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<UnsentConfirmation>(new CommandDefinition("""
            SELECT r.id AS request_id, r.code, w.id AS worker_id, w.mobile_e164, s.id AS session_id, s.title,
                   v.name AS venue_name, s.starts_at, s.ends_at,
                   (SELECT count(*) FROM outreach.confirmation_requests r2
                      JOIN outreach.assignments a2 ON a2.id = r2.assignment_id
                      JOIN outreach.sessions s2 ON s2.id = a2.session_id
                     WHERE a2.worker_id = w.id AND r2.id <> r.id AND r2.status IN ('pending', 'expired')
                       AND a2.status = 'assigned' AND s2.starts_at > @nowUtc)
                 + (SELECT count(*) FROM outreach.cover_offer_recipients c
                      JOIN outreach.cover_offers o ON o.id = c.offer_id
                      JOIN outreach.sessions s3 ON s3.id = o.session_id
                     WHERE c.worker_id = w.id AND c.response IS NULL AND o.status IN ('open', 'escalated')
                       AND s3.starts_at > @nowUtc) AS other_open_questions
            FROM outreach.confirmation_requests r
            JOIN outreach.assignments a ON a.id = r.assignment_id
            JOIN outreach.youth_workers w ON w.id = a.worker_id
            JOIN outreach.sessions s ON s.id = a.session_id
            JOIN outreach.venues v ON v.id = s.venue_id
            -- An opted-out worker's request waits unsent (START brings it back); its deadline still passes as usual.
            WHERE r.status = 'pending' AND a.status = 'assigned' AND w.active AND NOT w.sms_opted_out
              AND s.status IN ('planned', 'confirmed') AND s.starts_at > @nowUtc
              AND NOT EXISTS (SELECT 1 FROM outreach.sms_outbox o WHERE o.dedupe_key = 'confirm:request:' || r.id)
            ORDER BY r.id
            LIMIT 1000
            """, new { nowUtc }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Queues a request's text if the request is still waiting and its booking still stands. The request's row is
    /// held meanwhile: a withdrawal at the same moment either came first (nothing is queued) or waits for this and
    /// then voids the text with the rest of the worker's waiting texts about the session.
    /// </summary>
    public async Task<long?> QueueAsync(long requestId, OutgoingSms sms, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var stillOpen = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            SELECT r.id FROM outreach.confirmation_requests r
            JOIN outreach.assignments a ON a.id = r.assignment_id
            WHERE r.id = @requestId AND r.status = 'pending' AND a.status = 'assigned'
            FOR UPDATE OF r
            """, new { requestId }, transaction, cancellationToken: cancellationToken));
        if (stillOpen is null)
        {
            return null;
        }
        var id = await OutboxData.AddAsync(connection, transaction, sms, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return id;
    }

    /// <summary>
    /// Requests still unanswered at their deadline (<paramref name="beforeStart"/> ahead of the session, but never
    /// sooner than <paramref name="minimumReplyTime"/> after asking): each is marked expired, the coordinators are
    /// alerted and the place is offered as cover, all in one transaction.
    /// </summary>
    public async Task<IReadOnlyList<ExpiredConfirmation>> ExpireDueAsync(
        DateTime nowUtc, TimeSpan beforeStart, TimeSpan minimumReplyTime, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var expired = (await connection.QueryAsync<(long RequestId, long AssignmentId, long SessionId, long WorkerId, string Name, string Title, DateTime StartsAt)>(new CommandDefinition("""
            WITH due AS (
                SELECT r.id FROM outreach.confirmation_requests r
                JOIN outreach.assignments a ON a.id = r.assignment_id
                JOIN outreach.sessions s ON s.id = a.session_id
                WHERE r.status = 'pending' AND a.status = 'assigned' AND s.status IN ('planned', 'confirmed')
                  AND s.starts_at > @nowUtc
                  AND greatest(s.starts_at - @beforeStart, r.created_at + @minimumReplyTime) <= @nowUtc
                ORDER BY r.id
                LIMIT 500
                FOR UPDATE OF r SKIP LOCKED
            )
            UPDATE outreach.confirmation_requests r SET status = 'expired'
            FROM due, outreach.assignments a, outreach.sessions s, outreach.youth_workers w
            WHERE r.id = due.id AND a.id = r.assignment_id AND s.id = a.session_id AND w.id = a.worker_id
            RETURNING r.id, a.id, s.id, w.id, w.full_name, s.title, s.starts_at
            """, new { nowUtc, beforeStart, minimumReplyTime }, transaction, cancellationToken: cancellationToken))).AsList();
        var result = new List<ExpiredConfirmation>(expired.Count);
        foreach (var e in expired)
        {
            var offerId = await CoverData.OpenAsync(connection, transaction, e.SessionId, e.AssignmentId, "unconfirmed", nowUtc, cancellationToken);
            await AlertData.RaiseAsync(connection, transaction, new NewAlert(
                $"unconfirmed:request:{e.RequestId}", "unconfirmed",
                $"{e.Name} has not confirmed {(string.IsNullOrWhiteSpace(e.Title) ? "a session" : e.Title)} on {UkTime.Format(e.StartsAt)}. " +
                (offerId is null ? "No cover offer was needed." : "Cover is being offered by text."),
                e.SessionId, e.WorkerId), cancellationToken);
            result.Add(new ExpiredConfirmation(e.RequestId, e.AssignmentId, e.SessionId, e.WorkerId, offerId));
        }
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
