-- The audit log had copied two things it must not keep (docs/decisions/0013): a safeguarding concern's written
-- details, which only coordinators may read and only on the concern's page, and an A&E engagement's
-- pseudonymous reference, which the retention rule removes from the engagement. New events leave both out.
-- Events already written lose them here: the only change ever made to the append-only log, in this
-- migration's transaction, and recorded as an event of its own.
ALTER TABLE outreach.audit_events DISABLE TRIGGER audit_events_no_update_or_delete;

WITH redacted AS (
    UPDATE outreach.audit_events
       SET after = after - 'Details'
     WHERE entity = 'safeguarding_concern' AND action = 'create' AND after ? 'Details'
    RETURNING 1
), references_redacted AS (
    UPDATE outreach.audit_events
       SET after = after - 'Reference'
     WHERE entity = 'ae_engagement' AND action = 'create' AND after ? 'Reference'
    RETURNING 1
)
INSERT INTO outreach.audit_events (actor_name, action, entity, after)
SELECT 'migration 0019', 'redact', 'audit_event',
       jsonb_build_object('ConcernDetailsRemoved', (SELECT count(*) FROM redacted),
                          'EngagementReferencesRemoved', (SELECT count(*) FROM references_redacted));

ALTER TABLE outreach.audit_events ENABLE TRIGGER audit_events_no_update_or_delete;
