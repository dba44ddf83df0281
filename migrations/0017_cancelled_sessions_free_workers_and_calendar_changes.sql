-- A cancelled session no longer holds its workers' time: its assignments keep their status (the
-- history of who was booked) but their time range becomes empty, so the exclusion constraint, clash
-- checks, weekly hours and fair-share counts all ignore them.
CREATE OR REPLACE FUNCTION outreach.assignment_take_session_time() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT CASE WHEN s.status = 'cancelled' THEN 'empty'::tstzrange ELSE tstzrange(s.starts_at, s.ends_at, '[)') END
      INTO NEW.during
      FROM outreach.sessions s WHERE s.id = NEW.session_id;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION outreach.session_push_time_to_assignments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE outreach.assignments
       SET during = CASE WHEN NEW.status = 'cancelled' THEN 'empty'::tstzrange
                         ELSE tstzrange(NEW.starts_at, NEW.ends_at, '[)') END
     WHERE session_id = NEW.id;
    RETURN NEW;
END $$;

DROP TRIGGER sessions_push_time_to_assignments ON outreach.sessions;
CREATE TRIGGER sessions_push_time_to_assignments
    AFTER UPDATE OF starts_at, ends_at, status ON outreach.sessions
    FOR EACH ROW WHEN (OLD.starts_at IS DISTINCT FROM NEW.starts_at OR OLD.ends_at IS DISTINCT FROM NEW.ends_at
                       OR (OLD.status = 'cancelled') IS DISTINCT FROM (NEW.status = 'cancelled'))
    EXECUTE FUNCTION outreach.session_push_time_to_assignments();

UPDATE outreach.assignments a SET during = 'empty'::tstzrange
  FROM outreach.sessions s
 WHERE s.id = a.session_id AND s.status = 'cancelled' AND NOT isempty(a.during);

-- The site caches calendar answers; a committed change to what a calendar shows tells every site
-- process to forget them (NOTIFY is delivered only on commit, once per transaction).
CREATE FUNCTION outreach.notify_calendar_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outreach_calendar_changed', '');
    RETURN NULL;
END $$;

CREATE TRIGGER sessions_calendar_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON outreach.sessions
    FOR EACH STATEMENT EXECUTE FUNCTION outreach.notify_calendar_changed();
CREATE TRIGGER assignments_calendar_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON outreach.assignments
    FOR EACH STATEMENT EXECUTE FUNCTION outreach.notify_calendar_changed();
CREATE TRIGGER venues_calendar_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON outreach.venues
    FOR EACH STATEMENT EXECUTE FUNCTION outreach.notify_calendar_changed();
