-- Retention for A&E engagements and safeguarding concerns (docs/decisions/0013). The rows stay, because the
-- impact figures count them; what could identify a young person goes: an engagement's pseudonymous
-- reference, a concern's written details.

-- An engagement whose reference was removed. Reach counts a reference once, in the cell of its first
-- engagement: once the reference is gone that can no longer be worked out, so whether this engagement was its
-- reference's first is kept, decided at removal by the same rule the compile uses.
ALTER TABLE outreach.ae_engagements
    ALTER COLUMN reference DROP NOT NULL,
    ADD COLUMN details_removed_at      timestamptz,
    ADD COLUMN counted_as_young_person boolean,
    ADD CONSTRAINT ae_engagements_reference_or_removed
        CHECK ((reference IS NULL) = (details_removed_at IS NOT NULL)),
    ADD CONSTRAINT ae_engagements_removed_keeps_count
        CHECK (details_removed_at IS NULL OR counted_as_young_person IS NOT NULL);

-- The daily sweep starts from engagements still holding a reference that were referred before the cut-off
-- (a case cannot close before its first referral), not from the whole history.
CREATE INDEX ae_engagements_reference_kept_idx ON outreach.ae_engagements (referred_at) WHERE details_removed_at IS NULL;

-- A concern whose details were removed keeps its session, who raised it, its status, who it was handed over to
-- and its dates.
ALTER TABLE outreach.safeguarding_concerns
    DROP CONSTRAINT safeguarding_concerns_details_check,
    ALTER COLUMN details DROP NOT NULL,
    ADD COLUMN details_removed_at timestamptz,
    ADD CONSTRAINT safeguarding_concerns_details_or_removed
        CHECK (CASE WHEN details_removed_at IS NULL THEN details IS NOT NULL AND btrim(details) <> '' ELSE details IS NULL END);

CREATE INDEX safeguarding_concerns_details_kept_idx ON outreach.safeguarding_concerns (greatest(acknowledged_at, closed_at))
    WHERE details_removed_at IS NULL AND handed_over_at IS NOT NULL;
