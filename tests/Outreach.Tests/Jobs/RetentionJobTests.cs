using Dapper;
using Npgsql;
using Outreach.Data.Retention;
using Outreach.Jobs.Retention;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Jobs;

/// <summary>
/// The retention job over a database of its own, so "nothing else changed" can be checked over whole tables.
/// The fake clock reads the real time (to the second): rows other tests make with the database's now() are
/// never due, and every timestamp that matters is set by the test relative to that clock.
/// </summary>
[Collection("Database")]
public sealed class RetentionJobTests(RetentionJobTests.OwnDatabase db) : IClassFixture<RetentionJobTests.OwnDatabase>
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    private static DateTime SmsCutoff => Now.UtcDateTime.AddMonths(-12);

    private static DateTime WorkerCutoff => Now.UtcDateTime.AddMonths(-6);

    [Fact]
    public async Task The_retention_job_removes_exactly_what_is_past_its_period_and_leaves_rows_just_inside_it()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var stayingWorker = await WorkerAsync(active: true, leftAt: null);
        var sentJustOutside = await SmsAsync(stayingWorker, "sent", SmsCutoff.AddMinutes(-1));
        var failedLongAgo = await SmsAsync(stayingWorker, "failed", SmsCutoff.AddDays(-40));
        var voidLongAgo = await SmsAsync(null, "void", SmsCutoff.AddDays(-400));
        var sentJustInside = await SmsAsync(stayingWorker, "sent", SmsCutoff.AddMinutes(1));
        var stillPending = await SmsAsync(stayingWorker, "pending", SmsCutoff.AddDays(-3));
        var devJustOutside = await DevMessageAsync(SmsCutoff.AddMinutes(-1));
        var devJustInside = await DevMessageAsync(SmsCutoff.AddMinutes(1));
        var leftJustOutside = await WorkerAsync(active: false, leftAt: WorkerCutoff.AddMinutes(-1));
        var toLeaver = await SmsAsync(leftJustOutside, "sent", Now.UtcDateTime.AddMonths(-7));
        var leftJustInside = await WorkerAsync(active: false, leftAt: WorkerCutoff.AddMinutes(1));
        var before = await SnapshotAsync();

        await harness.Get<RetentionJob>().RunAsync(CancellationToken.None);

        var after = await SnapshotAsync();
        // Nothing outside these rows changed, in any of the tables the job touches.
        Assert.Equal(Without(before.Outbox, sentJustOutside, failedLongAgo, voidLongAgo, toLeaver),
            Without(after.Outbox, sentJustOutside, failedLongAgo, voidLongAgo, toLeaver));
        Assert.Equal(Without(before.Workers, leftJustOutside), Without(after.Workers, leftJustOutside));
        Assert.Equal(Without(before.DevMessages, devJustOutside), Without(after.DevMessages));
        Assert.Contains(devJustInside, after.DevMessages.Keys);
        Assert.Contains(sentJustInside, after.Outbox.Keys);
        Assert.Contains(stillPending, after.Outbox.Keys);
        Assert.Contains(leftJustInside, after.Workers.Keys);

        await using var c = await db.DataSource.OpenConnectionAsync();
        foreach (var id in new[] { sentJustOutside, failedLongAgo, voidLongAgo })
        {
            var sms = await c.QuerySingleAsync<(string Body, string Status, string Purpose, DateTime CreatedAt, DateTime? BodyRemovedAt)>(
                "SELECT body, status, purpose, created_at, body_removed_at FROM outreach.sms_outbox WHERE id = @id", new { id });
            Assert.Equal("[removed after 12 months]", sms.Body);
            Assert.Equal(Now.UtcDateTime, sms.BodyRemovedAt);
            Assert.Equal("retention-test", sms.Purpose);
            Assert.Equal(Strip(before.Outbox[id], "body", "body_removed_at"), Strip(after.Outbox[id], "body", "body_removed_at"));
        }

        var leaver = await c.QuerySingleAsync<(string FullName, string? Email, string Mobile, bool Active, DateTime? PseudonymisedAt)>(
            "SELECT full_name, email, mobile_e164, active, pseudonymised_at FROM outreach.youth_workers WHERE id = @leftJustOutside",
            new { leftJustOutside });
        Assert.Equal(($"Former worker #{leftJustOutside}", (string?)null, RetentionData.MobilePlaceholder, false), (leaver.FullName, leaver.Email, leaver.Mobile, leaver.Active));
        Assert.Equal(Now.UtcDateTime, leaver.PseudonymisedAt);
        Assert.Equal(Strip(before.Workers[leftJustOutside], "full_name", "email", "mobile_e164", "pseudonymised_at", "updated_at"),
            Strip(after.Workers[leftJustOutside], "full_name", "email", "mobile_e164", "pseudonymised_at", "updated_at"));
        var toLeaverRow = await c.QuerySingleAsync<(string To, string Body)>(
            "SELECT to_e164, body FROM outreach.sms_outbox WHERE id = @toLeaver", new { toLeaver });
        Assert.Equal((RetentionData.MobilePlaceholder, Body(toLeaver)), toLeaverRow);
        Assert.Equal(Strip(before.Outbox[toLeaver], "to_e164"), Strip(after.Outbox[toLeaver], "to_e164"));

        var run = await LatestRunAsync(c);
        Assert.Equal(
            [
                (RetentionData.ConcernDetails, 12, 0), (RetentionData.DevelopmentMessages, 12, 1), (RetentionData.EngagementReferences, 24, 0),
                (RetentionData.SmsBodies, 12, 3), (RetentionData.WorkerContacts, 6, 1),
            ],
            run.Counts.Select(k => (k.Kind, k.PeriodMonths, k.Affected)).ToArray());
        Assert.Equal(SmsCutoff, run.Counts.Single(k => k.Kind == RetentionData.SmsBodies).Cutoff);
        Assert.Equal(WorkerCutoff, run.Counts.Single(k => k.Kind == RetentionData.WorkerContacts).Cutoff);
    }

    [Fact]
    public async Task Running_the_retention_job_again_changes_nothing_and_records_a_second_run_of_zeros()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        var worker = await WorkerAsync(active: false, leftAt: WorkerCutoff.AddDays(-10));
        await SmsAsync(worker, "sent", SmsCutoff.AddDays(-1));
        await DevMessageAsync(SmsCutoff.AddDays(-1));
        var shift = await RetentionRows.AeShiftAsync(db.DataSource, Now.UtcDateTime.AddYears(-3), "planned");
        await RetentionRows.EngagementAsync(db.DataSource, shift, closedAt: Now.UtcDateTime.AddMonths(-25));
        await RetentionRows.ConcernAsync(db.DataSource, "closed", Now.UtcDateTime.AddMonths(-14), null, Now.UtcDateTime.AddMonths(-13));
        await using var c = await db.DataSource.OpenConnectionAsync();
        var runsBefore = await c.ExecuteScalarAsync<long>("SELECT count(*) FROM outreach.retention_runs");

        await harness.Get<RetentionJob>().RunAsync(CancellationToken.None);
        var first = await LatestRunAsync(c);
        var afterFirst = await SnapshotAsync();
        await harness.Get<RetentionJob>().RunAsync(CancellationToken.None);
        var second = await LatestRunAsync(c);

        Assert.All(first.Counts, k => Assert.True(k.Affected >= 1, $"{k.Kind} removed nothing on the first run"));
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(RetentionData.Kinds.Order(StringComparer.Ordinal), second.Counts.Select(k => k.Kind));
        Assert.All(second.Counts, k => Assert.Equal(0, k.Affected));
        var afterSecond = await SnapshotAsync();
        Assert.Equal(Without(afterFirst.Outbox), Without(afterSecond.Outbox));
        Assert.Equal(Without(afterFirst.Workers), Without(afterSecond.Workers));
        Assert.Equal(Without(afterFirst.DevMessages), Without(afterSecond.DevMessages));
        Assert.Equal(runsBefore + 2, await c.ExecuteScalarAsync<long>("SELECT count(*) FROM outreach.retention_runs"));
    }

    [Fact]
    public async Task Two_runs_at_the_same_moment_remove_each_row_once_between_them()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        for (var i = 0; i < 5; i++)
        {
            await SmsAsync(null, "sent", SmsCutoff.AddDays(-1 - i));
        }
        await using var c = await db.DataSource.OpenConnectionAsync();
        var lastRun = await c.ExecuteScalarAsync<long?>("SELECT max(id) FROM outreach.retention_runs") ?? 0;

        await Task.WhenAll(
            harness.Get<RetentionJob>().RunAsync(CancellationToken.None),
            harness.Get<RetentionJob>().RunAsync(CancellationToken.None));

        var removed = (await c.QueryAsync<int>(
            "SELECT affected FROM outreach.retention_run_counts WHERE run_id > @lastRun AND kind = @kind ORDER BY affected",
            new { lastRun, kind = RetentionData.SmsBodies })).ToList();
        Assert.Equal([0, 5], removed);
    }

    [Fact]
    public async Task Each_run_is_recorded_with_the_time_of_the_run_and_an_audit_event_of_what_it_did()
    {
        await using var harness = await JobHarness.StartAsync(db.ConnectionString, Now);
        await SmsAsync(null, "sent", SmsCutoff.AddDays(-2));

        await harness.Get<RetentionJob>().RunAsync(CancellationToken.None);

        await using var c = await db.DataSource.OpenConnectionAsync();
        var run = await LatestRunAsync(c);
        Assert.Equal(Now.UtcDateTime, await c.ExecuteScalarAsync<DateTime>("SELECT ran_at FROM outreach.retention_runs WHERE id = @Id", new { run.Id }));
        var audit = await c.QuerySingleAsync<(string ActorName, string Action, string After)>("""
            SELECT actor_name, action, after::text FROM outreach.audit_events WHERE entity = 'retention_run' AND entity_id = @id
            """, new { id = run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal(("system", "retention"), (audit.ActorName, audit.Action));
        Assert.Contains($"\"Kind\": \"{RetentionData.SmsBodies}\"", audit.After, StringComparison.Ordinal);
        Assert.True(run.Counts.Single(k => k.Kind == RetentionData.SmsBodies).Affected >= 1);
    }

    [Fact]
    public async Task Deactivating_a_worker_stamps_when_they_left_and_bringing_them_back_clears_it()
    {
        var worker = await WorkerAsync(active: true, leftAt: null);
        await using var c = await db.DataSource.OpenConnectionAsync();

        await c.ExecuteAsync("UPDATE outreach.youth_workers SET active = false WHERE id = @worker", new { worker });
        var left = await c.ExecuteScalarAsync<DateTime?>("SELECT left_at FROM outreach.youth_workers WHERE id = @worker", new { worker });
        Assert.NotNull(left);
        Assert.InRange(left.Value, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(5));

        await c.ExecuteAsync("UPDATE outreach.youth_workers SET full_name = full_name || ' (edited)' WHERE id = @worker", new { worker });
        Assert.Equal(left, await c.ExecuteScalarAsync<DateTime?>("SELECT left_at FROM outreach.youth_workers WHERE id = @worker", new { worker }));

        await c.ExecuteAsync("UPDATE outreach.youth_workers SET active = true WHERE id = @worker", new { worker });
        Assert.Null(await c.ExecuteScalarAsync<DateTime?>("SELECT left_at FROM outreach.youth_workers WHERE id = @worker", new { worker }));
    }

    private async Task<long> WorkerAsync(bool active, DateTime? leftAt)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        var name = TestData.Unique("Retention worker");
        return await c.ExecuteScalarAsync<long>("""
            INSERT INTO outreach.youth_workers (full_name, mobile_e164, email, active, left_at, created_at)
            VALUES (@name, @mobile, @email, @active, @leftAt, @createdAt) RETURNING id
            """, new
        {
            name, mobile = TestData.Mobile(), email = $"{Guid.NewGuid():N}@retention.test", active, leftAt,
            createdAt = Now.UtcDateTime.AddYears(-3),
        });
    }

    private async Task<long> SmsAsync(long? workerId, string status, DateTime createdAt)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        var key = TestData.Unique("retention");
        var id = await c.ExecuteScalarAsync<long>("""
            INSERT INTO outreach.sms_outbox (dedupe_key, purpose, worker_id, to_e164, body, status, created_at, not_before)
            VALUES (@key, 'retention-test', @workerId,
                    coalesce((SELECT mobile_e164 FROM outreach.youth_workers WHERE id = @workerId), '+447400000001'),
                    'placeholder', @status, @createdAt, @createdAt)
            RETURNING id
            """, new { key, workerId, status, createdAt });
        await c.ExecuteAsync("UPDATE outreach.sms_outbox SET body = @body WHERE id = @id", new { id, body = Body(id) });
        return id;
    }

    private static string Body(long smsId) => $"Outreach reminder {smsId}: Assembly at Test School, Mon 1 Jun 10:00-11:00.";

    private async Task<long> DevMessageAsync(DateTime createdAt)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>("""
            INSERT INTO outreach.dev_sms_messages (sid, to_e164, from_label, body, created_at)
            VALUES (@sid, '+447400000002', 'test', 'A message the phone received', @createdAt) RETURNING id
            """, new { sid = "DV" + Guid.NewGuid().ToString("N"), createdAt });
    }

    private sealed record Snapshot(
        IReadOnlyDictionary<long, string> Outbox, IReadOnlyDictionary<long, string> Workers, IReadOnlyDictionary<long, string> DevMessages);

    private async Task<Snapshot> SnapshotAsync()
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        async Task<IReadOnlyDictionary<long, string>> RowsAsync(string table) =>
            (await c.QueryAsync<(long Id, string Row)>($"SELECT id, row_to_json(t)::text FROM outreach.{table} t"))
            .ToDictionary(r => r.Id, r => r.Row);
        return new Snapshot(await RowsAsync("sms_outbox"), await RowsAsync("youth_workers"), await RowsAsync("dev_sms_messages"));
    }

    private static SortedDictionary<long, string> Without(IReadOnlyDictionary<long, string> rows, params long[] ids) =>
        new(rows.Where(r => !ids.Contains(r.Key)).ToDictionary(r => r.Key, r => r.Value));

    internal static string Strip(string json, params string[] fields)
    {
        var row = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        foreach (var field in fields)
        {
            Assert.True(row.Remove(field), $"no column {field}");
        }
        return row.ToJsonString();
    }

    private static async Task<RetentionRun> LatestRunAsync(NpgsqlConnection c)
    {
        var id = await c.ExecuteScalarAsync<long>("SELECT max(id) FROM outreach.retention_runs");
        var counts = await c.QueryAsync<(string Kind, int PeriodMonths, DateTime Cutoff, int Affected)>(
            "SELECT kind, period_months, cutoff, affected FROM outreach.retention_run_counts WHERE run_id = @id ORDER BY kind", new { id });
        return new RetentionRun(id, default, counts.Select(k => new RetentionCount(k.Kind, k.PeriodMonths, k.Cutoff, k.Affected)).ToList());
    }

    /// <summary>A migrated database for these tests alone.</summary>
    public sealed class OwnDatabase : IAsyncLifetime
    {
        public string ConnectionString { get; private set; } = "";

        public NpgsqlDataSource DataSource { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            ConnectionString = await MigratedDatabase.CreateMigratedAsync("retention");
            DataSource = NpgsqlDataSource.Create(ConnectionString);
        }

        public async Task DisposeAsync()
        {
            if (DataSource is not null)
            {
                await DataSource.DisposeAsync();
            }
        }
    }
}
