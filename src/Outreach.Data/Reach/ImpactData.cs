using Dapper;
using Npgsql;

namespace Outreach.Data.Reach;

public enum CompileMode
{
    Full,
    Incremental,
}

public sealed record CompileRun(
    long Id, string Kind, string Mode, string Status, DateTime StartedAt, DateTime? FinishedAt, int? RowsWritten,
    int? MonthsTotal, int MonthsDone, string MonthList, string RequestedBy)
{
    public IReadOnlyList<DateTime> Months => MonthList.Length == 0
        ? []
        : MonthList.Split(',').Select(m => DateTime.ParseExact(m, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToList();

    public int Percent => Status == "finished" ? 100 : MonthsTotal is > 0 ? Math.Min(99, MonthsDone * 100 / MonthsTotal.Value) : 0;
}

public sealed record CompileResult(long RunId, int Months, int Rows);

/// <summary>
/// Compiles sessions, records and A&amp;E engagements into impact figures per month, area, venue kind and session
/// kind (docs/decisions/0011). Triggers on the input tables log the months they touch; an incremental compile
/// recompiles only those months and clears them in the same transaction, so readers never see half a compile and
/// running it twice gives the same figures.
/// </summary>
public sealed class ImpactData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public const string Kind = "impact";

    private const int MonthsPerPass = 6;

    /// <summary>A run row for an on-demand compile, so the page can show its progress before the job starts.</summary>
    public async Task<long> QueueAsync(CompileMode mode, string requestedBy, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO outreach.compile_runs (kind, mode, status, started_at, requested_by)
            VALUES (@Kind, @mode, 'queued', @now, @requestedBy) RETURNING id
            """, new { Kind, mode = ModeName(mode), now = clock.GetUtcNow().UtcDateTime, requestedBy },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Compiles (everything, or the months whose inputs changed). With <paramref name="runId"/> it takes that queued
    /// run, and does nothing when the run was already taken (a retried job).
    /// </summary>
    public async Task<CompileResult?> CompileAsync(CompileMode mode, long? runId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var asOf = UkTime.ToLocal(now).Date;
        await using var progress = await dataSource.OpenConnectionAsync(cancellationToken);
        long id;
        if (runId is { } queued)
        {
            var taken = await progress.ExecuteScalarAsync<string?>(new CommandDefinition("""
                UPDATE outreach.compile_runs SET status = 'running', started_at = @now
                WHERE id = @queued AND status = 'queued' RETURNING mode
                """, new { queued, now }, cancellationToken: cancellationToken));
            if (taken is null)
            {
                return null;
            }
            id = queued;
            mode = taken == "full" ? CompileMode.Full : CompileMode.Incremental;
        }
        else
        {
            id = await progress.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO outreach.compile_runs (kind, mode, status, started_at, requested_by)
                VALUES (@Kind, @mode, 'running', @now, 'schedule') RETURNING id
                """, new { Kind, mode = ModeName(mode), now }, cancellationToken: cancellationToken));
        }

        try
        {
            return await CompileInTransactionAsync(mode, id, now, asOf, progress, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            await progress.ExecuteAsync(new CommandDefinition(
                "UPDATE outreach.compile_runs SET status = 'failed', finished_at = @finishedAt WHERE id = @id",
                new { id, finishedAt = clock.GetUtcNow().UtcDateTime }, cancellationToken: CancellationToken.None));
            throw;
        }
    }

    private async Task<CompileResult> CompileInTransactionAsync(
        CompileMode mode, long runId, DateTime now, DateTime asOf, NpgsqlConnection progress, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Task<int> Execute(string sql, object? parameters = null) =>
            connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, commandTimeout: 0, cancellationToken: cancellationToken));

        // One compile at a time across every job worker; readers (ACCESS SHARE) carry on with the last figures.
        await Execute("LOCK TABLE outreach.impact_monthly IN EXCLUSIVE MODE");
        var lastAsOf = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            "SELECT as_of::timestamp FROM outreach.impact_compile_state WHERE id = 1 FOR UPDATE", transaction: transaction,
            cancellationToken: cancellationToken));
        if (lastAsOf is null)
        {
            mode = CompileMode.Full;
        }

        // The months to compile; the dirty log rows this transaction sees are taken now and gone at commit.
        var dirty = (await connection.QueryAsync<DateTime>(new CommandDefinition(
            "DELETE FROM outreach.impact_dirty_months RETURNING month::timestamp", transaction: transaction,
            cancellationToken: cancellationToken))).ToHashSet();
        List<DateTime> months;
        if (mode == CompileMode.Full)
        {
            months = (await connection.QueryAsync<DateTime>(new CommandDefinition("""
                SELECT m::timestamp FROM generate_series(
                    (SELECT outreach.uk_month(min(starts_at)) FROM outreach.sessions),
                    (SELECT outreach.uk_month(max(starts_at)) FROM outreach.sessions), interval '1 month') m
                """, transaction: transaction, cancellationToken: cancellationToken))).AsList();
            await Execute("DELETE FROM outreach.impact_monthly");
            await Execute("DELETE FROM outreach.impact_referrals_monthly");
            await Execute("DELETE FROM outreach.impact_school_visits");
        }
        else
        {
            // Follow-ups that fell due since the last compile change "due" in their engagement's month.
            var cameDue = await connection.QueryAsync<DateTime>(new CommandDefinition("""
                SELECT DISTINCT outreach.uk_month(s.starts_at)::timestamp
                FROM outreach.ae_follow_ups f
                JOIN outreach.ae_engagements e ON e.id = f.engagement_id
                JOIN outreach.sessions s ON s.id = e.session_id
                WHERE f.due_on > @lastAsOf::date AND f.due_on <= @asOf::date
                """, new { lastAsOf, asOf }, transaction, cancellationToken: cancellationToken));
            dirty.UnionWith(cameDue);
            months = dirty.Order().ToList();
        }
        await progress.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.compile_runs SET mode = @mode, months_total = @total, months = @months::date[] WHERE id = @runId
            """, new { mode = ModeName(mode), total = months.Count, months = months.ToArray(), runId }, cancellationToken: cancellationToken));

        await Execute("""
            CREATE TEMP TABLE impact_month_sessions (
                month date, id bigint, area_id bigint, venue_id bigint, venue_kind text, session_kind text, status text,
                starts_at timestamptz, delivered boolean, head_count integer, hours numeric, uk_day date) ON COMMIT DROP
            """);
        var rows = 0;
        // A few months per pass: each pass reads the big child tables once, whatever the number of months in it.
        var done = 0;
        foreach (var batch in months.Chunk(MonthsPerPass))
        {
            rows += await CompileMonthsAsync(connection, transaction, batch, asOf, now, cancellationToken);
            done += batch.Length;
            await progress.ExecuteAsync(new CommandDefinition(
                "UPDATE outreach.compile_runs SET months_done = @done WHERE id = @runId",
                new { done, runId }, cancellationToken: cancellationToken));
        }

        if (months.Count > 0)
        {
            await Execute("""
                DELETE FROM outreach.impact_school_months;
                INSERT INTO outreach.impact_school_months (venue_id, months)
                SELECT venue_id, array_agg(month ORDER BY month) FROM outreach.impact_school_visits GROUP BY venue_id;
                """);
        }
        await Execute("UPDATE outreach.impact_compile_state SET as_of = @asOf::date WHERE id = 1", new { asOf });
        await Execute("""
            UPDATE outreach.compile_runs SET status = 'finished', finished_at = @finishedAt, rows_written = @rows,
                   months_done = @total
            WHERE id = @runId
            """, new { rows, total = months.Count, runId, finishedAt = clock.GetUtcNow().UtcDateTime });
        await transaction.CommitAsync(cancellationToken);
        return new CompileResult(runId, months.Count, rows);
    }

    private static async Task<int> CompileMonthsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, DateTime[] months, DateTime asOf, DateTime now,
        CancellationToken cancellationToken)
    {
        var parameters = new { months, asOf, now };
        Task<int> Execute(string sql) =>
            connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, commandTimeout: 0, cancellationToken: cancellationToken));

        await Execute("""
            DELETE FROM outreach.impact_monthly WHERE month = ANY(@months::date[]);
            DELETE FROM outreach.impact_referrals_monthly WHERE month = ANY(@months::date[]);
            DELETE FROM outreach.impact_school_visits WHERE month = ANY(@months::date[]);
            TRUNCATE impact_month_sessions;
            """);
        // A session is delivered when its record says so (recording it sets the status). Staff time is the
        // record's actual times when both are given, else the planned ones. The UK day picks the hourly rate.
        await Execute("""
            INSERT INTO impact_month_sessions
            SELECT m.month, s.id, v.area_id, v.id, v.kind, s.kind, s.status, s.starts_at,
                   s.status = 'delivered' AND coalesce(r.delivered, false),
                   coalesce(r.count_under_11 + r.count_11_13 + r.count_14_15 + r.count_16_17 + r.count_18_24, 0),
                   extract(epoch FROM coalesce(r.actual_end - r.actual_start, s.ends_at - s.starts_at)) / 3600.0,
                   (s.starts_at AT TIME ZONE 'Europe/London')::date
            FROM unnest(@months::date[]) m(month)
            JOIN outreach.sessions s
              ON s.starts_at >= (m.month::timestamp AT TIME ZONE 'Europe/London')
             AND s.starts_at < ((m.month + interval '1 month') AT TIME ZONE 'Europe/London')
            JOIN outreach.venues v ON v.id = s.venue_id
            LEFT JOIN outreach.session_records r ON r.session_id = s.id
            WHERE s.status <> 'draft';
            ANALYZE impact_month_sessions;
            """);
        var rows = await Execute("""
            INSERT INTO outreach.impact_monthly (
                month, area_id, venue_kind, session_kind, sessions_planned, sessions_delivered, sessions_cancelled,
                group_attendance, ae_young_people, young_people_reached, schools_reached, ae_engagements, ae_consented,
                follow_ups_4w_due, follow_ups_4w_done, follow_ups_12w_due, follow_ups_12w_done, follow_ups_6m_due,
                follow_ups_6m_done, referrals, survey_change_sum, survey_weight, staff_hours, staff_cost, compiled_at)
            WITH cells AS (
                SELECT month, area_id, venue_kind, session_kind,
                       count(*) AS planned,
                       count(*) FILTER (WHERE delivered) AS delivered,
                       count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
                       coalesce(sum(head_count) FILTER (WHERE delivered), 0) AS attendance,
                       count(DISTINCT venue_id) FILTER (WHERE delivered AND venue_kind = 'school') AS schools
                FROM impact_month_sessions GROUP BY 1, 2, 3, 4
            ),
            -- Each worker's rates with the day the next one took over: a few rows a worker, hashed on the worker.
            rates AS (
                SELECT worker_id, effective_from, hourly_cost,
                       lead(effective_from, 1, 'infinity') OVER (PARTITION BY worker_id ORDER BY effective_from) AS effective_until
                FROM outreach.worker_rates
            ),
            -- Who was there: the record's staff list when it has one, else the rota's live assignments; each costed
            -- at the rate in force on the session's UK day (docs/decisions/0014).
            staff AS (
                SELECT m.month, m.area_id, m.venue_kind, m.session_kind,
                       sum(m.hours) AS hours, sum(m.hours * coalesce(r.hourly_cost, 0)) AS cost
                FROM (
                    SELECT rs.session_id, rs.worker_id FROM outreach.session_record_staff rs
                    WHERE rs.session_id IN (SELECT id FROM impact_month_sessions WHERE delivered)
                    UNION ALL
                    SELECT a.session_id, a.worker_id FROM outreach.assignments a
                    WHERE a.session_id IN (SELECT id FROM impact_month_sessions WHERE delivered)
                      AND a.status IN ('assigned', 'confirmed')
                      AND NOT EXISTS (SELECT 1 FROM outreach.session_record_staff rs WHERE rs.session_id = a.session_id)
                ) x
                JOIN impact_month_sessions m ON m.id = x.session_id
                LEFT JOIN rates r ON r.worker_id = x.worker_id AND m.uk_day >= r.effective_from AND m.uk_day < r.effective_until
                GROUP BY 1, 2, 3, 4
            ),
            -- Positive is always an improvement: a fall in agreement with a "bad" statement counts as a gain.
            -- Each question's change weighs by the smaller of its before and after respondent counts.
            surveys AS (
                SELECT m.month, m.area_id, m.venue_kind, m.session_kind,
                       sum((sv.after_mean - sv.before_mean) * CASE WHEN q.higher_is_better THEN 1 ELSE -1 END
                           * least(sv.before_n, sv.after_n)) AS change_sum,
                       sum(least(sv.before_n, sv.after_n)) AS weight
                FROM impact_month_sessions m
                JOIN outreach.session_record_surveys sv ON sv.session_id = m.id
                JOIN outreach.survey_questions q ON q.id = sv.question_id
                WHERE m.delivered AND sv.before_n IS NOT NULL AND sv.after_n IS NOT NULL
                GROUP BY 1, 2, 3, 4
            ),
            referrals AS (
                SELECT m.month, m.area_id, m.venue_kind, m.session_kind, sum(rf.count) AS referrals
                FROM impact_month_sessions m JOIN outreach.session_record_referrals rf ON rf.session_id = m.id
                WHERE m.delivered
                GROUP BY 1, 2, 3, 4
            ),
            -- A reference is one young person: counted once, in the cell of its first engagement ever (by session
            -- start, then engagement id), found through the reference index rather than a pass over every engagement.
            -- Retention removes a reference from all its engagements at once, each keeping whether it was the first.
            eng AS MATERIALIZED (
                SELECT e.id, e.reference, e.consent, m.month, m.area_id, m.venue_kind, m.session_kind,
                       CASE WHEN e.reference IS NULL THEN e.counted_as_young_person ELSE NOT EXISTS (
                           SELECT 1 FROM outreach.ae_engagements e2 JOIN outreach.sessions s2 ON s2.id = e2.session_id
                           WHERE e2.reference = e.reference AND s2.status <> 'draft'
                             AND (s2.starts_at, e2.id) < (m.starts_at, e.id)) END AS first_ever
                FROM impact_month_sessions m JOIN outreach.ae_engagements e ON e.session_id = m.id
            ),
            engagements AS (
                SELECT month, area_id, venue_kind, session_kind, count(*) AS engagements,
                       count(*) FILTER (WHERE consent) AS consented, count(*) FILTER (WHERE first_ever) AS young_people
                FROM eng
                GROUP BY 1, 2, 3, 4
            ),
            -- A follow-up is due once its date has passed or it has been recorded early.
            follow_ups AS (
                SELECT eng.month, eng.area_id, eng.venue_kind, eng.session_kind,
                       count(*) FILTER (WHERE f.stage = '4_weeks' AND (f.due_on <= @asOf::date OR f.outcome IS NOT NULL)) AS due_4w,
                       count(*) FILTER (WHERE f.stage = '4_weeks' AND f.outcome IS NOT NULL) AS done_4w,
                       count(*) FILTER (WHERE f.stage = '12_weeks' AND (f.due_on <= @asOf::date OR f.outcome IS NOT NULL)) AS due_12w,
                       count(*) FILTER (WHERE f.stage = '12_weeks' AND f.outcome IS NOT NULL) AS done_12w,
                       count(*) FILTER (WHERE f.stage = '6_months' AND (f.due_on <= @asOf::date OR f.outcome IS NOT NULL)) AS due_6m,
                       count(*) FILTER (WHERE f.stage = '6_months' AND f.outcome IS NOT NULL) AS done_6m
                FROM eng JOIN outreach.ae_follow_ups f ON f.engagement_id = eng.id
                GROUP BY 1, 2, 3, 4
            )
            SELECT c.month, c.area_id, c.venue_kind, c.session_kind, c.planned, c.delivered, c.cancelled,
                   c.attendance, coalesce(e.young_people, 0), c.attendance + coalesce(e.young_people, 0), c.schools,
                   coalesce(e.engagements, 0), coalesce(e.consented, 0),
                   coalesce(f.due_4w, 0), coalesce(f.done_4w, 0), coalesce(f.due_12w, 0), coalesce(f.done_12w, 0),
                   coalesce(f.due_6m, 0), coalesce(f.done_6m, 0), coalesce(r.referrals, 0),
                   coalesce(sv.change_sum, 0), coalesce(sv.weight, 0),
                   round(coalesce(st.hours, 0), 2), round(coalesce(st.cost, 0), 2), @now
            FROM cells c
            LEFT JOIN staff st USING (month, area_id, venue_kind, session_kind)
            LEFT JOIN surveys sv USING (month, area_id, venue_kind, session_kind)
            LEFT JOIN referrals r USING (month, area_id, venue_kind, session_kind)
            LEFT JOIN engagements e USING (month, area_id, venue_kind, session_kind)
            LEFT JOIN follow_ups f USING (month, area_id, venue_kind, session_kind)
            """);
        rows += await Execute("""
            INSERT INTO outreach.impact_referrals_monthly (month, area_id, venue_kind, session_kind, service, referrals)
            SELECT m.month, m.area_id, m.venue_kind, m.session_kind, rf.service, sum(rf.count)
            FROM impact_month_sessions m JOIN outreach.session_record_referrals rf ON rf.session_id = m.id
            WHERE m.delivered
            GROUP BY 1, 2, 3, 4, 5
            """);
        rows += await Execute("""
            INSERT INTO outreach.impact_school_visits (month, venue_id, area_id, sessions_delivered)
            SELECT month, venue_id, area_id, count(*)
            FROM impact_month_sessions WHERE delivered AND venue_kind = 'school'
            GROUP BY month, venue_id, area_id
            """);
        return rows;
    }

    public async Task<CompileRun?> FindRunAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CompileRun>(new CommandDefinition(
            RunSelect + " WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<CompileRun>> RecentRunsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CompileRun>(new CommandDefinition(
            RunSelect + " ORDER BY id DESC LIMIT 10", cancellationToken: cancellationToken))).AsList();
    }

    public async Task<DateTime?> LastCompiledAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            "SELECT max(finished_at) FROM outreach.compile_runs WHERE status = 'finished'", cancellationToken: cancellationToken));
    }

    private const string RunSelect = """
        SELECT id, kind, mode, status, started_at, finished_at, rows_written, months_total, months_done,
               array_to_string(months, ',') AS month_list, requested_by
        FROM outreach.compile_runs
        """;

    private static string ModeName(CompileMode mode) => mode == CompileMode.Full ? "full" : "incremental";
}
