using Dapper;
using Npgsql;

namespace Outreach.Tests.Infrastructure;

/// <summary>Rows the session record, safeguarding and A&amp;E engagement tests need beyond <see cref="TestData"/>.</summary>
public static class RecordingData
{
    /// <summary>A sign-in account row (no password): enough for a worker's scope and the audit log's actor.</summary>
    public static async Task<long> UserAsync(NpgsqlDataSource db)
    {
        var name = "user-" + Guid.NewGuid().ToString("N") + "@records.test";
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>(
            "INSERT INTO outreach.users (user_name, normalized_user_name, display_name) VALUES (@name, upper(@name), @name) RETURNING id",
            new { name });
    }

    /// <summary>A youth worker with a sign-in account, returned as (user id, worker id).</summary>
    public static async Task<(long UserId, long WorkerId)> WorkerWithAccountAsync(NpgsqlDataSource db, string? mobile = null)
    {
        var userId = await UserAsync(db);
        return (userId, await TestData.WorkerAsync(db, userId, mobile));
    }

    public static async Task<long> AeShiftAsync(NpgsqlDataSource db, DateTime startsAtUtc, TimeSpan length, long? venueId = null)
    {
        venueId ??= await TestData.VenueAsync(db, "emergency_department");
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>("""
            INSERT INTO outreach.sessions (venue_id, kind, title, starts_at, ends_at)
            VALUES (@venueId, 'ae_shift', @title, @startsAtUtc, @endsAtUtc) RETURNING id
            """, new { venueId, title = TestData.Unique("A&E shift"), startsAtUtc, endsAtUtc = startsAtUtc + length });
    }

    public static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql, object? args = null)
    {
        await using var c = await db.OpenConnectionAsync();
        return (await c.ExecuteScalarAsync<T>(sql, args))!;
    }

    public static async Task<List<T>> QueryAsync<T>(NpgsqlDataSource db, string sql, object? args = null)
    {
        await using var c = await db.OpenConnectionAsync();
        return (await c.QueryAsync<T>(sql, args)).AsList();
    }

    public static async Task ExecuteAsync(NpgsqlDataSource db, string sql, object? args = null)
    {
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync(sql, args);
    }

    /// <summary>The database is shared: a test's unsent texts must not be picked up by another test's send run.</summary>
    public static Task VoidUnsentAsync(NpgsqlDataSource db, string keyPrefix) => ExecuteAsync(db,
        "UPDATE outreach.sms_outbox SET status = 'void' WHERE status = 'pending' AND dedupe_key LIKE @keyPrefix || '%'", new { keyPrefix });
}
