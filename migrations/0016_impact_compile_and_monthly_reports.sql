-- Impact figures per month, area, venue kind and session kind (what the commissioner's office reads), the
-- months whose inputs changed since the last compile, and the monthly reports issued from them.
-- reach_monthly becomes a view of impact_monthly so its readers keep working. See docs/decisions/0011.

CREATE TABLE outreach.impact_monthly (
    month                   date NOT NULL,
    area_id                 bigint NOT NULL REFERENCES outreach.areas (id),
    venue_kind              text NOT NULL,
    session_kind            text NOT NULL,
    sessions_planned        integer NOT NULL,
    sessions_delivered      integer NOT NULL,
    sessions_cancelled      integer NOT NULL,
    -- Head-counts from delivered sessions' records.
    group_attendance        integer NOT NULL,
    -- A&E young people: each pseudonymous reference counts once, in the cell of its first engagement.
    ae_young_people         integer NOT NULL,
    young_people_reached    integer NOT NULL,
    schools_reached         integer NOT NULL,
    ae_engagements          integer NOT NULL,
    ae_consented            integer NOT NULL,
    follow_ups_4w_due       integer NOT NULL,
    follow_ups_4w_done      integer NOT NULL,
    follow_ups_12w_due      integer NOT NULL,
    follow_ups_12w_done     integer NOT NULL,
    follow_ups_6m_due       integer NOT NULL,
    follow_ups_6m_done      integer NOT NULL,
    referrals               integer NOT NULL,
    -- Sum of (after - before) x weight, signed so that positive is always an improvement; the mean is the
    -- sum over the weight.
    survey_change_sum       numeric(14, 4) NOT NULL,
    survey_weight           integer NOT NULL,
    staff_hours             numeric(14, 2) NOT NULL,
    staff_cost              numeric(14, 2) NOT NULL,
    compiled_at             timestamptz NOT NULL,
    PRIMARY KEY (month, area_id, venue_kind, session_kind)
);
CREATE INDEX impact_monthly_area_idx ON outreach.impact_monthly (area_id, month);

CREATE TABLE outreach.impact_referrals_monthly (
    month         date NOT NULL,
    area_id       bigint NOT NULL REFERENCES outreach.areas (id),
    venue_kind    text NOT NULL,
    session_kind  text NOT NULL,
    service       text NOT NULL,
    referrals     integer NOT NULL,
    PRIMARY KEY (month, area_id, venue_kind, session_kind, service)
);

-- Which schools had a delivered session in which month: distinct schools over any period, and the gaps.
CREATE TABLE outreach.impact_school_visits (
    month               date NOT NULL,
    venue_id            bigint NOT NULL REFERENCES outreach.venues (id),
    area_id             bigint NOT NULL REFERENCES outreach.areas (id),
    sessions_delivered  integer NOT NULL,
    PRIMARY KEY (month, venue_id)
);
CREATE INDEX impact_school_visits_venue_idx ON outreach.impact_school_visits (venue_id, month);
CREATE INDEX impact_school_visits_area_idx ON outreach.impact_school_visits (area_id, month);

-- The months each school was visited, one row per school: coverage over any period and the gaps are one pass
-- over the schools with an array overlap, rather than a probe per school or a distinct over every visit.
CREATE TABLE outreach.impact_school_months (
    venue_id  bigint PRIMARY KEY REFERENCES outreach.venues (id),
    months    date[] NOT NULL
);

-- Months whose inputs changed. A log, not a set: a writer always adds its own row, so a compile that
-- deletes the rows it saw can never swallow a change committed after it looked.
CREATE TABLE outreach.impact_dirty_months (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    month     date NOT NULL,
    added_at  timestamptz NOT NULL DEFAULT now()
);

-- The day the last compile counted follow-ups as due up to; the next compile re-counts the months whose
-- follow-ups fell due since then.
CREATE TABLE outreach.impact_compile_state (
    id     integer PRIMARY KEY CHECK (id = 1),
    as_of  date
);
INSERT INTO outreach.impact_compile_state (id, as_of) VALUES (1, NULL);

ALTER TABLE outreach.compile_runs
    ADD COLUMN mode            text NOT NULL DEFAULT 'full' CHECK (mode IN ('full', 'incremental')),
    ADD COLUMN status          text NOT NULL DEFAULT 'finished' CHECK (status IN ('queued', 'running', 'finished', 'failed')),
    ADD COLUMN months_total    integer,
    ADD COLUMN months_done     integer NOT NULL DEFAULT 0,
    ADD COLUMN months          date[] NOT NULL DEFAULT '{}',
    ADD COLUMN requested_by    text NOT NULL DEFAULT '';
ALTER TABLE outreach.compile_runs ALTER COLUMN status SET DEFAULT 'queued';

DROP TABLE outreach.reach_monthly;
CREATE VIEW outreach.reach_monthly AS
    SELECT month, area_id, venue_kind, session_kind, sessions_planned, sessions_delivered, sessions_cancelled,
           young_people_reached, compiled_at
    FROM outreach.impact_monthly;

CREATE FUNCTION outreach.uk_month(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE AS $$
    SELECT date_trunc('month', t AT TIME ZONE 'Europe/London')::date
$$;

CREATE INDEX ae_follow_ups_due_on_idx ON outreach.ae_follow_ups (due_on);
CREATE INDEX session_record_staff_worker_idx ON outreach.session_record_staff (worker_id);

-- Dirty-month triggers: statement-level with transition tables, so a bulk load marks each month once.
CREATE FUNCTION outreach.impact_dirty_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO outreach.impact_dirty_months (month)
        SELECT DISTINCT outreach.uk_month(n.starts_at) FROM new_rows n;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO outreach.impact_dirty_months (month)
        SELECT DISTINCT outreach.uk_month(o.starts_at) FROM old_rows o;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER sessions_impact_dirty_insert AFTER INSERT ON outreach.sessions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outreach.impact_dirty_sessions();
CREATE TRIGGER sessions_impact_dirty_update AFTER UPDATE ON outreach.sessions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outreach.impact_dirty_sessions();
CREATE TRIGGER sessions_impact_dirty_delete AFTER DELETE ON outreach.sessions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION outreach.impact_dirty_sessions();

-- Rows that belong to a session (records, their details, assignments, engagements): the session's month.
CREATE FUNCTION outreach.impact_dirty_by_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO outreach.impact_dirty_months (month)
        SELECT DISTINCT outreach.uk_month(s.starts_at)
        FROM (SELECT DISTINCT session_id FROM new_rows) n JOIN outreach.sessions s ON s.id = n.session_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO outreach.impact_dirty_months (month)
        SELECT DISTINCT outreach.uk_month(s.starts_at)
        FROM (SELECT DISTINCT session_id FROM old_rows) o JOIN outreach.sessions s ON s.id = o.session_id;
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['session_records', 'session_record_staff', 'session_record_referrals',
                             'session_record_surveys', 'assignments']
    LOOP
        EXECUTE format('CREATE TRIGGER %1$s_impact_dirty_insert AFTER INSERT ON outreach.%1$s
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outreach.impact_dirty_by_session()', t);
        EXECUTE format('CREATE TRIGGER %1$s_impact_dirty_update AFTER UPDATE ON outreach.%1$s
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outreach.impact_dirty_by_session()', t);
        EXECUTE format('CREATE TRIGGER %1$s_impact_dirty_delete AFTER DELETE ON outreach.%1$s
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION outreach.impact_dirty_by_session()', t);
    END LOOP;
END $$;

-- An engagement can move a reference's first engagement, so every month where its references were seen.
CREATE FUNCTION outreach.impact_dirty_engagements() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outreach.impact_dirty_months (month)
    SELECT DISTINCT outreach.uk_month(s.starts_at)
    FROM outreach.ae_engagements e JOIN outreach.sessions s ON s.id = e.session_id
    WHERE e.reference IN (SELECT reference FROM changed_rows);
    -- A deleted engagement (or one whose session moved) is no longer found through its reference.
    INSERT INTO outreach.impact_dirty_months (month)
    SELECT DISTINCT outreach.uk_month(s.starts_at)
    FROM (SELECT DISTINCT session_id FROM changed_rows) c JOIN outreach.sessions s ON s.id = c.session_id;
    RETURN NULL;
END $$;
CREATE TRIGGER ae_engagements_impact_dirty_insert AFTER INSERT ON outreach.ae_engagements
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION outreach.impact_dirty_engagements();
CREATE TRIGGER ae_engagements_impact_dirty_update_new AFTER UPDATE ON outreach.ae_engagements
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION outreach.impact_dirty_engagements();
CREATE TRIGGER ae_engagements_impact_dirty_update_old AFTER UPDATE ON outreach.ae_engagements
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION outreach.impact_dirty_engagements();
CREATE TRIGGER ae_engagements_impact_dirty_delete AFTER DELETE ON outreach.ae_engagements
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION outreach.impact_dirty_engagements();

-- Follow-ups count in their engagement's month.
CREATE FUNCTION outreach.impact_dirty_follow_ups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outreach.impact_dirty_months (month)
    SELECT DISTINCT outreach.uk_month(s.starts_at)
    FROM (SELECT DISTINCT engagement_id FROM changed_rows) c
    JOIN outreach.ae_engagements e ON e.id = c.engagement_id
    JOIN outreach.sessions s ON s.id = e.session_id;
    RETURN NULL;
END $$;
CREATE TRIGGER ae_follow_ups_impact_dirty_insert AFTER INSERT ON outreach.ae_follow_ups
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION outreach.impact_dirty_follow_ups();
CREATE TRIGGER ae_follow_ups_impact_dirty_update AFTER UPDATE ON outreach.ae_follow_ups
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION outreach.impact_dirty_follow_ups();
CREATE TRIGGER ae_follow_ups_impact_dirty_delete AFTER DELETE ON outreach.ae_follow_ups
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION outreach.impact_dirty_follow_ups();

-- A venue moving area or kind moves every month of its sessions.
CREATE FUNCTION outreach.impact_dirty_venues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outreach.impact_dirty_months (month)
    SELECT DISTINCT outreach.uk_month(s.starts_at)
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    JOIN outreach.sessions s ON s.venue_id = n.id
    WHERE o.area_id IS DISTINCT FROM n.area_id OR o.kind IS DISTINCT FROM n.kind;
    RETURN NULL;
END $$;
CREATE TRIGGER venues_impact_dirty_update AFTER UPDATE ON outreach.venues
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outreach.impact_dirty_venues();

-- A changed hourly cost re-costs every month the worker worked.
CREATE FUNCTION outreach.impact_dirty_worker_costs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outreach.impact_dirty_months (month)
    SELECT DISTINCT outreach.uk_month(s.starts_at)
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    JOIN (SELECT worker_id, session_id FROM outreach.assignments
          UNION SELECT worker_id, session_id FROM outreach.session_record_staff) a ON a.worker_id = n.id
    JOIN outreach.sessions s ON s.id = a.session_id
    WHERE o.hourly_cost IS DISTINCT FROM n.hourly_cost;
    RETURN NULL;
END $$;
CREATE TRIGGER youth_workers_impact_dirty_update AFTER UPDATE ON outreach.youth_workers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outreach.impact_dirty_worker_costs();

-- The issued monthly reports: one per month, its HTML document and the CSV files of its tables.
CREATE TABLE outreach.monthly_reports (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    month       date NOT NULL UNIQUE CHECK (extract(day FROM month) = 1),
    title       text NOT NULL,
    html        text NOT NULL,
    pdf         bytea,
    issued_at   timestamptz NOT NULL
);

CREATE TABLE outreach.monthly_report_files (
    report_id   bigint NOT NULL REFERENCES outreach.monthly_reports (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (name ~ '^[a-z0-9-]+\.csv$'),
    content     text NOT NULL,
    PRIMARY KEY (report_id, name)
);
