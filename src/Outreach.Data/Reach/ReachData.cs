using Dapper;
using Npgsql;

namespace Outreach.Data.Reach;

public sealed record ReachRow(DateTime Month, string AreaName, long SessionsDelivered, long YoungPeopleReached);

public sealed record ReachTotals(long SessionsDelivered, long YoungPeopleReached, DateTime? CompiledAt);

public sealed record CompileRun(long Id, DateTime StartedAt, DateTime? FinishedAt, int? RowsWritten);

/// <summary>
/// Compiled reach figures. The compile rebuilds them from sessions and records in one transaction,
/// so running it twice gives the same figures and readers never see a half-compiled table.
/// </summary>
public sealed class ReachData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public async Task<int> CompileAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // One compile at a time across every job worker; a second waits rather than interleaves.
        await connection.ExecuteAsync(new CommandDefinition(
            "LOCK TABLE outreach.reach_monthly IN EXCLUSIVE MODE", transaction: transaction,
            cancellationToken: cancellationToken));
        var runId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO outreach.compile_runs (kind, started_at) VALUES ('reach', @now) RETURNING id",
            new { now }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM outreach.reach_monthly", transaction: transaction, cancellationToken: cancellationToken));
        var rows = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.reach_monthly
                (month, area_id, venue_kind, session_kind, sessions_planned, sessions_delivered, sessions_cancelled,
                 young_people_reached, compiled_at)
            SELECT date_trunc('month', s.starts_at AT TIME ZONE 'Europe/London')::date,
                   v.area_id, v.kind, s.kind,
                   count(*) FILTER (WHERE s.status <> 'draft'),
                   count(*) FILTER (WHERE s.status = 'delivered' AND r.delivered),
                   count(*) FILTER (WHERE s.status = 'cancelled'),
                   coalesce(sum(r.count_under_11 + r.count_11_13 + r.count_14_15 + r.count_16_17 + r.count_18_24)
                            FILTER (WHERE s.status = 'delivered' AND r.delivered), 0),
                   @now
            FROM outreach.sessions s
            JOIN outreach.venues v ON v.id = s.venue_id
            LEFT JOIN outreach.session_records r ON r.session_id = s.id
            GROUP BY 1, 2, 3, 4
            """, new { now }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outreach.compile_runs SET finished_at = clock_timestamp(), rows_written = @rows WHERE id = @runId",
            new { rows, runId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    public async Task<ReachTotals> TotalsAsync(DateTime fromMonth, DateTime toMonth, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<ReachTotals>(new CommandDefinition("""
            SELECT coalesce(sum(sessions_delivered), 0)::bigint AS sessions_delivered,
                   coalesce(sum(young_people_reached), 0)::bigint AS young_people_reached,
                   (SELECT max(finished_at) FROM outreach.compile_runs WHERE kind = 'reach') AS compiled_at
            FROM outreach.reach_monthly
            WHERE month BETWEEN @fromMonth AND @toMonth
            """, new { fromMonth, toMonth }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<ReachRow>> ByMonthAndAreaAsync(DateTime fromMonth, DateTime toMonth, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ReachRow>(new CommandDefinition("""
            SELECT m.month::timestamp AS month, a.name AS area_name,
                   sum(m.sessions_delivered)::bigint AS sessions_delivered,
                   sum(m.young_people_reached)::bigint AS young_people_reached
            FROM outreach.reach_monthly m JOIN outreach.areas a ON a.id = m.area_id
            WHERE m.month BETWEEN @fromMonth AND @toMonth
            GROUP BY m.month, a.name
            ORDER BY m.month DESC, a.name
            """, new { fromMonth, toMonth }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<CompileRun>> RecentRunsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<CompileRun>(new CommandDefinition("""
            SELECT id, started_at, finished_at, rows_written FROM outreach.compile_runs
            ORDER BY id DESC LIMIT 10
            """, cancellationToken: cancellationToken));
        return rows.AsList();
    }
}
