using Dapper;
using Npgsql;

namespace Outreach.Tests.Infrastructure;

/// <summary>Rows the series, editing and closed-day tests need beyond <see cref="TestData"/>.</summary>
public static class SchedulingData
{
    public sealed record StoredSession(
        long Id, DateTime StartsAt, DateTime EndsAt, string Title, string Notes, int Version, string Status, string? CancelReason,
        long VenueId, DateTime? OccurrenceDate);

    /// <summary>A worker with a DBS check valid well past the sessions of these tests, so the database lets them be booked.</summary>
    public static async Task<(long Id, string Name)> BookableWorkerAsync(NpgsqlDataSource db)
    {
        var id = await TestData.WorkerAsync(db);
        await using var c = await db.OpenConnectionAsync();
        return (id, await c.ExecuteScalarAsync<string>("""
            UPDATE outreach.youth_workers
               SET dbs_check_type = 'enhanced_barred', dbs_certificate_number = '001234567890',
                   dbs_issued_on = DATE '2026-01-05', dbs_next_review_on = DATE '2031-01-05'
             WHERE id = @id
            RETURNING full_name
            """, new { id }) ?? "");
    }

    public static async Task<IReadOnlyList<StoredSession>> SeriesSessionsAsync(NpgsqlDataSource db, long seriesId)
    {
        await using var c = await db.OpenConnectionAsync();
        return (await c.QueryAsync<StoredSession>("""
            SELECT id, starts_at, ends_at, title, notes, version, status, cancel_reason, venue_id, occurrence_date::timestamp AS occurrence_date
            FROM outreach.sessions WHERE series_id = @seriesId ORDER BY occurrence_date
            """, new { seriesId })).AsList();
    }

    public static async Task<long?> SeriesOfSessionAsync(NpgsqlDataSource db, long sessionId)
    {
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long?>("SELECT series_id FROM outreach.sessions WHERE id = @sessionId", new { sessionId });
    }

    public static async Task<long> ClosedDayAsync(
        NpgsqlDataSource db, DateOnly first, DateOnly last, string reason, long? venueId = null, long? areaId = null, string kind = "inset_day")
    {
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>("""
            INSERT INTO outreach.closed_days (scope, area_id, venue_id, kind, first_day, last_day, reason)
            VALUES (CASE WHEN @venueId::bigint IS NOT NULL THEN 'venue' WHEN @areaId::bigint IS NOT NULL THEN 'area' ELSE 'national' END,
                    @areaId, @venueId, @kind, @first::date, @last::date, @reason)
            RETURNING id
            """, new { venueId, areaId, kind, first = first.ToDateTime(TimeOnly.MinValue), last = last.ToDateTime(TimeOnly.MinValue), reason });
    }

    public static async Task<long> AreaOfVenueAsync(NpgsqlDataSource db, long venueId)
    {
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>("SELECT area_id FROM outreach.venues WHERE id = @venueId", new { venueId });
    }

    public static DateTime Utc(int year, int month, int day, int hour, int minute = 0) =>
        new(year, month, day, hour, minute, 0, DateTimeKind.Utc);
}
