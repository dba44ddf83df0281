using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Npgsql;

// Twilio's webhooks under a flood: signed delivery reports and replies sent as fast as 32 connections allow,
// shuffled in among unsigned and forged junk from the same address (the worst case: the junk spends that
// address's budget). Counts genuine requests refused, checks each was stored exactly once, and times them
// against /health/live measured in the same run.
//   Outreach.Bench.Webhooks --site URL --db CONNECTION --token AUTH_TOKEN [--reports 5000 --replies 1000 --junk 20000]
var options = Args.Parse(args);
var site = new Uri(options["site"]);
var token = options["token"];
var reports = int.Parse(options.GetValueOrDefault("reports", "5000"), CultureInfo.InvariantCulture);
var replies = int.Parse(options.GetValueOrDefault("replies", "1000"), CultureInfo.InvariantCulture);
var junk = int.Parse(options.GetValueOrDefault("junk", "20000"), CultureInfo.InvariantCulture);
const int Clients = 32;
var run = Guid.NewGuid().ToString("N")[..8];

using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
using var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = site };

var baseline = await LoadAsync(Clients, TimeSpan.FromSeconds(8), () => new HttpRequestMessage(HttpMethod.Get, "/health/live"));
Console.WriteLine($"/health/live, {Clients} clients: {baseline}");

// Genuine alone, then the same amount of genuine mixed with the junk.
var alone = await FloodAsync("alone", reports, replies, 0);
var flooded = await FloodAsync("flood", reports, replies, junk);

await using var dataSource = NpgsqlDataSource.Create(options["db"]);
await using var connection = await dataSource.OpenConnectionAsync();
var stored = await connection.QueryFirstAsync<(long Reports, long DistinctReports, long Replies, long DistinctReplies)>("""
    SELECT (SELECT count(*) FROM outreach.sms_status_events WHERE message_sid LIKE @prefix),
           (SELECT count(DISTINCT message_sid) FROM outreach.sms_status_events WHERE message_sid LIKE @prefix),
           (SELECT count(*) FROM outreach.sms_inbound WHERE message_sid LIKE @prefix),
           (SELECT count(DISTINCT message_sid) FROM outreach.sms_inbound WHERE message_sid LIKE @prefix)
    """, new { prefix = $"SMbench{run}%" });
var junkStored = await connection.ExecuteScalarAsync<long>(
    "SELECT (SELECT count(*) FROM outreach.sms_status_events WHERE message_sid LIKE @p) + (SELECT count(*) FROM outreach.sms_inbound WHERE message_sid LIKE @p)",
    new { p = $"SMjunk{run}%" });

Console.WriteLine($"Genuine alone: {alone.Genuine}; refused {alone.Refused}");
Console.WriteLine($"Genuine in the flood: {flooded.Genuine}; refused {flooded.Refused}; junk answers {string.Join(", ", flooded.JunkStatuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}");
Console.WriteLine($"Whole flood: {2 * (reports + replies) + junk} requests in {flooded.Seconds:F1} s ({(2 * (reports + replies) + junk) / flooded.Seconds:F0} requests/s)");
Console.WriteLine($"Stored: reports {stored.Reports} rows for {stored.DistinctReports} SIDs (expected {2 * reports}); replies {stored.Replies} rows for {stored.DistinctReplies} SIDs (expected {2 * replies}); junk rows {junkStored}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"p95 ratio to /health/live: alone {alone.Genuine.P95 / baseline.P95:F1}x, in the flood {flooded.Genuine.P95 / baseline.P95:F1}x"));

var ok = alone.Refused == 0 && flooded.Refused == 0 && stored.Reports == 2 * reports && stored.DistinctReports == 2 * reports
    && stored.Replies == 2 * replies && stored.DistinctReplies == 2 * replies && junkStored == 0;
var resultsDir = Path.Combine(options.GetValueOrDefault("results", "bench/results"));
Directory.CreateDirectory(resultsDir);
var file = Path.Combine(resultsDir, $"webhooks-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
{
    machine = new { Environment.ProcessorCount, os = Environment.OSVersion.ToString() },
    clients = Clients, reports, replies, junk,
    healthLive = baseline, alone = new { alone.Genuine, alone.Refused }, flooded = new { flooded.Genuine, flooded.Refused, flooded.JunkStatuses, flooded.Seconds },
    stored = new { stored.Reports, stored.DistinctReports, stored.Replies, stored.DistinctReplies, junkStored },
    passed = ok,
}, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"{(ok ? "PASS" : "FAIL")}: results in {file}");
return ok ? 0 : 1;

async Task<FloodResult> FloodAsync(string phase, int reportCount, int replyCount, int junkCount)
{
    // Every genuine request is sent twice (Twilio retries and repeats), so "stored once" is tested, not assumed.
    var work = new List<(bool Genuine, Func<HttpRequestMessage> Make)>();
    for (var i = 0; i < reportCount; i++)
    {
        var fields = new Dictionary<string, string> { ["MessageSid"] = $"SMbench{run}{phase}r{i}", ["MessageStatus"] = "delivered", ["AccountSid"] = "ACbench" };
        work.Add((true, () => Signed("/twilio/status", fields)));
    }
    for (var i = 0; i < replyCount; i++)
    {
        // From numbers not on file: stored once and put in the inbox, the reply path without a booking to change.
        var fields = new Dictionary<string, string>
        {
            ["MessageSid"] = $"SMbench{run}{phase}m{i}", ["From"] = $"+4474009{i % 100_000:D5}", ["To"] = "+447700900999", ["Body"] = "Running 10 minutes late",
        };
        work.Add((true, () => Signed("/twilio/sms", fields)));
    }
    work.AddRange(work.ToList());
    for (var i = 0; i < junkCount; i++)
    {
        var path = i % 2 == 0 ? "/twilio/sms" : "/twilio/status";
        var fields = new Dictionary<string, string> { ["MessageSid"] = $"SMjunk{run}{i}", ["From"] = "+447400123456", ["MessageStatus"] = "failed", ["Body"] = "STOP" };
        var forged = i % 4 == 0;
        work.Add((false, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
            if (forged)
            {
                request.Headers.Add("X-Twilio-Signature", Sign(path, fields, "not-the-token"));
            }
            return request;
        }));
    }
    new Random(20_261_208).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(work));

    var queue = new ConcurrentQueue<(bool Genuine, Func<HttpRequestMessage> Make)>(work);
    var genuine = new ConcurrentBag<double>();
    var junkStatuses = new ConcurrentDictionary<int, int>();
    var refused = 0;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
    {
        while (queue.TryDequeue(out var item))
        {
            using var request = item.Make();
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (item.Genuine)
            {
                genuine.Add(ms);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref refused);
                }
            }
            else
            {
                junkStatuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
            }
        }
    }));
    return new FloodResult(Timings.From(genuine), refused, new Dictionary<int, int>(junkStatuses), watch.Elapsed.TotalSeconds);
}

HttpRequestMessage Signed(string path, Dictionary<string, string> fields)
{
    var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
    request.Headers.Add("X-Twilio-Signature", Sign(path, fields, token));
    return request;
}

// Twilio's scheme: HMAC-SHA1 of the full public URL followed by each field name and value, sorted by name.
#pragma warning disable CA5350 // Twilio's signature scheme is HMAC-SHA1.
string Sign(string path, Dictionary<string, string> fields, string key)
{
    var data = new StringBuilder(options.GetValueOrDefault("public", site.ToString()).TrimEnd('/') + path);
    foreach (var (name, value) in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
    {
        data.Append(name).Append(value);
    }
    return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(data.ToString())));
}
#pragma warning restore CA5350

async Task<Timings> LoadAsync(int clients, TimeSpan duration, Func<HttpRequestMessage> make)
{
    var samples = new ConcurrentBag<double>();
    var end = DateTime.UtcNow + duration;
    var warmUp = DateTime.UtcNow.AddSeconds(2);
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
    {
        while (DateTime.UtcNow < end)
        {
            using var request = make();
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            if (DateTime.UtcNow >= warmUp)
            {
                samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }));
    return Timings.From(samples);
}

internal sealed record FloodResult(Timings Genuine, int Refused, Dictionary<int, int> JunkStatuses, double Seconds);

internal sealed record Timings(int Count, double P50, double P95, double P99)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"n={Count}, p50 {P50:F2} ms, p95 {P95:F2} ms, p99 {P99:F2} ms");

    public static Timings From(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        double At(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new Timings(sorted.Length, At(0.50), At(0.95), At(0.99));
    }
}

internal static class Args
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
