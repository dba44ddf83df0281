-- Twilio's delivery reports arrive repeated, out of order, and sometimes before the send job has stored
-- the message SID on its outbox row. The row's delivery status is therefore derived from every report
-- kept for its SID: the furthest one along queued < sending < sent < final, where the finals (delivered,
-- undelivered, failed, canceled) are terminal and the first final to arrive wins. A status never moves back.

ALTER TABLE outreach.sms_outbox
    ADD COLUMN delivery_error_code  text,
    ADD COLUMN delivery_updated_at  timestamptz,
    -- A coordinator's resend of a message that failed: one resend per original row, so a double click adds one.
    ADD COLUMN resend_of            bigint UNIQUE REFERENCES outreach.sms_outbox (id);

-- The messages log reads newest first, by kind, and the failed-or-undelivered list.
CREATE INDEX sms_outbox_created_idx ON outreach.sms_outbox (created_at DESC, id DESC);
CREATE INDEX sms_outbox_purpose_idx ON outreach.sms_outbox (purpose, created_at);
CREATE INDEX sms_outbox_problem_idx ON outreach.sms_outbox (created_at)
    WHERE status = 'failed' OR delivery_status IN ('undelivered', 'failed');

-- NULL for statuses that say nothing about progress (read, receiving, ...): they never change the row.
CREATE FUNCTION outreach.sms_delivery_rank(status text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE status
        WHEN 'accepted' THEN 1 WHEN 'scheduled' THEN 1
        WHEN 'queued' THEN 2
        WHEN 'sending' THEN 3
        WHEN 'sent' THEN 4
        WHEN 'delivered' THEN 5 WHEN 'undelivered' THEN 5 WHEN 'failed' THEN 5 WHEN 'canceled' THEN 5
    END
$$;

-- Reports and the storing of a SID meet on this lock, so a report that lands while the SID is being
-- stored is seen by one side or the other, never missed by both.
CREATE FUNCTION outreach.lock_sms_sid(sid text) RETURNS void
LANGUAGE sql VOLATILE AS $$
    SELECT pg_advisory_xact_lock(hashtextextended('sms-sid:' || sid, 0))
$$;

-- Applies the furthest report kept for a SID to its outbox row (if the row has the SID yet).
CREATE FUNCTION outreach.apply_sms_status_events(sid text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM outreach.lock_sms_sid(sid);
    UPDATE outreach.sms_outbox o
       SET delivery_status = e.status, delivery_error_code = e.error_code, delivery_updated_at = e.received_at
      FROM (SELECT status, error_code, received_at
              FROM outreach.sms_status_events
             WHERE message_sid = sid AND outreach.sms_delivery_rank(status) IS NOT NULL
             ORDER BY outreach.sms_delivery_rank(status) DESC, id
             LIMIT 1) e
     WHERE o.provider_sid = sid
       AND outreach.sms_delivery_rank(e.status) > coalesce(outreach.sms_delivery_rank(o.delivery_status), 0);
END
$$;

-- When the send job stores a SID, reports that arrived first are taken at once: the sending side calls nothing extra.
CREATE FUNCTION outreach.sms_outbox_take_early_reports() RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    e record;
BEGIN
    IF NEW.provider_sid IS NULL OR (TG_OP = 'UPDATE' AND NEW.provider_sid IS NOT DISTINCT FROM OLD.provider_sid) THEN
        RETURN NEW;
    END IF;
    PERFORM outreach.lock_sms_sid(NEW.provider_sid);
    SELECT status, error_code, received_at INTO e
      FROM outreach.sms_status_events
     WHERE message_sid = NEW.provider_sid AND outreach.sms_delivery_rank(status) IS NOT NULL
     ORDER BY outreach.sms_delivery_rank(status) DESC, id
     LIMIT 1;
    IF FOUND AND outreach.sms_delivery_rank(e.status) > coalesce(outreach.sms_delivery_rank(NEW.delivery_status), 0) THEN
        NEW.delivery_status := e.status;
        NEW.delivery_error_code := e.error_code;
        NEW.delivery_updated_at := e.received_at;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER sms_outbox_take_early_reports
    BEFORE INSERT OR UPDATE OF provider_sid ON outreach.sms_outbox
    FOR EACH ROW EXECUTE FUNCTION outreach.sms_outbox_take_early_reports();
