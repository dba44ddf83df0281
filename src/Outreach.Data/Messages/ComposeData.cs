using Dapper;
using Npgsql;
using Outreach.Data.Audit;

namespace Outreach.Data.Messages;

public sealed record ComposeWorker(long Id, string FullName, string MobileE164, bool SmsOptedOut);

public sealed record ComposeSession(long Id, string Title, string VenueName, DateTime StartsAt, long Assigned);

/// <summary>Who an ad-hoc message can go to: chosen workers, or everyone booked on a session.</summary>
public sealed class ComposeData(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<ComposeWorker>> WorkersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ComposeWorker>(new CommandDefinition("""
            SELECT id, full_name, mobile_e164, sms_opted_out FROM outreach.youth_workers
            WHERE active ORDER BY lower(full_name), id LIMIT 2000
            """, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<IReadOnlyList<ComposeSession>> UpcomingSessionsAsync(DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ComposeSession>(new CommandDefinition("""
            SELECT s.id, s.title, v.name AS venue_name, s.starts_at,
                   (SELECT count(*) FROM outreach.assignments a WHERE a.session_id = s.id AND a.status IN ('assigned', 'confirmed')) AS assigned
            FROM outreach.sessions s JOIN outreach.venues v ON v.id = s.venue_id
            WHERE s.starts_at >= @fromUtc AND s.starts_at < @toUtc AND s.status IN ('planned', 'confirmed')
            ORDER BY s.starts_at, s.id LIMIT 500
            """, new { fromUtc, toUtc }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The chosen active workers plus those booked on the session, each once.</summary>
    public async Task<IReadOnlyList<ComposeWorker>> RecipientsAsync(IReadOnlyList<long> workerIds, long? sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ComposeWorker>(new CommandDefinition("""
            SELECT w.id, w.full_name, w.mobile_e164, w.sms_opted_out FROM outreach.youth_workers w
            WHERE w.active AND (w.id = ANY(@ids)
                  OR EXISTS (SELECT 1 FROM outreach.assignments a
                              WHERE a.session_id = @sessionId AND a.worker_id = w.id AND a.status IN ('assigned', 'confirmed')))
            ORDER BY lower(w.full_name), w.id
            """, new { ids = workerIds.ToArray(), sessionId }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task AuditAsync(Actor actor, string composeKey, int recipients, string body, long? sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await AuditLog.WriteAsync(connection, transaction, actor, "send", "sms_compose", composeKey, null,
            new { Recipients = recipients, Body = body, SessionId = sessionId }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
