using Dapper;
using Npgsql;

namespace Outreach.Data.Messages;

public sealed record RosterRow(
    long WorkerId, string MobileE164, long SessionId, string Title, string VenueName, DateTime StartsAt, DateTime EndsAt);

public sealed class RosterData(NpgsqlDataSource dataSource)
{
    /// <summary>Each active worker's live bookings starting in [from, to), by worker then time; none for a worker who opted out of texts.</summary>
    public async Task<IReadOnlyList<RosterRow>> WeekAsync(DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<RosterRow>(new CommandDefinition("""
            SELECT w.id AS worker_id, w.mobile_e164, s.id AS session_id, s.title, v.name AS venue_name, s.starts_at, s.ends_at
            FROM outreach.sessions s
            JOIN outreach.venues v ON v.id = s.venue_id
            JOIN outreach.assignments a ON a.session_id = s.id AND a.status IN ('assigned', 'confirmed')
            JOIN outreach.youth_workers w ON w.id = a.worker_id AND w.active AND NOT w.sms_opted_out
            WHERE s.starts_at >= @fromUtc AND s.starts_at < @toUtc AND s.status IN ('planned', 'confirmed')
            ORDER BY w.id, s.starts_at, s.id
            """, new { fromUtc, toUtc }, cancellationToken: cancellationToken))).AsList();
    }
}
