-- Identity Center sign-in: SSO OIDC clients, device authorizations, tokens
-- (all by the SHA-256 of their secret), directory passwords (argon2id) and
-- rate-limit counters. Times are bigint nanoseconds since the Unix epoch.

-- +goose Up
CREATE TABLE sso_clients (
    id          text    PRIMARY KEY,
    secret_hash bytea   NOT NULL,
    name        text    NOT NULL,
    type        text    NOT NULL,
    scopes      text    NOT NULL,
    created     bigint  NOT NULL,
    expires     bigint  NOT NULL
);

CREATE TABLE sso_device_auths (
    code_hash     bytea   PRIMARY KEY,
    user_code     text    NOT NULL UNIQUE,
    client_id     text    NOT NULL,
    scopes        text    NOT NULL,
    created       bigint  NOT NULL,
    expires       bigint  NOT NULL,
    poll_interval bigint  NOT NULL,
    last_poll     bigint,
    status        text    NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'used')),
    user_id       text    NOT NULL,
    auth_time     bigint
);

CREATE TABLE sso_tokens (
    hash      bytea   PRIMARY KEY,
    kind      text    NOT NULL CHECK (kind IN ('access', 'refresh')),
    grant_id  text    NOT NULL,
    client_id text    NOT NULL,
    user_id   text    NOT NULL,
    created   bigint  NOT NULL,
    expires   bigint  NOT NULL,
    auth_time bigint,
    revoked   bigint
);
CREATE INDEX sso_tokens_grant ON sso_tokens (grant_id);
CREATE INDEX sso_tokens_expires ON sso_tokens (expires);

CREATE TABLE sso_passwords (
    user_id     text    PRIMARY KEY,
    hash        text    NOT NULL,
    must_change bigint  NOT NULL,
    updated     bigint  NOT NULL
);

CREATE TABLE rate_limits (
    limit_key    text    PRIMARY KEY,
    window_start bigint  NOT NULL,
    hits         bigint  NOT NULL
);

-- +goose Down
DROP TABLE rate_limits;
DROP TABLE sso_passwords;
DROP TABLE sso_tokens;
DROP TABLE sso_device_auths;
DROP TABLE sso_clients;
