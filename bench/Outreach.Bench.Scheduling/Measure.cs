using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Outreach.Bench.Scheduling;

public sealed record Timings(int Count, double P50, double P95, double P99, int Errors)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"n={Count}, p50 {P50:F2} ms, p95 {P95:F2} ms, p99 {P99:F2} ms{(Errors > 0 ? $", {Errors} errors" : "")}");

    public static Timings From(IReadOnlyCollection<double> samples, int errors)
    {
        var sorted = samples.Order().ToArray();
        double At(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new Timings(sorted.Length, At(0.50), At(0.95), At(0.99), errors);
    }
}

public static class Measure
{
    /// <summary>Runs <paramref name="action"/> one at a time after a warm-up and gives its latency percentiles.</summary>
    public static async Task<Timings> RunAsync(int count, Func<Task> action)
    {
        for (var i = 0; i < Math.Max(10, count / 10); i++)
        {
            await action();
        }
        var samples = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var watch = Stopwatch.StartNew();
            await action();
            samples.Add(watch.Elapsed.TotalMilliseconds);
        }
        return Timings.From(samples, 0);
    }

    /// <summary><paramref name="clients"/> loops sending requests for <paramref name="duration"/>; bounded in time.</summary>
    public static async Task<Timings> ConcurrentAsync(int clients, TimeSpan duration, Func<Task<HttpResponseMessage>> request)
    {
        var samples = new ConcurrentBag<double>();
        var errors = 0;
        var warmUp = DateTime.UtcNow.AddSeconds(2);
        var end = DateTime.UtcNow + duration;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (DateTime.UtcNow < end)
            {
                var watch = Stopwatch.StartNew();
                using var response = await request();
                await response.Content.ReadAsByteArrayAsync();
                if (DateTime.UtcNow < warmUp)
                {
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }
                samples.Add(watch.Elapsed.TotalMilliseconds);
            }
        }));
        return Timings.From(samples, errors);
    }
}
