using Dapper;
using Npgsql;

namespace Outreach.Bench.Reports;

/// <summary>
/// What the youth workers would have recorded on the national dataset: a record for every past session (head-counts,
/// some not delivered, referrals, surveys), 500,000 A&amp;E engagements on past A&amp;E shifts (one young person in
/// five seen again) with their follow-ups, and GIAS-style pupils and free-school-meals figures for the schools.
/// Set-based INSERT ... SELECT, deterministic from the session ids.
/// </summary>
public static class RecordGenerator
{
    public const int Engagements = 500_000;

    public static async Task<bool> GenerateAsync(NpgsqlDataSource db, DateTime now, Action<string> say)
    {
        await using var c = await db.OpenConnectionAsync();
        if (await c.ExecuteScalarAsync<long>("SELECT count(*) FROM outreach.ae_engagements") >= Engagements)
        {
            say("records and engagements already loaded");
            return false;
        }
        Task<int> Run(string sql) => c.ExecuteAsync(new CommandDefinition(sql, new { now }, commandTimeout: 0));

        say("school pupils and free school meals");
        await Run("""
            UPDATE outreach.venues SET pupils = 150 + (id * 37) % 1500, percentage_fsm = ((id * 13) % 600) / 10.0
            WHERE kind = 'school' AND name LIKE 'bench venue %'
            """);

        // A load stopped part-way resumes at the engagements.
        var recorded = await c.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM outreach.session_record_surveys)");
        if (!recorded)
        {
            say("session records for past sessions");
            await Run("""
                INSERT INTO outreach.session_records (session_id, delivered, not_delivered_reason, actual_start, actual_end,
                    count_under_11, count_11_13, count_14_15, count_16_17, count_18_24, recorded_at)
                SELECT s.id, s.id % 20 <> 0, CASE WHEN s.id % 20 = 0 THEN 'venue closed' END,
                       CASE WHEN s.id % 3 = 0 THEN s.starts_at END, CASE WHEN s.id % 3 = 0 THEN s.ends_at + interval '15 minutes' END,
                       CASE WHEN s.kind = 'ae_shift' THEN 0 ELSE s.id % 5 END,
                       CASE WHEN s.kind = 'ae_shift' THEN 0 ELSE (s.id * 7) % 40 END,
                       CASE WHEN s.kind = 'ae_shift' THEN 0 ELSE (s.id * 11) % 35 END,
                       CASE WHEN s.kind = 'ae_shift' THEN 0 ELSE (s.id * 13) % 20 END,
                       0, s.ends_at
                FROM outreach.sessions s
                WHERE s.title LIKE 'bench %' AND s.ends_at < @now
                ON CONFLICT DO NOTHING
                """);

            say("referrals and surveys");
            await Run("""
                INSERT INTO outreach.session_record_referrals (session_id, service, count)
                SELECT r.session_id, (ARRAY['mentoring', 'camhs', 'substance_misuse', 'youth_offending', 'other'])[1 + r.session_id % 5],
                       1 + r.session_id % 3
                FROM outreach.session_records r WHERE r.delivered AND r.session_id % 5 = 1
                ON CONFLICT DO NOTHING
                """);
            await Run("""
                INSERT INTO outreach.session_record_surveys (session_id, question_id, before_mean, before_n, after_mean, after_n)
                SELECT r.session_id, q.id, 2.5 + (r.session_id % 10) / 10.0, 10 + r.session_id % 20,
                       CASE WHEN q.higher_is_better THEN 3.2 ELSE 2.1 END + (r.session_id % 7) / 10.0, 8 + r.session_id % 20
                FROM outreach.session_records r CROSS JOIN outreach.survey_questions q
                WHERE r.delivered AND r.session_id % 3 = 1
                ON CONFLICT DO NOTHING
                """);

        }

        say($"{Engagements:N0} A&E engagements");
        // Engagement n goes to past A&E shift n % shifts; references repeat for one engagement in five.
        await Run($"""
            CREATE TEMP TABLE bench_shifts AS
            SELECT id, starts_at, (row_number() OVER (ORDER BY id) - 1)::int AS n
            FROM outreach.sessions WHERE kind = 'ae_shift' AND title LIKE 'bench %' AND ends_at < @now;
            CREATE UNIQUE INDEX ON bench_shifts (n);
            ANALYZE bench_shifts;
            INSERT INTO outreach.ae_engagements (reference, session_id, age_band, presenting_reason, consent, referral_source,
                                                 referred_at, support_plan_started)
            SELECT 'AE-' || lpad(upper(to_hex(CASE WHEN g % 5 = 0 THEN g / 5 ELSE g END)), 6, '0'),
                   sh.id,
                   (ARRAY['under_11', '11_13', '14_15', '16_17', '18_24'])[1 + g % 5],
                   (ARRAY['knife', 'other_weapon', 'no_weapon', 'other'])[1 + g % 4],
                   g % 4 <> 0,
                   (ARRAY['ed_staff', 'self', 'police', 'family', 'other'])[1 + g % 5],
                   sh.starts_at + interval '1 hour', g % 3 = 0
            FROM generate_series(0, {Engagements - 1}) g
            JOIN bench_shifts sh ON sh.n = g % (SELECT count(*) FROM bench_shifts)::int;
            DROP TABLE bench_shifts;
            """);

        say("follow-ups");
        await Run("""
            INSERT INTO outreach.ae_follow_ups (engagement_id, stage, due_on, outcome, recorded_at)
            SELECT e.id, st.stage, (e.referred_at + st.after)::date,
                   CASE WHEN e.referred_at + st.after < @now AND e.id % 4 <> 0
                        THEN (ARRAY['engaged', 'declined', 'unreachable'])[1 + e.id % 3] END,
                   CASE WHEN e.referred_at + st.after < @now AND e.id % 4 <> 0 THEN e.referred_at + st.after END
            FROM outreach.ae_engagements e
            CROSS JOIN (VALUES ('4_weeks', interval '28 days'), ('12_weeks', interval '84 days'), ('6_months', interval '6 months')) st(stage, after)
            WHERE e.consent
            ON CONFLICT DO NOTHING
            """);
        say("analyse");
        await Run("""
            ANALYZE outreach.venues, outreach.session_records, outreach.session_record_referrals, outreach.session_record_surveys,
                    outreach.ae_engagements, outreach.ae_follow_ups, outreach.impact_dirty_months
            """);
        return true;
    }
}
