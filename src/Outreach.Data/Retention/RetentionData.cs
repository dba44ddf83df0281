using Dapper;
using Npgsql;
using Outreach.Data.Audit;

namespace Outreach.Data.Retention;

/// <summary>One kind of personal data and how many months it is kept.</summary>
public sealed record RetentionRule(string Kind, int Months);

public sealed record RetentionCount(string Kind, int PeriodMonths, DateTime Cutoff, int Affected);

public sealed record RetentionRun(long Id, DateTime RanAt, IReadOnlyList<RetentionCount> Counts);

/// <summary>
/// Removes personal data that has outlived its retention period, in one transaction per run, and records
/// what it did (a <c>retention_runs</c> row, a count per kind, an audit event). Compiled figures are never
/// touched: they hold no personal data. Each kind is one statement below; a new kind of data with a
/// retention period (engagement details, say) is one more entry and one more rule from the options.
/// </summary>
public sealed class RetentionData(NpgsqlDataSource dataSource)
{
    public const string SmsBodies = "sms_bodies";
    public const string DevelopmentMessages = "development_messages";
    public const string WorkerContacts = "worker_contacts";

    /// <summary>
    /// What a pseudonymised worker's mobile becomes: a number in Ofcom's drama range (never a real phone)
    /// that satisfies the E.164 check. Only active workers need unique numbers, and these are all inactive.
    /// </summary>
    public const string MobilePlaceholder = "+447700900000";

    public static string RemovedBody(int months) => $"[removed after {months} months]";

    // Each statement may use @cutoff, @now, @removed and @placeholder, and returns how many rows it changed
    // (PostgreSQL runs a data-modifying WITH part to completion whether or not the final SELECT reads it).
    private static readonly Dictionary<string, string> Statements = new(StringComparer.Ordinal)
    {
        // Messages still waiting to go keep their text: replacing it would send the placeholder to a phone.
        [SmsBodies] = """
            WITH removed AS (
                UPDATE outreach.sms_outbox SET body = @removed, body_removed_at = @now
                 WHERE body_removed_at IS NULL AND created_at < @cutoff AND status NOT IN ('pending', 'sending')
                RETURNING 1)
            SELECT count(*) FROM removed
            """,
        [DevelopmentMessages] = """
            WITH removed AS (DELETE FROM outreach.dev_sms_messages WHERE created_at < @cutoff RETURNING 1)
            SELECT count(*) FROM removed
            """,
        // The worker row stays (sessions, records and figures point at it) under a name that says who it was
        // in the system only; their number also leaves the outbox rows that were sent to it.
        [WorkerContacts] = """
            WITH left_workers AS (
                UPDATE outreach.youth_workers
                   SET full_name = 'Former worker #' || id, email = NULL, mobile_e164 = @placeholder,
                       pseudonymised_at = @now, updated_at = @now
                 WHERE NOT active AND pseudonymised_at IS NULL AND left_at < @cutoff
                RETURNING id),
            their_messages AS (
                UPDATE outreach.sms_outbox o SET to_e164 = @placeholder
                  FROM left_workers w
                 WHERE o.worker_id = w.id AND o.status NOT IN ('pending', 'sending')
                RETURNING 1)
            SELECT count(*) FROM left_workers
            """,
    };

    public static IReadOnlyCollection<string> Kinds => Statements.Keys;

    /// <summary>
    /// Applies every rule as of <paramref name="nowUtc"/>. Safe to run again or twice at once: a second run
    /// waits for the first, then finds nothing due and records a run of zeros.
    /// </summary>
    public async Task<RetentionRun> ApplyAsync(IReadOnlyList<RetentionRule> rules, DateTime nowUtc, CancellationToken cancellationToken)
    {
        foreach (var rule in rules)
        {
            if (!Statements.ContainsKey(rule.Kind))
            {
                throw new ArgumentException($"No retention statement for '{rule.Kind}'.", nameof(rules));
            }
            if (rule.Months < 1)
            {
                throw new ArgumentException($"The retention period for '{rule.Kind}' must be at least one month.", nameof(rules));
            }
        }

        var now = DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtext('outreach.retention'))", transaction: transaction, cancellationToken: cancellationToken));
        var runId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO outreach.retention_runs (ran_at) VALUES (@now) RETURNING id",
            new { now }, transaction, cancellationToken: cancellationToken));

        var counts = new List<RetentionCount>();
        foreach (var rule in rules)
        {
            var cutoff = now.AddMonths(-rule.Months);
            var affected = (int)await connection.ExecuteScalarAsync<long>(new CommandDefinition(Statements[rule.Kind], new
            {
                cutoff, now, removed = RemovedBody(rule.Months), placeholder = MobilePlaceholder,
            }, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO outreach.retention_run_counts (run_id, kind, period_months, cutoff, affected)
                VALUES (@runId, @Kind, @PeriodMonths, @Cutoff, @Affected)
                """, new { runId, Kind = rule.Kind, PeriodMonths = rule.Months, Cutoff = cutoff, Affected = affected },
                transaction, cancellationToken: cancellationToken));
            counts.Add(new RetentionCount(rule.Kind, rule.Months, cutoff, affected));
        }

        await AuditLog.WriteAsync(connection, transaction, Actor.System, "retention", "retention_run", runId, null,
            new { RanAt = now, Counts = counts }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RetentionRun(runId, now, counts);
    }
}
