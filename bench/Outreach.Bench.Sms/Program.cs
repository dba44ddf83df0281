using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Outreach.Bench.Sms;
using Outreach.Data;
using Outreach.Data.Database;
using Outreach.Jobs;
using Outreach.Jobs.Reminders;
using Outreach.Jobs.Sms;
using Outreach.Tests.Infrastructure;

// SMS sending benchmarks against a fake Twilio on loopback (the real Twilio library talks to it):
//   dotnet bench/Outreach.Bench.Sms/bin/Release/net10.0/Outreach.Bench.Sms.dll --db "Host=...;Database=..." --worker path/to/Outreach.Jobs.dll
// bench/sms.sh runs the whole thing on a private cluster (port 5435) and a Release build.
var options = Args.Parse(args);
var connectionString = options.GetValueOrDefault("db") ?? throw new InvalidOperationException("Give --db CONNECTION_STRING (or run bench/sms.sh).");
var workerDll = options.GetValueOrDefault("worker") ?? throw new InvalidOperationException("Give --worker path/to/Outreach.Jobs.dll.");
var killCount = int.Parse(options.GetValueOrDefault("kill-messages", "10000"), CultureInfo.InvariantCulture);
var report = new StringBuilder();
void Say(string line)
{
    Console.WriteLine(line);
    report.AppendLine(line);
}

await using var db = new NpgsqlDataSourceBuilder(connectionString).Build();
await new Migrator(db, NullLogger<Migrator>.Instance).MigrateAsync();
await using var twilio = await FakeTwilioServer.StartAsync();
var bench = new Bench(db, twilio, connectionString);
Say($"SMS benchmarks, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores");

// (a) Throughput with no rate limit: four send jobs at once, as four Hangfire workers would run them.
{
    const int count = 5000;
    var bodies = await bench.QueueAsync("throughput", count);
    await using var services = bench.JobServices(messagesPerSecond: 0);
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => services.GetRequiredService<SendOutboxJob>().RunAsync(CancellationToken.None)));
    clock.Stop();
    var once = bodies.Count(b => twilio.ReceivedCount(b) == 1);
    Say(Inv($"(a) Throughput, no limit: {count} messages in {clock.Elapsed.TotalSeconds:F1} s = {count / clock.Elapsed.TotalSeconds:F0} messages/s (target >= 200/s); received exactly once: {once}/{count}"));
}

// (b) A limit of 10/s for 60 s: 600 messages, four jobs pacing through the one database row.
{
    const int count = 600;
    var bodies = (await bench.QueueAsync("rate", count)).ToHashSet(StringComparer.Ordinal);
    await using var services = bench.JobServices(messagesPerSecond: 10);
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => services.GetRequiredService<SendOutboxJob>().RunAsync(CancellationToken.None)));
    clock.Stop();
    var times = twilio.Requests.Where(r => r.Method == "POST" && bodies.Contains(r.Form.GetValueOrDefault("Body") ?? ""))
        .Select(r => r.ReceivedAt).Order().ToList();
    var busiest = times.Max(from => times.Count(t => t >= from && t < from.AddSeconds(1)));
    var span = (times[^1] - times[0]).TotalSeconds;
    Say(Inv($"(b) Limit 10/s: {times.Count} messages over {clock.Elapsed.TotalSeconds:F1} s; most in any 1 s window {busiest}; mean {(times.Count - 1) / span:F2}/s between first and last (target <= 10/s)"));
}

// (c) and (d) run the real job worker process, pointed at the fake through Twilio:ApiBaseUrl.
var worker = new WorkerProcess(workerDll, connectionString, twilio);
worker.Start();
try
{
    // (c) Reminders: assignments whose 24-hour reminder falls due over the next minute and a half,
    // scheduled as the site schedules them; latency = the fake receiving the text minus the due moment.
    var due = await bench.RemindersDueSoonAsync(30);
    var deadline = DateTime.UtcNow.AddMinutes(4);
    while (DateTime.UtcNow < deadline && due.Keys.Any(to => !twilio.Sent.Any(m => m.To == to)))
    {
        await Task.Delay(1000);
    }
    var latencies = due.Select(d => twilio.Sent.FirstOrDefault(m => m.To == d.Key) is { } m ? (m.DateCreated - d.Value).TotalSeconds : double.NaN)
        .ToList();
    var arrived = latencies.Where(l => !double.IsNaN(l)).Order().ToList();
    Say(arrived.Count == 0
        ? "(c) Reminder latency: no reminder arrived"
        : Inv($"(c) Reminder due moment to Twilio, worker process: {arrived.Count}/{due.Count} arrived; median {arrived[arrived.Count / 2]:F1} s, max {arrived[^1]:F1} s (target <= 60 s)"));

    // (d) 10,000 messages; the worker is killed with SIGKILL mid-batch and started again. Until the kill
    // 2% of requests meet a fault (500, 429, cut off after the fake stored the message, or a slow answer).
    var bodies = await bench.QueueAsync("kill", killCount);
    var bodySet = bodies.ToHashSet(StringComparer.Ordinal);
    twilio.InjectFaults(0.02, seed: 5, slow: TimeSpan.FromMilliseconds(400));
    var started = Stopwatch.StartNew();
    while (bodies.Count(b => twilio.ReceivedCount(b) > 0) < killCount * 2 / 5 && started.Elapsed < TimeSpan.FromMinutes(5))
    {
        await Task.Delay(50);
    }
    // Mid-batch: wait (briefly) for a moment when the worker holds claimed rows.
    var inFlight = Stopwatch.StartNew();
    while (await bench.SendingAsync("kill") == 0 && inFlight.Elapsed < TimeSpan.FromSeconds(20))
    {
    }
    var atKill = bodies.Count(b => twilio.ReceivedCount(b) > 0);
    worker.Kill();
    // The fake behaves from here on: what follows measures recovery from the kill, not from more faults.
    twilio.StopFaults();
    var states = await bench.StatesAsync("kill");
    Say(Inv($"(d) Worker killed (SIGKILL) after {started.Elapsed.TotalSeconds:F0} s with {atKill}/{killCount} received; rows then: {states}"));
    await Task.Delay(2000);
    worker.Start();
    var restarted = Stopwatch.StartNew();
    while (await bench.NotSentAsync("kill") > 0 && restarted.Elapsed < TimeSpan.FromMinutes(8))
    {
        await Task.Delay(1000);
    }
    restarted.Stop();
    var counts = bodies.Select(twilio.ReceivedCount).ToList();
    var extra = twilio.ReceivedByBody.Keys.Count(k => k.StartsWith("kill ", StringComparison.Ordinal) && !bodySet.Contains(k));
    Say(Inv($"(d) After restart: all {killCount} sent in {restarted.Elapsed.TotalSeconds:F0} s (target <= 360 s); received exactly once {counts.Count(c => c == 1)}, twice or more {counts.Count(c => c > 1)}, never {counts.Count(c => c == 0)}, unknown bodies {extra}"));
    Say($"(d) Rows: {await bench.StatesAsync("kill")}; {await bench.RecoveredAsync("kill")}");
}
finally
{
    worker.Kill();
}

var results = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "results");
Directory.CreateDirectory(results);
var file = Path.GetFullPath(Path.Combine(results, $"sms-{DateTime.UtcNow:yyyyMMdd-HHmm}.md"));
await File.WriteAllTextAsync(file, report.ToString());
Console.WriteLine($"Results written to {file}");

static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

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
