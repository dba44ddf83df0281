-- Sign-in accounts and roles for ASP.NET Core Identity (stored through a Dapper user store).

CREATE TABLE outreach.users (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_name             text NOT NULL,
    normalized_user_name  text NOT NULL UNIQUE,
    email                 text,
    normalized_email      text,
    email_confirmed       boolean NOT NULL DEFAULT false,
    display_name          text NOT NULL DEFAULT '',
    password_hash         text,
    security_stamp        text,
    concurrency_stamp     text,
    two_factor_enabled    boolean NOT NULL DEFAULT false,
    lockout_end           timestamptz,
    lockout_enabled       boolean NOT NULL DEFAULT true,
    access_failed_count   integer NOT NULL DEFAULT 0,
    created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_normalized_email_key ON outreach.users (normalized_email) WHERE normalized_email IS NOT NULL;

CREATE TABLE outreach.roles (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name             text NOT NULL,
    normalized_name  text NOT NULL UNIQUE
);

CREATE TABLE outreach.user_roles (
    user_id  bigint NOT NULL REFERENCES outreach.users (id) ON DELETE CASCADE,
    role_id  bigint NOT NULL REFERENCES outreach.roles (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role_id)
);

-- Authenticator keys, recovery codes and similar per-user secrets.
CREATE TABLE outreach.user_tokens (
    user_id         bigint NOT NULL REFERENCES outreach.users (id) ON DELETE CASCADE,
    login_provider  text NOT NULL,
    name            text NOT NULL,
    value           text,
    PRIMARY KEY (user_id, login_provider, name)
);

ALTER TABLE outreach.youth_workers
    ADD CONSTRAINT youth_workers_user_fk FOREIGN KEY (user_id) REFERENCES outreach.users (id);

INSERT INTO outreach.roles (name, normalized_name) VALUES
    ('Administrator', 'ADMINISTRATOR'),
    ('Coordinator', 'COORDINATOR'),
    ('YouthWorker', 'YOUTHWORKER'),
    ('Commissioner', 'COMMISSIONER');
