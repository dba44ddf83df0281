using System.Net.Http.Headers;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Outreach.Data;
using Outreach.Data.ApiKeys;
using Outreach.Data.Identity;
using Outreach.Data.Reach;
using Outreach.Tests.Infrastructure;

namespace Outreach.Tests.Data;

/// <summary>
/// The impact compile against a dataset with known answers: every compiled figure must equal what this test works
/// out from its own description of the data, and the page and API must suppress what the rule says.
/// </summary>
[Collection("App")]
public sealed class ImpactCompileTests(OutreachApp app)
{
    private sealed record Survey(long QuestionId, bool HigherIsBetter, decimal Before, int BeforeN, decimal After, int AfterN);

    private sealed record FollowUp(string Stage, DateTime DueOn, string? Outcome);

    private sealed record Engagement(string Reference, bool Consent, FollowUp[] FollowUps)
    {
        public long Id { get; set; }
    }

    private sealed record Session(
        long VenueId, string VenueKind, long AreaId, string Kind, DateTime StartsAt, double PlannedHours, string Status,
        int? HeadCount = null, bool Delivered = true, double? ActualHours = null, long[]? Assigned = null, long[]? Staff = null,
        (string Service, int Count)[]? Referrals = null, Survey[]? Surveys = null, Engagement[]? Engagements = null)
    {
        public long Id { get; set; }

        public bool HasRecord => HeadCount is not null;

        public bool CountsDelivered => Status == "delivered" && HasRecord && Delivered;

        public DateTime Month => new(UkTime.ToLocal(StartsAt).Year, UkTime.ToLocal(StartsAt).Month, 1);
    }

    private sealed record Cell(DateTime Month, long AreaId, string VenueKind, string SessionKind);

    private sealed record Figures(
        int SessionsPlanned, int SessionsDelivered, int SessionsCancelled, int GroupAttendance, int AeYoungPeople,
        int YoungPeopleReached, int SchoolsReached, int AeEngagements, int AeConsented, int FollowUps4wDue, int FollowUps4wDone,
        int FollowUps12wDue, int FollowUps12wDone, int FollowUps6mDue, int FollowUps6mDone, int Referrals,
        decimal SurveyChangeSum, int SurveyWeight, decimal StaffHours, decimal StaffCost);

    private sealed record Dataset(long AreaA, long AreaB, string AreaACode, List<Session> Sessions, Dictionary<long, decimal?> Costs, long QuietSchool);

    [Fact]
    public async Task Every_compiled_figure_equals_an_independent_computation_and_compiling_twice_gives_the_same_figures()
    {
        var data = await BuildAsync();
        var impact = app.Services.GetRequiredService<ImpactData>();
        await impact.CompileAsync(CompileMode.Incremental, null, CancellationToken.None);
        var first = await CompiledAsync(data);
        await impact.CompileAsync(CompileMode.Full, null, CancellationToken.None);
        var second = await CompiledAsync(data);

        var expected = Expected(data);
        Assert.Equal(expected.Keys.OrderBy(k => k.Month).ThenBy(k => k.AreaId).ThenBy(k => k.VenueKind).ThenBy(k => k.SessionKind),
            first.Keys.OrderBy(k => k.Month).ThenBy(k => k.AreaId).ThenBy(k => k.VenueKind).ThenBy(k => k.SessionKind));
        foreach (var (cell, figures) in expected)
        {
            Assert.Equal((cell, figures), (cell, first[cell]));
        }
        Assert.Equal(first, second);

        // A few answers worked out by hand, so the two computations cannot share a mistake unseen.
        var march = new DateTime(2025, 3, 1);
        Assert.Equal(2, first[new Cell(march, data.AreaA, "emergency_department", "ae_shift")].AeYoungPeople);
        Assert.Equal(1, first[new Cell(march.AddMonths(1), data.AreaA, "emergency_department", "ae_shift")].AeYoungPeople);
        Assert.Equal(35, first[new Cell(march, data.AreaA, "school", "workshop")].GroupAttendance);
        Assert.Equal(3.0m, first[new Cell(march, data.AreaA, "school", "workshop")].StaffHours);

        // Referrals by service, and distinct schools over the period.
        await using var c = await app.DataSource.OpenConnectionAsync();
        var referrals = (await c.QueryAsync<(string Service, long Referrals)>("""
            SELECT service, sum(referrals)::bigint FROM outreach.impact_referrals_monthly WHERE area_id = @AreaA GROUP BY service ORDER BY service
            """, new { data.AreaA })).ToList();
        var expectedReferrals = data.Sessions.Where(s => s.AreaId == data.AreaA && s.CountsDelivered)
            .SelectMany(s => s.Referrals ?? []).GroupBy(r => r.Service).Select(g => (g.Key, (long)g.Sum(r => r.Count)))
            .OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(expectedReferrals, referrals);
        var reports = app.Services.GetRequiredService<ReportData>();
        var period = await reports.FiguresAsync(new ReportFilter(march, march.AddMonths(1), null, data.AreaA), CancellationToken.None);
        Assert.Equal(data.Sessions.Where(s => s.AreaId == data.AreaA && s.VenueKind == "school" && s.CountsDelivered).Select(s => s.VenueId).Distinct().Count(),
            period.SchoolsReached);
        Assert.Equal(4, period.SchoolsInArea);
        Assert.Equal(3, period.Totals.AeYoungPeople);
        var gaps = await reports.GapsAsync(new ReportFilter(march, march, null, data.AreaA), new DateTime(2024, 9, 1), "pupils", 1, 50, CancellationToken.None);
        Assert.Equal([data.QuietSchool], gaps.Select(g => g.Id));

        // The commissioner's page and the API show the single CAMHS referral as <5 and hide the other service's
        // figure, which the total would otherwise give away.
        using var commissioner = await app.SignedInAsync(Roles.Commissioner);
        var page = await commissioner.GetPageAsync($"/Reports?from=2025-03&to=2025-04&area={data.AreaA}");
        var referralTable = System.Text.RegularExpressions.Regex.Match(page, "<table[^>]*id=\"referrals-table\".*?</table>",
            System.Text.RegularExpressions.RegexOptions.Singleline).Value;
        Assert.Matches("CAMHS</th>\\s*<td class=\"text-end\">&lt;5</td>", referralTable);
        Assert.Matches("Mentoring</th>\\s*<td class=\"text-end\">\\*</td>", referralTable);
        Assert.Matches("Total</th>\\s*<td class=\"text-end\">8</td>", referralTable);
        Assert.DoesNotContain("AE-", page, StringComparison.Ordinal);
        var csv = await commissioner.GetPageAsync($"/Reports?handler=Csv&table=referrals&from=2025-03&to=2025-04&area={data.AreaA}");
        Assert.Contains("CAMHS,<5", csv, StringComparison.Ordinal);
        Assert.Contains("Mentoring,*", csv, StringComparison.Ordinal);

        using var api = await ApiClientAsync(Roles.Commissioner);
        using var answer = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/reach?from=2025-03&to=2025-03&area={data.AreaACode}"));
        var row = Assert.Single(answer.RootElement.EnumerateArray());
        Assert.Equal("<5", row.GetProperty("aeEngagements").GetString());
        Assert.Equal(expected.Where(e => e.Key.AreaId == data.AreaA && e.Key.Month == march).Sum(e => e.Value.YoungPeopleReached),
            row.GetProperty("youngPeopleReached").GetInt32());
        Assert.Equal("<5", row.GetProperty("sessionsCancelled").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("consentRate").ValueKind);
    }

    [Fact]
    public async Task Changing_one_record_recompiles_only_its_month()
    {
        var data = await BuildAsync();
        var impact = app.Services.GetRequiredService<ImpactData>();
        await impact.CompileAsync(CompileMode.Incremental, null, CancellationToken.None);
        var untouched = await impact.CompileAsync(CompileMode.Incremental, null, CancellationToken.None);
        Assert.Equal(0, untouched!.Months);

        var april = data.Sessions.First(s => s.Month == new DateTime(2025, 4, 1) && s.HasRecord);
        await using (var c = await app.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync("UPDATE outreach.session_records SET count_16_17 = count_16_17 + 9 WHERE session_id = @Id", new { april.Id });
        }
        var before = (await CompiledAsync(data)).Where(p => p.Key.Month.Month == 4).Sum(p => p.Value.YoungPeopleReached);
        var result = await impact.CompileAsync(CompileMode.Incremental, null, CancellationToken.None);

        var run = await impact.FindRunAsync(result!.RunId, CancellationToken.None);
        Assert.Equal([new DateTime(2025, 4, 1)], run!.Months);
        Assert.Equal(("incremental", "finished", 1, 1), (run.Mode, run.Status, run.MonthsTotal!.Value, run.MonthsDone));
        var after = (await CompiledAsync(data)).Where(p => p.Key.Month.Month == 4).Sum(p => p.Value.YoungPeopleReached);
        Assert.Equal(before + 9, after);
    }

    [Fact]
    public async Task A_queued_run_is_taken_once_and_shows_its_progress()
    {
        var impact = app.Services.GetRequiredService<ImpactData>();
        var runId = await impact.QueueAsync(CompileMode.Incremental, "test", CancellationToken.None);
        Assert.Equal("queued", (await impact.FindRunAsync(runId, CancellationToken.None))!.Status);

        Assert.NotNull(await impact.CompileAsync(CompileMode.Incremental, runId, CancellationToken.None));
        Assert.Null(await impact.CompileAsync(CompileMode.Incremental, runId, CancellationToken.None));
        var run = await impact.FindRunAsync(runId, CancellationToken.None);
        Assert.Equal(("finished", 100), (run!.Status, run.Percent));

        using var admin = await app.SignedInAsync(Roles.Administrator);
        using var progress = JsonDocument.Parse(await admin.GetPageAsync($"/Admin?handler=Run&id={runId}"));
        Assert.Equal("finished", progress.RootElement.GetProperty("status").GetString());
        Assert.Equal(100, progress.RootElement.GetProperty("percent").GetInt32());
    }

    private static Dictionary<Cell, Figures> Expected(Dataset data)
    {
        var asOf = DateTime.UtcNow.Date;
        var ours = data.Sessions.Where(s => s.Status != "draft").ToList();
        var firstEngagement = ours.Where(s => s.Engagements is not null)
            .SelectMany(s => s.Engagements!.Select(e => (Session: s, Engagement: e)))
            .GroupBy(x => x.Engagement.Reference)
            .ToDictionary(g => g.Key, g => g.OrderBy(x => x.Session.StartsAt).ThenBy(x => x.Engagement.Id).First().Engagement.Id);
        return ours.GroupBy(s => new Cell(s.Month, s.AreaId, s.VenueKind, s.Kind)).ToDictionary(g => g.Key, g =>
        {
            var delivered = g.Where(s => s.CountsDelivered).ToList();
            var engagements = g.SelectMany(s => s.Engagements ?? []).ToList();
            var followUps = engagements.SelectMany(e => e.FollowUps).ToList();
            int Due(string stage) => followUps.Count(f => f.Stage == stage && (f.DueOn <= asOf || f.Outcome is not null));
            int Done(string stage) => followUps.Count(f => f.Stage == stage && f.Outcome is not null);
            var attendance = delivered.Sum(s => s.HeadCount!.Value);
            var aeYoungPeople = engagements.Count(e => firstEngagement[e.Reference] == e.Id);
            var surveys = delivered.SelectMany(s => s.Surveys ?? []).ToList();
            var staff = delivered.SelectMany(s => (s.Staff ?? s.Assigned ?? []).Select(w => (Hours: (decimal)(s.ActualHours ?? s.PlannedHours), Worker: w))).ToList();
            return new Figures(
                g.Count(), delivered.Count, g.Count(s => s.Status == "cancelled"), attendance, aeYoungPeople, attendance + aeYoungPeople,
                delivered.Where(s => s.VenueKind == "school").Select(s => s.VenueId).Distinct().Count(),
                engagements.Count, engagements.Count(e => e.Consent),
                Due("4_weeks"), Done("4_weeks"), Due("12_weeks"), Done("12_weeks"), Due("6_months"), Done("6_months"),
                delivered.SelectMany(s => s.Referrals ?? []).Sum(r => r.Count),
                surveys.Sum(v => (v.After - v.Before) * (v.HigherIsBetter ? 1 : -1) * Math.Min(v.BeforeN, v.AfterN)),
                surveys.Sum(v => Math.Min(v.BeforeN, v.AfterN)),
                staff.Sum(x => x.Hours), Math.Round(staff.Sum(x => x.Hours * (data.Costs[x.Worker] ?? 0)), 2));
        });
    }

    private async Task<Dictionary<Cell, Figures>> CompiledAsync(Dataset data)
    {
        await using var c = await app.DataSource.OpenConnectionAsync();
        var rows = await c.QueryAsync("""
            SELECT *, month::timestamp AS month_start FROM outreach.impact_monthly WHERE area_id IN (@AreaA, @AreaB)
            """, new { data.AreaA, data.AreaB });
        return rows.Cast<IDictionary<string, object>>().ToDictionary(
            r => new Cell((DateTime)r["month_start"], (long)r["area_id"], (string)r["venue_kind"], (string)r["session_kind"]),
            r => new Figures(
                (int)r["sessions_planned"], (int)r["sessions_delivered"], (int)r["sessions_cancelled"], (int)r["group_attendance"],
                (int)r["ae_young_people"], (int)r["young_people_reached"], (int)r["schools_reached"], (int)r["ae_engagements"],
                (int)r["ae_consented"], (int)r["follow_ups_4w_due"], (int)r["follow_ups_4w_done"], (int)r["follow_ups_12w_due"],
                (int)r["follow_ups_12w_done"], (int)r["follow_ups_6m_due"], (int)r["follow_ups_6m_done"], (int)r["referrals"],
                (decimal)r["survey_change_sum"], (int)r["survey_weight"], (decimal)r["staff_hours"], (decimal)r["staff_cost"]));
    }

    /// <summary>
    /// Two authorities in a commissioner area of their own; sessions in March and April 2025 covering every rule:
    /// cancelled, planned but unrecorded, recorded as not delivered, draft, a staff list that overrides the rota,
    /// actual times that override planned ones, a worker with no cost, surveys either way round, and A&amp;E
    /// references seen twice in a month and again the next month.
    /// </summary>
    private async Task<Dataset> BuildAsync()
    {
        var region = TestData.Unique("Impact region");
        await using var c = await app.DataSource.OpenConnectionAsync();
        async Task<(long Id, string Code)> AreaAsync()
        {
            var code = "I" + Guid.NewGuid().ToString("N")[..9];
            return (await c.ExecuteScalarAsync<long>("INSERT INTO outreach.areas (code, name, region) VALUES (@code, @name, @region) RETURNING id",
                new { code, name = TestData.Unique("Impact area"), region }), code);
        }
        var (areaA, codeA) = await AreaAsync();
        var (areaB, _) = await AreaAsync();
        async Task<long> VenueAsync(string kind, long area, int? pupils = null, decimal? fsm = null) =>
            await c.ExecuteScalarAsync<long>("""
                INSERT INTO outreach.venues (kind, name, area_id, pupils, percentage_fsm) VALUES (@kind, @name, @area, @pupils, @fsm) RETURNING id
                """, new { kind, name = TestData.Unique("Impact venue"), area, pupils, fsm });
        var school1 = await VenueAsync("school", areaA, 800, 20m);
        var school2 = await VenueAsync("school", areaA, 300, 45m);
        var quiet = await VenueAsync("school", areaA, 1200, 30m);
        var school3 = await VenueAsync("school", areaA, 100, 5m);
        var hospital = await VenueAsync("emergency_department", areaA);
        var schoolB = await VenueAsync("school", areaB, 500, 10m);

        var w1 = await TestData.WorkerAsync(app.DataSource);
        var w2 = await TestData.WorkerAsync(app.DataSource);
        var w3 = await TestData.WorkerAsync(app.DataSource);
        var costs = new Dictionary<long, decimal?> { [w1] = 20m, [w2] = 30.5m, [w3] = null };
        foreach (var (worker, cost) in costs)
        {
            await c.ExecuteAsync("UPDATE outreach.youth_workers SET hourly_cost = @cost WHERE id = @worker", new { worker, cost });
        }
        var questions = (await c.QueryAsync<(long Id, bool HigherIsBetter)>(
            "SELECT id, higher_is_better FROM outreach.survey_questions ORDER BY id")).ToList();
        var good = questions.First(q => q.HigherIsBetter);
        var bad = questions.First(q => !q.HigherIsBetter);
        string Reference() => "AE-" + string.Concat(Enumerable.Range(0, 6).Select(_ => "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[Random.Shared.Next(32)]));
        var refA = Reference();
        var refB = Reference();
        var refC = Reference();
        var farFuture = DateTime.UtcNow.Date.AddYears(2);
        DateTime Utc(int month, int day, int hour) => UkTime.TryToUtc(new DateTime(2025, month, day, hour, 0, 0), out var utc) ? utc : throw new InvalidOperationException();

        var sessions = new List<Session>
        {
            new(school1, "school", areaA, "workshop", Utc(3, 10, 10), 1, "delivered", HeadCount: 35, ActualHours: 1.5, Assigned: [w1, w2],
                Referrals: [("mentoring", 7), ("camhs", 1)],
                Surveys: [new(good.Id, true, 3.0m, 20, 4.0m, 18), new(bad.Id, false, 3.5m, 20, 2.5m, 20)]),
            new(school2, "school", areaA, "assembly", Utc(3, 11, 9), 2, "delivered", HeadCount: 120, Assigned: [w1], Staff: [w3, w2]),
            new(school1, "school", areaA, "workshop", Utc(3, 12, 10), 1, "cancelled"),
            new(school1, "school", areaA, "workshop", Utc(3, 13, 10), 1, "planned"),
            new(school2, "school", areaA, "workshop", Utc(3, 14, 10), 1, "planned", HeadCount: 0, Delivered: false, Assigned: [w2]),
            new(school1, "school", areaA, "workshop", Utc(3, 17, 10), 1, "draft", Assigned: [w1]),
            // Just after midnight on 1 April in UK summer time, still 31 March in UTC: an April session.
            new(school1, "school", areaA, "workshop", Utc(4, 1, 0), 0.5, "delivered", HeadCount: 12, Assigned: [w2],
                Surveys: [new(good.Id, true, 2.0m, 4, 2.5m, 6)]),
            new(hospital, "emergency_department", areaA, "ae_shift", Utc(3, 14, 18), 8, "delivered", HeadCount: 0, Assigned: [w2],
                Engagements:
                [
                    new(refA, true, [new("4_weeks", new DateTime(2025, 4, 11), "engaged"), new("12_weeks", new DateTime(2025, 6, 6), null),
                        new("6_months", farFuture, null)]),
                    new(refB, false, [new("4_weeks", new DateTime(2025, 4, 11), "unreachable"), new("12_weeks", farFuture, "engaged")]),
                    new(refA, true, []),
                ]),
            new(hospital, "emergency_department", areaA, "ae_shift", Utc(4, 18, 18), 8, "delivered", HeadCount: 3, Assigned: [w1, w3],
                Engagements: [new(refA, true, [new("4_weeks", new DateTime(2025, 5, 16), null)]), new(refC, true, [])]),
            new(schoolB, "school", areaB, "workshop", Utc(3, 20, 10), 1, "delivered", HeadCount: 10, Assigned: [w3],
                Referrals: [("youth_offending", 2)]),
            new(school3, "school", areaA, "assembly", Utc(4, 2, 9), 1, "delivered", HeadCount: 200, Assigned: [w1]),
        };

        foreach (var s in sessions)
        {
            s.Id = await c.ExecuteScalarAsync<long>("""
                INSERT INTO outreach.sessions (venue_id, kind, title, starts_at, ends_at, status, cancel_reason)
                VALUES (@VenueId, @Kind, @title, @StartsAt, @endsAt, @Status, CASE WHEN @Status = 'cancelled' THEN 'test' END) RETURNING id
                """, new { s.VenueId, s.Kind, title = TestData.Unique("Impact"), s.StartsAt, endsAt = s.StartsAt.AddHours(s.PlannedHours), s.Status });
            foreach (var worker in s.Assigned ?? [])
            {
                await c.ExecuteAsync("INSERT INTO outreach.assignments (session_id, worker_id, status, during) VALUES (@Id, @worker, 'confirmed', 'empty')",
                    new { s.Id, worker });
            }
            if (s.HasRecord)
            {
                await c.ExecuteAsync("""
                    INSERT INTO outreach.session_records (session_id, delivered, not_delivered_reason, actual_start, actual_end, count_11_13, count_14_15)
                    VALUES (@Id, @Delivered, CASE WHEN NOT @Delivered THEN 'venue closed' END, @actualStart, @actualEnd, @a, @b)
                    """, new
                {
                    s.Id, s.Delivered, a = s.HeadCount!.Value / 2, b = s.HeadCount.Value - (s.HeadCount.Value / 2),
                    actualStart = s.ActualHours is null ? (DateTime?)null : s.StartsAt,
                    actualEnd = s.ActualHours is { } h ? s.StartsAt.AddHours(h) : (DateTime?)null,
                });
                foreach (var worker in s.Staff ?? [])
                {
                    await c.ExecuteAsync("INSERT INTO outreach.session_record_staff (session_id, worker_id) VALUES (@Id, @worker)", new { s.Id, worker });
                }
                foreach (var (service, count) in s.Referrals ?? [])
                {
                    await c.ExecuteAsync("INSERT INTO outreach.session_record_referrals (session_id, service, count) VALUES (@Id, @service, @count)",
                        new { s.Id, service, count });
                }
                foreach (var v in s.Surveys ?? [])
                {
                    await c.ExecuteAsync("""
                        INSERT INTO outreach.session_record_surveys (session_id, question_id, before_mean, before_n, after_mean, after_n)
                        VALUES (@Id, @QuestionId, @Before, @BeforeN, @After, @AfterN)
                        """, new { s.Id, v.QuestionId, v.Before, v.BeforeN, v.After, v.AfterN });
                }
            }
            foreach (var e in s.Engagements ?? [])
            {
                e.Id = await c.ExecuteScalarAsync<long>("""
                    INSERT INTO outreach.ae_engagements (reference, session_id, age_band, presenting_reason, consent, referral_source, referred_at)
                    VALUES (@Reference, @Id, '16_17', 'knife', @Consent, 'ed_staff', @StartsAt) RETURNING id
                    """, new { e.Reference, s.Id, e.Consent, s.StartsAt });
                foreach (var f in e.FollowUps)
                {
                    await c.ExecuteAsync("""
                        INSERT INTO outreach.ae_follow_ups (engagement_id, stage, due_on, outcome, recorded_at)
                        VALUES (@id, @Stage, @DueOn, @Outcome, CASE WHEN @Outcome IS NOT NULL THEN now() END)
                        """, new { id = e.Id, f.Stage, f.DueOn, f.Outcome });
                }
            }
        }
        return new Dataset(areaA, areaB, codeA, sessions, costs, quiet);
    }

    private async Task<HttpClient> ApiClientAsync(string role)
    {
        var keys = app.Services.GetRequiredService<ApiKeyData>();
        var key = (await keys.CreateAsync(TestData.Unique("impact test"), role, Actor.System, CancellationToken.None)).Value!;
        var http = new HttpClient { BaseAddress = app.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }
}
