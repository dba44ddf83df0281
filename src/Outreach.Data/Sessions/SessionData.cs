using Dapper;
using Npgsql;
using Outreach.Data.Audit;
using Outreach.Data.ClosedDays;
using Outreach.Data.Workers;

namespace Outreach.Data.Sessions;

public static class SessionKinds
{
    public static readonly IReadOnlyDictionary<string, string> Labels = new Dictionary<string, string>
    {
        ["assembly"] = "Assembly",
        ["workshop"] = "Workshop",
        ["classroom"] = "Classroom session",
        ["parents_evening"] = "Parents' evening",
        ["ae_shift"] = "A&E shift",
        ["drop_in"] = "Drop-in",
        ["other"] = "Other",
    };

    public static string Label(string kind) => Labels.TryGetValue(kind, out var label) ? label : kind;
}

public sealed record SessionRow(
    long Id, string Kind, string Title, string VenueName, string AreaName, DateTime StartsAt, DateTime EndsAt,
    string Status, int RequiredWorkers, long AssignedWorkers, long ConfirmedWorkers, bool HasRecord)
{
    /// <summary>Not cancelled, and short of workers or of workers who confirmed.</summary>
    public bool NeedsAttention => Status is not ("cancelled" or "delivered") && ConfirmedWorkers < RequiredWorkers;
}

public sealed record SessionDetail(
    long Id, string Kind, string Title, long VenueId, string VenueName, string VenueKind, DateTime StartsAt,
    DateTime EndsAt, string Status, int RequiredWorkers, int? ExpectedSize, string Notes, int Version, string? YearGroupList,
    DateTime UpdatedAt)
{
    // Read as text: Dapper cannot hand a PostgreSQL array to a record's constructor.
    public IReadOnlyList<int> YearGroups => string.IsNullOrEmpty(YearGroupList)
        ? []
        : YearGroupList.Split(',').Select(y => int.Parse(y, System.Globalization.CultureInfo.InvariantCulture)).ToList();
}

public sealed record AssignmentRow(long Id, long WorkerId, string FullName, string Status, bool IsLead);

/// <summary>A booking taken off a session, and the booking that leads the session in its place, if it had led.</summary>
public sealed record Withdrawal(long AssignmentId, long WorkerId, long? NewLeadAssignmentId);

public sealed record NewSession(
    long VenueId, string Kind, string Title, DateTime StartsAtUtc, DateTime EndsAtUtc, int RequiredWorkers,
    int? ExpectedSize, string Notes, IReadOnlyList<long>? SkillIds = null, IReadOnlyList<int>? YearGroups = null,
    bool PlanOnClosedDays = false);

public sealed class SessionData(NpgsqlDataSource dataSource, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The Create page's names for the times, the keys its refusals carry.</summary>
    public const string StartField = "Start", EndField = "End";

    private sealed record SessionState(string Status, DateTime StartsAt, DateTime EndsAt);

    private sealed record BookingState(long WorkerId, string Status, bool IsLead);

    public async Task<IReadOnlyList<SessionRow>> ListAsync(DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<SessionRow>(new CommandDefinition("""
            SELECT s.id, s.kind, s.title, v.name AS venue_name, a.name AS area_name, s.starts_at, s.ends_at,
                   s.status, s.required_workers,
                   (SELECT count(*) FROM outreach.assignments x
                     WHERE x.session_id = s.id AND x.status IN ('assigned', 'confirmed')) AS assigned_workers,
                   (SELECT count(*) FROM outreach.assignments x
                     WHERE x.session_id = s.id AND x.status = 'confirmed') AS confirmed_workers,
                   EXISTS (SELECT 1 FROM outreach.session_records r WHERE r.session_id = s.id) AS has_record
            FROM outreach.sessions s
            JOIN outreach.venues v ON v.id = s.venue_id
            JOIN outreach.areas a ON a.id = v.area_id
            WHERE s.starts_at >= @fromUtc AND s.starts_at < @toUtc
            ORDER BY s.starts_at, s.id
            LIMIT 1000
            """, new { fromUtc, toUtc }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<SessionDetail?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<SessionDetail>(new CommandDefinition("""
            SELECT s.id, s.kind, s.title, s.venue_id, v.name AS venue_name, v.kind AS venue_kind, s.starts_at,
                   s.ends_at, s.status, s.required_workers, s.expected_size, s.notes, s.version,
                   array_to_string(s.year_groups, ',') AS year_group_list, s.updated_at
            FROM outreach.sessions s JOIN outreach.venues v ON v.id = s.venue_id
            WHERE s.id = @id
            """, new { id }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<AssignmentRow>> AssignmentsAsync(long sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AssignmentRow>(new CommandDefinition("""
            SELECT a.id, a.worker_id, w.full_name, a.status, a.is_lead
            FROM outreach.assignments a JOIN outreach.youth_workers w ON w.id = a.worker_id
            WHERE a.session_id = @sessionId
            ORDER BY a.is_lead DESC, w.full_name
            """, new { sessionId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Plans one session with every rule a new session keeps: a known kind, a start still to come, an end after it
    /// and at most 24 hours later, an open venue, and no closed day of a school unless asked for. Refusals are keyed
    /// by the Create page's field names (Start, End, PlanOnClosedDays ...).
    /// </summary>
    public async Task<Outcome<long>> CreateAsync(NewSession session, Actor actor, CancellationToken cancellationToken)
    {
        var errors = SessionRules.CheckNew(session.Kind, session.Title, session.StartsAtUtc, session.EndsAtUtc,
            session.RequiredWorkers, session.ExpectedSize, session.Notes, _clock.GetUtcNow().UtcDateTime);
        if (errors.Count > 0)
        {
            return Outcome<long>.Invalid(errors);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var venueOpen = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM outreach.venues WHERE id = @VenueId AND status = 'open')",
            session, transaction, cancellationToken: cancellationToken));
        if (!venueOpen)
        {
            return Outcome<long>.Fail(nameof(NewSession.VenueId), "Choose an open venue from the list.");
        }

        if (!YearGroups.AreValid(session.YearGroups))
        {
            return Outcome<long>.Fail(nameof(NewSession.YearGroups), "Choose year groups from Reception to Year 13.");
        }
        if (!session.PlanOnClosedDays)
        {
            // The days it touches in the UK: an evening session that runs past midnight touches two.
            var days = new[] { session.StartsAtUtc, session.EndsAtUtc }.Select(t => DateOnly.FromDateTime(UkTime.ToLocal(t))).Distinct()
                .Select(day => (session.VenueId, day)).ToList();
            var closures = await ClosedDayData.ClosuresAsync(connection, transaction, days, cancellationToken);
            if (closures.Count > 0)
            {
                return Outcome<long>.Fail(nameof(NewSession.PlanOnClosedDays), SeriesData.ClosedMessage(closures.OrderBy(c => c.Day).ToList()));
            }
        }
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO outreach.sessions (venue_id, kind, title, starts_at, ends_at, required_workers, expected_size, notes, year_groups)
            VALUES (@VenueId, @Kind, @Title, @StartsAtUtc, @EndsAtUtc, @RequiredWorkers, @ExpectedSize, @Notes, @YearGroups)
            RETURNING id
            """, new
            {
                session.VenueId, session.Kind, session.Title, session.StartsAtUtc, session.EndsAtUtc, session.RequiredWorkers,
                session.ExpectedSize, session.Notes, YearGroups = YearGroups.Normalise(session.YearGroups),
            }, transaction, cancellationToken: cancellationToken));
        var skillIds = session.SkillIds?.Distinct().ToArray() ?? [];
        if (skillIds.Length > 0 && await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO outreach.session_required_skills (session_id, skill_id)
                SELECT @id, k.id FROM outreach.skills k WHERE k.id = ANY(@skillIds) AND k.active
                """, new { id, skillIds }, transaction, cancellationToken: cancellationToken)) != skillIds.Length)
        {
            return Outcome<long>.Fail(nameof(NewSession.SkillIds), "Choose skills from the list.");
        }
        await AuditLog.WriteAsync(connection, transaction, actor, "create", "session", id, null, session, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<long>.Ok(id);
    }

    /// <summary>Sets who the session is for: the expected audience size and the school year groups.</summary>
    /// <returns>False when the session does not exist.</returns>
    public async Task<Outcome<bool>> SetAudienceAsync(
        long sessionId, int? expectedSize, IReadOnlyList<int>? yearGroups, Actor actor, CancellationToken cancellationToken)
    {
        if (expectedSize is < 0 or > 5000)
        {
            return Outcome<bool>.Fail("ExpectedSize", "Enter an expected audience between 0 and 5000.");
        }
        if (!YearGroups.AreValid(yearGroups))
        {
            return Outcome<bool>.Fail("YearGroups", "Choose year groups from Reception to Year 13.");
        }
        var normalised = YearGroups.Normalise(yearGroups);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var before = await connection.QuerySingleOrDefaultAsync<(int? ExpectedSize, int[]? YearGroups)>(new CommandDefinition(
            "SELECT expected_size, year_groups FROM outreach.sessions WHERE id = @sessionId FOR UPDATE",
            new { sessionId }, transaction, cancellationToken: cancellationToken));
        if (await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE outreach.sessions SET expected_size = @expectedSize, year_groups = @normalised, updated_at = now()
                WHERE id = @sessionId
                """, new { sessionId, expectedSize, normalised }, transaction, cancellationToken: cancellationToken)) == 0)
        {
            return Outcome<bool>.Ok(false);
        }
        await AuditLog.WriteAsync(connection, transaction, actor, "update-audience", "session", sessionId,
            new { before.ExpectedSize, before.YearGroups }, new { ExpectedSize = expectedSize, YearGroups = normalised }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<bool>.Ok(true);
    }

    /// <summary>
    /// Books a worker onto a session. The database's exclusion constraint is the final word on double
    /// booking, so two coordinators clicking at once cannot both succeed.
    /// </summary>
    public async Task<Outcome<long>> AssignAsync(long sessionId, long workerId, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var session = await connection.QuerySingleOrDefaultAsync<SessionState>(new CommandDefinition(
            "SELECT status, starts_at, ends_at FROM outreach.sessions WHERE id = @sessionId FOR UPDATE",
            new { sessionId }, transaction, cancellationToken: cancellationToken));
        if (session is null)
        {
            return Outcome<long>.Fail("WorkerId", "That session no longer exists.");
        }
        if (session.Status is "cancelled" or "delivered")
        {
            return Outcome<long>.Fail("WorkerId", $"The session is {session.Status}: workers can no longer be assigned.");
        }
        // Bookings of one worker take turns here. Each then sees the one before it committed, and the exclusion
        // constraint refuses an overlap at once; without the turn, two overlapping inserts in flight wait on each
        // other, and under load PostgreSQL ends that deadlock by failing one of them with an error.
        var workerActive = await connection.ExecuteScalarAsync<bool?>(new CommandDefinition(
            "SELECT active FROM outreach.youth_workers WHERE id = @workerId FOR NO KEY UPDATE",
            new { workerId }, transaction, cancellationToken: cancellationToken)) == true;
        if (!workerActive)
        {
            return Outcome<long>.Fail("WorkerId", "Choose an active youth worker from the list.");
        }
        // The friendly form of the rule the database's trigger enforces.
        if (await Dbs.AssignmentRefusalAsync(connection, transaction, workerId, session.EndsAt, cancellationToken) is { } dbsRefusal)
        {
            return Outcome<long>.Fail("WorkerId", dbsRefusal);
        }

        long id;
        try
        {
            // The first worker on a session leads it (and records it) unless someone already does.
            id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO outreach.assignments (session_id, worker_id, is_lead, during)
                VALUES (@sessionId, @workerId,
                        NOT EXISTS (SELECT 1 FROM outreach.assignments
                                     WHERE session_id = @sessionId AND is_lead AND status IN ('assigned', 'confirmed')),
                        'empty')
                ON CONFLICT (session_id, worker_id) DO UPDATE
                   SET status = 'assigned', updated_at = now()
                 WHERE outreach.assignments.status IN ('declined', 'withdrawn')
                RETURNING id
                """, new { sessionId, workerId }, transaction, cancellationToken: cancellationToken));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ExclusionViolation)
        {
            return Outcome<long>.Fail("WorkerId", "This worker is already booked at an overlapping time.");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation && e.ConstraintName == Dbs.ConstraintName)
        {
            return Outcome<long>.Fail("WorkerId", "This worker's DBS check does not cover this session, so they cannot be assigned.");
        }
        if (id == 0)
        {
            return Outcome<long>.Fail("WorkerId", "This worker is already assigned to the session.");
        }

        await AuditLog.WriteAsync(connection, transaction, actor, "assign", "assignment", id, null,
            new { sessionId, workerId }, cancellationToken);
        // In the booking's transaction, so no booking is left without its "reply YES or NO".
        await Messages.ConfirmationData.OpenRequestAsync(connection, transaction, id, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<long>.Ok(id, FollowUps.Booked([new ReminderDue(id, session.StartsAt)]));
    }

    /// <summary>
    /// Takes a worker off a session. The booking stays, marked withdrawn, so the history shows who was due to
    /// go and the worker can be booked again later. If they led the session, the longest-booked worker still on
    /// it leads instead, so someone is there to record it. Reminders already queued for them are not sent.
    /// </summary>
    public async Task<Outcome<Withdrawal>> WithdrawAsync(long sessionId, long assignmentId, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // The session first, as booking does, so a withdrawal and a booking on one session take turns.
        var session = await connection.QuerySingleOrDefaultAsync<SessionState>(new CommandDefinition(
            "SELECT status, starts_at, ends_at FROM outreach.sessions WHERE id = @sessionId FOR UPDATE",
            new { sessionId }, transaction, cancellationToken: cancellationToken));
        if (session is null)
        {
            return Outcome<Withdrawal>.Fail("", "That session no longer exists.");
        }
        if (session.Status is "cancelled" or "delivered")
        {
            return Outcome<Withdrawal>.Fail("", $"The session is {session.Status}: its bookings stay as they were.");
        }
        var booking = await connection.QuerySingleOrDefaultAsync<BookingState>(new CommandDefinition("""
            SELECT worker_id, status, is_lead FROM outreach.assignments
            WHERE id = @assignmentId AND session_id = @sessionId
            FOR UPDATE
            """, new { sessionId, assignmentId }, transaction, cancellationToken: cancellationToken));
        if (booking is null)
        {
            return Outcome<Withdrawal>.Fail("", "That booking is not on this session.");
        }
        if (booking.Status is not ("assigned" or "confirmed"))
        {
            return Outcome<Withdrawal>.Fail("", $"This booking is already {booking.Status}.");
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.assignments SET status = 'withdrawn', is_lead = false, updated_at = now()
            WHERE id = @assignmentId AND session_id = @sessionId
            """, new { sessionId, assignmentId }, transaction, cancellationToken: cancellationToken));
        long? newLead = null;
        if (booking.IsLead)
        {
            newLead = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
                UPDATE outreach.assignments SET is_lead = true, updated_at = now()
                WHERE id = (SELECT id FROM outreach.assignments
                             WHERE session_id = @sessionId AND status IN ('assigned', 'confirmed')
                             ORDER BY created_at, id LIMIT 1)
                RETURNING id
                """, new { sessionId }, transaction, cancellationToken: cancellationToken));
        }
        // The request to confirm first: a confirmation job queueing its text at this moment holds the request's row,
        // so this waits for it and the text it queued is then voided below with the rest.
        await Messages.ConfirmationData.VoidForAssignmentAsync(connection, transaction, assignmentId, cancellationToken);
        // Whatever is still waiting to go to them about this session (reminders, the request to confirm) is stale now.
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE outreach.sms_outbox SET status = 'void', last_error = 'booking withdrawn'
            WHERE worker_id = @WorkerId AND session_id = @sessionId AND status = 'pending'
            """, new { booking.WorkerId, sessionId }, transaction, cancellationToken: cancellationToken));
        // The place goes on offer as cover in the same transaction (when the session is still short of workers).
        await Messages.CoverData.OpenAsync(connection, transaction, sessionId, assignmentId, "withdrawn", cancellationToken);
        await AuditLog.WriteAsync(connection, transaction, actor, "withdraw", "assignment", assignmentId,
            new { sessionId, booking.WorkerId, booking.Status, booking.IsLead },
            new { sessionId, booking.WorkerId, Status = "withdrawn", IsLead = false, NewLeadAssignmentId = newLead },
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<Withdrawal>.Ok(new Withdrawal(assignmentId, booking.WorkerId, newLead), FollowUps.PlaceOffered);
    }
}
