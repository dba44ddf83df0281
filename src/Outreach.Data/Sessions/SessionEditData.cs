using Dapper;
using Npgsql;
using Outreach.Data.Audit;
using Outreach.Data.ClosedDays;

namespace Outreach.Data.Sessions;

/// <summary>One occurrence, or this one and every later occurrence of its series that is still to happen.</summary>
public enum ChangeScope
{
    This,
    ThisAndFollowing,
}

public sealed record SessionForEdit(
    long Id, long? SeriesId, long VenueId, string VenueName, string Kind, string Title, DateTime StartsAt,
    DateTime EndsAt, int RequiredWorkers, string Notes, string Status, string? CancelReason, int Version,
    long LaterInSeries)
{
    public bool CanChange => Status is not ("cancelled" or "delivered");
}

/// <summary>
/// The session's new values, times in UK wall-clock. With <see cref="ChangeScope.ThisAndFollowing"/>, what
/// differs from this occurrence is applied to the later ones too; what was left alone stays as each one has it.
/// Without <see cref="EndDate"/> an end at or before the start time is on the next day (the Edit page's form,
/// as for a series); with it, the end is on that date and must come after the start.
/// </summary>
public sealed record SessionChange(
    long SessionId, ChangeScope Scope, DateOnly Date, TimeOnly StartTime, TimeOnly EndTime, long VenueId,
    string Kind, string Title, int RequiredWorkers, string Notes, bool PlanOnClosedDays = false, DateTime? ExpectedUpdatedAt = null,
    DateOnly? EndDate = null)
{
    internal PlannedOccurrence On(DateOnly date) => EndDate is { } endDate
        ? PlannedOccurrence.Between(date, StartTime, date.AddDays(endDate.DayNumber - Date.DayNumber), EndTime)
        : PlannedOccurrence.On(date, StartTime, EndTime);
}

/// <summary>An active booking on a session that moved: its reminders follow the new time.</summary>
public sealed record MovedAssignment(long AssignmentId, DateTime StartsAt);

public sealed record ChangedSessions(IReadOnlyList<long> SessionIds, IReadOnlyList<MovedAssignment> Moved);

/// <summary>Changing and cancelling sessions that are already planned, one or this-and-following of a series.</summary>
public sealed class SessionEditData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public const int MaxReason = 500;

    private sealed record Current(
        long Id, long? SeriesId, DateTime? OccurrenceDate, long VenueId, string Kind, string Title, DateTime StartsAt,
        DateTime EndsAt, int RequiredWorkers, string Notes, string Status, int Version);

    private sealed record Clash(string FullName, string Title, string VenueName, DateTime StartsAt);

    private sealed record Updated(
        long Id, long VenueId, string Kind, string Title, DateTime StartsAt, DateTime EndsAt, int RequiredWorkers, string Notes);

    public async Task<SessionForEdit?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<SessionForEdit>(new CommandDefinition("""
            SELECT s.id, s.series_id, s.venue_id, v.name AS venue_name, s.kind, s.title, s.starts_at, s.ends_at,
                   s.required_workers, s.notes, s.status, s.cancel_reason, s.version,
                   (SELECT count(*) FROM outreach.sessions l
                     WHERE l.series_id = s.series_id AND l.occurrence_date > s.occurrence_date
                       AND l.status NOT IN ('cancelled', 'delivered')) AS later_in_series
            FROM outreach.sessions s JOIN outreach.venues v ON v.id = s.venue_id
            WHERE s.id = @id
            """, new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Applies the change in one transaction. A new time or venue bumps the session's version, so its
    /// reminders are keyed anew. A move that would put an assigned worker in two places at once is
    /// refused by the database's exclusion constraint, and the message names the worker.
    /// </summary>
    public async Task<Outcome<ChangedSessions>> ChangeAsync(SessionChange change, Actor actor, CancellationToken cancellationToken)
    {
        var errors = SessionRules.CheckDescription(change.Kind, change.Title, change.RequiredWorkers, change.Notes);
        if (change.EndDate is null && change.EndTime == change.StartTime)
        {
            errors.Add(new FieldError("EndTime", "The end time must differ from the start time."));
        }
        else if (change.EndDate is null && SessionRules.OvernightProblem(change.StartTime, change.EndTime) is { } overnight)
        {
            errors.Add(new FieldError("EndTime", overnight));
        }
        else if (change.On(change.Date) is { StartUtc: { } startUtc, EndUtc: { } endUtc }
            && SessionRules.LengthProblem(startUtc, endUtc) is { } length)
        {
            errors.Add(new FieldError("EndTime", length));
        }
        if (errors.Count > 0)
        {
            return Outcome<ChangedSessions>.Invalid(errors);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var planned = new List<(Current Before, Updated After)>();
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            var refusal = await PlanAsync(connection, transaction, change, planned, cancellationToken);
            if (refusal is not null)
            {
                return Fail<ChangedSessions>(refusal.Field, refusal.Message);
            }
            var changed = planned.Where(p => p.Before.VenueId != p.After.VenueId || p.Before.Kind != p.After.Kind
                || p.Before.Title != p.After.Title || p.Before.StartsAt != p.After.StartsAt || p.Before.EndsAt != p.After.EndsAt
                || p.Before.RequiredWorkers != p.After.RequiredWorkers || p.Before.Notes != p.After.Notes).ToList();
            if (changed.Count == 0)
            {
                return Outcome<ChangedSessions>.Ok(new ChangedSessions([], []));
            }

            // Row by row, in the direction of the move: when a series shifts later, the last occurrence moves
            // first, so no occurrence lands on a neighbour's old time while that neighbour still holds it.
            var later = changed[0].After.StartsAt > changed[0].Before.StartsAt;
            try
            {
                foreach (var (_, after) in later ? changed.AsEnumerable().Reverse() : changed)
                {
                    await connection.ExecuteAsync(new CommandDefinition("""
                        UPDATE outreach.sessions
                           SET venue_id = @VenueId, kind = @Kind, title = @Title, starts_at = @StartsAt, ends_at = @EndsAt,
                               required_workers = @RequiredWorkers, notes = @Notes,
                               version = version + CASE WHEN (starts_at, ends_at, venue_id)
                                                             IS DISTINCT FROM (@StartsAt, @EndsAt, @VenueId)
                                                        THEN 1 ELSE 0 END,
                               updated_at = now()
                         WHERE id = @Id
                        """, after, transaction, cancellationToken: cancellationToken));
                }
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ExclusionViolation)
            {
                await transaction.RollbackAsync(cancellationToken);
                var clash = await FindClashAsync(connection, changed.Select(c => c.After).ToList(), cancellationToken);
                return Fail<ChangedSessions>("", clash is null
                    ? "Moving this session would double-book a worker who is assigned to it. Nothing was changed."
                    : $"Moving this session would double-book {clash.FullName}: they are booked on " +
                      $"{(string.IsNullOrWhiteSpace(clash.Title) ? "another session" : clash.Title)} at {clash.VenueName}, " +
                      $"{UkTime.Format(clash.StartsAt)}. Nothing was changed.");
            }

            foreach (var (before, after) in changed)
            {
                await AuditLog.WriteAsync(connection, transaction, actor, "update", "session", before.Id,
                    new { before.VenueId, before.Kind, before.Title, StartsAtUtc = before.StartsAt, EndsAtUtc = before.EndsAt, before.RequiredWorkers, before.Notes, before.Version },
                    new { after.VenueId, after.Kind, after.Title, StartsAtUtc = after.StartsAt, EndsAtUtc = after.EndsAt, after.RequiredWorkers, after.Notes, Scope = change.Scope.ToString() },
                    cancellationToken);
            }
            var movedIds = changed.Where(c => c.Before.StartsAt != c.After.StartsAt || c.Before.EndsAt != c.After.EndsAt
                || c.Before.VenueId != c.After.VenueId).Select(c => c.Before.Id).ToArray();
            var moved = (await connection.QueryAsync<MovedAssignment>(new CommandDefinition("""
                SELECT a.id AS assignment_id, s.starts_at
                FROM outreach.assignments a JOIN outreach.sessions s ON s.id = a.session_id
                WHERE a.session_id = ANY(@movedIds) AND a.status IN ('assigned', 'confirmed')
                ORDER BY a.id
                """, new { movedIds }, transaction, cancellationToken: cancellationToken))).AsList();
            // Keyed by the new version: the booked workers are told once about each change of time or venue.
            await Messages.NoticeData.RecordAsync(connection, transaction, movedIds, "changed", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return Outcome<ChangedSessions>.Ok(new ChangedSessions(changed.Select(c => c.Before.Id).ToList(), moved),
                moved.Count > 0
                    ? FollowUps.SessionsChanged(moved.Select(m => new ReminderDue(m.AssignmentId, m.StartsAt)).ToList())
                    : FollowUps.None);
        }
    }

    /// <summary>
    /// Cancels the session (and with <see cref="ChangeScope.ThisAndFollowing"/>, the later occurrences of its
    /// series still to happen). Assignments stay as they are; reminders are not sent for cancelled sessions.
    /// </summary>
    public async Task<Outcome<IReadOnlyList<long>>> CancelAsync(
        long sessionId, ChangeScope scope, string reason, Actor actor, CancellationToken cancellationToken)
    {
        reason = reason.Trim();
        if (reason.Length is 0 or > MaxReason)
        {
            return Outcome<IReadOnlyList<long>>.Invalid([new FieldError("Reason", reason.Length == 0
                ? "Give the reason for cancelling: the workers and the venue will ask."
                : $"Keep the reason under {MaxReason} characters.")]);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var target = await LockAsync(connection, transaction, sessionId, cancellationToken);
        if (target is null)
        {
            return Fail<IReadOnlyList<long>>("", "That session no longer exists.");
        }
        if (target.Status is "cancelled" or "delivered")
        {
            return Fail<IReadOnlyList<long>>("", $"The session is already {target.Status}.");
        }
        var ids = scope == ChangeScope.ThisAndFollowing && target.SeriesId is not null
            ? (await LockFollowingAsync(connection, transaction, target, cancellationToken)).Select(s => s.Id).ToArray()
            : [target.Id];

        var cancelled = (await connection.QueryAsync<(long Id, string Status)>(new CommandDefinition("""
            UPDATE outreach.sessions n
               SET status = 'cancelled', cancel_reason = @reason, updated_at = now()
              FROM outreach.sessions o
             WHERE n.id = o.id AND n.id = ANY(@ids) AND n.status NOT IN ('cancelled', 'delivered')
            RETURNING n.id, o.status
            """, new { ids, reason }, transaction, cancellationToken: cancellationToken))).AsList();
        foreach (var (id, before) in cancelled)
        {
            await AuditLog.WriteAsync(connection, transaction, actor, "cancel", "session", id,
                new { Status = before }, new { Status = "cancelled", CancelReason = reason, Scope = scope.ToString() },
                cancellationToken);
        }
        await Messages.NoticeData.RecordAsync(connection, transaction, cancelled.Select(c => c.Id).ToList(), "cancelled", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<IReadOnlyList<long>>.Ok(cancelled.Select(c => c.Id).Order().ToList(), FollowUps.SessionsChanged([]));
    }

    /// <summary>Works out each session's new values; returns a refusal, or null with <paramref name="planned"/> filled.</summary>
    private async Task<FieldError?> PlanAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, SessionChange change,
        List<(Current Before, Updated After)> planned, CancellationToken cancellationToken)
    {
        var target = await LockAsync(connection, transaction, change.SessionId, cancellationToken);
        if (target is null)
        {
            return new FieldError("", "That session no longer exists.");
        }
        if (target.Status is "cancelled" or "delivered")
        {
            return new FieldError("", $"The session is {target.Status}: it can no longer be changed.");
        }
        if (change.ExpectedUpdatedAt is { } expected && await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition(
                "SELECT updated_at FROM outreach.sessions WHERE id = @SessionId", change, transaction,
                cancellationToken: cancellationToken)) != expected)
        {
            return new FieldError(nameof(SessionChange.ExpectedUpdatedAt),
                "Someone else changed this session after the version you started from. Nothing was changed: look again and redo your change.");
        }
        var sessions = change.Scope == ChangeScope.ThisAndFollowing && target.SeriesId is not null
            ? await LockFollowingAsync(connection, transaction, target, cancellationToken)
            : [target];

        if (change.VenueId != target.VenueId && !await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM outreach.venues WHERE id = @VenueId AND status = 'open')",
                change, transaction, cancellationToken: cancellationToken)))
        {
            return new FieldError("VenueId", "Choose an open venue from the list.");
        }

        var targetStart = UkTime.ToLocal(target.StartsAt);
        var targetEnd = UkTime.ToLocal(target.EndsAt);
        var timeChanged = DateOnly.FromDateTime(targetStart) != change.Date
            || TimeOnly.FromDateTime(targetStart) != change.StartTime
            || TimeOnly.FromDateTime(targetEnd) != change.EndTime
            || (change.EndDate is { } endDate && DateOnly.FromDateTime(targetEnd) != endDate);
        var dayShift = change.Date.DayNumber - DateOnly.FromDateTime(targetStart).DayNumber;
        var now = clock.GetUtcNow().UtcDateTime;

        foreach (var s in sessions)
        {
            DateTime startsAt = s.StartsAt, endsAt = s.EndsAt;
            if (timeChanged)
            {
                // Each occurrence keeps its own date (moved by the same number of days) and takes the new
                // wall-clock times, converted on that date: the clock changes give each its own UTC instants.
                var date = DateOnly.FromDateTime(UkTime.ToLocal(s.StartsAt)).AddDays(dayShift);
                var occurrence = change.On(date);
                if (!occurrence.Exists)
                {
                    return new FieldError(s.Id == target.Id ? "StartTime" : "", occurrence.Problem!);
                }
                startsAt = occurrence.StartUtc!.Value;
                endsAt = occurrence.EndUtc!.Value;
                // Checked per occurrence too: across a clock change the same wall-clock times last an hour more.
                if (SessionRules.LengthProblem(startsAt, endsAt) is { } length)
                {
                    return new FieldError(s.Id == target.Id ? "EndTime" : "",
                        $"The session on {UkTime.Format(startsAt, "ddd d MMM yyyy")}: {length}");
                }
                if (startsAt <= now)
                {
                    return new FieldError(s.Id == target.Id ? "Date" : "",
                        $"The session on {UkTime.Format(startsAt, "ddd d MMM yyyy")} would start in the past. Choose a later time.");
                }
            }
            planned.Add((s, new Updated(
                s.Id,
                change.VenueId != target.VenueId ? change.VenueId : s.VenueId,
                change.Kind != target.Kind ? change.Kind : s.Kind,
                change.Title != target.Title ? change.Title : s.Title,
                startsAt,
                endsAt,
                change.RequiredWorkers != target.RequiredWorkers ? change.RequiredWorkers : s.RequiredWorkers,
                change.Notes != target.Notes ? change.Notes : s.Notes)));
        }

        if (!change.PlanOnClosedDays)
        {
            var movedThere = planned
                .Where(p => p.Before.VenueId != p.After.VenueId || p.Before.StartsAt != p.After.StartsAt)
                .Select(p => (p.After.VenueId, DateOnly.FromDateTime(UkTime.ToLocal(p.After.StartsAt))))
                .ToList();
            var closures = await ClosedDayData.ClosuresAsync(connection, transaction, movedThere, cancellationToken);
            if (closures.Count > 0)
            {
                return new FieldError("PlanOnClosedDays", SeriesData.ClosedMessage(closures.OrderBy(c => c.Day).ToList()));
            }
        }
        return null;
    }

    private static Task<Current?> LockAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long id, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<Current>(new CommandDefinition("""
            SELECT id, series_id, occurrence_date::timestamp AS occurrence_date, venue_id, kind, title, starts_at, ends_at, required_workers, notes,
                   status, version
            FROM outreach.sessions WHERE id = @id FOR UPDATE
            """, new { id }, transaction, cancellationToken: cancellationToken));

    /// <summary>This occurrence and the later ones of its series that have not been cancelled or delivered.</summary>
    private static async Task<List<Current>> LockFollowingAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Current target, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<Current>(new CommandDefinition("""
            SELECT id, series_id, occurrence_date::timestamp AS occurrence_date, venue_id, kind, title, starts_at, ends_at, required_workers, notes,
                   status, version
            FROM outreach.sessions
            WHERE series_id = @SeriesId AND occurrence_date >= @OccurrenceDate::date
              AND (id = @Id OR status NOT IN ('cancelled', 'delivered'))
            ORDER BY occurrence_date
            FOR UPDATE
            """, target, transaction, cancellationToken: cancellationToken))).AsList();

    /// <summary>After a refused move: which assigned worker would have been in two places, and where else.</summary>
    private static async Task<Clash?> FindClashAsync(
        NpgsqlConnection connection, IReadOnlyList<Updated> moved, CancellationToken cancellationToken) =>
        await connection.QueryFirstOrDefaultAsync<Clash>(new CommandDefinition("""
            WITH m AS (
                SELECT * FROM unnest(@ids, @starts::timestamptz[], @ends::timestamptz[]) AS m(session_id, starts_at, ends_at)
            )
            SELECT w.full_name, o.title, ov.name AS venue_name, coalesce(m2.starts_at, o.starts_at) AS starts_at
            FROM m
            JOIN outreach.assignments a ON a.session_id = m.session_id AND a.status IN ('assigned', 'confirmed')
            JOIN outreach.assignments oa ON oa.worker_id = a.worker_id AND oa.session_id <> a.session_id
                                        AND oa.status IN ('assigned', 'confirmed')
            LEFT JOIN m m2 ON m2.session_id = oa.session_id
            JOIN outreach.sessions o ON o.id = oa.session_id
            JOIN outreach.venues ov ON ov.id = o.venue_id
            JOIN outreach.youth_workers w ON w.id = a.worker_id
            WHERE tstzrange(m.starts_at, m.ends_at, '[)')
                  && coalesce(tstzrange(m2.starts_at, m2.ends_at, '[)'), oa.during)
            ORDER BY m.starts_at, w.full_name
            LIMIT 1
            """,
            new
            {
                ids = moved.Select(m => m.Id).ToArray(),
                starts = moved.Select(m => m.StartsAt).ToArray(),
                ends = moved.Select(m => m.EndsAt).ToArray(),
            }, cancellationToken: cancellationToken));

    private static Outcome<T> Fail<T>(string field, string message) => Outcome<T>.Fail(field, message);
}
