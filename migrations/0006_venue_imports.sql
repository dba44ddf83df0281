-- Venue details (contacts, access notes, what the Department for Education and the NHS say about a
-- site) and venue imports: the uploaded file, each row as checked, and the import's progress, kept in
-- tables so a preview survives a restart and a job worker on any machine can do the work.

-- GIAS names a local authority by the DfE's three-digit number ("LA (code)", e.g. 330 Birmingham),
-- not by the ONS code that areas.code holds. areas.region stays the commissioner's grouping of them.
ALTER TABLE outreach.areas ADD COLUMN dfe_code text UNIQUE CHECK (dfe_code ~ '^[0-9]{3}$');

UPDATE outreach.areas AS a
   SET dfe_code = m.dfe_code
  FROM (VALUES ('E08000025', '330'), ('E08000026', '331'), ('E08000027', '332'), ('E08000028', '333'),
               ('E08000029', '334'), ('E08000030', '335'), ('E08000031', '336')) AS m (code, dfe_code)
 WHERE a.code = m.code AND a.dfe_code IS NULL;

ALTER TABLE outreach.venues
    ADD COLUMN phone               text NOT NULL DEFAULT '',
    ADD COLUMN website             text NOT NULL DEFAULT '',
    ADD COLUMN access_notes        text NOT NULL DEFAULT '',
    ADD COLUMN establishment_type  text,
    ADD COLUMN phase               text,
    ADD COLUMN percentage_fsm      numeric(5, 2) CHECK (percentage_fsm BETWEEN 0 AND 100),
    ADD COLUMN lsoa_code           text,
    ADD COLUMN opened_on           date,
    ADD COLUMN closed_on           date,
    -- Where the name, address and status come from: an import refreshes them, a person may edit them.
    ADD COLUMN source              text NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'gias', 'ods')),
    ADD COLUMN imported_at         timestamptz;

-- People to call at a venue. A school has at most one designated safeguarding lead on record.
CREATE TABLE outreach.venue_contacts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue_id    bigint NOT NULL REFERENCES outreach.venues (id),
    role        text NOT NULL CHECK (role IN ('safeguarding_lead', 'main', 'reception', 'other')),
    name        text NOT NULL CHECK (btrim(name) <> ''),
    job_title   text NOT NULL DEFAULT '',
    email       text,
    phone       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
);
CREATE INDEX venue_contacts_venue_idx ON outreach.venue_contacts (venue_id);
CREATE UNIQUE INDEX venue_contacts_one_safeguarding_lead ON outreach.venue_contacts (venue_id)
    WHERE role = 'safeguarding_lead';

-- One upload of a GIAS or ODS file, from upload through preview to commit.
CREATE TABLE outreach.venue_imports (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source             text NOT NULL CHECK (source IN ('gias', 'ods')),
    file_name          text NOT NULL,
    file_size          bigint NOT NULL CHECK (file_size > 0),
    -- The upload as received; cleared once the import is committed or discarded.
    content            bytea,
    encoding           text NOT NULL,
    header             text[],                       -- GIAS: the header row, for the rejected rows' file
    -- GIAS: the DfE local authority numbers to take; NULL takes every authority in the file.
    la_codes           text[],
    -- ODS: the area a site goes into unless the coordinator picks another for it.
    area_id            bigint REFERENCES outreach.areas (id),
    status             text NOT NULL DEFAULT 'uploaded'
                       CHECK (status IN ('uploaded', 'checking', 'checked', 'committing', 'committed', 'discarded')),
    rows_read          integer NOT NULL DEFAULT 0,
    rows_good          integer NOT NULL DEFAULT 0,
    rows_bad           integer NOT NULL DEFAULT 0,
    rows_elsewhere     integer NOT NULL DEFAULT 0,   -- GIAS rows of authorities not chosen
    venues_added       integer,
    venues_updated     integer,
    venues_closed      integer,
    venues_unchanged   integer,
    rows_skipped       integer,                      -- closed and never known, or (ODS) not an A&E
    areas_added        integer,
    created_by         bigint,
    created_by_name    text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    checked_at         timestamptz,
    commit_by          bigint,
    commit_by_name     text,
    commit_by_ip       text,
    committed_at       timestamptz,
    CHECK (content IS NOT NULL OR status IN ('committed', 'discarded'))
);
CREATE INDEX venue_imports_created_idx ON outreach.venue_imports (created_at DESC);

-- Progress lives apart from the import row, so a job can report it from a second connection while
-- its own transaction holds the import row.
CREATE TABLE outreach.venue_import_progress (
    import_id   bigint PRIMARY KEY REFERENCES outreach.venue_imports (id) ON DELETE CASCADE,
    phase       text NOT NULL DEFAULT 'waiting' CHECK (phase IN ('waiting', 'checking', 'writing', 'done')),
    done        bigint NOT NULL DEFAULT 0,
    total       bigint NOT NULL DEFAULT 0,
    error       text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Each data row of the file as checked: what it says (good rows) or the fields as read (rejected rows,
-- handed back as CSV with their reasons).
CREATE TABLE outreach.venue_import_rows (
    import_id                bigint NOT NULL REFERENCES outreach.venue_imports (id) ON DELETE CASCADE,
    line                     integer NOT NULL,
    rejected                 boolean NOT NULL,
    fields                   text[],
    ref                      text,          -- URN (GIAS) or organisation code (ODS)
    la_code                  text,
    la_name                  text,
    la_ons_code              text,
    region                   text,
    name                     text,
    address                  text,
    postcode                 text,
    phone                    text,
    website                  text,
    establishment_type       text,
    phase                    text,
    status                   text CHECK (status IN ('open', 'closed')),
    pupils                   integer,
    percentage_fsm           numeric(5, 2),
    lsoa_code                text,
    opened_on                date,
    closed_on                date,
    venue_id                 bigint REFERENCES outreach.venues (id),   -- the venue it matched when checked
    is_emergency_department  boolean NOT NULL DEFAULT false,            -- ODS: the coordinator's mark
    area_id                  bigint REFERENCES outreach.areas (id),     -- ODS: the area picked for the site
    PRIMARY KEY (import_id, line),
    CHECK (rejected OR (ref IS NOT NULL AND name IS NOT NULL AND status IS NOT NULL))
);
CREATE INDEX venue_import_rows_ref_idx ON outreach.venue_import_rows (import_id, ref);

CREATE TABLE outreach.venue_import_problems (
    import_id    bigint NOT NULL,
    line         integer NOT NULL,
    column_name  text NOT NULL,
    reason       text NOT NULL,
    FOREIGN KEY (import_id, line) REFERENCES outreach.venue_import_rows (import_id, line) ON DELETE CASCADE
);
CREATE INDEX venue_import_problems_line_idx ON outreach.venue_import_problems (import_id, line);
