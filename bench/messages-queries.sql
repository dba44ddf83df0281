\timing on
\o /dev/null
\echo -- log, no filter: count
SELECT count(*) FROM (SELECT 1 FROM outreach.sms_outbox o LIMIT 10001) c;
\echo -- log, no filter: first page of rows
SELECT o.id, o.created_at, o.sent_at, o.purpose, o.worker_id, w.full_name, o.to_e164, o.body, o.status, o.delivery_status,
       o.delivery_error_code, o.delivery_updated_at, o.attempts, o.last_error, o.session_id, o.resend_of,
       (SELECT r.id FROM outreach.sms_outbox r WHERE r.resend_of = o.id)
FROM outreach.sms_outbox o LEFT JOIN outreach.youth_workers w ON w.id = o.worker_id
ORDER BY o.created_at DESC, o.id DESC LIMIT 50;
\echo -- failed or not delivered: count
SELECT count(*) FROM (SELECT 1 FROM outreach.sms_outbox o WHERE (o.status = 'failed' OR o.delivery_status IN ('undelivered', 'failed')) LIMIT 10001) c;
\echo -- failed or not delivered: first page
SELECT o.id FROM outreach.sms_outbox o WHERE (o.status = 'failed' OR o.delivery_status IN ('undelivered', 'failed'))
ORDER BY o.created_at DESC, o.id DESC LIMIT 50;
\echo -- delivered: page 100
SELECT o.id FROM outreach.sms_outbox o WHERE o.delivery_status = 'delivered' ORDER BY o.created_at DESC, o.id DESC LIMIT 50 OFFSET 4950;
\echo -- kind and one day: count
SELECT count(*) FROM (SELECT 1 FROM outreach.sms_outbox o WHERE o.purpose = 'roster'
  AND o.created_at >= now() - interval '2 days' AND o.created_at < now() - interval '1 day' LIMIT 10001) c;
\echo -- worker name contains: count
SELECT count(*) FROM (SELECT 1 FROM outreach.sms_outbox o JOIN outreach.youth_workers w ON w.id = o.worker_id
  WHERE w.full_name ILIKE '%Worker 12%' LIMIT 10001) c;
\echo -- worker name contains: first page
SELECT o.id FROM outreach.sms_outbox o LEFT JOIN outreach.youth_workers w ON w.id = o.worker_id
WHERE w.full_name ILIKE '%Worker 12%' ORDER BY o.created_at DESC, o.id DESC LIMIT 50;
\echo -- kinds for the filter (skip scan)
WITH RECURSIVE p (purpose) AS ((SELECT purpose FROM outreach.sms_outbox ORDER BY purpose LIMIT 1)
  UNION ALL SELECT (SELECT o.purpose FROM outreach.sms_outbox o WHERE o.purpose > p.purpose ORDER BY o.purpose LIMIT 1)
  FROM p WHERE p.purpose IS NOT NULL)
SELECT purpose FROM p WHERE purpose IS NOT NULL;
\echo -- one worker, texts both ways: count
SELECT (SELECT count(*) FROM outreach.sms_outbox WHERE worker_id = 1234) + (SELECT count(*) FROM outreach.sms_inbound WHERE worker_id = 1234);
\echo -- one worker, texts both ways: first page
SELECT * FROM (SELECT 'out' AS direction, o.id, coalesce(o.sent_at, o.created_at) AS at, o.body FROM outreach.sms_outbox o WHERE o.worker_id = 1234
  UNION ALL SELECT 'in', i.id, i.received_at, i.body FROM outreach.sms_inbound i WHERE i.worker_id = 1234) h
ORDER BY at DESC, direction, id DESC LIMIT 100;
\echo -- a delivery report: kept once
INSERT INTO outreach.sms_status_events (message_sid, status) VALUES ('SMbench777', 'sent') ON CONFLICT DO NOTHING;
\echo -- a delivery report: applied to its outbox row
SELECT outreach.apply_sms_status_events('SMbench777');
\timing off
SELECT array_agg(id) AS page_ids FROM (SELECT o.id FROM outreach.sms_outbox o WHERE (o.status = 'failed' OR o.delivery_status IN ('undelivered', 'failed'))
  ORDER BY o.created_at DESC, o.id DESC LIMIT 50) p \gset
SELECT array_agg(i - 1 ORDER BY i)::int[] AS items, array_agg(worker_id ORDER BY i) AS workers, array_agg(created_at ORDER BY i) AS created,
       array_agg(i - 1 ORDER BY i) FILTER (WHERE session_id IS NOT NULL)::int[] AS own_items,
       array_agg(session_id ORDER BY i) FILTER (WHERE session_id IS NOT NULL) AS own_sessions
FROM (SELECT row_number() OVER (ORDER BY id)::int AS i, worker_id, session_id, created_at
      FROM outreach.sms_outbox WHERE id = ANY(:'page_ids'::bigint[])) t \gset
\timing on
\echo -- resend verdicts for the failed first page: its rows and workers
SELECT o.id, o.dedupe_key, o.purpose, o.worker_id, o.session_id, o.to_e164, o.body, o.status, o.delivery_status,
       o.delivery_error_code, o.created_at, o.expires_at, o.urgent,
       (SELECT r.id FROM outreach.sms_outbox r WHERE r.resend_of = o.id) AS resent_as,
       w.full_name, w.mobile_e164, w.active, w.sms_opted_out, w.sms_failing
FROM outreach.sms_outbox o LEFT JOIN outreach.youth_workers w ON w.id = o.worker_id
WHERE o.id = ANY(:'page_ids'::bigint[]) ORDER BY o.id;
\echo -- resend verdicts for the failed first page: their sessions, moves, records and bookings
WITH about (item, session_id) AS (
    SELECT * FROM unnest(:'own_items'::int[], :'own_sessions'::bigint[])
    UNION
    SELECT g.item, n.session_id FROM unnest('{}'::int[], '{}'::bigint[]) AS g (item, notice_id)
    JOIN outreach.session_notices n ON n.id = g.notice_id
), t (item, worker_id, created_at) AS (
    SELECT * FROM unnest(:'items'::int[], :'workers'::bigint[], :'created'::timestamptz[])
)
SELECT about.item, s.id, s.title, s.status, s.starts_at, s.ends_at,
       EXISTS (SELECT 1 FROM outreach.session_notices n
               WHERE n.session_id = s.id AND n.kind = 'changed' AND n.created_at > t.created_at) AS moved_since,
       EXISTS (SELECT 1 FROM outreach.session_records r WHERE r.session_id = s.id) AS recorded,
       EXISTS (SELECT 1 FROM outreach.assignments a
               WHERE a.session_id = s.id AND a.worker_id = t.worker_id AND a.status IN ('assigned', 'confirmed')) AS worker_booked
FROM about JOIN t ON t.item = about.item JOIN outreach.sessions s ON s.id = about.session_id
ORDER BY about.item, s.starts_at, s.id;
