using Dapper;
using Npgsql;

namespace Outreach.Data.Reminders;

public sealed record DueReminder(
    long AssignmentId, long WorkerId, long SessionId, int Version, string MobileE164, string Title, string VenueName,
    DateTime StartsAt, DateTime EndsAt, int LeadMinutes)
{
    /// <summary>Why this message exists: one reminder per assignment, lead time and version of the session.</summary>
    public string DedupeKey => $"reminder-{LeadMinutes}m:assignment:{AssignmentId}:v{Version}";
}

public sealed class ReminderData(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Reminders whose time has come and that have not been queued yet. Per assignment only the
    /// nearest lead time counts: someone booked an hour before gets one reminder, not two.
    /// Cancelled or started sessions, inactive or opted-out workers get none.
    /// </summary>
    public async Task<IReadOnlyList<DueReminder>> DueAsync(
        long? assignmentId, IReadOnlyList<int> leadMinutes, DateTime nowUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DueReminder>(new CommandDefinition("""
            SELECT d.* FROM (
                SELECT DISTINCT ON (a.id)
                       a.id AS assignment_id, w.id AS worker_id, s.id AS session_id, s.version, w.mobile_e164,
                       s.title, v.name AS venue_name, s.starts_at, s.ends_at, l.lead AS lead_minutes
                FROM outreach.assignments a
                JOIN outreach.youth_workers w ON w.id = a.worker_id
                JOIN outreach.sessions s ON s.id = a.session_id
                JOIN outreach.venues v ON v.id = s.venue_id
                CROSS JOIN unnest(@leads) AS l(lead)
                WHERE (@assignmentId::bigint IS NULL OR a.id = @assignmentId)
                  AND a.status IN ('assigned', 'confirmed')
                  AND s.status IN ('planned', 'confirmed')
                  AND w.active AND NOT w.sms_opted_out
                  AND s.starts_at > @nowUtc
                  AND s.starts_at - make_interval(mins => l.lead) <= @nowUtc
                ORDER BY a.id, l.lead
            ) d
            WHERE NOT EXISTS (
                SELECT 1 FROM outreach.sms_outbox o
                 WHERE o.dedupe_key = 'reminder-' || d.lead_minutes || 'm:assignment:' || d.assignment_id || ':v' || d.version)
            """, new { assignmentId, leads = leadMinutes.ToArray(), nowUtc }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<DateTime?> SessionStartForAssignmentAsync(long assignmentId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition("""
            SELECT s.starts_at FROM outreach.assignments a JOIN outreach.sessions s ON s.id = a.session_id
            WHERE a.id = @assignmentId
            """, new { assignmentId }, cancellationToken: cancellationToken));
    }
}
