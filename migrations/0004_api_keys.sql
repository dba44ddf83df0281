-- Keys for machine clients of /api/v1. Only a hash of each key is stored; the key itself is shown
-- once, when it is made. A key acts with one role and can be revoked.
CREATE TABLE outreach.api_keys (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL CHECK (btrim(name) <> ''),
    role          text NOT NULL CHECK (role IN ('Administrator', 'Coordinator', 'Commissioner')),
    prefix        text NOT NULL UNIQUE,
    key_hash      text NOT NULL,
    created_by    bigint REFERENCES outreach.users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
