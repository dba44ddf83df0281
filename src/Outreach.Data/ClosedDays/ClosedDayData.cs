using Dapper;
using Npgsql;
using Outreach.Data.Audit;

namespace Outreach.Data.ClosedDays;

public static class ClosedDayKinds
{
    public const string BankHoliday = "bank_holiday";

    public static readonly IReadOnlyDictionary<string, string> Labels = new Dictionary<string, string>
    {
        [BankHoliday] = "Bank holiday",
        ["school_holiday"] = "School holiday",
        ["inset_day"] = "INSET day",
        ["other"] = "Other closure",
    };

    /// <summary>What a coordinator may enter by hand; bank holidays come from the GOV.UK file.</summary>
    public static readonly IReadOnlyList<string> Entered = ["school_holiday", "inset_day", "other"];

    public static string Label(string kind) => Labels.TryGetValue(kind, out var label) ? label : kind;
}

public sealed record ClosedDayRow(
    long Id, string Scope, string Kind, DateTime FirstDay, DateTime LastDay, string Reason, string? AreaName, string? VenueName)
{
    public string AppliesTo => Scope switch
    {
        "national" => "England and Wales",
        "area" => AreaName ?? "",
        _ => VenueName ?? "",
    };
}

/// <summary>A closure entered for a whole local authority (<see cref="AreaId"/>) or one venue (<see cref="VenueId"/>).</summary>
public sealed record NewClosedDay(string Kind, long? AreaId, long? VenueId, DateOnly FirstDay, DateOnly LastDay, string Reason);

public sealed record BankHolidayImport(int Added, int Updated, int Unchanged, DateOnly First, DateOnly Last);

/// <summary>A school that is closed on a day someone wants to hold a session there.</summary>
public sealed record Closure(long VenueId, DateOnly Day, string Kind, string Reason);

public sealed class ClosedDayData(NpgsqlDataSource dataSource)
{
    private sealed record ClosureRow(long VenueId, DateTime Day, string Kind, string Reason);

    private sealed record StoredHoliday(long Id, DateTime FirstDay, string Reason);

    public async Task<IReadOnlyList<ClosedDayRow>> ListAsync(DateOnly from, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ClosedDayRow>(new CommandDefinition("""
            SELECT c.id, c.scope, c.kind, c.first_day::timestamp AS first_day, c.last_day::timestamp AS last_day, c.reason, a.name AS area_name, v.name AS venue_name
            FROM outreach.closed_days c
            LEFT JOIN outreach.areas a ON a.id = c.area_id
            LEFT JOIN outreach.venues v ON v.id = c.venue_id
            WHERE c.last_day >= @from
            ORDER BY c.first_day, c.scope, c.id
            LIMIT 1000
            """, new { from = from.ToDateTime(TimeOnly.MinValue) }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// For each (venue, day) that is a school on a closed day, the most specific closure: the school's
    /// own, then its local authority's, then a bank holiday. Other kinds of venue never close here:
    /// A&amp;E runs every day of the year.
    /// </summary>
    public async Task<IReadOnlyList<Closure>> ClosuresAsync(
        IReadOnlyCollection<(long VenueId, DateOnly Day)> wanted, CancellationToken cancellationToken)
    {
        if (wanted.Count == 0)
        {
            return [];
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ClosuresAsync(connection, null, wanted, cancellationToken);
    }

    /// <summary>The same, on a connection the caller already holds (inside its transaction).</summary>
    public static async Task<IReadOnlyList<Closure>> ClosuresAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        IReadOnlyCollection<(long VenueId, DateOnly Day)> wanted, CancellationToken cancellationToken)
    {
        if (wanted.Count == 0)
        {
            return [];
        }
        var rows = await connection.QueryAsync<ClosureRow>(new CommandDefinition("""
            SELECT DISTINCT ON (q.venue_id, q.day) q.venue_id, q.day::timestamp AS day, c.kind, c.reason
            FROM unnest(@venueIds, @days::date[]) AS q(venue_id, day)
            JOIN outreach.venues v ON v.id = q.venue_id AND v.kind = 'school'
            JOIN outreach.closed_days c
              ON q.day BETWEEN c.first_day AND c.last_day
             AND (c.scope = 'national' OR c.area_id = v.area_id OR c.venue_id = v.id)
            ORDER BY q.venue_id, q.day, CASE c.scope WHEN 'venue' THEN 0 WHEN 'area' THEN 1 ELSE 2 END, c.id
            """,
            new
            {
                venueIds = wanted.Select(w => w.VenueId).ToArray(),
                days = wanted.Select(w => w.Day.ToDateTime(TimeOnly.MinValue)).ToArray(),
            },
            transaction, cancellationToken: cancellationToken));
        return rows.Select(r => new Closure(r.VenueId, DateOnly.FromDateTime(r.Day), r.Kind, r.Reason)).ToList();
    }

    public async Task<Outcome<long>> CreateAsync(NewClosedDay closure, Actor actor, CancellationToken cancellationToken)
    {
        if (!ClosedDayKinds.Entered.Contains(closure.Kind))
        {
            return Outcome<long>.Fail(nameof(NewClosedDay.Kind), "Choose what kind of closure this is.");
        }
        if ((closure.AreaId is null) == (closure.VenueId is null))
        {
            return Outcome<long>.Fail(nameof(NewClosedDay.AreaId), "Choose either a local authority or one school.");
        }
        if (closure.LastDay < closure.FirstDay)
        {
            return Outcome<long>.Fail(nameof(NewClosedDay.LastDay), "The last day must be on or after the first day.");
        }
        if (closure.LastDay.DayNumber - closure.FirstDay.DayNumber > 366)
        {
            return Outcome<long>.Fail(nameof(NewClosedDay.LastDay), "A closure can last at most a year.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (closure.AreaId is { } areaId && !await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM outreach.areas WHERE id = @areaId)", new { areaId }, transaction,
                cancellationToken: cancellationToken)))
        {
            return Outcome<long>.Fail(nameof(NewClosedDay.AreaId), "Choose a local authority from the list.");
        }
        if (closure.VenueId is { } venueId && !await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM outreach.venues WHERE id = @venueId AND kind = 'school')", new { venueId },
                transaction, cancellationToken: cancellationToken)))
        {
            return Outcome<long>.Fail(nameof(NewClosedDay.VenueId), "Choose a school from the list.");
        }

        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO outreach.closed_days (scope, area_id, venue_id, kind, first_day, last_day, reason)
            VALUES (CASE WHEN @AreaId::bigint IS NULL THEN 'venue' ELSE 'area' END, @AreaId, @VenueId, @Kind,
                    @FirstDay::date, @LastDay::date, @Reason)
            RETURNING id
            """,
            new
            {
                closure.AreaId, closure.VenueId, closure.Kind, closure.Reason,
                FirstDay = closure.FirstDay.ToDateTime(TimeOnly.MinValue),
                LastDay = closure.LastDay.ToDateTime(TimeOnly.MinValue),
            }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, "create", "closed_day", id, null, closure, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<long>.Ok(id);
    }

    /// <returns>False when there was no such closure.</returns>
    public async Task<bool> DeleteAsync(long id, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var removed = await connection.QuerySingleOrDefaultAsync<ClosedDayRow>(new CommandDefinition("""
            DELETE FROM outreach.closed_days WHERE id = @id
            RETURNING id, scope, kind, first_day::timestamp AS first_day, last_day::timestamp AS last_day, reason, NULL::text AS area_name, NULL::text AS venue_name
            """, new { id }, transaction, cancellationToken: cancellationToken));
        if (removed is null)
        {
            return false;
        }
        await AuditLog.WriteAsync(connection, transaction, actor, "delete", "closed_day", id, removed, null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Reads the GOV.UK file and stores its England and Wales bank holidays in one transaction: new
    /// dates are added, a date already known takes the file's title. A file that fails any check writes nothing.
    /// </summary>
    public async Task<Outcome<BankHolidayImport>> ImportBankHolidaysAsync(string json, Actor actor, CancellationToken cancellationToken)
    {
        var parsed = BankHolidayFile.Parse(json);
        if (!parsed.Succeeded)
        {
            return new Outcome<BankHolidayImport>(null, parsed.Errors);
        }
        var holidays = parsed.Value!;

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var before = (await connection.QueryAsync<StoredHoliday>(new CommandDefinition("""
            SELECT id, first_day::timestamp AS first_day, reason FROM outreach.closed_days
            WHERE kind = 'bank_holiday' AND first_day = ANY(@days::date[])
            FOR UPDATE
            """, new { days = holidays.Select(h => h.Date.ToDateTime(TimeOnly.MinValue)).ToArray() }, transaction,
            cancellationToken: cancellationToken))).ToDictionary(h => DateOnly.FromDateTime(h.FirstDay));

        var added = 0;
        var updated = 0;
        var unchanged = 0;
        foreach (var holiday in holidays)
        {
            if (!before.TryGetValue(holiday.Date, out var stored))
            {
                added++;
            }
            else if (stored.Reason == holiday.Title)
            {
                unchanged++;
            }
            else
            {
                updated++;
            }
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.closed_days (scope, kind, first_day, last_day, reason)
            SELECT 'national', 'bank_holiday', h.day, h.day, h.title
            FROM unnest(@days::date[], @titles) AS h(day, title)
            ON CONFLICT (first_day) WHERE kind = 'bank_holiday'
            DO UPDATE SET reason = EXCLUDED.reason, updated_at = now()
            WHERE outreach.closed_days.reason IS DISTINCT FROM EXCLUDED.reason
            """,
            new
            {
                days = holidays.Select(h => h.Date.ToDateTime(TimeOnly.MinValue)).ToArray(),
                titles = holidays.Select(h => h.Title).ToArray(),
            }, transaction, cancellationToken: cancellationToken));

        var result = new BankHolidayImport(added, updated, unchanged, holidays.Min(h => h.Date), holidays.Max(h => h.Date));
        await AuditLog.WriteAsync(connection, transaction, actor, "import", "bank_holidays", null, null,
            new { result.Added, result.Updated, result.Unchanged, First = result.First.ToString("O"), Last = result.Last.ToString("O") },
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<BankHolidayImport>.Ok(result);
    }
}
