-- A national-size A&E history for bench/retention.sh: :rows engagements over five years (1 in 5 a returning young
-- person), three follow-ups each, 60% closed; and :rows / 25 safeguarding concerns, most handed over and acknowledged.
INSERT INTO outreach.areas (code, name, region) SELECT 'B' || g, 'Bench area ' || g, 'Bench' FROM generate_series(1, 40) g;
INSERT INTO outreach.venues (kind, name, area_id, postcode)
SELECT CASE WHEN g <= 60 THEN 'emergency_department' ELSE 'school' END, 'Bench venue ' || g,
       (SELECT id FROM outreach.areas WHERE code = 'B' || (1 + g % 40)), 'B1 1AA'
FROM generate_series(1, 2060) g;
-- Two A&E shifts a night at each hospital, five years back.
INSERT INTO outreach.sessions (venue_id, kind, title, starts_at, ends_at, status)
SELECT v.id, 'ae_shift', 'Shift', d + time '18:00', d + time '18:00' + interval '8 hours', 'delivered'
FROM (SELECT id FROM outreach.venues WHERE kind = 'emergency_department') v
CROSS JOIN generate_series(now()::date - 5 * 365, now()::date - 1, interval '3 days') d;
CREATE TEMP TABLE shifts AS SELECT row_number() OVER (ORDER BY id) AS n, id, starts_at FROM outreach.sessions WHERE kind = 'ae_shift';
-- Engagement g on shift (g * 7919) mod shifts; every fifth reuses the reference of an earlier engagement.
INSERT INTO outreach.ae_engagements (reference, session_id, age_band, presenting_reason, consent, referral_source, referred_at,
    first_contact_at, status, closed_at, closed_reason)
SELECT 'AE-' || lpad(upper(to_hex(CASE WHEN g % 5 = 0 THEN g / 2 ELSE g END)), 6, '0'), s.id, '16_17', 'knife', g % 4 <> 0, 'ed_staff',
       s.starts_at + interval '2 hours', s.starts_at + interval '3 hours',
       CASE WHEN g % 5 < 3 THEN 'closed' ELSE 'open' END,
       CASE WHEN g % 5 < 3 THEN s.starts_at + make_interval(days => 30 + g % 240) END,
       CASE WHEN g % 5 < 3 THEN 'support_completed' END
FROM generate_series(1, :rows) g
JOIN shifts s ON s.n = 1 + (g::bigint * 7919) % (SELECT count(*) FROM shifts);
INSERT INTO outreach.ae_follow_ups (engagement_id, stage, due_on, outcome, recorded_at)
SELECT e.id, f.stage, (e.referred_at + f.after)::date,
       CASE WHEN e.id % 3 <> 0 AND e.referred_at + f.after < now() THEN 'engaged' END,
       CASE WHEN e.id % 3 <> 0 AND e.referred_at + f.after < now() THEN e.referred_at + f.after END
FROM outreach.ae_engagements e
CROSS JOIN (VALUES ('4_weeks', interval '28 days'), ('12_weeks', interval '84 days'), ('6_months', interval '6 months')) f (stage, after);
INSERT INTO outreach.sessions (venue_id, kind, title, starts_at, ends_at, status)
SELECT 61 + g % 2000, 'assembly', 'Concern session', now() - make_interval(hours => g * 3), now() - make_interval(hours => g * 3) + interval '1 hour', 'delivered'
FROM generate_series(1, :rows / 25) g;
INSERT INTO outreach.safeguarding_concerns (session_id, raised_at, details, status, handed_over_to, handed_over_at, acknowledged_at, closed_at)
SELECT s.id, s.ends_at, 'Bench concern details', CASE WHEN s.id % 10 = 0 THEN 'open' ELSE 'acknowledged' END,
       CASE WHEN s.id % 10 <> 0 THEN 'Safeguarding lead' END, CASE WHEN s.id % 10 <> 0 THEN s.ends_at + interval '1 day' END,
       CASE WHEN s.id % 10 <> 0 THEN s.ends_at + interval '3 days' END, NULL
FROM outreach.sessions s WHERE s.title = 'Concern session';
DELETE FROM outreach.impact_dirty_months;
VACUUM ANALYZE;
