using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using Outreach.Data.Audit;

namespace Outreach.Data.Engagements;

public static partial class EngagementVocabulary
{
    public static readonly IReadOnlyDictionary<string, string> AgeBands = new Dictionary<string, string>
    {
        ["under_11"] = "Under 11", ["11_13"] = "11 to 13", ["14_15"] = "14 to 15", ["16_17"] = "16 to 17", ["18_24"] = "18 to 24",
    };

    public static readonly IReadOnlyDictionary<string, string> Genders = new Dictionary<string, string>
    {
        ["female"] = "Female", ["male"] = "Male", ["other"] = "Another gender", ["not_said"] = "Prefers not to say",
    };

    public static readonly IReadOnlyDictionary<string, string> PresentingReasons = new Dictionary<string, string>
    {
        ["knife"] = "Knife injury", ["other_weapon"] = "Other weapon", ["no_weapon"] = "Assault without a weapon", ["other"] = "Other",
    };

    public static readonly IReadOnlyDictionary<string, string> ReferralSources = new Dictionary<string, string>
    {
        ["ed_staff"] = "A&E staff", ["self"] = "The young person", ["police"] = "Police", ["family"] = "Family or carer", ["other"] = "Other",
    };

    public static readonly IReadOnlyDictionary<string, string> Outcomes = new Dictionary<string, string>
    {
        ["engaged"] = "Still engaged", ["declined"] = "Declined further support", ["unreachable"] = "Could not be reached",
    };

    public static readonly IReadOnlyDictionary<string, string> CloseReasons = new Dictionary<string, string>
    {
        ["support_completed"] = "Support completed", ["declined"] = "Declined support", ["unreachable"] = "Could not be reached",
        ["moved_away"] = "Moved out of the area", ["other"] = "Other",
    };

    public static readonly IReadOnlyList<(string Stage, string Label)> Stages =
        [("4_weeks", "4 weeks"), ("12_weeks", "12 weeks"), ("6_months", "6 months")];

    public static string Label(IReadOnlyDictionary<string, string> labels, string? key) =>
        key is not null && labels.TryGetValue(key, out var label) ? label : key ?? "";

    public static string StageLabel(string stage) => Stages.FirstOrDefault(s => s.Stage == stage).Label ?? stage;

    /// <summary>The follow-up dates, counted in UK calendar days from the day of the engagement in the UK.</summary>
    public static IReadOnlyList<(string Stage, DateOnly DueOn)> FollowUpDates(DateTime engagedAtUtc)
    {
        var day = DateOnly.FromDateTime(UkTime.ToLocal(engagedAtUtc));
        return [("4_weeks", day.AddDays(28)), ("12_weeks", day.AddDays(84)), ("6_months", day.AddMonths(6))];
    }

    // No 0/O, 1/I/L: a reference read out over a ward's phone must not be mistaken.
    public const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    public static string NewReference() => "AE-" + new string(RandomNumberGenerator.GetItems<char>(Alphabet, 6));

    public static bool TryNormaliseReference(string? input, out string reference)
    {
        reference = (input ?? "").Trim().ToUpperInvariant().Replace(" ", "", StringComparison.Ordinal);
        if (reference.Length == 6)
        {
            reference = "AE-" + reference;
        }
        return ReferencePattern().IsMatch(reference);
    }

    [GeneratedRegex("^AE-[0-9A-Z]{6}$", RegexOptions.CultureInvariant)]
    private static partial Regex ReferencePattern();
}

public sealed record NewEngagement(
    long SessionId, string? ExistingReference, string AgeBand, string? Gender, string PresentingReason, bool Consent,
    string ReferralSource, DateTime ReferredAtUtc, DateTime? FirstContactAtUtc, bool SupportPlanStarted);

public sealed record AeShiftOption(long SessionId, string Title, string VenueName, DateTime StartsAt, DateTime EndsAt);

/// <remarks>A null <c>Reference</c> was removed under the retention rule at <c>ReferenceRemovedAt</c>.</remarks>
public sealed record EngagementRow(
    long Id, string? Reference, DateTime SessionStartsAt, string VenueName, string AgeBand, string Status, DateTime ReferredAt,
    DateTime? NextDueOn, string? NextStage, DateTime? ReferenceRemovedAt);

public sealed record EngagementDetail(
    long Id, string? Reference, long SessionId, string SessionTitle, DateTime SessionStartsAt, string VenueName, string? WorkerName,
    string AgeBand, string? Gender, string PresentingReason, bool Consent, string ReferralSource, DateTime ReferredAt,
    DateTime? FirstContactAt, bool SupportPlanStarted, string Status, DateTime? ClosedAt, string? ClosedReason, DateTime CreatedAt,
    long OtherEngagements, DateTime? ReferenceRemovedAt)
{
    public TimeSpan? ReferralToFirstContact => FirstContactAt - ReferredAt;
}

public sealed record FollowUpRow(string Stage, DateTime DueOn, string? Outcome, DateTime? RecordedAt);

public sealed record DueFollowUpRow(long EngagementId, string Reference, string Stage, DateTime DueOn, string VenueName, string? WorkerName);

/// <summary>A follow-up that has come due with no outcome, and the worker to remind (null when none can be texted).</summary>
public sealed record FollowUpReminder(long EngagementId, string Reference, string Stage, DateTime DueOn, long? WorkerId, string? MobileE164);

public sealed record EngagementCreated(long Id, string Reference, bool Returning);

/// <summary>
/// A&amp;E engagements: a pseudonymous reference, never a name, and no free text. Youth workers reach the
/// engagements of A&amp;E shifts they are assigned to; coordinators and administrators reach all. Every read
/// by a person, like every change, is an audit event.
/// </summary>
public sealed class EngagementData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private const string ScopeFilter = """
        (@userId::bigint IS NULL OR EXISTS (
            SELECT 1 FROM outreach.assignments a JOIN outreach.youth_workers w ON w.id = a.worker_id
             WHERE a.session_id = e.session_id AND w.user_id = @userId AND a.status IN ('assigned', 'confirmed')))
        """;

    /// <summary>A&amp;E shifts the user may add engagements to: started, not cancelled, in the last 14 days.</summary>
    public async Task<IReadOnlyList<AeShiftOption>> ShiftsAsync(long? userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AeShiftOption>(new CommandDefinition("""
            SELECT s.id AS session_id, s.title, v.name AS venue_name, s.starts_at, s.ends_at
            FROM outreach.sessions s JOIN outreach.venues v ON v.id = s.venue_id
            WHERE s.kind = 'ae_shift' AND s.status <> 'cancelled' AND s.starts_at <= @now AND s.starts_at >= @now - interval '14 days'
              AND (@userId::bigint IS NULL OR EXISTS (
                  SELECT 1 FROM outreach.assignments a JOIN outreach.youth_workers w ON w.id = a.worker_id
                   WHERE a.session_id = s.id AND w.user_id = @userId AND a.status IN ('assigned', 'confirmed')))
            ORDER BY s.starts_at DESC
            LIMIT 100
            """, new { userId, now }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<Outcome<EngagementCreated>> CreateAsync(NewEngagement input, long? userId, Actor actor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var errors = new List<FieldError>();
        Check(errors, "AgeBand", EngagementVocabulary.AgeBands.ContainsKey(input.AgeBand), "Choose an age band.");
        Check(errors, "Gender", input.Gender is null || EngagementVocabulary.Genders.ContainsKey(input.Gender), "Choose from the list.");
        Check(errors, "PresentingReason", EngagementVocabulary.PresentingReasons.ContainsKey(input.PresentingReason), "Choose why they came to A&E.");
        Check(errors, "ReferralSource", EngagementVocabulary.ReferralSources.ContainsKey(input.ReferralSource), "Choose who referred them.");
        Check(errors, "ReferredAt", input.ReferredAtUtc <= now.AddMinutes(5), "The referral cannot be in the future.");
        if (input.FirstContactAtUtc is { } first)
        {
            Check(errors, "FirstContactAt", first >= input.ReferredAtUtc, "First contact cannot be before the referral.");
            Check(errors, "FirstContactAt", first <= now.AddMinutes(5), "First contact cannot be in the future.");
        }
        var reference = "";
        if (input.ExistingReference is not null && !EngagementVocabulary.TryNormaliseReference(input.ExistingReference, out reference))
        {
            errors.Add(new("ExistingReference", "A reference looks like AE-7K3M9Q."));
        }
        if (errors.Count > 0)
        {
            return new Outcome<EngagementCreated>(null, errors);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var shift = await connection.QuerySingleOrDefaultAsync<ShiftState>(new CommandDefinition("""
            SELECT s.starts_at, s.kind, s.status FROM outreach.sessions s
            WHERE s.id = @SessionId AND (@userId::bigint IS NULL OR EXISTS (
                SELECT 1 FROM outreach.assignments a JOIN outreach.youth_workers w ON w.id = a.worker_id
                 WHERE a.session_id = s.id AND w.user_id = @userId AND a.status IN ('assigned', 'confirmed')))
            """, new { input.SessionId, userId }, transaction, cancellationToken: cancellationToken));
        if (shift is null || shift.Kind != "ae_shift" || shift.Status == "cancelled")
        {
            return Outcome<EngagementCreated>.Fail("SessionId", "Choose one of your A&E shifts.");
        }
        if (shift.StartsAt > now)
        {
            return Outcome<EngagementCreated>.Fail("SessionId", "That shift has not started yet.");
        }

        var returning = input.ExistingReference is not null;
        if (returning)
        {
            // A reference that retention is removing right now must not gain an engagement the removal did not see: it
            // would count the young person again (decision 0013). The run holds this lock exclusively; check after it.
            await connection.ExecuteAsync(new CommandDefinition(
                $"SELECT pg_advisory_xact_lock_shared(hashtext('{Retention.RetentionData.AdvisoryLock}'))",
                transaction: transaction, cancellationToken: cancellationToken));
            var known = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM outreach.ae_engagements WHERE reference = @reference)",
                new { reference }, transaction, cancellationToken: cancellationToken));
            if (!known)
            {
                return Outcome<EngagementCreated>.Fail("ExistingReference", "No young person has that reference: check it, or make a new one.");
            }
        }
        else
        {
            // 31^6 references: a clash is rare, and the lock makes two people who draw the same one at once take turns.
            for (var attempt = 0; ; attempt++)
            {
                reference = EngagementVocabulary.NewReference();
                await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtext(@reference))",
                    new { reference }, transaction, cancellationToken: cancellationToken));
                var taken = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM outreach.ae_engagements WHERE reference = @reference)",
                    new { reference }, transaction, cancellationToken: cancellationToken));
                if (!taken)
                {
                    break;
                }
                if (attempt > 20)
                {
                    throw new InvalidOperationException("Could not draw an unused engagement reference.");
                }
            }
        }

        // The worker it belongs to: the one recording it, or when a coordinator records it, the shift's lead.
        var workerId = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            SELECT coalesce(
                (SELECT w.id FROM outreach.youth_workers w WHERE w.user_id = @userId),
                (SELECT a.worker_id FROM outreach.assignments a WHERE a.session_id = @SessionId AND a.status IN ('assigned', 'confirmed')
                  ORDER BY a.is_lead DESC, a.id LIMIT 1))
            """, new { userId = actor.UserId, input.SessionId }, transaction, cancellationToken: cancellationToken));
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO outreach.ae_engagements (reference, session_id, worker_id, age_band, gender, presenting_reason, consent,
                referral_source, referred_at, first_contact_at, support_plan_started, created_at, updated_at)
            VALUES (@reference, @SessionId, @workerId, @AgeBand, @Gender, @PresentingReason, @Consent,
                @ReferralSource, @ReferredAtUtc, @FirstContactAtUtc, @SupportPlanStarted, @now, @now)
            RETURNING id
            """,
            new
            {
                reference, input.SessionId, workerId, input.AgeBand, input.Gender, input.PresentingReason, input.Consent,
                input.ReferralSource, input.ReferredAtUtc, input.FirstContactAtUtc, input.SupportPlanStarted, now,
            }, transaction, cancellationToken: cancellationToken));
        var dates = EngagementVocabulary.FollowUpDates(input.FirstContactAtUtc ?? input.ReferredAtUtc);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.ae_follow_ups (engagement_id, stage, due_on)
            SELECT @id, f.stage, f.due_on::date FROM unnest(@stages, @days) AS f (stage, due_on)
            """,
            new { id, stages = dates.Select(d => d.Stage).ToArray(), days = dates.Select(d => d.DueOn.ToDateTime(TimeOnly.MinValue)).ToArray() },
            transaction, cancellationToken: cancellationToken));
        // Not the reference: it would outlive the retention rule that removes it from the engagement (the audit
        // log is append-only).
        await AuditLog.WriteAsync(connection, transaction, actor, "create", "ae_engagement", id, null,
            new { Returning = returning, Input = input with { ExistingReference = null }, FollowUps = dates }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<EngagementCreated>.Ok(new EngagementCreated(id, reference, returning));
    }

    private sealed record ShiftState(DateTime StartsAt, string Kind, string Status);

    private static void Check(List<FieldError> errors, string field, bool ok, string message)
    {
        if (!ok && !errors.Any(e => e.Field == field))
        {
            errors.Add(new(field, message));
        }
    }

    /// <summary>The engagement and its follow-ups, or null outside the user's scope. The read is audited.</summary>
    public async Task<(EngagementDetail Engagement, IReadOnlyList<FollowUpRow> FollowUps)?> ReadAsync(
        long id, long? userId, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var engagement = await connection.QuerySingleOrDefaultAsync<EngagementDetail>(new CommandDefinition($"""
            SELECT e.id, e.reference, e.session_id, s.title AS session_title, s.starts_at AS session_starts_at, v.name AS venue_name,
                   w.full_name AS worker_name, e.age_band, e.gender, e.presenting_reason, e.consent, e.referral_source, e.referred_at,
                   e.first_contact_at, e.support_plan_started, e.status, e.closed_at, e.closed_reason, e.created_at,
                   (SELECT count(*) FROM outreach.ae_engagements o WHERE o.reference = e.reference AND o.id <> e.id) AS other_engagements,
                   e.details_removed_at AS reference_removed_at
            FROM outreach.ae_engagements e
            JOIN outreach.sessions s ON s.id = e.session_id
            JOIN outreach.venues v ON v.id = s.venue_id
            LEFT JOIN outreach.youth_workers w ON w.id = e.worker_id
            WHERE e.id = @id AND {ScopeFilter}
            """, new { id, userId }, transaction, cancellationToken: cancellationToken));
        if (engagement is null)
        {
            return null;
        }
        var followUps = await connection.QueryAsync<FollowUpRow>(new CommandDefinition("""
            SELECT stage, due_on::timestamp AS due_on, outcome, recorded_at
            FROM outreach.ae_follow_ups WHERE engagement_id = @id ORDER BY due_on
            """, new { id }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, "read", "ae_engagement", id, null, null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (engagement, followUps.AsList());
    }

    /// <summary>Engagements in scope, newest first; the list (what references it showed) is audited.</summary>
    public async Task<IReadOnlyList<EngagementRow>> ListAsync(long? userId, bool includeClosed, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<EngagementRow>(new CommandDefinition($"""
            SELECT e.id, e.reference, s.starts_at AS session_starts_at, v.name AS venue_name, e.age_band, e.status, e.referred_at,
                   next.due_on::timestamp AS next_due_on, next.stage AS next_stage, e.details_removed_at AS reference_removed_at
            FROM outreach.ae_engagements e
            JOIN outreach.sessions s ON s.id = e.session_id
            JOIN outreach.venues v ON v.id = s.venue_id
            LEFT JOIN LATERAL (SELECT f.due_on, f.stage FROM outreach.ae_follow_ups f
                               WHERE f.engagement_id = e.id AND f.outcome IS NULL ORDER BY f.due_on LIMIT 1) next
                   ON e.status = 'open' AND e.details_removed_at IS NULL
            WHERE (@includeClosed OR e.status = 'open') AND {ScopeFilter}
            ORDER BY e.referred_at DESC, e.id DESC
            LIMIT 300
            """, new { userId, includeClosed }, transaction, cancellationToken: cancellationToken))).AsList();
        await AuditLog.WriteAsync(connection, transaction, actor, "list", "ae_engagement", null, null,
            new { Ids = rows.Select(r => r.Id).ToArray() }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    /// <summary>Follow-ups with no outcome due on or before <paramref name="throughDay"/>, for open engagements in scope; audited.</summary>
    public async Task<IReadOnlyList<DueFollowUpRow>> DueAsync(long? userId, DateOnly throughDay, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<DueFollowUpRow>(new CommandDefinition($"""
            SELECT e.id AS engagement_id, e.reference, f.stage, f.due_on::timestamp AS due_on, v.name AS venue_name, w.full_name AS worker_name
            FROM outreach.ae_follow_ups f
            JOIN outreach.ae_engagements e ON e.id = f.engagement_id
            JOIN outreach.sessions s ON s.id = e.session_id
            JOIN outreach.venues v ON v.id = s.venue_id
            LEFT JOIN outreach.youth_workers w ON w.id = e.worker_id
            WHERE f.outcome IS NULL AND f.due_on <= @throughDay::date AND e.status = 'open' AND e.details_removed_at IS NULL
              AND {ScopeFilter}
            ORDER BY f.due_on, e.id
            LIMIT 300
            """, new { userId, throughDay = throughDay.ToDateTime(TimeOnly.MinValue) }, transaction, cancellationToken: cancellationToken))).AsList();
        await AuditLog.WriteAsync(connection, transaction, actor, "list", "ae_engagement", null, null,
            new { Ids = rows.Select(r => r.EngagementId).Distinct().ToArray(), DueThrough = throughDay }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    /// <summary>Follow-ups of open engagements due from <paramref name="fromDay"/> to <paramref name="throughDay"/> with no outcome, for the reminder job.</summary>
    public async Task<IReadOnlyList<FollowUpReminder>> RemindersDueAsync(DateOnly fromDay, DateOnly throughDay, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<FollowUpReminder>(new CommandDefinition("""
            SELECT e.id AS engagement_id, e.reference, f.stage, f.due_on::timestamp AS due_on,
                   CASE WHEN w.active AND NOT w.sms_opted_out THEN w.id END AS worker_id,
                   CASE WHEN w.active AND NOT w.sms_opted_out THEN w.mobile_e164 END AS mobile_e164
            FROM outreach.ae_follow_ups f
            JOIN outreach.ae_engagements e ON e.id = f.engagement_id
            LEFT JOIN outreach.youth_workers w ON w.id = e.worker_id
            WHERE f.outcome IS NULL AND f.due_on BETWEEN @fromDay::date AND @throughDay::date AND e.status = 'open'
              AND e.details_removed_at IS NULL
            ORDER BY f.due_on, e.id
            LIMIT 5000
            """, new { fromDay = fromDay.ToDateTime(TimeOnly.MinValue), throughDay = throughDay.ToDateTime(TimeOnly.MinValue) },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private sealed record EngagementState(
        DateTime? FirstContactAt, bool SupportPlanStarted, bool Consent, string Status, DateTime ReferredAt, DateTime? ReferenceRemovedAt);

    /// <summary>
    /// Whether a locked engagement may still be changed: it exists, it is open, and its reference was not removed
    /// (once it is, the case is finished history: nobody could say whose follow-up they were recording).
    /// </summary>
    private static bool CanChange([NotNullWhen(true)] EngagementState? engagement, string field, string closedRefusal,
        [NotNullWhen(false)] out FieldError? refusal)
    {
        refusal = engagement switch
        {
            null => new FieldError("", "Engagement not found."),
            { ReferenceRemovedAt: not null } => new FieldError(field,
                "This engagement's reference was removed under the retention rule: it can no longer be changed."),
            { Status: not "open" } => new FieldError(field, closedRefusal),
            _ => null,
        };
        return refusal is null;
    }

    /// <summary>What changes after the first meeting: when first contact happened, whether a support plan started, consent.</summary>
    public async Task<Outcome<bool>> UpdateAsync(
        long id, DateTime? firstContactAtUtc, bool supportPlanStarted, bool consent, long? userId, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var before = await LockAsync(connection, transaction, id, userId, cancellationToken);
        if (!CanChange(before, "FirstContactAt", "This engagement is closed.", out var refusal))
        {
            return Outcome<bool>.Fail(refusal.Field, refusal.Message);
        }
        if (firstContactAtUtc is { } first && (first < before.ReferredAt || first > clock.GetUtcNow().UtcDateTime.AddMinutes(5)))
        {
            return Outcome<bool>.Fail("FirstContactAt", "First contact must be after the referral and not in the future.");
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.ae_engagements
               SET first_contact_at = @firstContactAtUtc, support_plan_started = @supportPlanStarted, consent = @consent, updated_at = @now
             WHERE id = @id
            """, new { id, firstContactAtUtc, supportPlanStarted, consent, now = clock.GetUtcNow().UtcDateTime }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, "update", "ae_engagement", id, before,
            before with { FirstContactAt = firstContactAtUtc, SupportPlanStarted = supportPlanStarted, Consent = consent }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<bool>.Ok(true);
    }

    /// <summary>Records (or corrects) a follow-up's outcome; refused more than a week before it is due.</summary>
    public async Task<Outcome<bool>> RecordFollowUpAsync(
        long id, string stage, string outcome, long? userId, Actor actor, CancellationToken cancellationToken)
    {
        if (!EngagementVocabulary.Outcomes.ContainsKey(outcome))
        {
            return Outcome<bool>.Fail("Outcome", "Choose an outcome.");
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!CanChange(await LockAsync(connection, transaction, id, userId, cancellationToken), "Outcome", "This engagement is closed.",
                out var refusal))
        {
            return Outcome<bool>.Fail(refusal.Field, refusal.Message);
        }
        var before = await connection.QuerySingleOrDefaultAsync<FollowUpRow>(new CommandDefinition("""
            SELECT stage, due_on::timestamp AS due_on, outcome, recorded_at FROM outreach.ae_follow_ups
            WHERE engagement_id = @id AND stage = @stage FOR UPDATE
            """, new { id, stage }, transaction, cancellationToken: cancellationToken));
        if (before is null)
        {
            return Outcome<bool>.Fail("Stage", "Choose a follow-up.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (DateOnly.FromDateTime(UkTime.ToLocal(now)) < DateOnly.FromDateTime(before.DueOn).AddDays(-7))
        {
            return Outcome<bool>.Fail("Outcome", "This follow-up is due on " + before.DueOn.ToString("d MMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("en-GB")) + ": record it from a week before.");
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.ae_follow_ups SET outcome = @outcome, recorded_at = @now, recorded_by = @userId
            WHERE engagement_id = @id AND stage = @stage
            """, new { id, stage, outcome, now, userId = actor.UserId }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, "follow_up", "ae_engagement", id, before,
            before with { Outcome = outcome, RecordedAt = now }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<bool>.Ok(true);
    }

    public async Task<Outcome<bool>> CloseAsync(long id, string reason, long? userId, Actor actor, CancellationToken cancellationToken)
    {
        if (!EngagementVocabulary.CloseReasons.ContainsKey(reason))
        {
            return Outcome<bool>.Fail("CloseReason", "Choose why the case is closing.");
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var before = await LockAsync(connection, transaction, id, userId, cancellationToken);
        if (!CanChange(before, "CloseReason", "This engagement is already closed.", out var refusal))
        {
            return Outcome<bool>.Fail(refusal.Field, refusal.Message);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.ae_engagements SET status = 'closed', closed_at = @now, closed_reason = @reason, updated_at = @now WHERE id = @id
            """, new { id, reason, now }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, "close", "ae_engagement", id, before,
            new { Status = "closed", ClosedAt = now, ClosedReason = reason }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<bool>.Ok(true);
    }

    private static Task<EngagementState?> LockAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long id, long? userId, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<EngagementState>(new CommandDefinition($"""
            SELECT e.first_contact_at, e.support_plan_started, e.consent, e.status, e.referred_at, e.details_removed_at AS reference_removed_at
            FROM outreach.ae_engagements e WHERE e.id = @id AND {ScopeFilter}
            FOR UPDATE OF e
            """, new { id, userId }, transaction, cancellationToken: cancellationToken));
}
