-- Sending SMS that workers can trust: urgency (quiet hours and the daily cap let urgent messages
-- through), the UK day a message counted against its worker's cap, when a request last left for
-- Twilio (the lease that tells a live sender from a dead one), an 'unknown' state for a request whose
-- answer never came, and one row that spaces sends across every job worker.

ALTER TABLE outreach.sms_outbox
    ADD COLUMN urgent            boolean NOT NULL DEFAULT false,
    -- The UK calendar day this message counts against its worker's daily cap (set when claimed).
    ADD COLUMN cap_day           date,
    -- When the current attempt's request left, and when the first one did (the start of the window
    -- in which Twilio may already hold the message).
    ADD COLUMN request_at        timestamptz,
    ADD COLUMN first_request_at  timestamptz,
    -- Why a due message is waiting: 'quiet hours' or 'daily cap'; cleared when it is claimed.
    ADD COLUMN held_reason       text;

ALTER TABLE outreach.sms_outbox DROP CONSTRAINT sms_outbox_status_check;
ALTER TABLE outreach.sms_outbox ADD CONSTRAINT sms_outbox_status_check
    CHECK (status IN ('pending', 'sending', 'unknown', 'sent', 'failed', 'void'));

-- Rows waiting to be reconciled are claimed like pending ones.
CREATE INDEX sms_outbox_unknown_idx ON outreach.sms_outbox (not_before) WHERE status = 'unknown';
-- Rows in flight, looked at for an expired lease.
CREATE INDEX sms_outbox_sending_idx ON outreach.sms_outbox (claimed_at) WHERE status = 'sending';
CREATE INDEX sms_outbox_cap_idx ON outreach.sms_outbox (worker_id, cap_day) WHERE cap_day IS NOT NULL;

-- The next free moment to send at. Each sender moves it on by one interval (1 / messages per second)
-- in a single UPDATE and waits until its slot, so every process together keeps to the rate.
CREATE TABLE outreach.sms_send_slots (
    id         smallint PRIMARY KEY CHECK (id = 1),
    next_free  timestamptz NOT NULL
);
INSERT INTO outreach.sms_send_slots (id, next_free) VALUES (1, '2000-01-01T00:00:00Z');
