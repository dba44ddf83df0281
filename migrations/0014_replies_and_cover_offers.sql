-- What replies do: workers confirm or decline new bookings, take up cover offers, opt out and back in.
-- Each request or offer that a reply can answer carries a short code, so a worker with several open
-- questions can say which one a YES is for. Codes come from one sequence, so they never collide.

CREATE SEQUENCE outreach.reply_code_seq START 961;  -- 31^2: every code has at least three characters

-- Base 31 without 0, 1, I, L or O, which read alike on a phone.
CREATE FUNCTION outreach.next_reply_code() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n        bigint := nextval('outreach.reply_code_seq');
    alphabet text := '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
    code     text := '';
BEGIN
    WHILE n > 0 LOOP
        code := substr(alphabet, (n % 31)::int + 1, 1) || code;
        n := n / 31;
    END LOOP;
    RETURN code;
END $$;

-- A booking waiting for the worker's YES or NO. Opened in the booking's transaction; at most one open per booking.
CREATE TABLE outreach.confirmation_requests (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    assignment_id  bigint NOT NULL REFERENCES outreach.assignments (id),
    code           text NOT NULL UNIQUE DEFAULT outreach.next_reply_code(),
    status         text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'confirmed', 'declined', 'expired', 'void')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    answered_at    timestamptz
);
CREATE UNIQUE INDEX confirmation_requests_open_key ON outreach.confirmation_requests (assignment_id)
    WHERE status IN ('pending', 'expired');
-- A worker's open questions are found through their bookings.
CREATE INDEX confirmation_requests_assignment_idx ON outreach.confirmation_requests (assignment_id);
CREATE INDEX confirmation_requests_pending_idx ON outreach.confirmation_requests (created_at) WHERE status = 'pending';

-- A place to fill: offered by SMS to the best-ranked eligible workers; the first YES takes it.
-- The conditional update of status from 'open' is what lets exactly one YES win.
CREATE TABLE outreach.cover_offers (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id             bigint NOT NULL REFERENCES outreach.sessions (id),
    -- The booking whose place this is (declined, withdrawn, or not confirmed in time).
    assignment_id          bigint NOT NULL REFERENCES outreach.assignments (id),
    reason                 text NOT NULL CHECK (reason IN ('declined', 'withdrawn', 'unconfirmed')),
    code                   text NOT NULL UNIQUE DEFAULT outreach.next_reply_code(),
    status                 text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'escalated', 'filled', 'void')),
    created_at             timestamptz NOT NULL DEFAULT now(),
    offered_at             timestamptz,
    escalated_at           timestamptz,
    closed_at              timestamptz,
    filled_by_worker_id    bigint REFERENCES outreach.youth_workers (id),
    filled_assignment_id   bigint REFERENCES outreach.assignments (id),
    CHECK ((status = 'filled') = (filled_assignment_id IS NOT NULL))
);
CREATE UNIQUE INDEX cover_offers_one_open_per_place ON outreach.cover_offers (assignment_id) WHERE status IN ('open', 'escalated');
CREATE INDEX cover_offers_session_idx ON outreach.cover_offers (session_id);

CREATE TABLE outreach.cover_offer_recipients (
    offer_id      bigint NOT NULL REFERENCES outreach.cover_offers (id),
    worker_id     bigint NOT NULL REFERENCES outreach.youth_workers (id),
    rank          integer NOT NULL,
    response      text CHECK (response IN ('yes', 'no')),
    responded_at  timestamptz,
    PRIMARY KEY (offer_id, worker_id)
);
CREATE INDEX cover_offer_recipients_worker_idx ON outreach.cover_offer_recipients (worker_id);

-- A session's time or venue changed, or it was cancelled: written in the change's transaction, so every
-- worker booked on it is told once (per version of the session for changes).
CREATE TABLE outreach.session_notices (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id  bigint NOT NULL REFERENCES outreach.sessions (id),
    kind        text NOT NULL CHECK (kind IN ('changed', 'cancelled')),
    version     integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    UNIQUE (session_id, kind, version)
);
CREATE INDEX session_notices_unsent_idx ON outreach.session_notices (created_at) WHERE sent_at IS NULL;

-- What each reply did, the answer it got (so a repeated webhook answers the same and acts once), and the
-- coordinator inbox: replies nothing could act on, until someone marks them handled.
ALTER TABLE outreach.sms_inbound
    ADD COLUMN outcome     text,
    ADD COLUMN response    text,
    ADD COLUMN handled_at  timestamptz,
    ADD COLUMN handled_by  bigint;
CREATE INDEX sms_inbound_inbox_idx ON outreach.sms_inbound (received_at) WHERE outcome = 'inbox' AND handled_at IS NULL;
