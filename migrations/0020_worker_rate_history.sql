-- Each worker's hourly rates with the UK date each took effect, so staff cost uses the rate in force on the
-- session's day and a pay rise no longer rewrites the cost of earlier sessions. See docs/decisions/0014.
--
-- youth_workers.hourly_cost and the new hourly_cost_from are the latest entry; the database keeps the history
-- from them. Changing hourly_cost with a new hourly_cost_from adds an entry; changing it alone corrects the
-- latest entry (from its own date on); moving hourly_cost_from back drops the entries after the new date.

ALTER TABLE outreach.youth_workers
    -- A worker's first rate covers every session before it as well: there is no earlier rate to keep, and past
    -- sessions are often recorded for a worker added afterwards.
    ADD COLUMN hourly_cost_from date NOT NULL DEFAULT '-infinity';

CREATE TABLE outreach.worker_rates (
    worker_id       bigint NOT NULL REFERENCES outreach.youth_workers (id) ON DELETE CASCADE,
    effective_from  date NOT NULL,
    -- NULL: no rate from this day (costed at nothing, as before).
    hourly_cost     numeric(8, 2) CHECK (hourly_cost >= 0),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (worker_id, effective_from)
);

INSERT INTO outreach.worker_rates (worker_id, effective_from, hourly_cost, recorded_at)
SELECT id, '-infinity', hourly_cost, updated_at FROM outreach.youth_workers;

CREATE FUNCTION outreach.youth_worker_rate_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.hourly_cost IS NOT DISTINCT FROM OLD.hourly_cost AND NEW.hourly_cost_from = OLD.hourly_cost_from THEN
            RETURN NULL;
        END IF;
        DELETE FROM outreach.worker_rates WHERE worker_id = NEW.id AND effective_from > NEW.hourly_cost_from;
    END IF;
    INSERT INTO outreach.worker_rates (worker_id, effective_from, hourly_cost)
    VALUES (NEW.id, NEW.hourly_cost_from, NEW.hourly_cost)
    ON CONFLICT (worker_id, effective_from) DO UPDATE SET hourly_cost = excluded.hourly_cost, recorded_at = excluded.recorded_at;
    RETURN NULL;
END $$;
CREATE TRIGGER youth_workers_rate_history
    AFTER INSERT OR UPDATE OF hourly_cost, hourly_cost_from ON outreach.youth_workers
    FOR EACH ROW EXECUTE FUNCTION outreach.youth_worker_rate_history();

-- A rate change re-costs only the delivered sessions from its UK date on (only delivered sessions carry cost;
-- one delivered later marks its own month). Moving the date back re-costs from the new date too, as the entries
-- after it are gone. A rate for the future marks nothing. Each worker's sessions are
-- found through the worker indexes, not a pass over every assignment.
CREATE OR REPLACE FUNCTION outreach.impact_dirty_worker_costs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outreach.impact_dirty_months (month)
    SELECT DISTINCT outreach.uk_month(s.starts_at)
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    CROSS JOIN LATERAL (
        SELECT a.session_id FROM outreach.assignments a WHERE a.worker_id = n.id
        UNION
        SELECT rs.session_id FROM outreach.session_record_staff rs WHERE rs.worker_id = n.id) a
    JOIN outreach.sessions s ON s.id = a.session_id
    WHERE (o.hourly_cost IS DISTINCT FROM n.hourly_cost OR o.hourly_cost_from <> n.hourly_cost_from)
      AND s.status = 'delivered'
      AND s.starts_at >= (n.hourly_cost_from::timestamp AT TIME ZONE 'Europe/London');
    RETURN NULL;
END $$;
