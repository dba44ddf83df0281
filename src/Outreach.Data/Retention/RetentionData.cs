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
/// touched: they hold no personal data, and what a later compile needs from a removed row is kept in the row.
/// Each kind is one statement below; a new kind of data with a retention period is one more entry and one
/// more rule from the options.
/// </summary>
public sealed class RetentionData(NpgsqlDataSource dataSource)
{
    public const string SmsBodies = "sms_bodies";
    public const string DevelopmentMessages = "development_messages";
    public const string WorkerContacts = "worker_contacts";
    public const string EngagementReferences = "engagement_references";
    public const string ConcernDetails = "concern_details";

    /// <summary>Held by a run for its whole transaction; recording a returning young person takes it shared.</summary>
    public const string AdvisoryLock = "outreach.retention";

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
        // A young person's case closes when every engagement under their reference has ended: closed, or left open
        // until its last follow-up is recorded or the day it was due has passed, whichever is later (decision 0013).
        // All of a reference's engagements lose it together, each keeping whether it was the reference's first by
        // the compile's own rule (session start, then id, drafts not counted), so reach never changes. Follow-up
        // reminders and alerts that named the reference lose it too.
        [EngagementReferences] = """
            WITH candidates AS (
                SELECT DISTINCT reference FROM outreach.ae_engagements
                 WHERE details_removed_at IS NULL AND referred_at < @cutoff),
            closed_cases AS (
                SELECT e.reference
                  FROM outreach.ae_engagements e
                  JOIN candidates c ON c.reference = e.reference
                  LEFT JOIN LATERAL (
                      SELECT max(f.due_on) AS last_due, max(f.recorded_at) AS last_recorded
                        FROM outreach.ae_follow_ups f WHERE f.engagement_id = e.id) f ON true
                 GROUP BY e.reference
                HAVING max(CASE WHEN e.status = 'closed' THEN e.closed_at
                                ELSE greatest(e.referred_at, e.first_contact_at, f.last_recorded,
                                              (f.last_due + 1)::timestamp AT TIME ZONE 'Europe/London') END) < @cutoff),
            removed AS (
                UPDATE outreach.ae_engagements e
                   SET reference = NULL, details_removed_at = @now, updated_at = @now,
                       counted_as_young_person = NOT EXISTS (
                           SELECT 1 FROM outreach.ae_engagements e2
                             JOIN outreach.sessions s2 ON s2.id = e2.session_id
                             JOIN outreach.sessions s ON s.id = e.session_id
                            WHERE e2.reference = e.reference AND s2.status <> 'draft'
                              AND (s2.starts_at, e2.id) < (s.starts_at, e.id))
                  FROM closed_cases c
                 WHERE e.reference = c.reference
                RETURNING e.id, e.counted_as_young_person),
            their_keys AS (
                SELECT 'follow-up-due:engagement:' || r.id || ':' || stage AS dedupe_key
                  FROM removed r CROSS JOIN unnest(ARRAY['4_weeks', '12_weeks', '6_months']) AS stage),
            their_alerts AS (
                UPDATE outreach.alerts SET message = 'A follow-up came due for an A&E engagement whose reference was later removed under the retention rule.'
                 WHERE dedupe_key IN (SELECT dedupe_key FROM their_keys)
                RETURNING 1),
            their_messages AS (
                UPDATE outreach.sms_outbox SET body = @removed, body_removed_at = @now
                 WHERE dedupe_key IN (SELECT dedupe_key FROM their_keys)
                   AND body_removed_at IS NULL AND status NOT IN ('pending', 'sending')
                RETURNING 1),
            audited AS (
                INSERT INTO outreach.audit_events (occurred_at, actor_name, action, entity, entity_id, after)
                SELECT @now, @actorName, 'retention', 'ae_engagement', r.id::text,
                       jsonb_build_object('ReferenceRemovedAt', @now, 'CountedAsYoungPerson', r.counted_as_young_person)
                  FROM removed r
                RETURNING 1)
            SELECT count(*) FROM removed
            """,
        // Only once the venue's safeguarding lead holds the lasting record: handed over, then acknowledged or
        // closed. A concern closed without a handover is the only record there is, and keeps its details.
        [ConcernDetails] = """
            WITH removed AS (
                UPDATE outreach.safeguarding_concerns SET details = NULL, details_removed_at = @now, updated_at = @now
                 WHERE details_removed_at IS NULL AND handed_over_at IS NOT NULL AND status IN ('acknowledged', 'closed')
                   AND greatest(acknowledged_at, closed_at) < @cutoff
                RETURNING id),
            audited AS (
                INSERT INTO outreach.audit_events (occurred_at, actor_name, action, entity, entity_id, after)
                SELECT @now, @actorName, 'retention', 'safeguarding_concern', r.id::text,
                       jsonb_build_object('DetailsRemovedAt', @now)
                  FROM removed r
                RETURNING 1)
            SELECT count(*) FROM removed
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
            $"SELECT pg_advisory_xact_lock(hashtext('{AdvisoryLock}'))", transaction: transaction, cancellationToken: cancellationToken));
        var runId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO outreach.retention_runs (ran_at) VALUES (@now) RETURNING id",
            new { now }, transaction, cancellationToken: cancellationToken));

        var counts = new List<RetentionCount>();
        foreach (var rule in rules)
        {
            var cutoff = now.AddMonths(-rule.Months);
            var affected = (int)await connection.ExecuteScalarAsync<long>(new CommandDefinition(Statements[rule.Kind], new
            {
                cutoff, now, removed = RemovedBody(rule.Months), placeholder = MobilePlaceholder, actorName = Actor.System.Name,
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
