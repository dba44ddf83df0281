using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Outreach.Data.Database;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Data;

// Each test builds its own database, so none depends on what the shared one holds.
public sealed class MigrationTests
{
    [Fact]
    public async Task Every_migration_applies_to_an_empty_database_and_a_second_run_changes_nothing()
    {
        var server = await PostgresServer.StartedAsync();
        await using var dataSource = NpgsqlDataSource.Create(await server.CreateDatabaseAsync("migrate_twice"));
        var migrator = new Migrator(dataSource, NullLogger<Migrator>.Instance);

        var first = await migrator.MigrateAsync();
        var afterFirst = await SchemaSnapshotAsync(dataSource);
        var second = await migrator.MigrateAsync();
        var afterSecond = await SchemaSnapshotAsync(dataSource);

        Assert.Equal(Migrator.All().Select(m => m.Name), first);
        Assert.Empty(second);
        Assert.Contains(afterFirst, line => line.Contains("assignments_no_double_booking", StringComparison.Ordinal));
        Assert.Contains("version 0001_core_schema.sql", afterFirst);
        Assert.Equal(afterFirst, afterSecond);
    }

    [Fact]
    public void Migrations_are_numbered_without_gaps_or_duplicates()
    {
        var names = Migrator.All().Select(m => m.Name).ToList();
        // The runner skips files whose names do not fit its pattern, so a misnamed file would never run.
        var embedded = typeof(Migrator).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("migrations/", StringComparison.Ordinal))
            .Select(n => n["migrations/".Length..])
            .Order(StringComparer.Ordinal);

        Assert.Equal(embedded, names);
        Assert.NotEmpty(names);
        for (var i = 0; i < names.Count; i++)
        {
            Assert.Matches($"^{i + 1:D4}_[a-z0-9_]+\\.sql$", names[i]);
        }
    }

    [Fact]
    public async Task The_database_refuses_to_double_book_a_worker()
    {
        await using var dataSource = NpgsqlDataSource.Create(await MigratedDatabase.CreateMigratedAsync("double_booking"));
        var area = await ScalarAsync<long>(dataSource,
            "INSERT INTO outreach.areas (code, name) VALUES ('E08000025', 'Birmingham') RETURNING id");
        var venue = await ScalarAsync<long>(dataSource,
            $"INSERT INTO outreach.venues (kind, name, area_id) VALUES ('school', 'Park School', {area}) RETURNING id");
        var worker = await ScalarAsync<long>(dataSource,
            """
            INSERT INTO outreach.youth_workers (full_name, mobile_e164, dbs_check_type, dbs_certificate_number, dbs_issued_on, dbs_next_review_on)
            VALUES ('Sam Worker', '+447400123456', 'enhanced_barred', '001234567890', '2029-01-07', '2032-01-07') RETURNING id
            """);
        async Task<long> Session(string starts, string ends) => await ScalarAsync<long>(dataSource, $"""
            INSERT INTO outreach.sessions (venue_id, kind, starts_at, ends_at)
            VALUES ({venue}, 'assembly', '{starts}', '{ends}') RETURNING id
            """);
        var morning = await Session("2030-01-07 09:00Z", "2030-01-07 11:00Z");
        var overlapping = await Session("2030-01-07 10:00Z", "2030-01-07 12:00Z");
        var straightAfter = await Session("2030-01-07 11:00Z", "2030-01-07 13:00Z");
        var alsoOverlapping = await Session("2030-01-07 10:30Z", "2030-01-07 11:30Z");
        Task<long> Assign(long session, string status = "assigned") => ScalarAsync<long>(dataSource,
            $"INSERT INTO outreach.assignments (session_id, worker_id, status) VALUES ({session}, {worker}, '{status}') RETURNING id");

        await Assign(morning);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => Assign(overlapping));
        await Assign(straightAfter);
        await Assign(alsoOverlapping, "withdrawn");

        Assert.Equal(PostgresErrorCodes.ExclusionViolation, refused.SqlState);
        Assert.Equal("assignments_no_double_booking", refused.ConstraintName);
        Assert.Equal(3, await ScalarAsync<long>(dataSource, $"SELECT count(*) FROM outreach.assignments WHERE worker_id = {worker}"));
    }

    [Fact]
    public async Task The_audit_log_refuses_update_and_delete()
    {
        await using var dataSource = NpgsqlDataSource.Create(await MigratedDatabase.CreateMigratedAsync("audit"));
        var id = await ScalarAsync<long>(dataSource, """
            INSERT INTO outreach.audit_events (actor_name, action, entity, entity_id)
            VALUES ('Coordinator', 'session.create', 'session', '1') RETURNING id
            """);

        var update = await Assert.ThrowsAsync<PostgresException>(() =>
            ScalarAsync<int>(dataSource, $"UPDATE outreach.audit_events SET action = 'tampered' WHERE id = {id} RETURNING 1"));
        var delete = await Assert.ThrowsAsync<PostgresException>(() =>
            ScalarAsync<int>(dataSource, $"DELETE FROM outreach.audit_events WHERE id = {id} RETURNING 1"));
        var truncate = await Assert.ThrowsAsync<PostgresException>(() =>
            ScalarAsync<int>(dataSource, "TRUNCATE outreach.audit_events; SELECT 1"));

        Assert.All([update, delete, truncate], e => Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState));
        Assert.Equal("session.create", await ScalarAsync<string>(dataSource, $"SELECT action FROM outreach.audit_events WHERE id = {id}"));
    }

    [Fact]
    public async Task Migration_0019_takes_concern_details_and_engagement_references_out_of_earlier_audit_events_and_says_so()
    {
        var server = await PostgresServer.StartedAsync();
        await using var dataSource = NpgsqlDataSource.Create(await server.CreateDatabaseAsync("audit_redaction"));
        var migrator = new Migrator(dataSource, NullLogger<Migrator>.Instance);
        var earlier = Migrator.All().TakeWhile(m => string.CompareOrdinal(m.Name, "0019") < 0).ToList();
        await using (var c = await dataSource.OpenConnectionAsync())
        {
            // The schema as it stood before 0019, with events written by the code of that time.
            await using (var setup = new NpgsqlCommand(
                "CREATE SCHEMA outreach; CREATE TABLE outreach.schema_versions (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", c))
            {
                await setup.ExecuteNonQueryAsync();
            }
            foreach (var migration in earlier)
            {
                await using var apply = new NpgsqlCommand(migration.Sql + $"; INSERT INTO outreach.schema_versions (name) VALUES ('{migration.Name}')", c);
                await apply.ExecuteNonQueryAsync();
            }
        }
        await ScalarAsync<long>(dataSource, """
            INSERT INTO outreach.audit_events (actor_name, action, entity, entity_id, after) VALUES
              ('Coordinator', 'create', 'safeguarding_concern', '7', '{"SessionId": 3, "Details": "Disclosed a threat at the bus stop", "Status": "open"}'),
              ('Coordinator', 'create', 'ae_engagement', '9', '{"Reference": "AE-7Q2K9X", "Returning": false, "FollowUps": []}'),
              ('Coordinator', 'update', 'session', '3', '{"Details": "kept: not a concern"}');
            SELECT 1::bigint
            """);

        Assert.Equal(["0019_audit_without_concern_details_or_references.sql"], (await migrator.MigrateAsync()).Where(n => n.StartsWith("0019", StringComparison.Ordinal)));

        var events = await ScalarAsync<string>(dataSource,
            "SELECT string_agg(entity || ' ' || after::text, ' | ' ORDER BY id) FROM outreach.audit_events");
        Assert.DoesNotContain("bus stop", events, StringComparison.Ordinal);
        Assert.DoesNotContain("AE-7Q2K9X", events, StringComparison.Ordinal);
        Assert.Contains("safeguarding_concern {\"Status\": \"open\", \"SessionId\": 3}", events, StringComparison.Ordinal);
        Assert.Contains("kept: not a concern", events, StringComparison.Ordinal);
        Assert.Contains("\"ConcernDetailsRemoved\": 1", events, StringComparison.Ordinal);
        Assert.Contains("\"EngagementReferencesRemoved\": 1", events, StringComparison.Ordinal);
        var update = await Assert.ThrowsAsync<PostgresException>(() =>
            ScalarAsync<int>(dataSource, "UPDATE outreach.audit_events SET action = 'tampered' RETURNING 1"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, update.SqlState);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Everything in schema outreach that a migration can create, one sorted line per item.</summary>
    private static async Task<List<string>> SchemaSnapshotAsync(NpgsqlDataSource dataSource)
    {
        const string sql = """
            SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' '
                   || is_nullable || ' ' || coalesce(column_default, '')
              FROM information_schema.columns WHERE table_schema = 'outreach'
            UNION ALL
            SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(c.oid)
              FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'outreach'
            UNION ALL
            SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'outreach'
            UNION ALL
            SELECT 'trigger ' || pg_get_triggerdef(t.oid)
              FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace
             WHERE n.nspname = 'outreach' AND NOT t.tgisinternal
            UNION ALL
            SELECT 'function ' || p.proname || ' ' || md5(p.prosrc)
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'outreach'
            UNION ALL
            SELECT 'extension ' || extname FROM pg_extension
            UNION ALL
            SELECT 'version ' || name FROM outreach.schema_versions
            """;
        var lines = new List<string>();
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
