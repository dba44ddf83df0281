using Dapper;
using Npgsql;

namespace Outreach.Data.Alerts;

public sealed record NewAlert(string DedupeKey, string Kind, string Message, long? SessionId = null, long? WorkerId = null);

public sealed record AlertRow(
    long Id, string Kind, string Message, long? SessionId, string? SessionTitle, long? WorkerId, string? WorkerName,
    DateTime CreatedAt);

/// <summary>
/// Alerts for coordinators (a confirmation not given in time, cover nobody took, a number Twilio refuses,
/// a record overdue, a safeguarding concern). Each is keyed by why it exists, so a retried job raises it once;
/// it stays on the dashboard until a coordinator marks it dealt with.
/// </summary>
public sealed class AlertData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <returns>True when the alert is new.</returns>
    public async Task<bool> RaiseAsync(NewAlert alert, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await RaiseAsync(connection, null, alert, cancellationToken);
    }

    /// <summary>Raises the alert inside the caller's transaction, so it lands with the change that caused it.</summary>
    public static async Task<bool> RaiseAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, NewAlert alert, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.alerts (dedupe_key, kind, message, session_id, worker_id)
            VALUES (@DedupeKey, @Kind, @Message, @SessionId, @WorkerId)
            ON CONFLICT (dedupe_key) DO NOTHING
            """, alert, transaction, cancellationToken: cancellationToken)) == 1;

    public async Task<IReadOnlyList<AlertRow>> OpenAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AlertRow>(new CommandDefinition("""
            SELECT a.id, a.kind, a.message, a.session_id, s.title AS session_title, a.worker_id, w.full_name AS worker_name,
                   a.created_at
            FROM outreach.alerts a
            LEFT JOIN outreach.sessions s ON s.id = a.session_id
            LEFT JOIN outreach.youth_workers w ON w.id = a.worker_id
            WHERE a.resolved_at IS NULL
            ORDER BY a.created_at DESC, a.id DESC
            LIMIT @limit
            """, new { limit }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <returns>False when the alert does not exist or was already dealt with.</returns>
    public async Task<bool> ResolveAsync(long id, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.alerts SET resolved_at = @now, resolved_by = @userId
            WHERE id = @id AND resolved_at IS NULL
            """, new { id, now = clock.GetUtcNow().UtcDateTime, userId = actor.UserId }, cancellationToken: cancellationToken)) == 1;
    }
}
