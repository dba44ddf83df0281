using Dapper;
using Npgsql;

namespace Outreach.Data.Messages;

public sealed record NoticeMessage(
    long NoticeId, string Kind, long WorkerId, string MobileE164, long SessionId, string Title, string VenueName,
    DateTime StartsAt, DateTime EndsAt, string? CancelReason)
{
    public string DedupeKey => $"notice:{NoticeId}:worker:{WorkerId}";
}

/// <summary>
/// Change and cancellation notices. The notice row is written in the transaction that changed the session (one per
/// session version for changes), so a change is never left untold; the job turns it into one SMS per booked worker.
/// </summary>
public sealed class NoticeData(NpgsqlDataSource dataSource)
{
    /// <param name="kind">'changed' (time or venue) or 'cancelled'.</param>
    public static Task RecordAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<long> sessionIds, string kind, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.session_notices (session_id, kind, version)
            SELECT id, @kind, version FROM outreach.sessions WHERE id = ANY(@ids)
            ON CONFLICT (session_id, kind, version) DO NOTHING
            """, new { ids = sessionIds.ToArray(), kind }, transaction, cancellationToken: cancellationToken));

    /// <summary>
    /// The messages of unsent notices still worth sending: a change notice only for the session's current version
    /// (a later change supersedes it) and not after a cancellation; nothing for sessions that have started; nothing
    /// for a worker who has left or opted out of texts (the notice is told once, so it does not wait for their START;
    /// the send job's void still catches a STOP that comes after queueing).
    /// </summary>
    public async Task<(IReadOnlyList<long> NoticeIds, IReadOnlyList<NoticeMessage> Messages)> UnsentAsync(
        DateTime nowUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var ids = (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM outreach.session_notices WHERE sent_at IS NULL ORDER BY id LIMIT 500",
            cancellationToken: cancellationToken))).AsList();
        if (ids.Count == 0)
        {
            return ([], []);
        }
        var messages = (await connection.QueryAsync<NoticeMessage>(new CommandDefinition("""
            SELECT n.id AS notice_id, n.kind, w.id AS worker_id, w.mobile_e164, s.id AS session_id, s.title,
                   v.name AS venue_name, s.starts_at, s.ends_at, s.cancel_reason
            FROM outreach.session_notices n
            JOIN outreach.sessions s ON s.id = n.session_id
            JOIN outreach.venues v ON v.id = s.venue_id
            JOIN outreach.assignments a ON a.session_id = s.id AND a.status IN ('assigned', 'confirmed')
            JOIN outreach.youth_workers w ON w.id = a.worker_id AND w.active AND NOT w.sms_opted_out
            WHERE n.id = ANY(@ids) AND s.starts_at > @nowUtc
              AND (n.kind = 'cancelled' AND s.status = 'cancelled'
                   OR n.kind = 'changed' AND s.status IN ('planned', 'confirmed') AND n.version = s.version)
            ORDER BY n.id, w.id
            """, new { ids, nowUtc }, cancellationToken: cancellationToken))).AsList();
        return (ids, messages);
    }

    public async Task MarkSentAsync(IReadOnlyList<long> noticeIds, DateTime nowUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outreach.session_notices SET sent_at = @nowUtc WHERE id = ANY(@ids) AND sent_at IS NULL",
            new { ids = noticeIds.ToArray(), nowUtc }, cancellationToken: cancellationToken));
    }
}
