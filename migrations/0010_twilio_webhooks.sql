-- What Twilio tells us: replies from workers' phones and delivery reports for sent messages. Each is
-- kept once per Twilio message SID (and status), so Twilio's retries of a webhook change nothing.
CREATE TABLE outreach.sms_inbound (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_sid  text NOT NULL UNIQUE,
    from_e164    text NOT NULL,
    to_e164      text NOT NULL DEFAULT '',
    body         text NOT NULL DEFAULT '',
    worker_id    bigint REFERENCES outreach.youth_workers (id),
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sms_inbound_worker_idx ON outreach.sms_inbound (worker_id, received_at);

CREATE TABLE outreach.sms_status_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_sid  text NOT NULL,
    status       text NOT NULL,
    error_code   text,
    received_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (message_sid, status)
);

ALTER TABLE outreach.sms_outbox ADD COLUMN delivery_status text;
CREATE INDEX sms_outbox_provider_sid_idx ON outreach.sms_outbox (provider_sid) WHERE provider_sid IS NOT NULL;
