-- Youth workers' profiles (skills, areas, contracted hours), their safeguarding (DBS) check, when they
-- can work (a weekly pattern and dated leave), the skills a session needs, and the indexes that let one
-- query rank every worker of a region for a session.

-- A configurable list, managed by coordinators. A skill in use is retired, never deleted, so old
-- sessions still say what they needed.
CREATE TABLE outreach.skills (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 60),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX skills_name_key ON outreach.skills (lower(name));

INSERT INTO outreach.skills (name) VALUES
    ('A&E-trained'), ('Trauma informed'), ('First aid'), ('Mentoring'),
    ('Punjabi'), ('Urdu'), ('Polish'), ('Somali'), ('Arabic');

ALTER TABLE outreach.youth_workers
    -- NULL: a sessional worker with no weekly limit.
    ADD COLUMN contracted_hours        numeric(4, 1) CHECK (contracted_hours BETWEEN 0 AND 80),
    -- enhanced_barred: enhanced check with the children's barred list, what work with young people needs.
    ADD COLUMN dbs_check_type          text CHECK (dbs_check_type IN ('enhanced_barred', 'enhanced', 'standard', 'basic')),
    ADD COLUMN dbs_certificate_number  text CHECK (dbs_certificate_number ~ '^[0-9]{12}$'),
    ADD COLUMN dbs_issued_on           date,
    ADD COLUMN dbs_update_service      boolean NOT NULL DEFAULT false,
    -- The worker may work up to the day before this date (UK calendar); from it on they cannot be booked.
    ADD COLUMN dbs_next_review_on      date,
    ADD CONSTRAINT youth_workers_dbs_complete CHECK (
        (dbs_check_type IS NULL AND dbs_certificate_number IS NULL AND dbs_issued_on IS NULL AND dbs_next_review_on IS NULL)
        OR (dbs_check_type IS NOT NULL AND dbs_certificate_number IS NOT NULL AND dbs_issued_on IS NOT NULL
            AND dbs_next_review_on IS NOT NULL)),
    ADD CONSTRAINT youth_workers_dbs_review_after_issue CHECK (dbs_next_review_on > dbs_issued_on);
-- Existing workers get no DBS values: a made-up check for a real person would be a safeguarding lie.
-- They stay bookable on their existing sessions and show as "no DBS check recorded" until entered.
CREATE INDEX youth_workers_dbs_review_idx ON outreach.youth_workers (dbs_next_review_on) WHERE active;

CREATE TABLE outreach.worker_skills (
    worker_id  bigint NOT NULL REFERENCES outreach.youth_workers (id) ON DELETE CASCADE,
    skill_id   bigint NOT NULL REFERENCES outreach.skills (id),
    PRIMARY KEY (worker_id, skill_id)
);
CREATE INDEX worker_skills_skill_idx ON outreach.worker_skills (skill_id);

CREATE TABLE outreach.worker_areas (
    worker_id  bigint NOT NULL REFERENCES outreach.youth_workers (id) ON DELETE CASCADE,
    area_id    bigint NOT NULL REFERENCES outreach.areas (id),
    PRIMARY KEY (worker_id, area_id)
);
-- The ranking starts from the areas of a region and finds the workers who cover them.
CREATE INDEX worker_areas_area_idx ON outreach.worker_areas (area_id, worker_id);
CREATE INDEX areas_region_idx ON outreach.areas (region);

-- The weekly pattern in UK wall-clock time. A worker with no rows has given no pattern and is taken
-- as available at any time. An end at or before the start is on the next day (18:00 to 02:00); an end
-- equal to the start is 24 hours.
CREATE TABLE outreach.worker_availability (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    worker_id   bigint NOT NULL REFERENCES outreach.youth_workers (id) ON DELETE CASCADE,
    weekday     smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),   -- ISO: 1 is Monday, 7 is Sunday
    from_time   time NOT NULL,
    to_time     time NOT NULL
);
-- Covering, so the ranking reads a worker's pattern from the index alone.
CREATE INDEX worker_availability_worker_idx ON outreach.worker_availability (worker_id, weekday, from_time, to_time);

-- Leave and other dated unavailability, whole UK calendar days, first and last day included.
CREATE TABLE outreach.worker_leave (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    worker_id   bigint NOT NULL REFERENCES outreach.youth_workers (id) ON DELETE CASCADE,
    first_day   date NOT NULL,
    last_day    date NOT NULL,
    reason      text NOT NULL CHECK (btrim(reason) <> '' AND length(reason) <= 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (last_day >= first_day),
    CHECK (last_day - first_day <= 366)
);
CREATE INDEX worker_leave_worker_idx ON outreach.worker_leave (worker_id, last_day);

CREATE TABLE outreach.session_required_skills (
    session_id  bigint NOT NULL REFERENCES outreach.sessions (id) ON DELETE CASCADE,
    skill_id    bigint NOT NULL REFERENCES outreach.skills (id),
    PRIMARY KEY (session_id, skill_id)
);

-- One probe per worker gives the ranking everything it needs from their bookings around a session
-- (clash, travel buffer, hours this week, sessions in the last 28 days) as an index-only range scan.
-- Sessions last at most 24 hours, so "starts after X - 24h" bounds every booking overlapping X.
CREATE INDEX assignments_worker_start_idx ON outreach.assignments (worker_id, lower(during))
    INCLUDE (during, session_id) WHERE status IN ('assigned', 'confirmed');

-- The first instant a worker may no longer work: midnight, UK time, at the start of the review date.
CREATE FUNCTION outreach.dbs_expires_at(review_on date) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN review_on::timestamp AT TIME ZONE 'Europe/London';

-- The hard rule behind the page's friendly message: nobody is booked onto a session that ends after
-- their DBS review date, or without a DBS check at all, whichever program writes the row.
-- Confirming an existing booking is not a new booking, so a worker's YES is never refused here.
CREATE FUNCTION outreach.assignment_requires_valid_dbs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    review_on    date;
    session_end  timestamptz;
BEGIN
    IF NEW.status NOT IN ('assigned', 'confirmed') THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.status IN ('assigned', 'confirmed')
       AND OLD.worker_id = NEW.worker_id AND OLD.session_id = NEW.session_id THEN
        RETURN NEW;
    END IF;

    -- FOR SHARE: a DBS change committed at the same moment waits for this booking, or this waits for it.
    SELECT w.dbs_next_review_on INTO review_on
      FROM outreach.youth_workers w WHERE w.id = NEW.worker_id FOR SHARE;
    IF NOT FOUND THEN
        RETURN NEW;   -- the foreign key reports a missing worker
    END IF;
    SELECT s.ends_at INTO session_end FROM outreach.sessions s WHERE s.id = NEW.session_id;

    IF review_on IS NULL THEN
        RAISE EXCEPTION 'youth worker % has no DBS check recorded and cannot be assigned to session %',
                NEW.worker_id, NEW.session_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'assignments_worker_dbs_valid',
                  TABLE = 'assignments', SCHEMA = 'outreach',
                  HINT = 'Record the worker''s DBS check before assigning them.';
    END IF;
    IF session_end IS NOT NULL AND outreach.dbs_expires_at(review_on) < session_end THEN
        RAISE EXCEPTION 'youth worker %''s DBS check is due for review on %, before session % ends',
                NEW.worker_id, review_on, NEW.session_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'assignments_worker_dbs_valid',
                  TABLE = 'assignments', SCHEMA = 'outreach',
                  HINT = 'Renew the DBS check and record the new review date before assigning them.';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER assignments_worker_dbs_valid
    BEFORE INSERT OR UPDATE OF status, worker_id, session_id ON outreach.assignments
    FOR EACH ROW EXECUTE FUNCTION outreach.assignment_requires_valid_dbs();
