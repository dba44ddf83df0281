using Dapper;
using Npgsql;

namespace Outreach.Data.Reach;

/// <summary>Which compiled figures: months inclusive (first days), and optionally one commissioner area or one local authority.</summary>
public sealed record ReportFilter(DateTime FromMonth, DateTime ToMonth, string? Region, long? AreaId);

public sealed record ImpactTotals(
    long SessionsPlanned, long SessionsDelivered, long SessionsCancelled, long GroupAttendance, long AeYoungPeople,
    long YoungPeopleReached, long AeEngagements, long AeConsented, long FollowUps4wDue, long FollowUps4wDone,
    long FollowUps12wDue, long FollowUps12wDone, long FollowUps6mDue, long FollowUps6mDone, long Referrals,
    decimal SurveyChangeSum, long SurveyWeight, decimal StaffHours, decimal StaffCost)
{
    public decimal? SurveyMeanChange => SurveyWeight == 0 ? null : Math.Round(SurveyChangeSum / SurveyWeight, 2);

    public decimal? CostPerYoungPerson => YoungPeopleReached == 0 ? null : Math.Round(StaffCost / YoungPeopleReached, 2);
}

public sealed record MonthFigures(DateTime Month, long SessionsPlanned, long SessionsDelivered, long SessionsCancelled, long YoungPeopleReached, long AeEngagements);

/// <summary>A row of the coverage table: a commissioner area (all areas shown) or a local authority (one area chosen).</summary>
public sealed record AreaFigures(string Name, long SessionsDelivered, long YoungPeopleReached, long SchoolsReached, long SchoolsInArea);

public sealed record ServiceReferrals(string Service, long Referrals);

public sealed record AreaOption(long Id, string Code, string Name, string Region);

public sealed record SchoolGap(long Id, string Name, string AreaName, int? Pupils, decimal? PercentageFsm, long Total);

public sealed record ApiReachRow(
    DateTime Month, string AreaCode, string AreaName, string Region, long SessionsPlanned, long SessionsDelivered,
    long SessionsCancelled, long YoungPeopleReached, long SchoolsReached, long AeEngagements, long AeConsented,
    long FollowUps4wDue, long FollowUps4wDone, long FollowUps12wDue, long FollowUps12wDone, long FollowUps6mDue,
    long FollowUps6mDone, long Referrals, decimal SurveyChangeSum, long SurveyWeight, decimal StaffHours, decimal StaffCost);

public sealed record ReportFigures(
    ReportFilter Filter, ImpactTotals Totals, long SchoolsReached, long SchoolsInArea, IReadOnlyList<MonthFigures> Months,
    IReadOnlyList<AreaFigures> Areas, IReadOnlyList<ServiceReferrals> Referrals, DateTime? CompiledAt);

/// <summary>
/// Reads the compiled impact figures (never the raw records) for the reports page, its exports, the API and the
/// monthly report. Suppression is applied by whoever shows them, through <see cref="Suppression"/>.
/// </summary>
public sealed class ReportData(NpgsqlDataSource dataSource)
{
    public static readonly IReadOnlyDictionary<string, string> ServiceLabels = new Dictionary<string, string>
    {
        ["mentoring"] = "Mentoring",
        ["camhs"] = "CAMHS",
        ["substance_misuse"] = "Substance misuse",
        ["youth_offending"] = "Youth offending",
        ["other"] = "Other",
    };

    private const string Where = """
        m.month BETWEEN @FromMonth::date AND @ToMonth::date
        AND (@AreaId::bigint IS NULL OR m.area_id = @AreaId)
        AND (@Region::text IS NULL OR a.region = @Region)
        """;

    private const string AreaWhere = """
        (@AreaId::bigint IS NULL OR a.id = @AreaId) AND (@Region::text IS NULL OR a.region = @Region)
        """;

    public async Task<ReportFigures> FiguresAsync(ReportFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var parameters = Parameters(filter);
        var totals = await connection.QuerySingleAsync<ImpactTotals>(new CommandDefinition($"""
            SELECT coalesce(sum(sessions_planned), 0)::bigint AS sessions_planned,
                   coalesce(sum(sessions_delivered), 0)::bigint AS sessions_delivered,
                   coalesce(sum(sessions_cancelled), 0)::bigint AS sessions_cancelled,
                   coalesce(sum(group_attendance), 0)::bigint AS group_attendance,
                   coalesce(sum(ae_young_people), 0)::bigint AS ae_young_people,
                   coalesce(sum(young_people_reached), 0)::bigint AS young_people_reached,
                   coalesce(sum(ae_engagements), 0)::bigint AS ae_engagements,
                   coalesce(sum(ae_consented), 0)::bigint AS ae_consented,
                   coalesce(sum(follow_ups_4w_due), 0)::bigint AS follow_ups_4w_due,
                   coalesce(sum(follow_ups_4w_done), 0)::bigint AS follow_ups_4w_done,
                   coalesce(sum(follow_ups_12w_due), 0)::bigint AS follow_ups_12w_due,
                   coalesce(sum(follow_ups_12w_done), 0)::bigint AS follow_ups_12w_done,
                   coalesce(sum(follow_ups_6m_due), 0)::bigint AS follow_ups_6m_due,
                   coalesce(sum(follow_ups_6m_done), 0)::bigint AS follow_ups_6m_done,
                   coalesce(sum(referrals), 0)::bigint AS referrals,
                   coalesce(sum(survey_change_sum), 0) AS survey_change_sum,
                   coalesce(sum(survey_weight), 0)::bigint AS survey_weight,
                   coalesce(sum(staff_hours), 0) AS staff_hours,
                   coalesce(sum(staff_cost), 0) AS staff_cost
            FROM outreach.impact_monthly m JOIN outreach.areas a ON a.id = m.area_id
            WHERE {Where}
            """, parameters, cancellationToken: cancellationToken));
        var months = (await connection.QueryAsync<MonthFigures>(new CommandDefinition($"""
            SELECT s.month::timestamp AS month,
                   coalesce(sum(m.sessions_planned), 0)::bigint AS sessions_planned,
                   coalesce(sum(m.sessions_delivered), 0)::bigint AS sessions_delivered,
                   coalesce(sum(m.sessions_cancelled), 0)::bigint AS sessions_cancelled,
                   coalesce(sum(m.young_people_reached), 0)::bigint AS young_people_reached,
                   coalesce(sum(m.ae_engagements), 0)::bigint AS ae_engagements
            FROM generate_series(@FromMonth::date, @ToMonth::date, interval '1 month') s(month)
            LEFT JOIN (outreach.impact_monthly m JOIN outreach.areas a ON a.id = m.area_id)
                   ON m.month = s.month::date AND {Where}
            GROUP BY s.month ORDER BY s.month
            """, parameters, cancellationToken: cancellationToken))).AsList();
        // All areas: a row per commissioner area; one area chosen: a row per local authority in it. Schools reached
        // comes from each school's compiled list of months visited.
        var byRegion = filter.Region is null && filter.AreaId is null;
        var group = byRegion ? "a.region" : "a.name";
        var areas = (await connection.QueryAsync<AreaFigures>(new CommandDefinition($"""
            WITH figures AS (
                SELECT {group} AS name, sum(m.sessions_delivered)::bigint AS delivered, sum(m.young_people_reached)::bigint AS reached
                FROM outreach.impact_monthly m JOIN outreach.areas a ON a.id = m.area_id
                WHERE {Where} GROUP BY 1
            ),
            schools AS (
                SELECT {group} AS name, count(*) FILTER (WHERE sm.months && @PeriodMonths::date[]) AS reached,
                       count(*) FILTER (WHERE v.status = 'open') AS open
                FROM outreach.venues v JOIN outreach.areas a ON a.id = v.area_id
                LEFT JOIN outreach.impact_school_months sm ON sm.venue_id = v.id
                WHERE v.kind = 'school' AND {AreaWhere} GROUP BY 1
            )
            SELECT coalesce(nullif(n.name, ''), 'No commissioner area') AS name,
                   coalesce(f.delivered, 0) AS sessions_delivered, coalesce(f.reached, 0) AS young_people_reached,
                   coalesce(s.reached, 0) AS schools_reached, coalesce(s.open, 0) AS schools_in_area
            FROM (SELECT name FROM figures UNION SELECT name FROM schools) n
            LEFT JOIN figures f ON f.name = n.name
            LEFT JOIN schools s ON s.name = n.name
            ORDER BY 1
            """, parameters, cancellationToken: cancellationToken))).AsList();
        var referrals = (await connection.QueryAsync<(string Service, long Referrals)>(new CommandDefinition($"""
            SELECT m.service, sum(m.referrals)::bigint
            FROM outreach.impact_referrals_monthly m JOIN outreach.areas a ON a.id = m.area_id
            WHERE {Where} GROUP BY m.service
            """, parameters, cancellationToken: cancellationToken))).ToDictionary(r => r.Service, r => r.Referrals);
        var compiledAt = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            "SELECT max(finished_at) FROM outreach.compile_runs WHERE status = 'finished'", cancellationToken: cancellationToken));
        return new ReportFigures(filter, totals, areas.Sum(a => a.SchoolsReached), areas.Sum(a => a.SchoolsInArea), months, areas,
            ServiceLabels.Keys.Select(s => new ServiceReferrals(s, referrals.GetValueOrDefault(s))).ToList(), compiledAt);
    }

    /// <summary>Open schools with no delivered session in the academic year, biggest (or poorest) first.</summary>
    public async Task<IReadOnlyList<SchoolGap>> GapsAsync(
        ReportFilter filter, DateTime academicYearStart, string sort, int page, int pageSize, CancellationToken cancellationToken)
    {
        var order = sort == "fsm" ? "v.percentage_fsm DESC NULLS LAST, v.pupils DESC NULLS LAST" : "v.pupils DESC NULLS LAST, v.percentage_fsm DESC NULLS LAST";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<SchoolGap>(new CommandDefinition($"""
            SELECT v.id, v.name, a.name AS area_name, v.pupils, v.percentage_fsm, count(*) OVER () AS total
            FROM outreach.venues v JOIN outreach.areas a ON a.id = v.area_id
            LEFT JOIN outreach.impact_school_months sm ON sm.venue_id = v.id
            WHERE v.kind = 'school' AND v.status = 'open' AND {AreaWhere}
              AND NOT coalesce(sm.months && @yearMonths::date[], false)
            ORDER BY {order}, v.name, v.id
            LIMIT @pageSize OFFSET @offset
            """, new { filter.AreaId, filter.Region, yearMonths = Months(academicYearStart, academicYearStart.AddMonths(11)), pageSize, offset = (Math.Max(page, 1) - 1) * pageSize },
            cancellationToken: cancellationToken))).AsList();
    }

    public async Task<IReadOnlyList<AreaOption>> AreasAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<AreaOption>(new CommandDefinition(
            "SELECT id, code, name, region FROM outreach.areas ORDER BY region, name", cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The figures per month and local authority, for the API.</summary>
    public async Task<IReadOnlyList<ApiReachRow>> ByMonthAndAreaAsync(ReportFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ApiReachRow>(new CommandDefinition($"""
            WITH schools AS (
                SELECT m.month, m.area_id, count(*) AS schools
                FROM outreach.impact_school_visits m JOIN outreach.areas a ON a.id = m.area_id
                WHERE {Where} GROUP BY 1, 2
            )
            SELECT m.month::timestamp AS month, a.code AS area_code, a.name AS area_name, a.region,
                   sum(m.sessions_planned)::bigint AS sessions_planned, sum(m.sessions_delivered)::bigint AS sessions_delivered,
                   sum(m.sessions_cancelled)::bigint AS sessions_cancelled, sum(m.young_people_reached)::bigint AS young_people_reached,
                   coalesce(max(s.schools), 0)::bigint AS schools_reached,
                   sum(m.ae_engagements)::bigint AS ae_engagements, sum(m.ae_consented)::bigint AS ae_consented,
                   sum(m.follow_ups_4w_due)::bigint AS follow_ups_4w_due, sum(m.follow_ups_4w_done)::bigint AS follow_ups_4w_done,
                   sum(m.follow_ups_12w_due)::bigint AS follow_ups_12w_due, sum(m.follow_ups_12w_done)::bigint AS follow_ups_12w_done,
                   sum(m.follow_ups_6m_due)::bigint AS follow_ups_6m_due, sum(m.follow_ups_6m_done)::bigint AS follow_ups_6m_done,
                   sum(m.referrals)::bigint AS referrals, sum(m.survey_change_sum) AS survey_change_sum,
                   sum(m.survey_weight)::bigint AS survey_weight, sum(m.staff_hours) AS staff_hours, sum(m.staff_cost) AS staff_cost
            FROM outreach.impact_monthly m JOIN outreach.areas a ON a.id = m.area_id
            LEFT JOIN schools s ON s.month = m.month AND s.area_id = m.area_id
            WHERE {Where}
            GROUP BY m.month, a.code, a.name, a.region
            ORDER BY m.month, a.name
            """, Parameters(filter), cancellationToken: cancellationToken))).AsList();
    }

    private static object Parameters(ReportFilter filter) =>
        new { filter.FromMonth, filter.ToMonth, filter.AreaId, filter.Region, PeriodMonths = Months(filter.FromMonth, filter.ToMonth) };

    private static DateTime[] Months(DateTime from, DateTime to)
    {
        var months = new List<DateTime>();
        for (var m = new DateTime(from.Year, from.Month, 1); m <= to; m = m.AddMonths(1))
        {
            months.Add(m);
        }
        return [.. months];
    }
}
