using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Outreach.Bench.Scheduling;

/// <summary>
/// Scheduling data at demo or national scale, loaded with COPY: areas grouped into regions, schools,
/// emergency departments, youth workers (valid DBS, areas, weekly pattern, skills), sessions over two
/// years and one booking per session that never double-books a worker.
/// </summary>
public sealed record Scale(string Name, int Areas, int Regions, int Schools, int EmergencyDepartments, int Workers, int Sessions)
{
    public static readonly Scale Demo = new("demo", 30, 4, 600, 12, 200, 20_000);
    public static readonly Scale National = new("national", 320, 42, 26_000, 190, 10_000, 2_000_000);
}

public static class Generator
{
    public static readonly DateTime FirstDay = new(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc);

    public static async Task<bool> GenerateAsync(NpgsqlDataSource db, Scale scale, Action<string> say)
    {
        await using var c = await db.OpenConnectionAsync();
        if (await c.ExecuteScalarAsync<long>("SELECT count(*) FROM outreach.sessions WHERE title LIKE 'bench %'") >= scale.Sessions)
        {
            say($"{scale.Name} data already loaded");
            return false;
        }
        var random = new Random(20261129);

        say("areas");
        for (var a = 0; a < scale.Areas; a++)
        {
            await c.ExecuteAsync("INSERT INTO outreach.areas (code, name, region) VALUES (@code, @name, @region) ON CONFLICT (code) DO NOTHING",
                new { code = $"B{a:D8}", name = $"Bench area {a}", region = $"Bench region {a % scale.Regions}" });
        }
        var areaIds = (await c.QueryAsync<long>("SELECT id FROM outreach.areas WHERE code LIKE 'B%' ORDER BY code")).AsList();

        say("venues");
        await using (var copy = await c.BeginBinaryImportAsync("COPY outreach.venues (kind, name, area_id, postcode, status) FROM STDIN (FORMAT BINARY)"))
        {
            for (var v = 0; v < scale.Schools + scale.EmergencyDepartments; v++)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(v < scale.Schools ? "school" : "emergency_department", NpgsqlDbType.Text);
                await copy.WriteAsync($"bench venue {v}", NpgsqlDbType.Text);
                await copy.WriteAsync(areaIds[v % areaIds.Count], NpgsqlDbType.Bigint);
                await copy.WriteAsync("B1 1AA", NpgsqlDbType.Text);
                await copy.WriteAsync("open", NpgsqlDbType.Text);
            }
            await copy.CompleteAsync();
        }
        var venueIds = (await c.QueryAsync<long>("SELECT id FROM outreach.venues WHERE name LIKE 'bench venue %' ORDER BY id")).AsList();

        say("workers");
        await using (var copy = await c.BeginBinaryImportAsync("""
            COPY outreach.youth_workers (full_name, mobile_e164, hourly_cost, contracted_hours, dbs_check_type, dbs_certificate_number,
                                         dbs_issued_on, dbs_next_review_on, active)
            FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var w = 0; w < scale.Workers; w++)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync($"Bench worker {w}", NpgsqlDbType.Text);
                await copy.WriteAsync($"+4479{w:D8}", NpgsqlDbType.Text);
                await copy.WriteAsync(20m + (w % 6), NpgsqlDbType.Numeric);
                await copy.WriteAsync(30m, NpgsqlDbType.Numeric);
                await copy.WriteAsync("enhanced_barred", NpgsqlDbType.Text);
                await copy.WriteAsync($"{100000000000L + w}", NpgsqlDbType.Text);
                await copy.WriteAsync(new DateOnly(2025, 6, 1), NpgsqlDbType.Date);
                await copy.WriteAsync(new DateOnly(2029, 6, 1), NpgsqlDbType.Date);
                await copy.WriteAsync(true, NpgsqlDbType.Boolean);
            }
            await copy.CompleteAsync();
        }
        var workerIds = (await c.QueryAsync<long>("SELECT id FROM outreach.youth_workers WHERE full_name LIKE 'Bench worker %' ORDER BY id")).AsList();

        say("worker areas and weekly patterns");
        // Each worker covers two areas of one region, and works weekdays 08:00-20:00 and some weekend evenings.
        await c.ExecuteAsync("""
            INSERT INTO outreach.worker_areas (worker_id, area_id)
            SELECT w.id, a.id FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM outreach.youth_workers WHERE full_name LIKE 'Bench worker %') w
            JOIN (SELECT id, row_number() OVER (ORDER BY code) - 1 AS n FROM outreach.areas WHERE code LIKE 'B%') a
              ON a.n IN (w.n % @areas, (w.n + @regions) % @areas)
            ON CONFLICT DO NOTHING
            """, new { areas = areaIds.Count, regions = scale.Regions });
        await c.ExecuteAsync("""
            INSERT INTO outreach.worker_availability (worker_id, weekday, from_time, to_time)
            SELECT w.id, d, time '08:00', time '20:00' FROM outreach.youth_workers w CROSS JOIN generate_series(1, 5) d
            WHERE w.full_name LIKE 'Bench worker %'
            """);

        say($"sessions ({scale.Sessions:N0})");
        // Worker i % W takes session i; its k-th session (k = i / W) is on day 3k + (i % 3), so no worker is booked
        // twice on one day. Sessions are an hour between 09:00 and 16:00 UTC.
        await using (var copy = await c.BeginBinaryImportAsync("""
            COPY outreach.sessions (venue_id, kind, title, starts_at, ends_at, status, required_workers) FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < scale.Sessions; i++)
            {
                var k = i / scale.Workers;
                var start = FirstDay.AddDays((3 * k) + (i % 3)).AddHours(9 + (i % 7));
                await copy.StartRowAsync();
                await copy.WriteAsync(venueIds[random.Next(venueIds.Count)], NpgsqlDbType.Bigint);
                await copy.WriteAsync(i % 10 == 0 ? "ae_shift" : "workshop", NpgsqlDbType.Text);
                await copy.WriteAsync($"bench {i}", NpgsqlDbType.Text);
                await copy.WriteAsync(start, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(start.AddHours(1), NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(start < DateTime.UtcNow ? "delivered" : "planned", NpgsqlDbType.Text);
                await copy.WriteAsync(i % 4 == 0 ? 2 : 1, NpgsqlDbType.Integer);
            }
            await copy.CompleteAsync();
        }

        say("assignments");
        var first = await c.ExecuteScalarAsync<long>("SELECT min(id) FROM outreach.sessions WHERE title LIKE 'bench %'");
        var sessionIds = (await c.QueryAsync<long>(
            "SELECT id FROM outreach.sessions WHERE id >= @first AND title LIKE 'bench %' ORDER BY id", new { first })).AsList();
        await using (var copy = await c.BeginBinaryImportAsync("""
            COPY outreach.assignments (session_id, worker_id, status, is_lead, during) FROM STDIN (FORMAT BINARY)
            """))
        {
            for (var i = 0; i < sessionIds.Count; i++)
            {
                var k = i / scale.Workers;
                var start = FirstDay.AddDays((3 * k) + (i % 3)).AddHours(9 + (i % 7));
                await copy.StartRowAsync();
                await copy.WriteAsync(sessionIds[i], NpgsqlDbType.Bigint);
                await copy.WriteAsync(workerIds[i % workerIds.Count], NpgsqlDbType.Bigint);
                await copy.WriteAsync("confirmed", NpgsqlDbType.Text);
                await copy.WriteAsync(true, NpgsqlDbType.Boolean);
                await copy.WriteAsync(new NpgsqlRange<DateTime>(start, true, start.AddHours(1), false), NpgsqlDbType.TimestampTzRange);
            }
            await copy.CompleteAsync();
        }
        say("analyse");
        await c.ExecuteAsync("ANALYZE outreach.areas, outreach.venues, outreach.youth_workers, outreach.worker_areas, outreach.worker_availability, outreach.sessions, outreach.assignments");
        return true;
    }
}
