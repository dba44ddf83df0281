using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Outreach.Data.Sessions;

public sealed record CalendarEntry(
    long Id, string Title, string Kind, string VenueName, DateTime StartsAt, DateTime EndsAt, string Status,
    int RequiredWorkers, long AssignedWorkers, long ConfirmedWorkers);

public sealed record FilterOption(long Id, string Name);

/// <summary>Sessions in a period for the coordinators' calendar, optionally for one venue, worker or area.</summary>
public sealed class SessionCalendarData(NpgsqlDataSource dataSource)
{
    /// <summary>At most this many sessions are given for one period: more could not be read on a calendar.</summary>
    public const int MaxEntries = 2000;

    // Each session's bookings, counted by one index probe: joined to the session list as "c".
    private const string BookingCounts = """
        CROSS JOIN LATERAL (
            SELECT count(*) FILTER (WHERE a.status IN ('assigned', 'confirmed')) AS assigned_workers,
                   count(*) FILTER (WHERE a.status = 'confirmed') AS confirmed_workers
            FROM outreach.assignments a
            WHERE a.session_id = s.id) c
        """;

    public async Task<IReadOnlyList<CalendarEntry>> EntriesAsync(
        DateTime fromUtc, DateTime toUtc, long? venueId, long? workerId, long? areaId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (areaId is not null)
        {
            return await AreaEntriesAsync(connection, fromUtc, toUtc, venueId, workerId, areaId.Value, cancellationToken);
        }
        // The period's first sessions are found by start time before anything is joined to them: nationally a week
        // holds about 25,000, and counting bookings for all of them before the limit took half a second.
        var rows = await connection.QueryAsync<CalendarEntry>(new CommandDefinition($"""
            SELECT s.id, s.title, s.kind, v.name AS venue_name, s.starts_at, s.ends_at, s.status, s.required_workers,
                   c.assigned_workers, c.confirmed_workers
            FROM (
                SELECT s.id, s.venue_id, s.title, s.kind, s.starts_at, s.ends_at, s.status, s.required_workers
                FROM outreach.sessions s
                -- Sessions last at most 24 hours (a CHECK on the table), so the lower bound keeps this an index range scan.
                WHERE s.starts_at < @toUtc AND s.starts_at > @fromUtc - interval '24 hours' AND s.ends_at > @fromUtc
                  AND (@venueId::bigint IS NULL OR s.venue_id = @venueId)
                  AND (@workerId::bigint IS NULL OR EXISTS (
                        SELECT 1 FROM outreach.assignments w
                         WHERE w.session_id = s.id AND w.worker_id = @workerId AND w.status IN ('assigned', 'confirmed')))
                ORDER BY s.starts_at
                LIMIT @MaxEntries) s
            JOIN outreach.venues v ON v.id = s.venue_id
            {BookingCounts}
            ORDER BY s.starts_at
            """, new { fromUtc, toUtc, venueId, workerId, MaxEntries }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// One area's sessions: the calendar's most frequent question. Planning this join costs PostgreSQL as much
    /// as running it, so the statement is prepared once per connection. It is written so that its plan does
    /// not depend on the values: each of the area's venues is probed for the period (OFFSET 0 keeps that
    /// subquery a per-venue index range), and each session's bookings are counted by one index probe.
    /// </summary>
    private static async Task<IReadOnlyList<CalendarEntry>> AreaEntriesAsync(NpgsqlConnection connection,
        DateTime fromUtc, DateTime toUtc, long? venueId, long? workerId, long areaId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT s.id, s.title, s.kind, v.name, s.starts_at, s.ends_at, s.status, s.required_workers,
                   c.assigned_workers, c.confirmed_workers
            FROM outreach.venues v
            CROSS JOIN LATERAL (
                SELECT s.id, s.title, s.kind, s.starts_at, s.ends_at, s.status, s.required_workers
                FROM outreach.sessions s
                WHERE s.venue_id = v.id AND s.starts_at < $2 AND s.starts_at > $1 - interval '24 hours' AND s.ends_at > $1
                  AND ($5::bigint IS NULL OR EXISTS (
                        SELECT 1 FROM outreach.assignments w
                         WHERE w.session_id = s.id AND w.worker_id = $5 AND w.status IN ('assigned', 'confirmed')))
                OFFSET 0) s
            {BookingCounts}
            WHERE v.area_id = $3 AND ($4::bigint IS NULL OR v.id = $4)
            ORDER BY s.starts_at
            LIMIT {MaxEntries}
            """, connection)
        {
            Parameters =
            {
                new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlDbType.TimestampTz, TypedValue = fromUtc },
                new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlDbType.TimestampTz, TypedValue = toUtc },
                new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = areaId },
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)venueId ?? DBNull.Value },
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)workerId ?? DBNull.Value },
            },
        };
        // Prepared statements outlive the pooled connection: after the first request on a connection this
        // costs nothing.
        await command.PrepareAsync(cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<CalendarEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new CalendarEntry(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetDateTime(4), reader.GetDateTime(5), reader.GetString(6), reader.GetInt32(7),
                reader.GetInt64(8), reader.GetInt64(9)));
        }
        return entries;
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
