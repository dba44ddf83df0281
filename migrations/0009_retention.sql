-- Retention of personal data, and the administrators' search of the audit log.
--
-- A worker's contact details are kept for a period after they leave, then pseudonymised; an SMS body
-- is kept for a period after it was queued, then replaced. The daily retention job does both and
-- records each run here. The audit log itself is never rewritten (it is append-only).

-- When a worker stopped being active, kept by a trigger so every way of deactivating them counts.
ALTER TABLE outreach.youth_workers
    ADD COLUMN left_at          timestamptz,
    ADD COLUMN pseudonymised_at timestamptz;

-- Workers already inactive: their last change is the best evidence of when they left.
UPDATE outreach.youth_workers SET left_at = updated_at WHERE NOT active;

ALTER TABLE outreach.youth_workers
    ADD CONSTRAINT youth_workers_left_when_inactive CHECK (active = (left_at IS NULL));

CREATE FUNCTION outreach.youth_worker_track_leaving() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.active THEN
        -- Back at work: the clock for their contact details stops, and starts again if they leave again.
        NEW.left_at := NULL;
        NEW.pseudonymised_at := NULL;
    ELSIF TG_OP = 'INSERT' OR OLD.active THEN
        -- An explicit time (an import of someone who left earlier) is kept; otherwise they leave now.
        NEW.left_at := coalesce(NEW.left_at, now());
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER youth_workers_track_leaving
    BEFORE INSERT OR UPDATE OF active ON outreach.youth_workers
    FOR EACH ROW EXECUTE FUNCTION outreach.youth_worker_track_leaving();

CREATE INDEX youth_workers_left_idx ON outreach.youth_workers (left_at) WHERE NOT active AND pseudonymised_at IS NULL;

-- When an outbox message's body was replaced. The partial index holds only bodies still kept, so the
-- daily sweep reads about a period's worth of rows, not the whole history.
ALTER TABLE outreach.sms_outbox ADD COLUMN body_removed_at timestamptz;
CREATE INDEX sms_outbox_body_kept_idx ON outreach.sms_outbox (created_at) WHERE body_removed_at IS NULL;
CREATE INDEX dev_sms_messages_created_idx ON outreach.dev_sms_messages (created_at);

-- One row per run of the retention job, and what it did for each kind of data. A new kind (engagement
-- details, say) is a new value of `kind`, not a new column.
CREATE TABLE outreach.retention_runs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ran_at       timestamptz NOT NULL,                -- the job's clock: the cut-offs are counted from it
    finished_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX retention_runs_ran_idx ON outreach.retention_runs (ran_at DESC);

CREATE TABLE outreach.retention_run_counts (
    run_id         bigint NOT NULL REFERENCES outreach.retention_runs (id),
    kind           text NOT NULL CHECK (kind ~ '^[a-z_]+$'),
    period_months  integer NOT NULL CHECK (period_months > 0),
    cutoff         timestamptz NOT NULL,
    affected       integer NOT NULL CHECK (affected >= 0),
    PRIMARY KEY (run_id, kind)
);

-- The administrators' audit search: newest first, narrowed by who, what or which entity.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX audit_events_action_idx ON outreach.audit_events (action, occurred_at DESC, id DESC);
CREATE INDEX audit_events_entity_time_idx ON outreach.audit_events (entity, occurred_at DESC, id DESC);
CREATE INDEX audit_events_actor_trgm_idx ON outreach.audit_events USING gin (actor_name gin_trgm_ops);
