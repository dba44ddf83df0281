using Dapper;
using Npgsql;

namespace Outreach.Tests.Infrastructure;

/// <summary>
/// Profile rows for the safeguarding, availability and ranking tests: areas in a region of the test's own
/// (so no other test's workers compete), skills, DBS dates, leave and weekly patterns, in plain SQL.
/// </summary>
public static class WorkerProfiles
{
    public static string UniqueRegion() => "Region " + Guid.NewGuid().ToString("N")[..10];

    public static async Task<long> AreaAsync(NpgsqlDataSource db, string region)
    {
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>(
            "INSERT INTO outreach.areas (code, name, region) VALUES (@code, @name, @region) RETURNING id",
            new { code = "R" + Guid.NewGuid().ToString("N")[..10], name = TestData.Unique("Authority"), region });
    }

    public static async Task<long> SkillAsync(NpgsqlDataSource db)
    {
        await using var c = await db.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>(
            "INSERT INTO outreach.skills (name) VALUES (@name) RETURNING id", new { name = TestData.Unique("Skill") });
    }

    public static async Task<string> NameOfAsync(NpgsqlDataSource db, string table, long id)
    {
        await using var c = await db.OpenConnectionAsync();
        var column = table == "youth_workers" ? "full_name" : "name";
        return await c.ExecuteScalarAsync<string>($"SELECT {column} FROM outreach.{table} WHERE id = @id", new { id }) ?? "";
    }

    /// <summary>A worker (valid DBS for years, from <see cref="TestData.WorkerAsync"/>) who covers the given areas.</summary>
    public static async Task<long> WorkerAsync(NpgsqlDataSource db, params long[] areaIds)
    {
        var id = await TestData.WorkerAsync(db);
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync("INSERT INTO outreach.worker_areas (worker_id, area_id) SELECT @id, unnest(@areaIds)", new { id, areaIds });
        return id;
    }

    public static Task GiveSkillAsync(NpgsqlDataSource db, long workerId, long skillId) =>
        ExecuteAsync(db, "INSERT INTO outreach.worker_skills (worker_id, skill_id) VALUES (@workerId, @skillId)", new { workerId, skillId });

    public static Task RequireSkillAsync(NpgsqlDataSource db, long sessionId, long skillId) =>
        ExecuteAsync(db, "INSERT INTO outreach.session_required_skills (session_id, skill_id) VALUES (@sessionId, @skillId)", new { sessionId, skillId });

    public static Task ContractAsync(NpgsqlDataSource db, long workerId, decimal? hours) =>
        ExecuteAsync(db, "UPDATE outreach.youth_workers SET contracted_hours = @hours WHERE id = @workerId", new { workerId, hours });

    /// <summary>Sets the review date (the issue date three years before it); null removes the check altogether.</summary>
    public static Task DbsReviewAsync(NpgsqlDataSource db, long workerId, DateOnly? review) =>
        review is { } r
            ? ExecuteAsync(db, """
                UPDATE outreach.youth_workers
                   SET dbs_check_type = 'enhanced_barred', dbs_certificate_number = '001234567890',
                       dbs_issued_on = @issued::date, dbs_next_review_on = @review::date
                 WHERE id = @workerId
                """, new { workerId, issued = r.AddYears(-3).ToDateTime(TimeOnly.MinValue), review = r.ToDateTime(TimeOnly.MinValue) })
            : ExecuteAsync(db, """
                UPDATE outreach.youth_workers
                   SET dbs_check_type = NULL, dbs_certificate_number = NULL, dbs_issued_on = NULL, dbs_next_review_on = NULL
                 WHERE id = @workerId
                """, new { workerId });

    public static Task LeaveAsync(NpgsqlDataSource db, long workerId, DateOnly first, DateOnly last, string reason) =>
        ExecuteAsync(db, """
            INSERT INTO outreach.worker_leave (worker_id, first_day, last_day, reason) VALUES (@workerId, @first::date, @last::date, @reason)
            """, new { workerId, first = first.ToDateTime(TimeOnly.MinValue), last = last.ToDateTime(TimeOnly.MinValue), reason });

    /// <param name="weekday">ISO: 1 is Monday, 7 is Sunday.</param>
    public static Task PatternAsync(NpgsqlDataSource db, long workerId, int weekday, string from, string to) =>
        ExecuteAsync(db, """
            INSERT INTO outreach.worker_availability (worker_id, weekday, from_time, to_time) VALUES (@workerId, @weekday, @from::time, @to::time)
            """, new { workerId, weekday, from, to });

    /// <summary>A UK wall-clock time as UTC (the tests pick times away from the clock changes unless they mean them).</summary>
    public static DateTime Uk(int year, int month, int day, int hour, int minute = 0) =>
        TimeZoneInfo.ConvertTimeToUtc(new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified), Outreach.Data.UkTime.Zone);

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql, object args)
    {
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync(sql, args);
    }
}
