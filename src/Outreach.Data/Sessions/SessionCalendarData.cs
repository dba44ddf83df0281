using Dapper;
using Npgsql;

namespace Outreach.Data.Sessions;

public sealed record CalendarEntry(
    long Id, string Title, string Kind, string VenueName, DateTime StartsAt, DateTime EndsAt, string Status,
    int RequiredWorkers, long AssignedWorkers, long ConfirmedWorkers);

public sealed record FilterOption(long Id, string Name);

/// <summary>Sessions in a period for the coordinators' calendar, optionally for one venue, worker or area.</summary>
public sealed class SessionCalendarData(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<CalendarEntry>> EntriesAsync(
        DateTime fromUtc, DateTime toUtc, long? venueId, long? workerId, long? areaId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<CalendarEntry>(new CommandDefinition("""
            SELECT s.id, s.title, s.kind, v.name AS venue_name, s.starts_at, s.ends_at, s.status, s.required_workers,
                   count(a.id) FILTER (WHERE a.status IN ('assigned', 'confirmed')) AS assigned_workers,
                   count(a.id) FILTER (WHERE a.status = 'confirmed') AS confirmed_workers
            FROM outreach.sessions s
            JOIN outreach.venues v ON v.id = s.venue_id
            LEFT JOIN outreach.assignments a ON a.session_id = s.id
            -- Sessions last at most 24 hours (a CHECK on the table), so the lower bound keeps this an index range scan.
            WHERE s.starts_at < @toUtc AND s.starts_at > @fromUtc - interval '24 hours' AND s.ends_at > @fromUtc
              AND (@venueId::bigint IS NULL OR s.venue_id = @venueId)
              AND (@areaId::bigint IS NULL OR v.area_id = @areaId)
              AND (@workerId::bigint IS NULL OR EXISTS (
                    SELECT 1 FROM outreach.assignments w
                     WHERE w.session_id = s.id AND w.worker_id = @workerId AND w.status IN ('assigned', 'confirmed')))
            GROUP BY s.id, v.name
            ORDER BY s.starts_at
            LIMIT 2000
            """, new { fromUtc, toUtc, venueId, workerId, areaId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// The filter lists. Venues and workers are listed for one area only: nationally there are tens of
    /// thousands of each, too many for a list.
    /// </summary>
    public async Task<(IReadOnlyList<FilterOption> Venues, IReadOnlyList<FilterOption> Workers, IReadOnlyList<FilterOption> Areas)> FiltersAsync(
        long? areaId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var areas = await connection.QueryAsync<FilterOption>(new CommandDefinition(
            "SELECT id, name FROM outreach.areas ORDER BY name", cancellationToken: cancellationToken));
        if (areaId is null)
        {
            return ([], [], areas.AsList());
        }
        var venues = await connection.QueryAsync<FilterOption>(new CommandDefinition(
            "SELECT id, name FROM outreach.venues WHERE status = 'open' AND area_id = @areaId ORDER BY name LIMIT 2000",
            new { areaId }, cancellationToken: cancellationToken));
        var workers = await connection.QueryAsync<FilterOption>(new CommandDefinition("""
            SELECT w.id, w.full_name AS name FROM outreach.youth_workers w
            WHERE w.active AND EXISTS (SELECT 1 FROM outreach.worker_areas wa WHERE wa.worker_id = w.id AND wa.area_id = @areaId)
            ORDER BY w.full_name LIMIT 2000
            """, new { areaId }, cancellationToken: cancellationToken));
        return (venues.AsList(), workers.AsList(), areas.AsList());
    }
}
