using Dapper;
using Npgsql;

namespace Outreach.Tests.Infrastructure;

/// <summary>Rows for a test, each with unique names, made with plain SQL so a test states what it needs.</summary>
public static class TestData
{
    private static int _counter;

    public static string Unique(string prefix) => $"{prefix} {Interlocked.Increment(ref _counter)}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>A unique valid UK mobile number in E.164 (07700 900xxx is Ofcom's drama range; 07400-07999 are mobiles).</summary>
    public static string Mobile() => "+4474" + Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<long> AreaAsync(NpgsqlDataSource db)
    {
        await using var c = await db.OpenConnectionAsync();
        var code = "T" + Guid.NewGuid().ToString("N")[..10];
        return await c.ExecuteScalarAsync<long>(
            "INSERT INTO outreach.areas (code, name, region) VALUES (@code, @name, 'Test') RETURNING id",
            new { code, name = Unique("Area") });
    }

    public static async Task<long> VenueAsync(NpgsqlDataSource db, string kind = "school", long? areaId = null)
    {
        areaId ??= await AreaAsync(db);
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>(
            "INSERT INTO outreach.venues (kind, name, area_id, postcode) VALUES (@kind, @name, @areaId, 'B1 1AA') RETURNING id",
            new { kind, name = Unique("Venue"), areaId });
    }

    public static async Task<long> WorkerAsync(NpgsqlDataSource db, long? userId = null, string? mobile = null)
    {
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>(
            // A DBS check valid for years, so the database lets the worker be booked onto any test's session.
            """
            INSERT INTO outreach.youth_workers (full_name, mobile_e164, user_id, hourly_cost, dbs_check_type,
                dbs_certificate_number, dbs_issued_on, dbs_next_review_on)
            VALUES (@name, @mobile, @userId, 20, 'enhanced_barred', '001234567890', current_date - 365, current_date + 3650)
            RETURNING id
            """,
            new { name = Unique("Worker"), mobile = mobile ?? Mobile(), userId });
    }

    public static async Task<long> SessionAsync(NpgsqlDataSource db, DateTime startsAtUtc, TimeSpan length, long? venueId = null, string status = "planned")
    {
        venueId ??= await VenueAsync(db);
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>("""
            INSERT INTO outreach.sessions (venue_id, kind, title, starts_at, ends_at, status, cancel_reason)
            VALUES (@venueId, 'assembly', @title, @startsAtUtc, @endsAtUtc, @status,
                    CASE WHEN @status = 'cancelled' THEN 'test' END)
            RETURNING id
            """, new { venueId, title = Unique("Session"), startsAtUtc, endsAtUtc = startsAtUtc + length, status });
    }

    public static async Task<long> AssignAsync(NpgsqlDataSource db, long sessionId, long workerId, bool lead = true)
    {
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>(
            "INSERT INTO outreach.assignments (session_id, worker_id, is_lead, during) VALUES (@sessionId, @workerId, @lead, 'empty') RETURNING id",
            new { sessionId, workerId, lead });
    }

    public static async Task<long> CountAsync(NpgsqlDataSource db, string sql, object? args = null)
    {
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>(sql, args);
    }
}
