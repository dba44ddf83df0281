using System.Globalization;
using Dapper;
using Npgsql;
using Outreach.Data.Audit;

namespace Outreach.Data.Workers;

public sealed record WorkerRow(long Id, string FullName, string MobileE164, string? Email, bool Active, bool HasSignIn);

public sealed record NewWorker(
    string FullName, string MobileE164, string? Email, decimal? HourlyCost, DbsCheck? Dbs = null,
    IReadOnlyList<long>? AreaIds = null, decimal? ContractedHours = null);

// Settable members rather than a positional record: Npgsql reports array columns as Array, which Dapper's
// constructor matching does not accept for long[] and string[].
public sealed record WorkerProfile
{
    public long Id { get; init; }
    public string FullName { get; init; } = "";
    public string MobileE164 { get; init; } = "";
    public string? Email { get; init; }
    public decimal? HourlyCost { get; init; }
    // The day the latest rate took effect; null when it covers all their sessions.
    public DateTime? HourlyCostFrom { get; init; }
    public decimal? ContractedHours { get; init; }
    public bool Active { get; init; }
    public bool HasSignIn { get; init; }
    public bool SmsOptedOut { get; init; }
    public string? DbsCheckType { get; init; }
    public string? DbsCertificateNumber { get; init; }
    public DateTime? DbsIssuedOn { get; init; }
    public bool DbsUpdateService { get; init; }
    public DateTime? DbsNextReviewOn { get; init; }
    public long[] AreaIds { get; init; } = [];
    public string[] AreaNames { get; init; } = [];
    public long[] SkillIds { get; init; } = [];
    public string[] SkillNames { get; init; } = [];
}

/// <param name="HourlyCostFrom">The UK day a changed hourly cost applies from; null for today.</param>
public sealed record WorkerUpdate(
    long Id, string FullName, string MobileE164, string? Email, decimal? HourlyCost, decimal? ContractedHours, bool Active,
    DbsCheck? Dbs, IReadOnlyList<long> AreaIds, IReadOnlyList<long> SkillIds, DateOnly? HourlyCostFrom = null);

/// <param name="EffectiveFrom">Null for the first rate, which covers every session before the next one.</param>
public sealed record WorkerRate(DateTime? EffectiveFrom, decimal? HourlyCost, DateTime RecordedAt)
{
    /// <summary>The rate costing sessions on <paramref name="day"/> (UK date): the latest entry may start later.</summary>
    public static WorkerRate? InForceOn(IEnumerable<WorkerRate> latestFirst, DateOnly day) =>
        latestFirst.FirstOrDefault(r => r.EffectiveFrom is not { } from || DateOnly.FromDateTime(from) <= day);
}

public sealed record AreaChoice(long Id, string Name, string Region);

public sealed record DbsAttention(
    long Id, string FullName, string? DbsCheckType, DateTime? DbsNextReviewOn, bool DbsUpdateService, long BookedBeyondCheck);

public sealed record WorkerSession(
    long Id, string Title, string Kind, string VenueName, DateTime StartsAt, DateTime EndsAt, string AssignmentStatus, bool IsLead);

public sealed class WorkerData(NpgsqlDataSource dataSource, TimeProvider? clock = null)
{
    /// <summary>How far back a new rate may be dated (pay awards are often settled late and back-dated) and ahead.</summary>
    public const int RateBackdateYears = 2;

    public const int RateAheadYears = 1;

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task<IReadOnlyList<WorkerRow>> ListAsync(string? search, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<WorkerRow>(new CommandDefinition("""
            SELECT id, full_name, mobile_e164, email, active, user_id IS NOT NULL AS has_sign_in
            FROM outreach.youth_workers
            WHERE @search::text IS NULL OR full_name ILIKE '%' || @search || '%'
            ORDER BY active DESC, full_name
            LIMIT 500
            """, new { search = string.IsNullOrWhiteSpace(search) ? null : search.Trim() },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<WorkerRow?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<WorkerRow>(new CommandDefinition("""
            SELECT id, full_name, mobile_e164, email, active, user_id IS NOT NULL AS has_sign_in
            FROM outreach.youth_workers WHERE id = @id
            """, new { id }, cancellationToken: cancellationToken));
    }

    public async Task<Outcome<long>> CreateAsync(NewWorker worker, Actor actor, CancellationToken cancellationToken)
    {
        if (WorkerRules.Check(worker.FullName, worker.Email, worker.HourlyCost, worker.ContractedHours) is { Count: > 0 } errors)
        {
            return new Outcome<long>(0, errors);
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM outreach.youth_workers WHERE active AND mobile_e164 = @MobileE164)",
                worker, transaction, cancellationToken: cancellationToken)))
        {
            return Outcome<long>.Fail("Mobile", "Another active youth worker already has this mobile number.");
        }
        if (worker.Email is not null && await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM outreach.youth_workers WHERE lower(email) = lower(@Email))",
                worker, transaction, cancellationToken: cancellationToken)))
        {
            return Outcome<long>.Fail("Email", "Another youth worker already has this email address.");
        }

        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO outreach.youth_workers (full_name, mobile_e164, email, hourly_cost, contracted_hours,
                dbs_check_type, dbs_certificate_number, dbs_issued_on, dbs_update_service, dbs_next_review_on)
            VALUES (@FullName, @MobileE164, @Email, @HourlyCost, @ContractedHours,
                @DbsCheckType, @DbsCertificateNumber, @DbsIssuedOn::date, @DbsUpdateService, @DbsNextReviewOn::date)
            RETURNING id
            """, new
        {
            worker.FullName, worker.MobileE164, worker.Email, worker.HourlyCost, worker.ContractedHours,
            DbsCheckType = worker.Dbs?.CheckType, DbsCertificateNumber = worker.Dbs?.CertificateNumber,
            DbsIssuedOn = worker.Dbs?.IssuedOn.ToDateTime(TimeOnly.MinValue), DbsUpdateService = worker.Dbs?.UpdateService ?? false,
            DbsNextReviewOn = worker.Dbs?.NextReviewOn.ToDateTime(TimeOnly.MinValue),
        }, transaction, cancellationToken: cancellationToken));
        if (!await SetAreasAsync(connection, transaction, id, worker.AreaIds ?? [], cancellationToken))
        {
            return Outcome<long>.Fail("AreaIds", "Choose areas from the list.");
        }
        // The mobile number is personal data: the audit keeps that it was set, not what it is.
        await AuditLog.WriteAsync(connection, transaction, actor, "create", "youth_worker", id, null,
            new { worker.FullName, worker.Email, worker.HourlyCost, worker.ContractedHours, Dbs = AuditDbs(worker.Dbs), worker.AreaIds },
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<long>.Ok(id);
    }

    public async Task<WorkerProfile?> ProfileAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<WorkerProfile>(new CommandDefinition(
            ProfileSql, new { id }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<AreaChoice>> AreaChoicesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AreaChoice>(new CommandDefinition(
            "SELECT id, name, region FROM outreach.areas ORDER BY region, name", cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Saves a coordinator's edit of the whole profile (details, DBS check, areas, skills) in one transaction,
    /// with the row before and after in the audit log.
    /// </summary>
    public async Task<Outcome<long>> UpdateAsync(WorkerUpdate worker, Actor actor, CancellationToken cancellationToken)
    {
        if (WorkerRules.Check(worker.FullName, worker.Email, worker.HourlyCost, worker.ContractedHours) is { Count: > 0 } errors)
        {
            return new Outcome<long>(0, errors);
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var before = await connection.QuerySingleOrDefaultAsync<WorkerProfile>(new CommandDefinition(
            ProfileSql + " FOR UPDATE OF w", new { id = worker.Id }, transaction, cancellationToken: cancellationToken));
        if (before is null)
        {
            return Outcome<long>.Fail("", "That youth worker no longer exists.");
        }
        if (worker.Active && await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM outreach.youth_workers WHERE active AND mobile_e164 = @MobileE164 AND id <> @Id)",
                worker, transaction, cancellationToken: cancellationToken)))
        {
            return Outcome<long>.Fail("Mobile", "Another active youth worker already has this mobile number.");
        }
        // A worker who signs in keeps the email of their account; an administrator changes that with the account.
        var email = before.HasSignIn ? before.Email : worker.Email;
        if (email is not null && !before.HasSignIn && await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM outreach.youth_workers WHERE lower(email) = lower(@email) AND id <> @id)",
                new { email, id = worker.Id }, transaction, cancellationToken: cancellationToken)))
        {
            return Outcome<long>.Fail("Email", "Another youth worker already has this email address.");
        }

        var rateFrom = await RateFromAsync(connection, transaction, before, worker, cancellationToken);
        if (rateFrom.Errors.Count > 0)
        {
            return Outcome<long>.Fail(rateFrom.Errors[0].Field, rateFrom.Errors[0].Message);
        }

        try
        {
            // The database keeps the rate history from hourly_cost and hourly_cost_from (migrations/0020).
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE outreach.youth_workers
                   SET full_name = @FullName, mobile_e164 = @MobileE164, email = @email, hourly_cost = @HourlyCost,
                       hourly_cost_from = CASE WHEN @changeRate THEN coalesce(@rateFrom::date, '-infinity') ELSE hourly_cost_from END,
                       -- A new number gets a fresh start; the refusal belonged to the old one.
                       sms_failing = sms_failing AND mobile_e164 = @MobileE164,
                       contracted_hours = @ContractedHours, active = @Active,
                       dbs_check_type = @DbsCheckType, dbs_certificate_number = @DbsCertificateNumber,
                       dbs_issued_on = @DbsIssuedOn::date, dbs_update_service = @DbsUpdateService,
                       dbs_next_review_on = @DbsNextReviewOn::date, updated_at = now()
                 WHERE id = @Id
                """, new
            {
                worker.Id, worker.FullName, worker.MobileE164, email, worker.HourlyCost, worker.ContractedHours, worker.Active,
                changeRate = before.HourlyCost != worker.HourlyCost, rateFrom = rateFrom.Value?.ToDateTime(TimeOnly.MinValue),
                DbsCheckType = worker.Dbs?.CheckType, DbsCertificateNumber = worker.Dbs?.CertificateNumber,
                DbsIssuedOn = worker.Dbs?.IssuedOn.ToDateTime(TimeOnly.MinValue), DbsUpdateService = worker.Dbs?.UpdateService ?? false,
                DbsNextReviewOn = worker.Dbs?.NextReviewOn.ToDateTime(TimeOnly.MinValue),
            }, transaction, cancellationToken: cancellationToken));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Another coordinator saved the same number or address a moment ago.
            return e.ConstraintName == "youth_workers_email_key"
                ? Outcome<long>.Fail("Email", "Another youth worker already has this email address.")
                : Outcome<long>.Fail("Mobile", "Another active youth worker already has this mobile number.");
        }

        if (!await SetAreasAsync(connection, transaction, worker.Id, worker.AreaIds, cancellationToken))
        {
            return Outcome<long>.Fail("AreaIds", "Choose areas from the list.");
        }
        // Retired skills stay offered to the workers who already have them, so saving does not silently drop them.
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM outreach.worker_skills WHERE worker_id = @id", new { id = worker.Id }, transaction, cancellationToken: cancellationToken));
        var skillIds = worker.SkillIds.Distinct().ToArray();
        var skillsSet = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.worker_skills (worker_id, skill_id)
            SELECT @id, k.id FROM outreach.skills k WHERE k.id = ANY(@skillIds) AND (k.active OR k.id = ANY(@had))
            """, new { id = worker.Id, skillIds, had = before.SkillIds }, transaction, cancellationToken: cancellationToken));
        if (skillsSet != skillIds.Length)
        {
            return Outcome<long>.Fail("SkillIds", "Choose skills from the list.");
        }

        var after = await connection.QuerySingleAsync<WorkerProfile>(new CommandDefinition(
            ProfileSql, new { id = worker.Id }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, "update", "youth_worker", worker.Id,
            AuditProfile(before, mobileChanged: false), AuditProfile(after, mobileChanged: before.MobileE164 != after.MobileE164),
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<long>.Ok(worker.Id);
    }

    /// <summary>
    /// Records (or, given nothing, removes) a worker's DBS check by the rules of <see cref="Dbs.Check"/>, touching nothing
    /// else of the profile, with the row before and after in the audit log. Errors are keyed by <see cref="DbsInput"/>'s
    /// fields; "" when the worker does not exist.
    /// </summary>
    public async Task<Outcome<DbsCheck?>> RecordDbsAsync(long workerId, DbsInput input, Actor actor, CancellationToken cancellationToken)
    {
        var check = Dbs.Check(input, DateOnly.FromDateTime(UkTime.ToLocal(_clock.GetUtcNow().UtcDateTime)));
        if (!check.Succeeded)
        {
            return check;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var before = await connection.QuerySingleOrDefaultAsync<WorkerProfile>(new CommandDefinition(
            ProfileSql + " FOR UPDATE OF w", new { id = workerId }, transaction, cancellationToken: cancellationToken));
        if (before is null)
        {
            return Outcome<DbsCheck?>.Fail("", "That youth worker no longer exists.");
        }
        var dbs = check.Value;
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.youth_workers
               SET dbs_check_type = @CheckType, dbs_certificate_number = @CertificateNumber, dbs_issued_on = @IssuedOn::date,
                   dbs_update_service = @UpdateService, dbs_next_review_on = @NextReviewOn::date, updated_at = now()
             WHERE id = @workerId
            """, new
        {
            workerId, dbs?.CheckType, dbs?.CertificateNumber, IssuedOn = dbs?.IssuedOn.ToDateTime(TimeOnly.MinValue),
            UpdateService = dbs?.UpdateService ?? false, NextReviewOn = dbs?.NextReviewOn.ToDateTime(TimeOnly.MinValue),
        }, transaction, cancellationToken: cancellationToken));
        var after = await connection.QuerySingleAsync<WorkerProfile>(new CommandDefinition(
            ProfileSql, new { id = workerId }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, "update", "youth_worker", workerId,
            AuditProfile(before, mobileChanged: false), AuditProfile(after, mobileChanged: false), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return check;
    }

    /// <summary>
    /// The day a changed rate takes effect: null (all their sessions) for a worker's first rate, else the day asked
    /// for, which may not be before the latest entry (that would silently rewrite it) nor absurdly far either way.
    /// </summary>
    private async Task<Outcome<DateOnly?>> RateFromAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, WorkerProfile before, WorkerUpdate worker,
        CancellationToken cancellationToken)
    {
        if (before.HourlyCost == worker.HourlyCost)
        {
            return Outcome<DateOnly?>.Ok(null);
        }
        var everCosted = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM outreach.worker_rates WHERE worker_id = @Id AND hourly_cost IS NOT NULL)",
            worker, transaction, cancellationToken: cancellationToken));
        if (!everCosted)
        {
            return Outcome<DateOnly?>.Ok(null);
        }
        var today = DateOnly.FromDateTime(UkTime.ToLocal(_clock.GetUtcNow().UtcDateTime));
        var from = worker.HourlyCostFrom ?? today;
        if (before.HourlyCostFrom is { } latest && from < DateOnly.FromDateTime(latest))
        {
            return Outcome<DateOnly?>.Fail("HourlyCostFrom",
                $"Their rate history already has {Money(before.HourlyCost)} from {Day(latest)}. A new rate can start on that day " +
                "(replacing it) or later, so the figures before it are not changed without notice.");
        }
        if (from < today.AddYears(-RateBackdateYears))
        {
            return Outcome<DateOnly?>.Fail("HourlyCostFrom",
                $"A new rate can be back-dated by up to {RateBackdateYears} years: give a date on or after {Day(today.AddYears(-RateBackdateYears))}.");
        }
        if (from > today.AddYears(RateAheadYears))
        {
            return Outcome<DateOnly?>.Fail("HourlyCostFrom",
                $"A new rate can start up to a year ahead: give a date on or before {Day(today.AddYears(RateAheadYears))}.");
        }
        return Outcome<DateOnly?>.Ok(from);
    }

    private static string Money(decimal? amount) =>
        amount is { } a ? a.ToString("C", CultureInfo.GetCultureInfo("en-GB")) : "no rate";

    private static string Day(DateTime day) => day.ToString("d MMM yyyy", CultureInfo.GetCultureInfo("en-GB"));

    private static string Day(DateOnly day) => Day(day.ToDateTime(TimeOnly.MinValue));

    /// <summary>The worker's hourly rates, latest first.</summary>
    public async Task<IReadOnlyList<WorkerRate>> RatesAsync(long workerId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<WorkerRate>(new CommandDefinition("""
            SELECT CASE WHEN effective_from = '-infinity' THEN NULL ELSE effective_from::timestamp END AS effective_from,
                   hourly_cost, recorded_at
            FROM outreach.worker_rates WHERE worker_id = @workerId
            ORDER BY worker_rates.effective_from DESC
            """, new { workerId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Active workers whose DBS check is missing, expired, or due for review within
    /// <see cref="Dbs.DueWithinDays"/> days of <paramref name="today"/> (UK date), most urgent first.
    /// </summary>
    public async Task<IReadOnlyList<DbsAttention>> DbsAttentionAsync(DateOnly today, DateTime nowUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DbsAttention>(new CommandDefinition("""
            SELECT w.id, w.full_name, w.dbs_check_type, w.dbs_next_review_on::timestamp AS dbs_next_review_on,
                   w.dbs_update_service,
                   -- Bookings not over yet: a range scan of assignments_worker_start_idx (sessions last at most 24 hours).
                   (SELECT count(*) FROM outreach.assignments a JOIN outreach.sessions s ON s.id = a.session_id
                     WHERE a.worker_id = w.id AND a.status IN ('assigned', 'confirmed')
                       AND lower(a.during) > @nowUtc - interval '24 hours' AND upper(a.during) > @nowUtc
                       AND (w.dbs_next_review_on IS NULL OR upper(a.during) > outreach.dbs_expires_at(w.dbs_next_review_on))
                       AND s.status <> 'cancelled'
                   ) AS booked_beyond_check
            FROM outreach.youth_workers w
            WHERE w.active AND (w.dbs_next_review_on IS NULL OR w.dbs_next_review_on <= @lastDay::date)
            ORDER BY w.dbs_next_review_on NULLS LAST, w.full_name, w.id
            LIMIT 500
            """, new { nowUtc, lastDay = today.AddDays(Dbs.DueWithinDays).ToDateTime(TimeOnly.MinValue) },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>The worker's bookings that have not ended yet, soonest first.</summary>
    public async Task<IReadOnlyList<WorkerSession>> UpcomingSessionsAsync(long workerId, DateTime nowUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<WorkerSession>(new CommandDefinition("""
            SELECT s.id, s.title, s.kind, v.name AS venue_name, s.starts_at, s.ends_at, a.status AS assignment_status, a.is_lead
            FROM outreach.assignments a
            JOIN outreach.sessions s ON s.id = a.session_id
            JOIN outreach.venues v ON v.id = s.venue_id
            WHERE a.worker_id = @workerId AND a.status IN ('assigned', 'confirmed') AND s.status <> 'cancelled'
              AND s.ends_at > @nowUtc
            ORDER BY s.starts_at, s.id
            LIMIT 50
            """, new { workerId, nowUtc }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private const string ProfileSql = """
        SELECT w.id, w.full_name, w.mobile_e164, w.email, w.hourly_cost,
               CASE WHEN w.hourly_cost_from = '-infinity' THEN NULL ELSE w.hourly_cost_from::timestamp END AS hourly_cost_from,
               w.contracted_hours, w.active,
               w.user_id IS NOT NULL AS has_sign_in, w.sms_opted_out, w.dbs_check_type, w.dbs_certificate_number,
               w.dbs_issued_on::timestamp AS dbs_issued_on, w.dbs_update_service,
               w.dbs_next_review_on::timestamp AS dbs_next_review_on,
               ARRAY(SELECT a.id FROM outreach.worker_areas wa JOIN outreach.areas a ON a.id = wa.area_id
                      WHERE wa.worker_id = w.id ORDER BY a.name) AS area_ids,
               ARRAY(SELECT a.name FROM outreach.worker_areas wa JOIN outreach.areas a ON a.id = wa.area_id
                      WHERE wa.worker_id = w.id ORDER BY a.name) AS area_names,
               ARRAY(SELECT k.id FROM outreach.worker_skills ws JOIN outreach.skills k ON k.id = ws.skill_id
                      WHERE ws.worker_id = w.id ORDER BY lower(k.name)) AS skill_ids,
               ARRAY(SELECT k.name FROM outreach.worker_skills ws JOIN outreach.skills k ON k.id = ws.skill_id
                      WHERE ws.worker_id = w.id ORDER BY lower(k.name)) AS skill_names
        FROM outreach.youth_workers w
        WHERE w.id = @id
        """;

    /// <returns>False when an id is not an area (the caller rolls back).</returns>
    private static async Task<bool> SetAreasAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long workerId, IReadOnlyList<long> areaIds,
        CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM outreach.worker_areas WHERE worker_id = @workerId", new { workerId }, transaction, cancellationToken: cancellationToken));
        var ids = areaIds.Distinct().ToArray();
        var set = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO outreach.worker_areas (worker_id, area_id)
            SELECT @workerId, a.id FROM outreach.areas a WHERE a.id = ANY(@ids)
            """, new { workerId, ids }, transaction, cancellationToken: cancellationToken));
        return set == ids.Length;
    }

    // The audit keeps the certificate number (coordinators need to trace which check was relied on) but not
    // the mobile number, which is personal data the row itself already holds.
    private static object? AuditDbs(DbsCheck? dbs) => dbs is null ? null : new
    {
        dbs.CheckType, dbs.CertificateNumber, IssuedOn = dbs.IssuedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        dbs.UpdateService, NextReviewOn = dbs.NextReviewOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };

    private static object AuditProfile(WorkerProfile p, bool mobileChanged) => new
    {
        p.FullName, p.Email, p.HourlyCost, HourlyCostFrom = p.HourlyCostFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        p.ContractedHours, p.Active, MobileChanged = mobileChanged,
        p.DbsCheckType, p.DbsCertificateNumber,
        DbsIssuedOn = p.DbsIssuedOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), p.DbsUpdateService,
        DbsNextReviewOn = p.DbsNextReviewOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Areas = p.AreaNames, Skills = p.SkillNames,
    };

    /// <summary>Links a worker to their sign-in account (made when they are invited).</summary>
    public async Task LinkUserAsync(long workerId, long userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outreach.youth_workers SET user_id = @userId, updated_at = now() WHERE id = @workerId",
            new { workerId, userId }, cancellationToken: cancellationToken));
    }
}
