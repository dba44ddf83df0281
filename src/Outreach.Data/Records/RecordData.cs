using Dapper;
using Npgsql;
using Outreach.Data.Audit;

namespace Outreach.Data.Records;

public sealed record MySessionRow(
    long SessionId, string Title, string Kind, string VenueName, DateTime StartsAt, DateTime EndsAt,
    string SessionStatus, string AssignmentStatus, bool IsLead, bool HasRecord);

public sealed record RecordTarget(
    long SessionId, string Title, string Kind, string VenueName, DateTime StartsAt, DateTime EndsAt, string Status);

public sealed record SessionRecord(
    bool Delivered, string? NotDeliveredReason, DateTime? ActualStart, DateTime? ActualEnd,
    int CountUnder11, int Count11To13, int Count14To15, int Count16To17, int Count18To24, string Notes)
{
    public int YoungPeople => CountUnder11 + Count11To13 + Count14To15 + Count16To17 + Count18To24;
}

public sealed class RecordData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    // A youth worker reaches only sessions they are (or were) assigned to; coordinators reach all.
    private const string ScopeFilter = """
        (@userId::bigint IS NULL OR EXISTS (
            SELECT 1 FROM outreach.assignments a JOIN outreach.youth_workers w ON w.id = a.worker_id
             WHERE a.session_id = s.id AND w.user_id = @userId AND a.status IN ('assigned', 'confirmed')))
        """;

    public async Task<IReadOnlyList<MySessionRow>> MySessionsAsync(long userId, DateTime fromUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<MySessionRow>(new CommandDefinition("""
            SELECT s.id AS session_id, s.title, s.kind, v.name AS venue_name, s.starts_at, s.ends_at,
                   s.status AS session_status, a.status AS assignment_status, a.is_lead,
                   EXISTS (SELECT 1 FROM outreach.session_records r WHERE r.session_id = s.id) AS has_record
            FROM outreach.assignments a
            JOIN outreach.youth_workers w ON w.id = a.worker_id
            JOIN outreach.sessions s ON s.id = a.session_id
            JOIN outreach.venues v ON v.id = s.venue_id
            WHERE w.user_id = @userId AND a.status IN ('assigned', 'confirmed') AND s.ends_at >= @fromUtc
            ORDER BY s.starts_at
            LIMIT 200
            """, new { userId, fromUtc }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Sessions that have ended without a record (for coordinators to chase).</summary>
    public async Task<IReadOnlyList<MySessionRow>> MissingAsync(DateTime fromUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<MySessionRow>(new CommandDefinition("""
            SELECT s.id AS session_id, s.title, s.kind, v.name AS venue_name, s.starts_at, s.ends_at,
                   s.status AS session_status, '' AS assignment_status, false AS is_lead, false AS has_record
            FROM outreach.sessions s JOIN outreach.venues v ON v.id = s.venue_id
            WHERE s.starts_at >= @fromUtc - interval '24 hours' AND s.starts_at <= @nowUtc
              AND s.ends_at >= @fromUtc AND s.ends_at <= @nowUtc AND s.status <> 'cancelled'
              AND NOT EXISTS (SELECT 1 FROM outreach.session_records r WHERE r.session_id = s.id)
            ORDER BY s.ends_at
            LIMIT 200
            """, new { fromUtc, nowUtc = clock.GetUtcNow().UtcDateTime }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <param name="userId">The youth worker's user id, or null for a coordinator who may correct any record.</param>
    public async Task<(RecordTarget Session, SessionRecord? Record)?> FindAsync(
        long sessionId, long? userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var session = await connection.QuerySingleOrDefaultAsync<RecordTarget>(new CommandDefinition($"""
            SELECT s.id AS session_id, s.title, s.kind, v.name AS venue_name, s.starts_at, s.ends_at, s.status
            FROM outreach.sessions s JOIN outreach.venues v ON v.id = s.venue_id
            WHERE s.id = @sessionId AND {ScopeFilter}
            """, new { sessionId, userId }, cancellationToken: cancellationToken));
        if (session is null)
        {
            return null;
        }
        var record = await connection.QuerySingleOrDefaultAsync<SessionRecord>(new CommandDefinition(
            $"SELECT {RecordColumns} FROM outreach.session_records WHERE session_id = @sessionId",
            new { sessionId }, cancellationToken: cancellationToken));
        return (session, record);
    }

    private sealed record SessionState(DateTime StartsAt, string Status);

    private const string RecordColumns = """
        delivered, not_delivered_reason, actual_start, actual_end, count_under_11 AS count_under11,
        count_11_13 AS count11_to13, count_14_15 AS count14_to15, count_16_17 AS count16_to17,
        count_18_24 AS count18_to24, notes
        """;

    /// <returns>Not found when the session is outside the user's scope; a field error when it has not started.</returns>
    public async Task<Outcome<bool>> SaveAsync(
        long sessionId, SessionRecord record, long? userId, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var session = await connection.QuerySingleOrDefaultAsync<SessionState>(new CommandDefinition($"""
            SELECT s.starts_at, s.status FROM outreach.sessions s
            WHERE s.id = @sessionId AND {ScopeFilter}
            FOR UPDATE OF s
            """, new { sessionId, userId }, transaction, cancellationToken: cancellationToken));
        if (session is null)
        {
            return Outcome<bool>.Fail("", "Session not found.");
        }
        if (session.StartsAt > clock.GetUtcNow().UtcDateTime)
        {
            return Outcome<bool>.Fail("Delivered", "This session has not started yet: record it once it has happened.");
        }
        if (session.Status == "cancelled")
        {
            return Outcome<bool>.Fail("Delivered", "This session was cancelled: there is nothing to record.");
        }

        var before = await connection.QuerySingleOrDefaultAsync<SessionRecord>(new CommandDefinition(
            $"SELECT {RecordColumns} FROM outreach.session_records WHERE session_id = @sessionId",
            new { sessionId }, transaction, cancellationToken: cancellationToken));

        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.session_records
                (session_id, delivered, not_delivered_reason, actual_start, actual_end, count_under_11, count_11_13,
                 count_14_15, count_16_17, count_18_24, notes, recorded_by)
            VALUES (@sessionId, @Delivered, @NotDeliveredReason, @ActualStart, @ActualEnd, @CountUnder11, @Count11To13,
                    @Count14To15, @Count16To17, @Count18To24, @Notes, @recordedBy)
            ON CONFLICT (session_id) DO UPDATE SET
                delivered = excluded.delivered, not_delivered_reason = excluded.not_delivered_reason,
                actual_start = excluded.actual_start, actual_end = excluded.actual_end,
                count_under_11 = excluded.count_under_11, count_11_13 = excluded.count_11_13,
                count_14_15 = excluded.count_14_15, count_16_17 = excluded.count_16_17,
                count_18_24 = excluded.count_18_24, notes = excluded.notes, updated_at = now()
            """,
            new
            {
                sessionId, record.Delivered, record.NotDeliveredReason, record.ActualStart, record.ActualEnd,
                record.CountUnder11, record.Count11To13, record.Count14To15, record.Count16To17, record.Count18To24,
                record.Notes, recordedBy = actor.UserId,
            }, transaction, cancellationToken: cancellationToken));

        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.sessions
               SET status = CASE WHEN @Delivered THEN 'delivered' ELSE 'planned' END, updated_at = now()
             WHERE id = @sessionId
            """, new { sessionId, record.Delivered }, transaction, cancellationToken: cancellationToken));

        await AuditLog.WriteAsync(connection, transaction, actor, before is null ? "create" : "update",
            "session_record", sessionId, before, record, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<bool>.Ok(true);
    }
}
