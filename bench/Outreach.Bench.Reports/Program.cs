using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Outreach.Bench.Reports;
using Outreach.Bench.Scheduling;
using Outreach.Data.Database;
using Outreach.Data.Reach;

// Impact compile and reports benchmarks on the national dataset (bench/reports.sh runs it on its own cluster):
//   dotnet run -c Release --project bench/Outreach.Bench.Reports -- --db "Host=...;Database=..."
var options = args.Chunk(2).Where(p => p.Length == 2 && p[0].StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(p => p[0][2..], p => p[1]);
var connectionString = options.GetValueOrDefault("db") ?? Environment.GetEnvironmentVariable("OUTREACH_BENCH_DB")
    ?? throw new InvalidOperationException("Give --db CONNECTION_STRING (or run bench/reports.sh).");
var report = new StringBuilder();
void Say(string line)
{
    Console.WriteLine(line);
    report.AppendLine(line);
}

await using var db = new NpgsqlDataSourceBuilder(connectionString).Build();
await new Migrator(db, NullLogger<Migrator>.Instance).MigrateAsync();
var load = Stopwatch.StartNew();
if (await Generator.GenerateAsync(db, Scale.National, step => Console.WriteLine($"  loading {step}...")))
{
    Say($"Loaded the national scheduling data with COPY in {load.Elapsed.TotalSeconds:F0} s");
}
// "Now" is fixed so the dataset and the day of changes are the same on every run.
var now = new DateTime(2026, 11, 20, 12, 0, 0, DateTimeKind.Utc);
load.Restart();
if (await RecordGenerator.GenerateAsync(db, now, step => Console.WriteLine($"  loading {step}...")))
{
    Say($"Loaded records, referrals, surveys, engagements and follow-ups in {load.Elapsed.TotalSeconds:F0} s");
}
await using (var c = await db.OpenConnectionAsync())
{
    var counts = await c.QuerySingleAsync<(long Venues, long Sessions, long Records, long Engagements, long References, long FollowUps)>("""
        SELECT (SELECT count(*) FROM outreach.venues), (SELECT count(*) FROM outreach.sessions),
               (SELECT count(*) FROM outreach.session_records), (SELECT count(*) FROM outreach.ae_engagements),
               (SELECT count(DISTINCT reference) FROM outreach.ae_engagements), (SELECT count(*) FROM outreach.ae_follow_ups)
        """);
    Say($"Scale: {counts.Venues:N0} venues, {counts.Sessions:N0} sessions, {counts.Records:N0} records, {counts.Engagements:N0} engagements " +
        $"({counts.References:N0} distinct references), {counts.FollowUps:N0} follow-ups");
}

var clock = new FixedClock(now);
var impact = new ImpactData(db, clock);
var watch = Stopwatch.StartNew();
var full = await impact.CompileAsync(CompileMode.Full, null, CancellationToken.None);
Say($"Full compile: {watch.Elapsed.TotalSeconds:F1} s ({full!.Months} months, {full.Rows:N0} rows) (target <= 300 s)");

// One day of changes: the day's sessions recorded (or re-recorded), a day's engagements with their follow-ups, and
// follow-ups recorded today for engagements from earlier months.
await using (var c = await db.OpenConnectionAsync())
{
    var day = now.Date.AddDays(-1);
    var changed = await c.ExecuteAsync(new CommandDefinition("""
        UPDATE outreach.session_records r SET count_14_15 = count_14_15 + 1, updated_at = @now
        FROM outreach.sessions s WHERE s.id = r.session_id AND s.starts_at >= @day AND s.starts_at < @day + interval '1 day'
        """, new { day, now }, commandTimeout: 0));
    var engaged = await c.ExecuteAsync(new CommandDefinition("""
        INSERT INTO outreach.ae_engagements (reference, session_id, age_band, presenting_reason, consent, referral_source, referred_at)
        SELECT 'AE-' || lpad(upper(to_hex(9000000 + g)), 6, '0'), s.id, '16_17', 'knife', true, 'ed_staff', s.starts_at
        FROM generate_series(1, 1500) g
        JOIN LATERAL (SELECT id, starts_at FROM outreach.sessions WHERE kind = 'ae_shift' AND starts_at >= @day - interval '7 days'
                      AND starts_at < @day ORDER BY id OFFSET g % 50 LIMIT 1) s ON true
        """, new { day }, commandTimeout: 0));
    var followedUp = await c.ExecuteAsync(new CommandDefinition("""
        UPDATE outreach.ae_follow_ups SET outcome = 'engaged', recorded_at = @now
        WHERE (engagement_id, stage) IN (SELECT engagement_id, stage FROM outreach.ae_follow_ups
                                         WHERE outcome IS NULL AND due_on < @day ORDER BY due_on DESC LIMIT 800)
        """, new { day, now }, commandTimeout: 0));
    Say($"One day of changes: {changed:N0} records updated, {engaged:N0} engagements added, {followedUp:N0} follow-ups recorded");
}
clock.Now = now.AddDays(1);
watch.Restart();
var incremental = await impact.CompileAsync(CompileMode.Incremental, null, CancellationToken.None);
Say($"Incremental compile after one day of changes: {watch.Elapsed.TotalSeconds:F1} s ({incremental!.Months} months, {incremental.Rows:N0} rows) (target <= 30 s)");
watch.Restart();
var nothing = await impact.CompileAsync(CompileMode.Incremental, null, CancellationToken.None);
Say($"Incremental compile with nothing changed: {watch.Elapsed.TotalMilliseconds:F0} ms ({nothing!.Months} months)");

// A pay award: one worker in ten gets a rise from the first of last month, entered on the edit page's terms (the
// database keeps the history and logs only the months from that date).
await using (var c = await db.OpenConnectionAsync())
{
    watch.Restart();
    var raised = await c.ExecuteAsync(new CommandDefinition("""
        UPDATE outreach.youth_workers SET hourly_cost = hourly_cost + 1, hourly_cost_from = @from
        WHERE hourly_cost IS NOT NULL AND id % 10 = 0 AND hourly_cost_from <= @from
        """, new { from = new DateTime(2026, 10, 1) }, commandTimeout: 0));
    Say($"Pay rises from 1 October for {raised:N0} workers saved in {watch.Elapsed.TotalMilliseconds:F0} ms (rate history and dirty months by trigger)");
}
clock.Now = now.AddDays(2);
watch.Restart();
var repriced = await impact.CompileAsync(CompileMode.Incremental, null, CancellationToken.None);
Say($"Incremental compile after the pay rises: {watch.Elapsed.TotalSeconds:F1} s ({repriced!.Months} months, {repriced.Rows:N0} rows)");

// Autovacuum does this after the nightly compile; the gaps and coverage probes are index-only scans once it has.
await using (var c = await db.OpenConnectionAsync())
{
    await c.ExecuteAsync(new CommandDefinition(
        "VACUUM (ANALYZE) outreach.impact_monthly, outreach.impact_referrals_monthly, outreach.impact_school_visits", commandTimeout: 0));
}

// The reports page's data: the figures, charts' tables and one page of coverage gaps, for all areas, a commissioner
// area, or one local authority, over twelve months.
var reports = new ReportData(db);
var areas = await reports.AreasAsync(CancellationToken.None);
var regions = areas.Select(a => a.Region).Distinct().ToList();
var random = new Random(5);
var to = new DateTime(2026, 10, 1);
ReportFilter PickFilter() => random.Next(3) switch
{
    0 => new ReportFilter(to.AddMonths(-11), to, null, null),
    1 => new ReportFilter(to.AddMonths(-11), to, regions[random.Next(regions.Count)], null),
    _ => new ReportFilter(to.AddMonths(-11), to, null, areas[random.Next(areas.Count)].Id),
};
var dashboard = await Measure.RunAsync(300, async () =>
{
    var filter = PickFilter();
    _ = new ReportView(await reports.FiguresAsync(filter, CancellationToken.None));
    await reports.GapsAsync(filter, new DateTime(2026, 9, 1), "pupils", 1, 25, CancellationToken.None);
});
Say($"Reports page data (figures, tables, gaps), mixed filters: {dashboard} (target p95 <= 100 ms)");
var national = await Measure.RunAsync(100, async () =>
{
    var filter = new ReportFilter(to.AddMonths(-11), to, null, null);
    _ = new ReportView(await reports.FiguresAsync(filter, CancellationToken.None));
    await reports.GapsAsync(filter, new DateTime(2026, 9, 1), "pupils", 1, 25, CancellationToken.None);
});
Say($"Reports page data, all areas: {national}");

// The same headline figures straight from the raw tables, for the ratio.
var raw = await Measure.RunAsync(5, async () =>
{
    await using var c = await db.OpenConnectionAsync();
    await c.QuerySingleAsync(new CommandDefinition("""
        WITH ss AS (
            SELECT s.id, s.status = 'delivered' AND coalesce(r.delivered, false) AS delivered, s.status, v.kind AS venue_kind, v.id AS venue_id,
                   coalesce(r.count_under_11 + r.count_11_13 + r.count_14_15 + r.count_16_17 + r.count_18_24, 0) AS head_count
            FROM outreach.sessions s JOIN outreach.venues v ON v.id = s.venue_id
            LEFT JOIN outreach.session_records r ON r.session_id = s.id
            WHERE s.starts_at >= @from AND s.starts_at < @to AND s.status <> 'draft'
        ),
        firsts AS (
            SELECT DISTINCT ON (e.reference) e.reference, s.starts_at
            FROM outreach.ae_engagements e JOIN outreach.sessions s ON s.id = e.session_id
            ORDER BY e.reference, s.starts_at, e.id
        )
        SELECT count(*) AS planned, count(*) FILTER (WHERE delivered) AS delivered,
               sum(head_count) FILTER (WHERE delivered)
                 + (SELECT count(*) FROM firsts WHERE starts_at >= @from AND starts_at < @to) AS reached,
               (SELECT count(*) FROM outreach.ae_engagements e JOIN ss ON ss.id = e.session_id) AS engagements,
               (SELECT sum(rf.count) FROM outreach.session_record_referrals rf JOIN ss ON ss.id = rf.session_id WHERE ss.delivered) AS referrals,
               count(DISTINCT venue_id) FILTER (WHERE delivered AND venue_kind = 'school') AS schools
        FROM ss
        """, new { from = to.AddMonths(-11), to = to.AddMonths(1) }, commandTimeout: 0));
});
Say(string.Create(CultureInfo.InvariantCulture,
    $"Headline figures from the raw tables, all areas, twelve months: {raw}; compiled figures are {raw.P50 / national.P50:F0}x faster at p50"));

var results = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "results"));
Directory.CreateDirectory(results);
var file = Path.Combine(results, $"reports-national-{DateTime.UtcNow:yyyyMMdd-HHmm}.md");
await File.WriteAllTextAsync(file, report.ToString());
Console.WriteLine($"Results written to {file}");

internal sealed class FixedClock(DateTime now) : TimeProvider
{
    public DateTime Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => new(Now, TimeSpan.Zero);
}
