using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using Outreach.Data.Audit;

namespace Outreach.Data.Workers;

/// <summary>
/// One range of a worker's weekly pattern in UK wall-clock time. An end at or before the start is on the
/// next day (an A&amp;E night, 18:00 to 02:00); an end equal to the start is the whole 24 hours.
/// </summary>
public sealed record AvailabilityRange(int Weekday, TimeSpan From, TimeSpan To)
{
    public TimeSpan Length => To > From ? To - From : To - From + TimeSpan.FromDays(1);
}

public sealed record LeaveEntry(long Id, DateTime FirstDay, DateTime LastDay, string Reason);

/// <summary>Reads and writes the text a coordinator types for one weekday: "09:00-12:30, 18:00-02:00".</summary>
public static partial class WeeklyPattern
{
    public static readonly IReadOnlyList<(int Weekday, string Name)> Days =
    [
        (1, "Monday"), (2, "Tuesday"), (3, "Wednesday"), (4, "Thursday"), (5, "Friday"), (6, "Saturday"), (7, "Sunday"),
    ];

    public const string Help = "Times like 09:00-17:00; several ranges separated by commas; 18:00-02:00 runs past midnight; \"all day\" for 24 hours.";

    public static bool TryParseDay(int weekday, string? text, out List<AvailabilityRange> ranges, out string error)
    {
        ranges = [];
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        foreach (var part in text.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (string.Equals(part, "all day", StringComparison.OrdinalIgnoreCase))
            {
                ranges.Add(new AvailabilityRange(weekday, TimeSpan.Zero, TimeSpan.Zero));
                continue;
            }
            var match = Range().Match(part);
            if (!match.Success || !TryTime(match.Groups["from"].Value, out var from) || !TryTime(match.Groups["to"].Value, out var to))
            {
                error = $"\"{part}\" is not a time range. Write times like 09:00-17:00, separated by commas.";
                return false;
            }
            if (from == TimeSpan.FromDays(1))
            {
                error = $"\"{part}\" starts at 24:00: start it at 00:00 instead.";
                return false;
            }
            to = to == TimeSpan.FromDays(1) ? TimeSpan.Zero : to;
            if (from == to)
            {
                error = $"\"{part}\" starts and ends at the same time. Write \"all day\" for 24 hours.";
                return false;
            }
            ranges.Add(new AvailabilityRange(weekday, from, to));
        }
        ranges = Merge(ranges);
        return true;
    }

    public static string Format(IEnumerable<AvailabilityRange> ranges) =>
        string.Join(", ", ranges.OrderBy(r => r.From).Select(r =>
            r.From == r.To ? "all day" : $"{Time(r.From)}-{Time(r.To)}"));

    private static string Time(TimeSpan t) => t.ToString(@"hh\:mm", CultureInfo.InvariantCulture);

    private static bool TryTime(string text, out TimeSpan time)
    {
        time = default;
        var parts = text.Split([':', '.']);
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var hours))
        {
            return false;
        }
        var minutes = 0;
        if (parts.Length == 2 && (parts[1].Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out minutes)))
        {
            return false;
        }
        if (parts.Length > 2 || hours > 24 || minutes > 59 || (hours == 24 && minutes != 0))
        {
            return false;
        }
        time = new TimeSpan(hours, minutes, 0);
        return true;
    }

    // A session must fit inside one range, so ranges that touch or overlap on the same day become one.
    private static List<AvailabilityRange> Merge(List<AvailabilityRange> ranges)
    {
        if (ranges.Any(r => r.To <= r.From))
        {
            return ranges.Any(r => r.From == r.To) ? [ranges.First(r => r.From == r.To)] : ranges.OrderBy(r => r.From).ToList();
        }
        var merged = new List<AvailabilityRange>();
        foreach (var range in ranges.OrderBy(r => r.From))
        {
            if (merged.Count > 0 && range.From <= merged[^1].To)
            {
                merged[^1] = merged[^1] with { To = range.To > merged[^1].To ? range.To : merged[^1].To };
            }
            else
            {
                merged.Add(range);
            }
        }
        return merged;
    }

    [GeneratedRegex(@"^(?<from>\d{1,2}(?:[:.]\d{2})?)\s*(?:-|–|—|to)\s*(?<to>\d{1,2}(?:[:.]\d{2})?)$", RegexOptions.IgnoreCase)]
    private static partial Regex Range();
}

/// <summary>When a worker can work: the weekly pattern and dated leave.</summary>
public sealed class AvailabilityData(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<AvailabilityRange>> PatternAsync(long workerId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AvailabilityRange>(new CommandDefinition("""
            SELECT weekday::int AS weekday, from_time::interval AS "from", to_time::interval AS "to"
            FROM outreach.worker_availability WHERE worker_id = @workerId
            ORDER BY weekday, from_time
            """, new { workerId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Replaces the worker's whole weekly pattern (empty: no pattern, available at any time).</summary>
    public async Task<bool> SetPatternAsync(long workerId, IReadOnlyList<AvailabilityRange> ranges, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await LockWorkerAsync(connection, transaction, workerId, cancellationToken))
        {
            return false;
        }
        var before = (await connection.QueryAsync<AvailabilityRange>(new CommandDefinition("""
            SELECT weekday::int AS weekday, from_time::interval AS "from", to_time::interval AS "to"
            FROM outreach.worker_availability WHERE worker_id = @workerId ORDER BY weekday, from_time
            """, new { workerId }, transaction, cancellationToken: cancellationToken))).AsList();
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM outreach.worker_availability WHERE worker_id = @workerId",
            new { workerId }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.worker_availability (worker_id, weekday, from_time, to_time)
            SELECT @workerId, d, f::time, t::time FROM unnest(@days, @froms, @tos) AS r(d, f, t)
            """,
            new
            {
                workerId,
                days = ranges.Select(r => r.Weekday).ToArray(),
                froms = ranges.Select(r => r.From).ToArray(),
                tos = ranges.Select(r => r.To).ToArray(),
            }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, "set-availability", "youth_worker", workerId,
            Describe(before), Describe(ranges), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Leave that has not ended before <paramref name="fromDay"/>, soonest first.</summary>
    public async Task<IReadOnlyList<LeaveEntry>> LeaveAsync(long workerId, DateOnly fromDay, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<LeaveEntry>(new CommandDefinition("""
            SELECT id, first_day::timestamp AS first_day, last_day::timestamp AS last_day, reason
            FROM outreach.worker_leave
            WHERE worker_id = @workerId AND last_day >= @fromDay::date
            ORDER BY first_day, id
            LIMIT 200
            """, new { workerId, fromDay = fromDay.ToDateTime(TimeOnly.MinValue) }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<Outcome<long>> AddLeaveAsync(long workerId, DateOnly firstDay, DateOnly lastDay, string reason, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await LockWorkerAsync(connection, transaction, workerId, cancellationToken))
        {
            return Outcome<long>.Fail("", "That youth worker no longer exists.");
        }
        var entry = new { firstDay = firstDay.ToDateTime(TimeOnly.MinValue), lastDay = lastDay.ToDateTime(TimeOnly.MinValue), reason = reason.Trim() };
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO outreach.worker_leave (worker_id, first_day, last_day, reason)
            VALUES (@workerId, @firstDay::date, @lastDay::date, @reason)
            RETURNING id
            """, new { workerId, entry.firstDay, entry.lastDay, entry.reason }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, "add-leave", "youth_worker", workerId, null,
            new { leaveId = id, firstDay = firstDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                  lastDay = lastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), entry.reason },
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<long>.Ok(id);
    }

    /// <returns>False when the entry is not this worker's (or is already gone).</returns>
    public async Task<bool> RemoveLeaveAsync(long workerId, long leaveId, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var removed = await connection.QuerySingleOrDefaultAsync<LeaveEntry>(new CommandDefinition("""
            DELETE FROM outreach.worker_leave WHERE id = @leaveId AND worker_id = @workerId
            RETURNING id, first_day::timestamp AS first_day, last_day::timestamp AS last_day, reason
            """, new { workerId, leaveId }, transaction, cancellationToken: cancellationToken));
        if (removed is null)
        {
            return false;
        }
        await AuditLog.WriteAsync(connection, transaction, actor, "remove-leave", "youth_worker", workerId,
            new { leaveId, firstDay = removed.FirstDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                  lastDay = removed.LastDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), removed.Reason },
            null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static async Task<bool> LockWorkerAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long workerId, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM outreach.youth_workers WHERE id = @workerId FOR UPDATE",
            new { workerId }, transaction, cancellationToken: cancellationToken)) is not null;

    private static Dictionary<string, string> Describe(IEnumerable<AvailabilityRange> ranges) =>
        ranges.GroupBy(r => r.Weekday).OrderBy(g => g.Key)
            .ToDictionary(g => WeeklyPattern.Days.First(d => d.Weekday == g.Key).Name, g => WeeklyPattern.Format(g));
}
