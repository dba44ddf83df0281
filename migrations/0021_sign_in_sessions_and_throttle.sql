-- Sign-ins held on the server, so signing out ends a sign-in at once (a copied cookie is only a key to a row
-- that is gone), and failed sign-ins counted in the database, so every web process sees the same counts.
-- See docs/decisions/0017.

-- One row per live sign-in: the cookie carries only the key. The ticket is the data-protected sign-in
-- (claims and expiry) that used to travel in the cookie itself.
CREATE TABLE outreach.sign_in_sessions (
    key         text PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES outreach.users (id) ON DELETE CASCADE,
    ticket      bytea NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX sign_in_sessions_user_idx ON outreach.sign_in_sessions (user_id);
CREATE INDEX sign_in_sessions_expiry_idx ON outreach.sign_in_sessions (expires_at);

-- Failed sign-ins by what was typed, whether or not such an account exists: "pair:" one email from one source
-- address, "email:" one email from anywhere. Each failure pushes blocked_until further out.
CREATE TABLE outreach.sign_in_failures (
    key             text PRIMARY KEY,
    failures        integer NOT NULL CHECK (failures > 0),
    last_failed_at  timestamptz NOT NULL,
    blocked_until   timestamptz
);
CREATE INDEX sign_in_failures_age_idx ON outreach.sign_in_failures (last_failed_at);

-- The addresses each API key has been used from: the first use from a new one is a security event.
CREATE TABLE outreach.api_key_addresses (
    api_key_id     bigint NOT NULL REFERENCES outreach.api_keys (id) ON DELETE CASCADE,
    address        text NOT NULL,
    first_seen_at  timestamptz NOT NULL,
    PRIMARY KEY (api_key_id, address)
);
