-- Core schema for the walking skeleton: where work happens, who does it, what was planned,
-- who was booked, what was sent, what was recorded, and who changed what.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE outreach.areas (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL UNIQUE,          -- ONS local authority code, e.g. E08000025
    name        text NOT NULL,
    region      text NOT NULL DEFAULT '',      -- the commissioner's area the authority belongs to
    CHECK (btrim(code) <> '' AND btrim(name) <> '')
);

CREATE TABLE outreach.venues (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('school', 'emergency_department', 'community')),
    name        text NOT NULL CHECK (btrim(name) <> ''),
    area_id     bigint NOT NULL REFERENCES outreach.areas (id),
    address     text NOT NULL DEFAULT '',
    postcode    text NOT NULL DEFAULT '',
    urn         text UNIQUE,                   -- Department for Education unique reference number (schools)
    ods_code    text UNIQUE,                   -- NHS organisation code (hospital sites)
    pupils      integer CHECK (pupils >= 0),
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX venues_area_idx ON outreach.venues (area_id, kind);

CREATE TABLE outreach.youth_workers (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    full_name       text NOT NULL CHECK (btrim(full_name) <> ''),
    mobile_e164     text NOT NULL CHECK (mobile_e164 ~ '^\+[1-9][0-9]{6,14}$'),
    email           text,
    user_id         bigint UNIQUE,             -- sign-in account, see 0002
    hourly_cost     numeric(8, 2) CHECK (hourly_cost >= 0),
    sms_opted_out   boolean NOT NULL DEFAULT false,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX youth_workers_email_key ON outreach.youth_workers (lower(email)) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX youth_workers_mobile_key ON outreach.youth_workers (mobile_e164) WHERE active;

CREATE TABLE outreach.sessions (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue_id          bigint NOT NULL REFERENCES outreach.venues (id),
    kind              text NOT NULL CHECK (kind IN ('assembly', 'workshop', 'classroom', 'parents_evening',
                                                   'ae_shift', 'drop_in', 'other')),
    title             text NOT NULL DEFAULT '',
    starts_at         timestamptz NOT NULL,
    ends_at           timestamptz NOT NULL,
    required_workers  integer NOT NULL DEFAULT 1 CHECK (required_workers BETWEEN 1 AND 50),
    expected_size     integer CHECK (expected_size >= 0),
    status            text NOT NULL DEFAULT 'planned'
                      CHECK (status IN ('draft', 'planned', 'confirmed', 'delivered', 'cancelled')),
    cancel_reason     text,
    notes             text NOT NULL DEFAULT '',
    -- Bumped whenever the time or venue changes, so messages keyed on it follow the new version.
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK (ends_at - starts_at <= interval '24 hours'),
    CHECK (status <> 'cancelled' OR cancel_reason IS NOT NULL)
);
CREATE INDEX sessions_starts_idx ON outreach.sessions (starts_at);
CREATE INDEX sessions_venue_idx ON outreach.sessions (venue_id, starts_at);

CREATE TABLE outreach.assignments (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id  bigint NOT NULL REFERENCES outreach.sessions (id),
    worker_id   bigint NOT NULL REFERENCES outreach.youth_workers (id),
    status      text NOT NULL DEFAULT 'assigned'
                CHECK (status IN ('assigned', 'confirmed', 'declined', 'withdrawn')),
    is_lead     boolean NOT NULL DEFAULT false,
    -- Copy of the session's time range, kept in step by triggers, so the exclusion constraint below
    -- can stop one worker being booked into overlapping sessions even under concurrent requests.
    during      tstzrange NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (session_id, worker_id),
    CONSTRAINT assignments_no_double_booking
        EXCLUDE USING gist (worker_id WITH =, during WITH &&) WHERE (status IN ('assigned', 'confirmed'))
);
CREATE INDEX assignments_worker_idx ON outreach.assignments (worker_id);

CREATE FUNCTION outreach.assignment_take_session_time() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT tstzrange(s.starts_at, s.ends_at, '[)') INTO NEW.during
    FROM outreach.sessions s WHERE s.id = NEW.session_id;
    RETURN NEW;
END $$;

CREATE TRIGGER assignments_take_session_time
    BEFORE INSERT OR UPDATE OF session_id ON outreach.assignments
    FOR EACH ROW EXECUTE FUNCTION outreach.assignment_take_session_time();

CREATE FUNCTION outreach.session_push_time_to_assignments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE outreach.assignments
       SET during = tstzrange(NEW.starts_at, NEW.ends_at, '[)')
     WHERE session_id = NEW.id;
    RETURN NEW;
END $$;

CREATE TRIGGER sessions_push_time_to_assignments
    AFTER UPDATE OF starts_at, ends_at ON outreach.sessions
    FOR EACH ROW WHEN (OLD.starts_at IS DISTINCT FROM NEW.starts_at OR OLD.ends_at IS DISTINCT FROM NEW.ends_at)
    EXECUTE FUNCTION outreach.session_push_time_to_assignments();

-- Every outgoing SMS is a row here before it is a request to the gateway. dedupe_key says why the
-- message exists (e.g. reminder-24h:assignment:42:v3); its uniqueness is what makes a retried job
-- send nothing twice.
CREATE TABLE outreach.sms_outbox (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dedupe_key    text NOT NULL UNIQUE,
    purpose       text NOT NULL,
    worker_id     bigint REFERENCES outreach.youth_workers (id),
    session_id    bigint REFERENCES outreach.sessions (id),
    to_e164       text NOT NULL CHECK (to_e164 ~ '^\+[1-9][0-9]{6,14}$'),
    body          text NOT NULL CHECK (body <> ''),
    status        text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'void')),
    not_before    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    attempts      integer NOT NULL DEFAULT 0,
    provider_sid  text,
    last_error    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    claimed_at    timestamptz,
    sent_at       timestamptz
);
CREATE INDEX sms_outbox_due_idx ON outreach.sms_outbox (not_before) WHERE status = 'pending';
CREATE INDEX sms_outbox_worker_idx ON outreach.sms_outbox (worker_id, created_at);

-- Messages the development gateway "sent": what a phone would have received when no Twilio
-- credentials are configured.
CREATE TABLE outreach.dev_sms_messages (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sid         text NOT NULL UNIQUE,
    to_e164     text NOT NULL,
    from_label  text NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outreach.session_records (
    session_id           bigint PRIMARY KEY REFERENCES outreach.sessions (id),
    delivered            boolean NOT NULL,
    not_delivered_reason text,
    actual_start         timestamptz,
    actual_end           timestamptz,
    count_under_11       integer NOT NULL DEFAULT 0 CHECK (count_under_11 >= 0),
    count_11_13          integer NOT NULL DEFAULT 0 CHECK (count_11_13 >= 0),
    count_14_15          integer NOT NULL DEFAULT 0 CHECK (count_14_15 >= 0),
    count_16_17          integer NOT NULL DEFAULT 0 CHECK (count_16_17 >= 0),
    count_18_24          integer NOT NULL DEFAULT 0 CHECK (count_18_24 >= 0),
    notes                text NOT NULL DEFAULT '',
    recorded_by          bigint,
    recorded_at          timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (delivered OR not_delivered_reason IS NOT NULL),
    CHECK (actual_end IS NULL OR actual_start IS NULL OR actual_end > actual_start)
);

-- Compiled reach figures: what the commissioner's office reads. Rebuilt by the compile job.
CREATE TABLE outreach.reach_monthly (
    month                 date NOT NULL,
    area_id               bigint NOT NULL REFERENCES outreach.areas (id),
    venue_kind            text NOT NULL,
    session_kind          text NOT NULL,
    sessions_planned      integer NOT NULL,
    sessions_delivered    integer NOT NULL,
    sessions_cancelled    integer NOT NULL,
    young_people_reached  integer NOT NULL,
    compiled_at           timestamptz NOT NULL,
    PRIMARY KEY (month, area_id, venue_kind, session_kind)
);

CREATE TABLE outreach.compile_runs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz,
    rows_written  integer
);

-- Append-only: who did what, when, from where, with the row before and after.
CREATE TABLE outreach.audit_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    actor_id     bigint,
    actor_name   text NOT NULL DEFAULT '',
    remote_ip    text,
    action       text NOT NULL,
    entity       text NOT NULL,
    entity_id    text,
    before       jsonb,
    after        jsonb
);
CREATE INDEX audit_events_entity_idx ON outreach.audit_events (entity, entity_id);
CREATE INDEX audit_events_time_idx ON outreach.audit_events (occurred_at);

CREATE FUNCTION outreach.audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON outreach.audit_events
    FOR EACH ROW EXECUTE FUNCTION outreach.audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON outreach.audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION outreach.audit_events_append_only();
