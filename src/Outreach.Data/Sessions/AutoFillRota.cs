using System.Globalization;

namespace Outreach.Data.Sessions;

public sealed partial class AutoFillData
{
    /// <summary>
    /// The rota a preview proposes, worked out in memory from the rankings. Sessions with the fewest eligible
    /// workers per place needed are filled first, each from its candidates in fair-share order; a place still
    /// empty then gets a bounded repair: a worker proposed elsewhere moves here when another worker can take the
    /// session they leave (a chain of a few such moves at most). Every placement passes the same rules the accept
    /// re-checks, so the rota stays valid at each step and a failed repair is simply undone.
    /// </summary>
    private sealed class Rota
    {
        /// <summary>Moves in one chain: short chains find almost every full rota, long ones only cost time.</summary>
        private const int MaxChain = 3;

        /// <summary>
        /// Checks (a worker against a session) spent repairing one place, and in all, so a plan with no full rota
        /// still answers in tens of milliseconds.
        /// </summary>
        private const int RepairBudget = 2000, PlanBudget = 40_000;

        private readonly IReadOnlyList<OpenSession> _sessions;
        private readonly IReadOnlyList<Candidate>[] _ranked;
        private readonly (DateTime From, DateTime To)[] _week;
        private readonly Dictionary<long, Candidate>[] _eligible;
        private readonly Candidate[][] _candidates;
        private readonly Dictionary<long, int>[] _rank;
        private readonly List<long>[] _placed;
        private readonly Dictionary<long, List<int>> _byWorker = [];
        private readonly HashSet<(long SessionId, long WorkerId)> _declined;
        private readonly int _bufferMinutes;
        private readonly TimeSpan _buffer;
        private int _spent, _limit;

        /// <param name="sessions">In time order (start, then id), the order the accept replays the plan in.</param>
        public Rota(IReadOnlyList<OpenSession> sessions, Dictionary<long, IReadOnlyList<Candidate>> rankings,
            HashSet<(long SessionId, long WorkerId)> declined, int bufferMinutes)
        {
            _sessions = sessions;
            _declined = declined;
            _bufferMinutes = bufferMinutes;
            _buffer = TimeSpan.FromMinutes(bufferMinutes);
            _eligible = new Dictionary<long, Candidate>[sessions.Count];
            _candidates = new Candidate[sessions.Count][];
            _rank = new Dictionary<long, int>[sessions.Count];
            _ranked = new IReadOnlyList<Candidate>[sessions.Count];
            _week = sessions.Select(s => WeekBounds(MondayOf(s.StartsAt))).ToArray();
            _placed = new List<long>[sessions.Count];
            for (var i = 0; i < sessions.Count; i++)
            {
                var ranked = _ranked[i] = rankings[sessions[i].Id];
                _rank[i] = [];
                for (var r = 0; r < ranked.Count; r++)
                {
                    _rank[i][ranked[r].Id] = r;
                }
                _candidates[i] = ranked.Where(c => c.Eligible && !declined.Contains((sessions[i].Id, c.Id))).ToArray();
                _eligible[i] = _candidates[i].ToDictionary(c => c.Id);
                _placed[i] = [];
            }
        }

        public void Fill()
        {
            // Most constrained first: a session few can do should not find them all taken by one many could do.
            // Equally constrained sessions go in time order, so a series is shared out night by night.
            var order = Enumerable.Range(0, _sessions.Count)
                .OrderBy(i => (double)_candidates[i].Length / Math.Max(_sessions[i].Needed, 1))
                .ThenBy(i => _sessions[i].StartsAt).ThenBy(i => _sessions[i].Id)
                .ToList();
            // Every session's first place before any session's second: when there are too few workers, a session
            // with one worker can still go ahead, one with nobody cannot.
            foreach (var places in new[] { 1, int.MaxValue })
            {
                foreach (var i in order)
                {
                    while (Below(i, places) && PlaceDirectly(i))
                    {
                    }
                    while (Below(i, places) && Repair(i))
                    {
                    }
                }
            }
            // A repair elsewhere may have freed a worker for a session left short before it.
            foreach (var i in order.Where(Short))
            {
                while (Short(i) && PlaceDirectly(i))
                {
                }
            }
        }

        /// <summary>
        /// The workers proposed for a session, with the load as the page shows it: sessions proposed for them
        /// earlier in time in this plan, and hours that UK week (booked, and proposed earlier in time).
        /// </summary>
        public List<ProposedWorker> Proposed(int session) => _placed[session]
            .Select(id => (Candidate: _eligible[session][id], Earlier: Earlier(id, session).ToList()))
            .Select(x => new ProposedWorker(x.Candidate.Id, x.Candidate.FullName, x.Candidate.RecentSessions, x.Earlier.Count,
                x.Candidate.HoursThisWeek + HoursInWeekOf(x.Earlier, session)))
            .ToList();

        /// <summary>Why each eligible worker not proposed for a session could not be, as the plan stands.</summary>
        public Dictionary<long, string> Refusals(int session)
        {
            var refusals = new Dictionary<long, string>();
            var sessionId = _sessions[session].Id;
            foreach (var candidate in _ranked[session].Where(c => c.Eligible && !_placed[session].Contains(c.Id)))
            {
                if (_declined.Contains((sessionId, candidate.Id)))
                {
                    refusals[candidate.Id] = "Declined or withdrew from this session";
                }
                else if (Refusal(candidate.Id, session) is { } refusal)
                {
                    refusals[candidate.Id] = refusal;
                }
            }
            return refusals;
        }

        private bool Short(int session) => _placed[session].Count < _sessions[session].Needed;

        private bool Below(int session, int places) => _placed[session].Count < Math.Min(places, _sessions[session].Needed);

        private bool PlaceDirectly(int session)
        {
            foreach (var candidate in FairShare(session))
            {
                if (Refusal(candidate.Id, session) is null)
                {
                    Place(candidate.Id, session);
                    return true;
                }
            }
            return false;
        }

        /// <summary>Shortest chain first, so a repair disturbs as little of the fair share as it can.</summary>
        private bool Repair(int session)
        {
            if (_spent >= PlanBudget)
            {
                return false;
            }
            _limit = Math.Min(_spent + RepairBudget, PlanBudget);
            for (var chain = 1; chain <= MaxChain; chain++)
            {
                if (Augment(session, chain, [session]))
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>
        /// Fills one place of <paramref name="session"/> by moving a worker there from another session they are
        /// proposed for, when that frees them and the other session can be filled again (directly, or by a
        /// shorter chain of the same). Sessions on the chain are not disturbed again.
        /// </summary>
        private bool Augment(int session, int chain, HashSet<int> onChain)
        {
            foreach (var candidate in FairShare(session))
            {
                var workerId = candidate.Id;
                foreach (var other in _byWorker.GetValueOrDefault(workerId, []).ToList())
                {
                    // Only a session that clashes with this one, or shares its week's hours, can be what rules them out.
                    if (onChain.Contains(other) || !(Near(other, session) || (candidate.ContractedHours is not null && SameWeek(other, session))))
                    {
                        continue;
                    }
                    if (_spent > _limit)
                    {
                        return false;
                    }
                    Remove(workerId, other);
                    if (Refusal(workerId, session) is null)
                    {
                        Place(workerId, session);
                        onChain.Add(other);
                        if (PlaceDirectly(other) || (chain > 1 && Augment(other, chain - 1, onChain)))
                        {
                            return true;
                        }
                        onChain.Remove(other);
                        Remove(workerId, session);
                    }
                    Place(workerId, other);
                }
            }
            return false;
        }

        /// <summary>
        /// The session's candidates not on it yet, fairest first: fewest sessions booked in the 28 days before plus
        /// all proposed in this plan (so a long series goes round everyone before anyone gets another), then fewest
        /// hours that UK week, booked and proposed, then the ranking's own order.
        /// </summary>
        private List<Candidate> FairShare(int session)
        {
            _spent += _candidates[session].Length;
            return _candidates[session]
                .Where(c => !_placed[session].Contains(c.Id))
                .Select(c => (Candidate: c, Share: c.RecentSessions + _byWorker.GetValueOrDefault(c.Id, []).Count,
                    Hours: c.HoursThisWeek + HoursInWeekOf(_byWorker.GetValueOrDefault(c.Id, []), session)))
                .OrderBy(c => c.Share).ThenBy(c => c.Hours).ThenBy(c => _rank[session][c.Candidate.Id])
                .Select(c => c.Candidate)
                .ToList();
        }

        /// <summary>
        /// Why the plan rules the worker out of the session, or null. Hours are checked as the accept checks them,
        /// session by session in time order, for all the worker's proposals with this one among them.
        /// </summary>
        private string? Refusal(long workerId, int session)
        {
            _spent++;
            var (start, end) = (_sessions[session].StartsAt, _sessions[session].EndsAt);
            var mine = _byWorker.GetValueOrDefault(workerId, []);
            string? tooClose = null;
            foreach (var o in mine)
            {
                if (_sessions[o].StartsAt < end && start < _sessions[o].EndsAt)
                {
                    return "Proposed in this plan for an overlapping session";
                }
                if (Near(o, session))
                {
                    tooClose = $"Proposed in this plan for a session less than {_bufferMinutes.ToString(CultureInfo.InvariantCulture)} minutes' travel away";
                }
            }
            if (tooClose is not null)
            {
                return tooClose;
            }
            if (_eligible[session][workerId].ContractedHours is { } limit)
            {
                // The accept replays the plan in time order (the sessions' order here) and checks each session against
                // the hours proposed before it that week: adding this one changes that for itself and for the
                // worker's later sessions in a week it touches, never for earlier ones.
                if (OverHours(workerId, session, session, mine, limit))
                {
                    return "Over contracted hours that week with the sessions proposed in this plan";
                }
                foreach (var o in mine)
                {
                    if (o > session && SameWeek(o, session) && OverHours(workerId, o, session, mine, limit))
                    {
                        return "Over contracted hours that week with the sessions proposed in this plan";
                    }
                }
            }
            return null;
        }

        /// <summary>Whether the worker would pass their hours at <paramref name="at"/>, with <paramref name="adding"/> among their proposals.</summary>
        private bool OverHours(long workerId, int at, int adding, List<int> mine, decimal limit)
        {
            var (from, to) = _week[at];
            var earlier = 0.0;
            foreach (var o in mine.Append(adding))
            {
                if (o < at)
                {
                    var (start, end) = (_sessions[o].StartsAt, _sessions[o].EndsAt);
                    earlier += Math.Max(0, ((end < to ? end : to) - (start > from ? start : from)).TotalHours);
                }
            }
            var session = _sessions[at];
            return _eligible[at][workerId].HoursThisWeek + Math.Round((decimal)earlier, 1) + (decimal)(session.EndsAt - session.StartsAt).TotalHours > limit;
        }

        private bool Near(int one, int other) =>
            _sessions[one].StartsAt < _sessions[other].EndsAt + _buffer && _sessions[other].StartsAt - _buffer < _sessions[one].EndsAt;

        /// <summary>Whether the sessions touch a common UK week (a night across Sunday midnight touches two).</summary>
        private bool SameWeek(int one, int other) =>
            _week[one].From < _sessions[other].EndsAt && _sessions[other].StartsAt < _week[one].To
            || _week[other].From < _sessions[one].EndsAt && _sessions[one].StartsAt < _week[other].To;

        /// <summary>The worker's proposals before the session in time (the sessions come in time order, as the accept replays them).</summary>
        private IEnumerable<int> Earlier(long workerId, int session) =>
            _byWorker.GetValueOrDefault(workerId, []).Where(o => o < session);

        /// <summary>Hours of these sessions within the UK week <paramref name="session"/> starts in (a night across Sunday midnight counts its part).</summary>
        private decimal HoursInWeekOf(IEnumerable<int> sessions, int session)
        {
            var (from, to) = _week[session];
            var hours = sessions.Select(o => _sessions[o])
                .Sum(o => Math.Max(0, ((o.EndsAt < to ? o.EndsAt : to) - (o.StartsAt > from ? o.StartsAt : from)).TotalHours));
            return Math.Round((decimal)hours, 1);
        }

        private void Place(long workerId, int session)
        {
            _placed[session].Add(workerId);
            if (!_byWorker.TryGetValue(workerId, out var mine))
            {
                _byWorker[workerId] = mine = [];
            }
            mine.Add(session);
        }

        private void Remove(long workerId, int session)
        {
            _placed[session].Remove(workerId);
            _byWorker[workerId].Remove(session);
        }
    }
}
