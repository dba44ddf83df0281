using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Outreach.Bench.Scheduling;
using Outreach.Data.Database;
using Outreach.Data.Sessions;

// Scheduling benchmarks at demo or national scale:
//   dotnet run -c Release --project bench/Outreach.Bench.Scheduling -- --db "Host=...;Database=..." [--scale national]
//     [--site http://127.0.0.1:5099 --email admin@... --password ...]
// bench/scheduling.sh runs the whole thing on a private cluster and a Release build of the site.
var options = Args.Parse(args);
var scale = options.GetValueOrDefault("scale", "demo") == "national" ? Scale.National : Scale.Demo;
var connectionString = options.GetValueOrDefault("db") ?? Environment.GetEnvironmentVariable("OUTREACH_BENCH_DB")
    ?? throw new InvalidOperationException("Give --db CONNECTION_STRING (or run bench/scheduling.sh).");
var report = new StringBuilder();
void Say(string line)
{
    Console.WriteLine(line);
    report.AppendLine(line);
}

await using var db = new NpgsqlDataSourceBuilder(connectionString).Build();
await new Migrator(db, NullLogger<Migrator>.Instance).MigrateAsync();
var load = Stopwatch.StartNew();
if (await Generator.GenerateAsync(db, scale, step => Console.WriteLine($"  loading {step}...")))
{
    Say($"Loaded {scale.Name} scale with COPY in {load.Elapsed.TotalSeconds:F0} s");
}
await using (var c = await db.OpenConnectionAsync())
{
    var counts = await c.QuerySingleAsync<(long Venues, long Workers, long Sessions, long Assignments)>("""
        SELECT (SELECT count(*) FROM outreach.venues), (SELECT count(*) FROM outreach.youth_workers),
               (SELECT count(*) FROM outreach.sessions), (SELECT count(*) FROM outreach.assignments)
        """);
    Say($"Scale: {scale.Name}: {counts.Venues:N0} venues, {counts.Workers:N0} workers, {counts.Sessions:N0} sessions, {counts.Assignments:N0} assignments");
}

var random = new Random(7);
var benchSessions = (await db.OpenConnection().QueryAsync<(long Id, DateTime StartsAt, long WorkerId)>("""
    SELECT s.id, s.starts_at, a.worker_id FROM outreach.sessions s JOIN outreach.assignments a ON a.session_id = s.id
    WHERE s.title LIKE 'bench %' AND s.id % 97 = 0 LIMIT 5000
    """)).AsList();

// Clash check: would this worker be double-booked at this time? (the question the exclusion constraint answers)
var clash = await Measure.RunAsync(2000, async () =>
{
    var pick = benchSessions[random.Next(benchSessions.Count)];
    await using var c = await db.OpenConnectionAsync();
    await c.ExecuteScalarAsync<bool>("""
        SELECT EXISTS (SELECT 1 FROM outreach.assignments WHERE worker_id = @WorkerId AND status IN ('assigned', 'confirmed')
                       AND during && tstzrange(@from, @to))
        """, new { pick.WorkerId, from = pick.StartsAt.AddMinutes(30), to = pick.StartsAt.AddMinutes(90) });
});
Say($"Clash check: {clash} (target p95 <= 5 ms)");

// Eligible-worker ranking for one session.
var candidates = new CandidateData(db, Options.Create(new SchedulingOptions()));
var ranked = 0;
var ranking = await Measure.RunAsync(300, async () =>
{
    var pick = benchSessions[random.Next(benchSessions.Count)];
    ranked += (await candidates.RankAsync(pick.Id, CancellationToken.None)).Count;
});
Say($"Eligible-worker ranking: {ranking} (target p95 <= 20 ms; {ranked / 300.0:F0} candidates per session on average)");

if (options.GetValueOrDefault("site") is { } site)
{
    await SiteBenchmarks.RunAsync(new Uri(site), options["email"], options["password"], db, Say);
}

var results = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "results");
Directory.CreateDirectory(results);
var file = Path.GetFullPath(Path.Combine(results, $"scheduling-{scale.Name}-{DateTime.UtcNow:yyyyMMdd-HHmm}.md"));
await File.WriteAllTextAsync(file, report.ToString());
Console.WriteLine($"Results written to {file}");

static partial class SiteBenchmarks
{
    /// <summary>
    /// The week calendar's data (one area's week, what the page loads) at 32 concurrent clients, with a trivial
    /// page of the same site in the same run as the yardstick.
    /// </summary>
    public static async Task RunAsync(Uri site, string email, string password, NpgsqlDataSource db, Action<string> say)
    {
        using var handler = new SocketsHttpHandler { UseCookies = true, CookieContainer = new CookieContainer(), MaxConnectionsPerServer = 64 };
        using var http = new HttpClient(handler) { BaseAddress = site };
        var login = await http.GetStringAsync("/Account/Login");
        var token = Token().Match(login).Groups[1].Value;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = email, ["Input.Password"] = password, ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        });
        var signedIn = await http.PostAsync("/Account/Login", form);
        if (!signedIn.IsSuccessStatusCode && signedIn.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Could not sign in: {signedIn.StatusCode}");
        }
        await using var c = await db.OpenConnectionAsync();
        var areas = (await c.QueryAsync<long>("SELECT id FROM outreach.areas WHERE code LIKE 'B%'")).AsList();
        var random = new Random(11);
        string WeekUrl()
        {
            var monday = Generator.FirstDay.AddDays(7 * random.Next(0, 80));
            return $"/Sessions/Calendar?handler=Events&areaId={areas[random.Next(areas.Count)]}&start={monday:yyyy-MM-dd}&end={monday.AddDays(7):yyyy-MM-dd}";
        }

        // Coordinators mostly look at this week and next in their own areas: answers they share come from the
        // site's calendar cache. The spread above (any of 320 areas, any of 80 weeks) almost never repeats.
        string HotWeekUrl()
        {
            var monday = Generator.FirstDay.AddDays(7 * (40 + random.Next(0, 2)));
            return $"/Sessions/Calendar?handler=Events&areaId={areas[random.Next(8)]}&start={monday:yyyy-MM-dd}&end={monday.AddDays(7):yyyy-MM-dd}";
        }

        var alone = await Measure.ConcurrentAsync(1, TimeSpan.FromSeconds(8), () => http.GetAsync(WeekUrl()));
        // No area chosen: the first 2,000 of the country's week (about 25,000). Any of 560 start days, so few
        // answers come from the cache.
        var national = await Measure.ConcurrentAsync(1, TimeSpan.FromSeconds(8), () =>
        {
            var day = Generator.FirstDay.AddDays(random.Next(0, 560));
            return http.GetAsync($"/Sessions/Calendar?handler=Events&start={day:yyyy-MM-dd}&end={day.AddDays(7):yyyy-MM-dd}");
        });
        var week = await Measure.ConcurrentAsync(32, TimeSpan.FromSeconds(20), () => http.GetAsync(WeekUrl()));
        var hotWeek = await Measure.ConcurrentAsync(32, TimeSpan.FromSeconds(10), () => http.GetAsync(HotWeekUrl()));
        var page = await Measure.ConcurrentAsync(32, TimeSpan.FromSeconds(10), () => http.GetAsync("/Sessions/Calendar"));
        var trivial = await Measure.ConcurrentAsync(32, TimeSpan.FromSeconds(10), () => http.GetAsync("/health/live"));
        say($"Week calendar data (one area), one client: {alone}");
        say($"Week calendar data (all areas, first 2,000 sessions, any start day), one client: {national}");
        say($"Week calendar data (one area), 32 clients: {week} (target p95 <= 50 ms)");
        say($"Week calendar data, 8 areas x 2 weeks (repeated views, cached), 32 clients: {hotWeek}");
        say($"Calendar page, 32 clients: {page}");
        say($"Trivial page /health/live, 32 clients: {trivial}");
        say(string.Create(CultureInfo.InvariantCulture,
            $"Ratio of p95 to the trivial page: week calendar data {week.P95 / Math.Max(trivial.P95, 0.01):F1}x, repeated views {hotWeek.P95 / Math.Max(trivial.P95, 0.01):F1}x, calendar page {page.P95 / Math.Max(trivial.P95, 0.01):F1}x"));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}

static class Args
{
    public static Dictionary<string, string> Parse(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            result[args[i].TrimStart('-')] = args[i + 1];
        }
        return result;
    }
}
