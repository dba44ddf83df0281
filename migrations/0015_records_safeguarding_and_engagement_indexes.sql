-- One safeguarding concern per session record: saving the record again (or a retried request) must not
-- raise a second concern, a second alert or a second text to the on-call coordinator.
CREATE UNIQUE INDEX safeguarding_concerns_one_per_session ON outreach.safeguarding_concerns (session_id);

-- The due-follow-ups list and the reminder job read open follow-ups by engagement as well as by date.
CREATE INDEX ae_follow_ups_open_engagement_idx ON outreach.ae_follow_ups (engagement_id) WHERE outcome IS NULL;

-- A closed engagement says why in a fixed vocabulary: engagement records carry no free text.
ALTER TABLE outreach.ae_engagements
    ADD CONSTRAINT ae_engagements_closed_reason_check
    CHECK (closed_reason IS NULL OR closed_reason IN ('support_completed', 'declined', 'unreachable', 'moved_away', 'other'));

-- Nor do follow-ups: the outcome is the whole of what is kept.
ALTER TABLE outreach.ae_follow_ups ADD CONSTRAINT ae_follow_ups_no_free_text CHECK (notes = '');

-- The engagements list reads the newest first.
CREATE INDEX ae_engagements_referred_idx ON outreach.ae_engagements (referred_at DESC, id DESC);
