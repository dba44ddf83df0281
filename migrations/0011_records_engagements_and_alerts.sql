-- What a session record holds beyond head-counts, the safeguarding concerns raised from it, A&E
-- engagements (no names: a pseudonymous reference) with their follow-ups, and the alerts that reach
-- coordinators on the dashboard.

-- Session records: optional counts by gender and year group, staff present, the concern flag.
ALTER TABLE outreach.session_records
    ADD COLUMN count_female          integer CHECK (count_female >= 0),
    ADD COLUMN count_male            integer CHECK (count_male >= 0),
    ADD COLUMN count_other_gender    integer CHECK (count_other_gender >= 0),
    -- Optional head-count per school year group: {"7": 28, "8": 30}.
    ADD COLUMN year_group_counts     jsonb CHECK (year_group_counts IS NULL OR jsonb_typeof(year_group_counts) = 'object'),
    ADD COLUMN safeguarding_concern  boolean NOT NULL DEFAULT false;

-- Configurable list of topics a session can cover.
CREATE TABLE outreach.record_topics (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name    text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 100),
    active  boolean NOT NULL DEFAULT true
);
CREATE UNIQUE INDEX record_topics_name_key ON outreach.record_topics (lower(name));

INSERT INTO outreach.record_topics (name) VALUES
    ('Knife crime consequences'), ('Peer pressure and grooming'), ('County lines and exploitation'),
    ('Conflict resolution'), ('Social media and online harm'), ('First aid for bleeding'),
    ('Healthy relationships'), ('Where to get help');

CREATE TABLE outreach.session_record_topics (
    session_id  bigint NOT NULL REFERENCES outreach.session_records (session_id) ON DELETE CASCADE,
    topic_id    bigint NOT NULL REFERENCES outreach.record_topics (id),
    PRIMARY KEY (session_id, topic_id)
);

-- Workers who were actually there (may differ from the rota).
CREATE TABLE outreach.session_record_staff (
    session_id  bigint NOT NULL REFERENCES outreach.session_records (session_id) ON DELETE CASCADE,
    worker_id   bigint NOT NULL REFERENCES outreach.youth_workers (id),
    PRIMARY KEY (session_id, worker_id)
);

CREATE TABLE outreach.session_record_referrals (
    session_id  bigint NOT NULL REFERENCES outreach.session_records (session_id) ON DELETE CASCADE,
    service     text NOT NULL CHECK (service IN ('mentoring', 'camhs', 'substance_misuse', 'youth_offending', 'other')),
    count       integer NOT NULL CHECK (count > 0),
    PRIMARY KEY (session_id, service)
);

-- Before/after survey questions and each session's results (mean on a 1-5 scale, and n).
CREATE TABLE outreach.survey_questions (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    text    text NOT NULL CHECK (btrim(text) <> '' AND length(text) <= 200),
    -- True when agreeing is the good answer ("I feel safe"); false when it is the bad one.
    higher_is_better boolean NOT NULL DEFAULT true,
    active  boolean NOT NULL DEFAULT true
);
INSERT INTO outreach.survey_questions (text, higher_is_better) VALUES
    ('I feel safe in my area', true),
    ('Carrying a knife makes you safer', false),
    ('I know where to get help', true);

CREATE TABLE outreach.session_record_surveys (
    session_id   bigint NOT NULL REFERENCES outreach.session_records (session_id) ON DELETE CASCADE,
    question_id  bigint NOT NULL REFERENCES outreach.survey_questions (id),
    before_mean  numeric(4, 2) CHECK (before_mean BETWEEN 1 AND 5),
    before_n     integer CHECK (before_n > 0),
    after_mean   numeric(4, 2) CHECK (after_mean BETWEEN 1 AND 5),
    after_n      integer CHECK (after_n > 0),
    PRIMARY KEY (session_id, question_id),
    CHECK ((before_mean IS NULL) = (before_n IS NULL) AND (after_mean IS NULL) = (after_n IS NULL))
);

-- A safeguarding concern raised from a session. The details are for coordinators and administrators only.
CREATE TABLE outreach.safeguarding_concerns (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id         bigint NOT NULL REFERENCES outreach.sessions (id),
    raised_by_user_id  bigint,
    raised_at          timestamptz NOT NULL DEFAULT now(),
    details            text NOT NULL CHECK (btrim(details) <> ''),
    status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'handed_over', 'acknowledged', 'closed')),
    -- Handover to the venue's designated safeguarding lead, and their acknowledgement.
    handed_over_to     text,
    handed_over_at     timestamptz,
    acknowledged_at    timestamptz,
    closed_at          timestamptz,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (status IN ('open', 'closed') OR (handed_over_to IS NOT NULL AND handed_over_at IS NOT NULL)),
    CHECK (status <> 'acknowledged' OR acknowledged_at IS NOT NULL)
);
CREATE INDEX safeguarding_concerns_session_idx ON outreach.safeguarding_concerns (session_id);
CREATE INDEX safeguarding_concerns_open_idx ON outreach.safeguarding_concerns (raised_at) WHERE status <> 'closed';

-- A&E engagements: no names. The reference is made by the system (e.g. AE-7K3M9Q) and reused when the
-- same young person is seen again, so reach counts each reference once.
CREATE TABLE outreach.ae_engagements (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference              text NOT NULL CHECK (reference ~ '^AE-[0-9A-Z]{6}$'),
    session_id             bigint NOT NULL REFERENCES outreach.sessions (id),
    worker_id              bigint REFERENCES outreach.youth_workers (id),
    age_band               text NOT NULL CHECK (age_band IN ('under_11', '11_13', '14_15', '16_17', '18_24')),
    gender                 text CHECK (gender IN ('female', 'male', 'other', 'not_said')),
    presenting_reason      text NOT NULL CHECK (presenting_reason IN ('knife', 'other_weapon', 'no_weapon', 'other')),
    consent                boolean NOT NULL,
    referral_source        text NOT NULL CHECK (referral_source IN ('ed_staff', 'self', 'police', 'family', 'other')),
    referred_at            timestamptz NOT NULL,
    first_contact_at       timestamptz,
    support_plan_started   boolean NOT NULL DEFAULT false,
    status                 text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_at              timestamptz,
    closed_reason          text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK (first_contact_at IS NULL OR first_contact_at >= referred_at),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX ae_engagements_reference_idx ON outreach.ae_engagements (reference);
CREATE INDEX ae_engagements_session_idx ON outreach.ae_engagements (session_id);
CREATE INDEX ae_engagements_worker_idx ON outreach.ae_engagements (worker_id) WHERE status = 'open';

-- Follow-ups at 4 weeks, 12 weeks and 6 months after the engagement, each with its outcome.
CREATE TABLE outreach.ae_follow_ups (
    engagement_id  bigint NOT NULL REFERENCES outreach.ae_engagements (id) ON DELETE CASCADE,
    stage          text NOT NULL CHECK (stage IN ('4_weeks', '12_weeks', '6_months')),
    due_on         date NOT NULL,
    outcome        text CHECK (outcome IN ('engaged', 'declined', 'unreachable')),
    recorded_at    timestamptz,
    recorded_by    bigint,
    notes          text NOT NULL DEFAULT '',
    PRIMARY KEY (engagement_id, stage),
    CHECK ((outcome IS NULL) = (recorded_at IS NULL))
);
CREATE INDEX ae_follow_ups_due_idx ON outreach.ae_follow_ups (due_on) WHERE outcome IS NULL;

-- Alerts for coordinators: shown on the dashboard until someone deals with them. The key makes raising
-- the same alert twice (a job retried) add nothing.
CREATE TABLE outreach.alerts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dedupe_key    text NOT NULL UNIQUE,
    kind          text NOT NULL,
    message       text NOT NULL CHECK (message <> ''),
    session_id    bigint REFERENCES outreach.sessions (id),
    worker_id     bigint REFERENCES outreach.youth_workers (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at   timestamptz,
    resolved_by   bigint
);
CREATE INDEX alerts_open_idx ON outreach.alerts (created_at) WHERE resolved_at IS NULL;

-- Set when Twilio refuses a worker's number for good (invalid, not a mobile); coordinators see it.
ALTER TABLE outreach.youth_workers ADD COLUMN IF NOT EXISTS sms_failing boolean NOT NULL DEFAULT false;
