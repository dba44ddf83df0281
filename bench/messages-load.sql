INSERT INTO outreach.youth_workers (full_name, mobile_e164)
SELECT 'Worker ' || g, '+4474' || lpad(g::text, 8, '0') FROM generate_series(1, 5000) g;
-- Loaded as already delivered history, so the early-report trigger has nothing to take.
ALTER TABLE outreach.sms_outbox DISABLE TRIGGER sms_outbox_take_early_reports;
-- A text every 15 seconds going back; 1 in 97 failed to send, 1 in 41 not delivered (30003).
INSERT INTO outreach.sms_outbox (dedupe_key, purpose, worker_id, to_e164, body, status, created_at, sent_at, not_before,
    attempts, provider_sid, delivery_status, delivery_error_code)
SELECT 'bench:' || g, (ARRAY['roster','reminder-24h','reminder-2h','cover-offer','cover-filled','change','cancel','record-chase'])[1 + g % 8],
       w.id, w.mobile_e164, 'Outreach reminder: assembly tomorrow 09:00. Reply NO if you cannot make it.',
       CASE WHEN g % 97 = 0 THEN 'failed' ELSE 'sent' END,
       now() - make_interval(secs => g * 15), now() - make_interval(secs => g * 15), now() - make_interval(secs => g * 15), 1,
       'SMbench' || g, CASE WHEN g % 97 = 0 THEN NULL WHEN g % 41 = 0 THEN 'undelivered' ELSE 'delivered' END,
       CASE WHEN g % 41 = 0 AND g % 97 <> 0 THEN '30003' END
FROM generate_series(1, :rows) g
JOIN outreach.youth_workers w ON w.mobile_e164 = '+4474' || lpad((1 + (g::bigint * 7919) % 5000)::text, 8, '0');
ALTER TABLE outreach.sms_outbox ENABLE TRIGGER sms_outbox_take_early_reports;
INSERT INTO outreach.sms_inbound (message_sid, from_e164, body, worker_id, received_at)
SELECT 'SMreply' || g, w.mobile_e164, 'YES', w.id, now() - make_interval(secs => g * 60)
FROM generate_series(1, :rows / 7) g
JOIN outreach.youth_workers w ON w.mobile_e164 = '+4474' || lpad((1 + g % 5000)::text, 8, '0');
-- For the resend verdicts: 50,000 one-hour sessions either side of now, each with one booked worker, every tenth
-- moved (a change notice) and every seventh recorded; each failed or undelivered text is about one of them.
UPDATE outreach.youth_workers SET dbs_check_type = 'enhanced_barred', dbs_certificate_number = '001234567890',
    dbs_issued_on = current_date - 365, dbs_next_review_on = current_date + 3650;
INSERT INTO outreach.areas (code, name, region) VALUES ('BENCH', 'Bench area', 'Bench');
INSERT INTO outreach.venues (kind, name, area_id, postcode)
SELECT 'school', 'Bench school', id, 'B1 1AA' FROM outreach.areas WHERE code = 'BENCH';
INSERT INTO outreach.sessions (venue_id, kind, title, starts_at, ends_at)
SELECT v.id, 'assembly', 'Bench session ' || g, now() + make_interval(hours => g - 25000), now() + make_interval(hours => g - 24999)
FROM generate_series(1, 50000) g, outreach.venues v WHERE v.name = 'Bench school';
INSERT INTO outreach.assignments (session_id, worker_id, is_lead, during)
SELECT s.id, 1 + s.id % 5000, true, 'empty' FROM outreach.sessions s;
INSERT INTO outreach.session_notices (session_id, kind, version, created_at, sent_at)
SELECT id, 'changed', version, now() - interval '1 day', now() - interval '1 day' FROM outreach.sessions WHERE id % 10 = 0;
INSERT INTO outreach.session_records (session_id, delivered, count_11_13)
SELECT id, true, 20 FROM outreach.sessions WHERE id % 7 = 0 AND ends_at < now();
UPDATE outreach.sms_outbox SET session_id = (SELECT min(id) FROM outreach.sessions) + id % 50000
WHERE status = 'failed' OR delivery_status = 'undelivered';
VACUUM ANALYZE;
