using System.Globalization;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Outreach.Data.Audit;
using Outreach.Data.Workers;

namespace Outreach.Data.Sessions;

/// <summary>What to fill: the sessions of one series, or one UK week (Monday to Sunday), optionally in one area.</summary>
public sealed record AutoFillScope(long? SeriesId, DateOnly? WeekOf, long? AreaId)
{
    public static AutoFillScope Series(long seriesId) => new(seriesId, null, null);

    public static AutoFillScope Week(DateOnly monday, long? areaId) => new(null, monday, areaId);
}

/// <summary>The series a coordinator is filling, as the page heads it.</summary>
public sealed record SeriesSummary(long Id, string Title, string Kind, string VenueName, string AreaName, long Upcoming);

/// <summary>
/// A worker the plan puts on a session, with their load: sessions booked in the 28 days before it, sessions of this
/// plan before it proposed for them, and hours that UK week (booked, and proposed before it).
/// </summary>
public sealed record ProposedWorker(long WorkerId, string FullName, long RecentSessions, int EarlierInPlan, decimal HoursThatWeek);

/// <summary>
/// One session that needs workers: whom the plan proposes and, when it cannot find enough, why not
/// (each line a reason and how many of the region's workers it rules out).
/// </summary>
public sealed record PlannedSession(
    long SessionId, string Title, string Kind, string VenueName, string AreaName, DateTime StartsAt, DateTime EndsAt,
    int RequiredWorkers, int AssignedWorkers, IReadOnlyList<ProposedWorker> Proposed, IReadOnlyList<string> Why)
{
    public int Needed => RequiredWorkers - AssignedWorkers;

    public bool Filled => Proposed.Count >= Needed;

    public string Label => AutoFillData.Describe(Title, Kind, VenueName, StartsAt);
}

/// <summary>The preview: every unfilled session in scope, in time order, with the proposed rota.</summary>
public sealed record AutoFillPlan(IReadOnlyList<PlannedSession> Sessions, bool TooMany)
{
    public IReadOnlyList<ProposedPair> Pairs =>
        Sessions.SelectMany(s => s.Proposed.Select(p => new ProposedPair(s.SessionId, p.WorkerId))).ToList();

    public IEnumerable<PlannedSession> Unfillable => Sessions.Where(s => !s.Filled);

    public int SessionsWithProposals => Sessions.Count(s => s.Proposed.Count > 0);
}

/// <summary>One booking of the plan, as the accept form posts it back.</summary>
public sealed record ProposedPair(long SessionId, long WorkerId)
{
    public string Value => string.Create(CultureInfo.InvariantCulture, $"{SessionId}:{WorkerId}");

    public static bool TryParse(string? value, out ProposedPair pair)
    {
        pair = new ProposedPair(0, 0);
        var parts = (value ?? "").Split(':');
        if (parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var session) && session > 0
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var worker) && worker > 0)
        {
            pair = new ProposedPair(session, worker);
            return true;
        }
        return false;
    }
}

/// <summary>A booking the accepted plan wrote: its reminders are scheduled from the session's start.</summary>
public sealed record AcceptedAssignment(long AssignmentId, long SessionId, long WorkerId, DateTime StartsAt);

/// <summary>
/// Auto-fill: proposes a balanced rota for the unfilled sessions of a series or a week, and books an
/// accepted proposal in one transaction. Eligibility is the ranking's (<see cref="CandidateData"/>); on top
/// of it the plan counts its own proposals, so a worker is not proposed for two overlapping (or too close)
/// sessions, nor past their contracted hours, and the load is spread across the proposal itself.
/// </summary>
public sealed partial class AutoFillData(
    NpgsqlDataSource dataSource, CandidateData candidates, IOptions<SchedulingOptions> options, TimeProvider clock)
{
    /// <summary>Sessions planned at once: each is one ranking query, and a page of proposals must stay readable.</summary>
    public const int MaxSessions = 200;

    /// <summary>Bookings accepted at once (well under the form's value limit).</summary>
    public const int MaxPairs = 800;

    /// <summary>Rankings run side by side while planning: each holds one pooled connection.</summary>
    private const int RankingsAtOnce = 4;

    private static readonly CultureInfo EnGb = CultureInfo.GetCultureInfo("en-GB");

    private sealed record OpenSession(
        long Id, string Title, string Kind, string VenueName, string AreaName, DateTime StartsAt, DateTime EndsAt,
        int RequiredWorkers, long AssignedWorkers)
    {
        public int Needed => RequiredWorkers - (int)AssignedWorkers;

        public string Label => Describe(Title, Kind, VenueName, StartsAt);
    }

    private sealed record SessionName(string Title, string Kind, string VenueName, DateTime StartsAt);

    public static string Describe(string title, string kind, string venueName, DateTime startsAt) =>
        $"{(string.IsNullOrWhiteSpace(title) ? SessionKinds.Label(kind) : title.Trim())} at {venueName}, {UkTime.Format(startsAt, "ddd d MMM yyyy HH:mm")}";

    public async Task<SeriesSummary?> FindSeriesAsync(long seriesId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<SeriesSummary>(new CommandDefinition("""
            SELECT r.id, r.title, r.kind, v.name AS venue_name, a.name AS area_name,
                   (SELECT count(*) FROM outreach.sessions s
                     WHERE s.series_id = r.id AND s.status IN ('planned', 'confirmed') AND s.starts_at > @now) AS upcoming
            FROM outreach.session_series r
            JOIN outreach.venues v ON v.id = r.venue_id
            JOIN outreach.areas a ON a.id = v.area_id
            WHERE r.id = @seriesId
            """, new { seriesId, now = Now() }, cancellationToken: cancellationToken));
    }

    /// <summary>The series a session belongs to, if any (for the session page's "Auto-fill this series").</summary>
    public async Task<long?> SeriesOfSessionAsync(long sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT series_id FROM outreach.sessions WHERE id = @sessionId", new { sessionId },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The proposal for every unfilled session in scope (fewer active bookings than workers needed, planned
    /// or confirmed, still to start), in time order. Writes nothing.
    /// </summary>
    public async Task<AutoFillPlan> PreviewAsync(AutoFillScope scope, CancellationToken cancellationToken)
    {
        var open = await OpenSessionsAsync(scope, null, MaxSessions + 1, cancellationToken);
        var tooMany = open.Count > MaxSessions;
        if (tooMany)
        {
            open = open.Take(MaxSessions).ToList();
        }
        var declined = await DeclinedAsync(open.Select(s => s.Id).ToArray(), cancellationToken);
        var rankings = await RankAllAsync(open.Select(s => s.Id).ToList(), cancellationToken);
        var rota = new Rota(open, rankings, declined, BufferMinutes());
        rota.Fill();
        var planned = new List<PlannedSession>(open.Count);
        for (var i = 0; i < open.Count; i++)
        {
            var session = open[i];
            var chosen = rota.Proposed(i);
            IReadOnlyList<string> why = chosen.Count >= session.Needed ? [] : Explain(session, chosen.Count, rankings[session.Id], rota.Refusals(i));
            planned.Add(new PlannedSession(
                session.Id, session.Title, session.Kind, session.VenueName, session.AreaName, session.StartsAt, session.EndsAt,
                session.RequiredWorkers, (int)session.AssignedWorkers, chosen, why));
        }
        return new AutoFillPlan(planned, tooMany);
    }

    /// <summary>
    /// Books the accepted proposal, all of it or none. The pairs come back from the coordinator's browser,
    /// so they are checked again as if planned now: every session still in scope and short of workers, every
    /// worker still eligible (the ranking), no worker on two overlapping or too-close sessions of the plan.
    /// The database has the last word (no double booking, the DBS rule): one refusal rolls everything back.
    /// </summary>
    public async Task<Outcome<IReadOnlyList<AcceptedAssignment>>> AcceptAsync(
        AutoFillScope scope, IReadOnlyList<ProposedPair> pairs, Actor actor, CancellationToken cancellationToken)
    {
        if (pairs.Count == 0)
        {
            return Fail("Nothing to assign: tick at least one proposed worker.");
        }
        if (pairs.Count > MaxPairs)
        {
            return Fail($"At most {MaxPairs} workers can be assigned at once.");
        }
        if (pairs.Distinct().Count() != pairs.Count)
        {
            return Fail("The plan names the same worker for a session twice. Look at the plan again and accept it.");
        }

        var sessionIds = pairs.Select(p => p.SessionId).Distinct().ToArray();
        var open = (await OpenSessionsAsync(scope, sessionIds, sessionIds.Length, cancellationToken)).ToDictionary(s => s.Id);
        var names = await WorkerNamesAsync(pairs.Select(p => p.WorkerId).Distinct().ToArray(), cancellationToken);
        var errors = new List<FieldError>();
        var missing = sessionIds.Where(id => !open.ContainsKey(id)).ToList();
        foreach (var id in missing.Take(5))
        {
            errors.Add(new FieldError("", await NotOpenMessageAsync(id, scope, cancellationToken)));
        }
        if (missing.Count > 5)
        {
            errors.Add(new FieldError("", $"{missing.Count - 5} more sessions of the plan are no longer open to fill."));
        }
        foreach (var group in pairs.Where(p => open.ContainsKey(p.SessionId)).GroupBy(p => p.SessionId))
        {
            var session = open[group.Key];
            if (group.Count() > session.Needed)
            {
                errors.Add(new FieldError("", $"{session.Label} now needs {Workers(session.Needed)}, not {group.Count()}."));
            }
        }
        if (errors.Count > 0)
        {
            return new Outcome<IReadOnlyList<AcceptedAssignment>>(null, errors);
        }

        var ordered = pairs.OrderBy(p => open[p.SessionId].StartsAt).ThenBy(p => p.SessionId).ToList();
        var declined = await DeclinedAsync(sessionIds, cancellationToken);
        var plan = new Plan(BufferMinutes());
        var rankings = await RankAllAsync(sessionIds, cancellationToken);
        foreach (var pair in ordered)
        {
            var session = open[pair.SessionId];
            var ranked = rankings[session.Id];
            var name = names.GetValueOrDefault(pair.WorkerId);
            var candidate = ranked.FirstOrDefault(c => c.Id == pair.WorkerId);
            var problem = name is null ? $"The plan names a youth worker who does not exist for {session.Label}."
                : candidate is null ? $"{name} cannot be given {session.Label}: they are already on it, inactive, or do not work in its region."
                : !candidate.Eligible ? $"{name} cannot be given {session.Label} any more: {string.Join("; ", candidate.Reasons)}."
                : declined.Contains((session.Id, pair.WorkerId)) ? $"{name} declined or withdrew from {session.Label}."
                : plan.Refusal(candidate, session.StartsAt, session.EndsAt) is { } refusal ? $"{name} cannot be given {session.Label}: {refusal}."
                : null;
            if (problem is not null)
            {
                errors.Add(new FieldError("", problem));
                continue;
            }
            plan.Add(pair.WorkerId, session.StartsAt, session.EndsAt);
        }
        if (errors.Count > 10)
        {
            errors = [.. errors.Take(10), new FieldError("", $"{errors.Count - 10} more of the plan's workers can no longer be given their sessions.")];
        }
        if (errors.Count > 0)
        {
            return new Outcome<IReadOnlyList<AcceptedAssignment>>(null, errors);
        }

        return await WriteAsync(ordered, open, names, actor, cancellationToken);
    }

    private async Task<Outcome<IReadOnlyList<AcceptedAssignment>>> WriteAsync(
        List<ProposedPair> ordered, Dictionary<long, OpenSession> sessions, Dictionary<long, string> names,
        Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // The rows AssignAsync locks too, in id order so two overlapping plans cannot deadlock: a booking made
        // on the session page meanwhile is counted below, not added on top.
        var sessionIds = sessions.Keys.Order().ToArray();
        var locked = (await connection.QueryAsync<(long Id, string Status, DateTime StartsAt, int RequiredWorkers)>(new CommandDefinition("""
            SELECT id, status, starts_at, required_workers FROM outreach.sessions
            WHERE id = ANY(@sessionIds) ORDER BY id FOR UPDATE
            """, new { sessionIds }, transaction, cancellationToken: cancellationToken))).ToDictionary(s => s.Id);
        var active = (await connection.QueryAsync<(long SessionId, long Active)>(new CommandDefinition("""
            SELECT session_id, count(*) FROM outreach.assignments
            WHERE session_id = ANY(@sessionIds) AND status IN ('assigned', 'confirmed')
            GROUP BY session_id
            """, new { sessionIds }, transaction, cancellationToken: cancellationToken))).ToDictionary(a => a.SessionId, a => a.Active);
        var now = Now();
        foreach (var group in ordered.GroupBy(p => p.SessionId))
        {
            var session = sessions[group.Key];
            if (!locked.TryGetValue(group.Key, out var current) || current.Status is not ("planned" or "confirmed") || current.StartsAt <= now
                || current.StartsAt != session.StartsAt)
            {
                return Fail($"{session.Label} changed a moment ago (moved, cancelled or started), so nobody was assigned.");
            }
            if (active.GetValueOrDefault(group.Key) + group.Count() > current.RequiredWorkers)
            {
                return Fail($"Someone else assigned workers to {session.Label} a moment ago, so nobody was assigned.");
            }
        }

        var written = new List<AcceptedAssignment>(ordered.Count);
        foreach (var pair in ordered)
        {
            var session = sessions[pair.SessionId];
            var name = names[pair.WorkerId];
            long? id;
            try
            {
                // The first worker on a session leads it (and records it) unless someone already does.
                id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
                    INSERT INTO outreach.assignments (session_id, worker_id, is_lead, during)
                    VALUES (@SessionId, @WorkerId,
                            NOT EXISTS (SELECT 1 FROM outreach.assignments
                                         WHERE session_id = @SessionId AND is_lead AND status IN ('assigned', 'confirmed')),
                            'empty')
                    ON CONFLICT (session_id, worker_id) DO NOTHING
                    RETURNING id
                    """, pair, transaction, cancellationToken: cancellationToken));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ExclusionViolation)
            {
                return Fail($"{name} was booked at an overlapping time a moment ago, so cannot be given {session.Label}. Nobody was assigned.");
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation && e.ConstraintName == Dbs.ConstraintName)
            {
                return Fail($"{name}'s DBS check does not cover {session.Label} any more. Nobody was assigned.");
            }
            if (id is null)
            {
                return Fail($"{name} was put on {session.Label} a moment ago (or had declined it). Nobody was assigned.");
            }
            await AuditLog.WriteAsync(connection, transaction, actor, "assign", "assignment", id.Value, null,
                new { sessionId = pair.SessionId, workerId = pair.WorkerId, autoFill = true }, cancellationToken);
            await Messages.ConfirmationData.OpenRequestAsync(connection, transaction, id.Value, cancellationToken);
            written.Add(new AcceptedAssignment(id.Value, pair.SessionId, pair.WorkerId, session.StartsAt));
        }
        await transaction.CommitAsync(cancellationToken);
        return Outcome<IReadOnlyList<AcceptedAssignment>>.Ok(written,
            FollowUps.Booked(written.Select(a => new ReminderDue(a.AssignmentId, a.StartsAt)).ToList()));
    }

    /// <summary>
    /// The ranking of every session. Each is independent of the plan (it reads only what is booked), so a few run
    /// at once: the plan's cost is then a fraction of one ranking per session.
    /// </summary>
    private async Task<Dictionary<long, IReadOnlyList<Candidate>>> RankAllAsync(IReadOnlyList<long> sessionIds, CancellationToken cancellationToken)
    {
        var rankings = new IReadOnlyList<Candidate>[sessionIds.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, sessionIds.Count),
            new ParallelOptions { MaxDegreeOfParallelism = RankingsAtOnce, CancellationToken = cancellationToken },
            async (i, token) => rankings[i] = await candidates.RankAsync(sessionIds[i], token));
        return sessionIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => rankings[x.i]);
    }

    /// <summary>The sessions in scope still to be filled; with <paramref name="ids"/>, only those of them.</summary>
    private async Task<List<OpenSession>> OpenSessionsAsync(AutoFillScope scope, long[]? ids, int limit, CancellationToken cancellationToken)
    {
        DateTime? fromUtc = null, toUtc = null;
        if (scope.SeriesId is null)
        {
            var monday = scope.WeekOf ?? throw new ArgumentException("Give a series or a week.", nameof(scope));
            (fromUtc, toUtc) = WeekBounds(monday);
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<OpenSession>(new CommandDefinition("""
            SELECT s.id, s.title, s.kind, v.name AS venue_name, a.name AS area_name, s.starts_at, s.ends_at,
                   s.required_workers, n.assigned_workers
            FROM outreach.sessions s
            JOIN outreach.venues v ON v.id = s.venue_id
            JOIN outreach.areas a ON a.id = v.area_id
            CROSS JOIN LATERAL (SELECT count(*) AS assigned_workers FROM outreach.assignments x
                                 WHERE x.session_id = s.id AND x.status IN ('assigned', 'confirmed')) n
            WHERE s.status IN ('planned', 'confirmed') AND s.starts_at > @now
              AND (@seriesId::bigint IS NULL OR s.series_id = @seriesId)
              AND (@fromUtc::timestamptz IS NULL OR (s.starts_at >= @fromUtc AND s.starts_at < @toUtc))
              AND (@areaId::bigint IS NULL OR v.area_id = @areaId)
              AND (@ids::bigint[] IS NULL OR s.id = ANY(@ids))
              AND n.assigned_workers < s.required_workers
            ORDER BY s.starts_at, s.id
            LIMIT @limit
            """,
            new { now = Now(), scope.SeriesId, fromUtc, toUtc, scope.AreaId, ids, limit },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    private async Task<string> NotOpenMessageAsync(long sessionId, AutoFillScope scope, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var session = await connection.QuerySingleOrDefaultAsync<SessionName>(
            new CommandDefinition("""
                SELECT s.title, s.kind, v.name AS venue_name, s.starts_at FROM outreach.sessions s JOIN outreach.venues v ON v.id = s.venue_id
                WHERE s.id = @sessionId
                """, new { sessionId }, cancellationToken: cancellationToken));
        var where = scope.SeriesId is null ? "this week" : "this series";
        return session is { } s
            ? $"{Describe(s.Title, s.Kind, s.VenueName, s.StartsAt)} is no longer open to fill {where}: it is full, cancelled, started, or not part of it."
            : $"The plan names a session that does not exist ({sessionId.ToString(CultureInfo.InvariantCulture)}).";
    }

    private async Task<HashSet<(long SessionId, long WorkerId)>> DeclinedAsync(long[] sessionIds, CancellationToken cancellationToken)
    {
        if (sessionIds.Length == 0)
        {
            return [];
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long SessionId, long WorkerId)>(new CommandDefinition("""
            SELECT session_id, worker_id FROM outreach.assignments
            WHERE session_id = ANY(@sessionIds) AND status IN ('declined', 'withdrawn')
            """, new { sessionIds }, cancellationToken: cancellationToken));
        return rows.ToHashSet();
    }

    private async Task<Dictionary<long, string>> WorkerNamesAsync(long[] workerIds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, string FullName)>(new CommandDefinition(
            "SELECT id, full_name FROM outreach.youth_workers WHERE id = ANY(@workerIds)", new { workerIds },
            cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Id, r => r.FullName);
    }

    /// <summary>
    /// Why a session is short: each reason with how many of the region's workers it rules out (the first
    /// few by name), most common first. Reasons that name another session are grouped by their kind.
    /// </summary>
    private static List<string> Explain(OpenSession session, int found, IReadOnlyList<Candidate> ranked, Dictionary<long, string> refusals)
    {
        var why = new List<string>
        {
            found == 0
                ? $"Needs {Workers(session.Needed)}; nobody could be proposed."
                : $"Needs {Workers(session.Needed)}; only {Workers(found)} could be proposed.",
        };
        if (ranked.Count == 0)
        {
            why.Add($"No youth worker covers the region {session.AreaName} is in. Add areas covered on the workers' profiles.");
            return why;
        }
        var groups = ranked
            .SelectMany(c => (refusals.TryGetValue(c.Id, out var refusal) ? new[] { refusal } : c.Reasons.Select(Category))
                .Distinct(StringComparer.Ordinal).Select(reason => (Reason: reason, c.FullName)))
            .GroupBy(r => r.Reason, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var people = group.Select(g => g.FullName).ToList();
            var named = people.Count <= 3
                ? string.Join(", ", people)
                : $"{string.Join(", ", people.Take(3))} and {people.Count - 3} more";
            why.Add($"{group.Key}: {Workers(people.Count)} ({named})");
        }
        return why;
    }

    /// <summary>The ranking's reasons without the details that differ per worker (which session, which date).</summary>
    private static string Category(string reason) =>
        reason.StartsWith("Busy:", StringComparison.Ordinal) ? "Already booked at an overlapping time"
        : reason.StartsWith("Less than ", StringComparison.Ordinal) && reason.IndexOf(" to or from ", StringComparison.Ordinal) is > 0 and var at
            ? reason[..at] + " to or from another session"
        : reason.StartsWith("DBS check expired", StringComparison.Ordinal) ? "DBS check expired"
        : reason.StartsWith("DBS check due for review", StringComparison.Ordinal) ? "DBS check due for review before the session ends"
        : reason.StartsWith("On leave", StringComparison.Ordinal) ? "On leave"
        : reason.StartsWith("Over contracted hours", StringComparison.Ordinal) ? "Over contracted hours that week"
        : reason;

    private static string Workers(int count) => count == 1 ? "1 worker" : $"{count.ToString(CultureInfo.InvariantCulture)} workers";

    private static Outcome<IReadOnlyList<AcceptedAssignment>> Fail(string message) =>
        Outcome<IReadOnlyList<AcceptedAssignment>>.Fail("", message);

    private DateTime Now() => clock.GetUtcNow().UtcDateTime;

    private int BufferMinutes() => Math.Clamp(options.Value.TravelBufferMinutes, 0, 24 * 60);

    /// <summary>Midnight UK time on the Monday, to midnight UK time on the next Monday.</summary>
    public static (DateTime FromUtc, DateTime ToUtc) WeekBounds(DateOnly monday) =>
        (UkTime.StartOfDay(monday), UkTime.StartOfDay(monday.AddDays(7)));

    /// <summary>The Monday of the UK week a moment falls in.</summary>
    public static DateOnly MondayOf(DateTime utc)
    {
        var day = DateOnly.FromDateTime(UkTime.ToLocal(utc));
        return day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
    }

    /// <summary>The accepted pairs so far, per worker, as the accept re-checks them in time order: what the database cannot know yet.</summary>
    private sealed class Plan(int bufferMinutes)
    {
        private readonly Dictionary<long, List<(DateTime Start, DateTime End)>> _byWorker = [];
        private readonly TimeSpan _buffer = TimeSpan.FromMinutes(bufferMinutes);

        /// <summary>Why the plan itself rules the worker out of this session, or null.</summary>
        public string? Refusal(Candidate candidate, DateTime start, DateTime end)
        {
            if (!_byWorker.TryGetValue(candidate.Id, out var mine))
            {
                return null;
            }
            if (mine.Any(o => o.Start < end && start < o.End))
            {
                return "Proposed in this plan for an overlapping session";
            }
            if (mine.Any(o => o.Start < end + _buffer && start - _buffer < o.End))
            {
                return $"Proposed in this plan for a session less than {bufferMinutes.ToString(CultureInfo.InvariantCulture)} minutes' travel away";
            }
            if (candidate.ContractedHours is { } limit
                && candidate.HoursThisWeek + HoursInWeekOf(candidate.Id, start) + (decimal)(end - start).TotalHours > limit)
            {
                return "Over contracted hours that week with the sessions proposed in this plan";
            }
            return null;
        }

        public void Add(long workerId, DateTime start, DateTime end)
        {
            if (!_byWorker.TryGetValue(workerId, out var mine))
            {
                _byWorker[workerId] = mine = [];
            }
            mine.Add((start, end));
        }

        /// <summary>Hours proposed within the UK week the session starts in (a night across Sunday midnight counts its part).</summary>
        public decimal HoursInWeekOf(long workerId, DateTime start)
        {
            if (!_byWorker.TryGetValue(workerId, out var mine))
            {
                return 0;
            }
            var (from, to) = WeekBounds(MondayOf(start));
            var hours = mine.Sum(o => Math.Max(0, ((o.End < to ? o.End : to) - (o.Start > from ? o.Start : from)).TotalHours));
            return Math.Round((decimal)hours, 1);
        }
    }
}
