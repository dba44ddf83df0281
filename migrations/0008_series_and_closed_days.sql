-- Recurring session series, the audience a session is for, and the days a school is closed.

-- Year groups as the school counts them: 0 is Reception, 1 to 13 are Years 1 to 13.
ALTER TABLE outreach.sessions
    ADD COLUMN IF NOT EXISTS year_groups integer[]
        CHECK (year_groups IS NULL OR year_groups <@ ARRAY[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);

-- A weekly pattern in UK wall-clock time. Each occurrence becomes an ordinary row in
-- outreach.sessions; the series keeps what was asked for, so the occurrences can be explained later.
CREATE TABLE outreach.session_series (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue_id          bigint NOT NULL REFERENCES outreach.venues (id),
    kind              text NOT NULL CHECK (kind IN ('assembly', 'workshop', 'classroom', 'parents_evening',
                                                   'ae_shift', 'drop_in', 'other')),
    title             text NOT NULL DEFAULT '',
    -- ISO weekdays: 1 is Monday, 7 is Sunday.
    weekdays          integer[] NOT NULL
                      CHECK (cardinality(weekdays) BETWEEN 1 AND 7 AND weekdays <@ ARRAY[1, 2, 3, 4, 5, 6, 7]),
    start_time        time NOT NULL,
    -- An end earlier than the start is on the next day (an A&E night shift).
    end_time          time NOT NULL,
    first_date        date NOT NULL,
    until_date        date,
    occurrence_count  integer CHECK (occurrence_count BETWEEN 1 AND 200),
    required_workers  integer NOT NULL DEFAULT 1 CHECK (required_workers BETWEEN 1 AND 50),
    -- What each occurrence was created needing (outreach.skills ids); the occurrences' own rows in
    -- outreach.session_required_skills are what assignment reads.
    required_skill_ids bigint[] NOT NULL DEFAULT '{}',
    notes             text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (start_time <> end_time),
    CHECK ((until_date IS NULL) <> (occurrence_count IS NULL)),
    CHECK (until_date IS NULL OR until_date >= first_date)
);
CREATE INDEX session_series_venue_idx ON outreach.session_series (venue_id);

-- occurrence_date is the date the pattern gave the occurrence (its recurrence id): it stays when one
-- occurrence is moved, so "this and following" still means the same occurrences.
ALTER TABLE outreach.sessions
    ADD COLUMN series_id bigint REFERENCES outreach.session_series (id),
    ADD COLUMN occurrence_date date,
    ADD CONSTRAINT sessions_series_occurrence_check CHECK ((series_id IS NULL) = (occurrence_date IS NULL)),
    ADD CONSTRAINT sessions_series_occurrence_key UNIQUE (series_id, occurrence_date);

-- Days a venue does not host sessions: national bank holidays (imported from GOV.UK), and term
-- holidays or INSET days entered for a whole local authority or for one school.
CREATE TABLE outreach.closed_days (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope       text NOT NULL CHECK (scope IN ('national', 'area', 'venue')),
    area_id     bigint REFERENCES outreach.areas (id),
    venue_id    bigint REFERENCES outreach.venues (id),
    kind        text NOT NULL CHECK (kind IN ('bank_holiday', 'school_holiday', 'inset_day', 'other')),
    first_day   date NOT NULL,
    last_day    date NOT NULL,
    reason      text NOT NULL CHECK (btrim(reason) <> ''),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (last_day >= first_day),
    CHECK (last_day - first_day <= 366),
    CHECK (CASE scope
               WHEN 'national' THEN area_id IS NULL AND venue_id IS NULL
               WHEN 'area' THEN area_id IS NOT NULL AND venue_id IS NULL
               ELSE venue_id IS NOT NULL AND area_id IS NULL
           END),
    CHECK (kind <> 'bank_holiday' OR (scope = 'national' AND first_day = last_day))
);
-- A bank holiday is one day: importing the GOV.UK file again updates it instead of adding a copy.
CREATE UNIQUE INDEX closed_days_bank_holiday_key ON outreach.closed_days (first_day) WHERE kind = 'bank_holiday';
CREATE INDEX closed_days_national_idx ON outreach.closed_days (last_day, first_day) WHERE scope = 'national';
CREATE INDEX closed_days_area_idx ON outreach.closed_days (area_id, last_day) WHERE area_id IS NOT NULL;
CREATE INDEX closed_days_venue_idx ON outreach.closed_days (venue_id, last_day) WHERE venue_id IS NOT NULL;
