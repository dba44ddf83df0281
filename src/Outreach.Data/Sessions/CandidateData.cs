using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Outreach.Data.Sessions;

/// <summary>Configuration section <c>Scheduling</c>.</summary>
public sealed class SchedulingOptions
{
    public const string Section = "Scheduling";

    /// <summary>Time a worker needs between two sessions to get from one venue to the next.</summary>
    public int TravelBufferMinutes { get; set; } = 30;
}

/// <summary>
/// A worker as a candidate for one session. Eligible when there is no reason against them; blocked when a
/// reason is one the database itself would refuse (a clash, a DBS check that does not cover the session), so
/// the page does not even offer them. Other reasons are the coordinator's call.
/// </summary>
// Settable members rather than a positional record: Npgsql reports text[] columns as Array, which Dapper's
// constructor matching does not accept for string[].
public sealed record Candidate
{
    public long Id { get; init; }
    public string FullName { get; init; } = "";
    public long RecentSessions { get; init; }
    public decimal HoursThisWeek { get; init; }
    public decimal? ContractedHours { get; init; }
    public bool Blocked { get; init; }
    public string[] Reasons { get; init; } = [];

    public bool Eligible => Reasons.Length == 0;
}

/// <summary>Ranks the workers of a session's region for it, in one query.</summary>
public sealed class CandidateData(NpgsqlDataSource dataSource, IOptions<SchedulingOptions> options)
{
    private const int MaxCandidates = 300;

    /// <summary>
    /// Every active worker who covers an area of the session's region (commissioner's area) and is not on the
    /// session yet: eligible ones first, those with fewer sessions in the 28 days before it and fewer hours
    /// booked that week ahead; then the others, fewest reasons first, blocked last.
    /// </summary>
    public async Task<IReadOnlyList<Candidate>> RankAsync(long sessionId, CancellationToken cancellationToken)
    {
        var bufferMinutes = Math.Clamp(options.Value.TravelBufferMinutes, 0, 24 * 60);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(Sql, connection);
        command.Parameters.AddWithValue("sessionId", sessionId);
        command.Parameters.AddWithValue("buffer", TimeSpan.FromMinutes(bufferMinutes));
        command.Parameters.AddWithValue("bufferMinutes", bufferMinutes);
        command.Parameters.AddWithValue("limit", MaxCandidates);
        // Planning this query costs about as much as running it. Npgsql keeps a prepared statement on each
        // pooled physical connection, so it is planned once per connection instead of on every page view.
        await command.PrepareAsync(cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var parse = reader.GetRowParser<Candidate>();
        var rows = new List<Candidate>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(parse(reader));
        }
        return rows;
    }

    // Shape for national scale (10,000 workers, 2 million sessions): the pool comes from the region's areas
    // through worker_areas_area_idx; each worker's bookings from 28 days before the session to the end of its
    // UK week are one range scan of assignments_worker_start_idx (index-only), aggregated with FILTERs; leave,
    // pattern, skills and areas are primary-key or leading-column probes. UK week, pattern and leave are
    // worked out in Europe/London wall-clock time, so clock-change nights count their real hours.
    private const string Sql = """
        WITH s AS MATERIALIZED (
            SELECT s.id, s.starts_at, s.ends_at, v.area_id, ar.name AS area_name, ar.region,
                   s.starts_at AT TIME ZONE 'Europe/London' AS local_start,
                   s.ends_at AT TIME ZONE 'Europe/London' AS local_end,
                   (s.starts_at AT TIME ZONE 'Europe/London')::date AS local_day,
                   extract(isodow FROM s.starts_at AT TIME ZONE 'Europe/London')::int AS weekday,
                   extract(isodow FROM (s.starts_at AT TIME ZONE 'Europe/London') - interval '1 day')::int AS day_before,
                   date_trunc('week', s.starts_at AT TIME ZONE 'Europe/London') AT TIME ZONE 'Europe/London' AS week_start,
                   (date_trunc('week', s.starts_at AT TIME ZONE 'Europe/London') + interval '7 days') AT TIME ZONE 'Europe/London' AS week_end,
                   tstzrange(date_trunc('week', s.starts_at AT TIME ZONE 'Europe/London') AT TIME ZONE 'Europe/London',
                             (date_trunc('week', s.starts_at AT TIME ZONE 'Europe/London') + interval '7 days') AT TIME ZONE 'Europe/London') AS week,
                   extract(epoch FROM s.ends_at - s.starts_at) / 3600 AS hours,
                   tstzrange(s.starts_at, s.ends_at) AS during,
                   tstzrange(s.starts_at - @buffer, s.ends_at + @buffer) AS buffered,
                   ARRAY(SELECT r.skill_id FROM outreach.session_required_skills r WHERE r.session_id = s.id) AS required_skills
            FROM outreach.sessions s
            JOIN outreach.venues v ON v.id = s.venue_id
            JOIN outreach.areas ar ON ar.id = v.area_id
            WHERE s.id = @sessionId
        ),
        facts AS (
            SELECT w.id, w.full_name, w.contracted_hours, w.dbs_check_type, w.dbs_next_review_on, s.area_name,
                   s.hours AS session_hours,
                   w.dbs_next_review_on IS NULL OR outreach.dbs_expires_at(w.dbs_next_review_on) < s.ends_at AS dbs_invalid,
                   EXISTS (SELECT 1 FROM outreach.worker_areas c WHERE c.worker_id = w.id AND c.area_id = s.area_id) AS covers_area,
                   b.recent_sessions, b.week_hours, b.clash_session_id, b.near_session_id,
                   lv.first_day AS leave_first_day, lv.last_day AS leave_last_day, lv.reason AS leave_reason,
                   pt.has_pattern, pt.fits_pattern,
                   CASE WHEN cardinality(s.required_skills) = 0 THEN '{}'::text[]
                        ELSE ARRAY(SELECT k.name FROM unnest(s.required_skills) AS rs(skill_id)
                                   JOIN outreach.skills k ON k.id = rs.skill_id
                                   WHERE NOT EXISTS (SELECT 1 FROM outreach.worker_skills ws
                                                      WHERE ws.worker_id = w.id AND ws.skill_id = rs.skill_id)
                                   ORDER BY lower(k.name)) END AS missing_skills
            FROM s
            -- The region's workers, fetched by primary key (not a scan of every worker in the country).
            JOIN outreach.youth_workers w ON w.active AND w.id = ANY (ARRAY(
                SELECT wa.worker_id FROM outreach.areas ra JOIN outreach.worker_areas wa ON wa.area_id = ra.id
                WHERE ra.region = s.region))
            CROSS JOIN LATERAL (
                -- Sessions last at most 24 hours: starting after (window start - 24h) catches every overlap.
                SELECT count(*) FILTER (WHERE lower(x.during) >= s.starts_at - interval '28 days'
                                          AND lower(x.during) < s.starts_at) AS recent_sessions,
                       coalesce(extract(epoch FROM sum(least(upper(x.during), s.week_end) - greatest(lower(x.during), s.week_start))
                                FILTER (WHERE x.during && s.week)), 0) / 3600 AS week_hours,
                       min(x.session_id) FILTER (WHERE x.during && s.during) AS clash_session_id,
                       min(x.session_id) FILTER (WHERE x.during && s.buffered) AS near_session_id
                FROM outreach.assignments x
                WHERE x.worker_id = w.id AND x.status IN ('assigned', 'confirmed') AND x.session_id <> s.id
                  AND lower(x.during) >= least(s.starts_at - interval '28 days', s.week_start) - interval '24 hours'
                  AND lower(x.during) < greatest(s.week_end, s.ends_at + @buffer)
            ) b
            LEFT JOIN LATERAL (
                SELECT l.first_day, l.last_day, l.reason
                FROM outreach.worker_leave l
                WHERE l.worker_id = w.id AND l.last_day >= s.local_start::date
                  AND l.first_day <= (s.local_end - interval '1 microsecond')::date
                ORDER BY l.first_day
                LIMIT 1
            ) lv ON true
            CROSS JOIN LATERAL (
                -- A range on the session's day, or one the day before that runs past midnight, must hold it whole.
                SELECT count(*) > 0 AS has_pattern,
                       coalesce(bool_or(
                           (a.weekday = s.weekday AND s.local_day + a.from_time <= s.local_start
                            AND s.local_end <= s.local_day + a.from_time + a.length)
                           OR (a.weekday = s.day_before AND s.local_end <= s.local_day - 1 + a.from_time + a.length)), false) AS fits_pattern
                FROM (SELECT wa.weekday, wa.from_time,
                             CASE WHEN wa.to_time > wa.from_time THEN wa.to_time - wa.from_time
                                  ELSE wa.to_time - wa.from_time + interval '24 hours' END AS length
                      FROM outreach.worker_availability wa WHERE wa.worker_id = w.id) a
            ) pt
            WHERE NOT EXISTS (SELECT 1 FROM outreach.assignments mine
                               WHERE mine.session_id = s.id AND mine.worker_id = w.id
                                 AND mine.status IN ('assigned', 'confirmed'))
        ),
        -- MATERIALIZED: the reasons are built once per worker, not again for each ORDER BY term that reads them.
        ranked AS MATERIALIZED (
            SELECT f.id, f.full_name, f.recent_sessions, round(f.week_hours, 1) AS hours_this_week, f.contracted_hours,
                   f.dbs_invalid OR f.clash_session_id IS NOT NULL AS blocked, f.week_hours,
                   array_remove(ARRAY[
                       CASE WHEN f.dbs_next_review_on IS NULL THEN 'No DBS check recorded'
                            WHEN f.dbs_invalid AND f.dbs_next_review_on <= (now() AT TIME ZONE 'Europe/London')::date
                                THEN 'DBS check expired on ' || to_char(f.dbs_next_review_on, 'FMDD Mon YYYY')
                            WHEN f.dbs_invalid
                                THEN 'DBS check due for review on ' || to_char(f.dbs_next_review_on, 'FMDD Mon YYYY')
                                     || ', before this session ends'
                            WHEN f.dbs_check_type <> 'enhanced_barred'
                                THEN 'DBS check is ' || CASE f.dbs_check_type WHEN 'enhanced' THEN 'enhanced'
                                                                              WHEN 'standard' THEN 'standard'
                                                                              ELSE 'basic' END
                                     || ', without the children''s barred list'
                       END,
                       (SELECT 'Busy: ' || coalesce(nullif(o.title, ''), 'another session') || ' at ' || ov.name || ', '
                               || to_char(o.starts_at AT TIME ZONE 'Europe/London', 'HH24:MI') || ' to '
                               || to_char(o.ends_at AT TIME ZONE 'Europe/London', 'HH24:MI')
                          FROM outreach.sessions o JOIN outreach.venues ov ON ov.id = o.venue_id
                         WHERE o.id = f.clash_session_id),
                       (SELECT 'Less than ' || @bufferMinutes || ' minutes to travel to or from '
                               || coalesce(nullif(o.title, ''), 'another session') || ' at ' || ov.name || ', '
                               || to_char(o.starts_at AT TIME ZONE 'Europe/London', 'HH24:MI') || ' to '
                               || to_char(o.ends_at AT TIME ZONE 'Europe/London', 'HH24:MI')
                          FROM outreach.sessions o JOIN outreach.venues ov ON ov.id = o.venue_id
                         WHERE o.id = f.near_session_id AND f.clash_session_id IS NULL),
                       CASE WHEN f.leave_first_day IS NOT NULL
                            THEN 'On leave ' || to_char(f.leave_first_day, 'FMDD Mon') || ' to '
                                 || to_char(f.leave_last_day, 'FMDD Mon YYYY') || ': ' || f.leave_reason END,
                       CASE WHEN f.has_pattern AND NOT f.fits_pattern THEN 'Outside their weekly availability' END,
                       CASE WHEN cardinality(f.missing_skills) > 0
                            THEN 'Missing skill: ' || array_to_string(f.missing_skills, ', ') END,
                       CASE WHEN NOT f.covers_area THEN 'Does not cover ' || f.area_name END,
                       CASE WHEN f.contracted_hours IS NOT NULL AND f.week_hours + f.session_hours > f.contracted_hours
                            THEN 'Over contracted hours: ' || trim_scale(round(f.week_hours, 1)) || ' h booked that week, '
                                 || trim_scale(round(f.session_hours, 1)) || ' h more would pass '
                                 || trim_scale(f.contracted_hours) || ' h' END
                   ], NULL) AS reasons
            FROM facts f
        )
        SELECT id, full_name, recent_sessions, hours_this_week, contracted_hours, blocked, reasons
        FROM ranked
        ORDER BY cardinality(reasons) > 0, blocked, cardinality(reasons), recent_sessions, week_hours, full_name, id
        LIMIT @limit
        """;
}
