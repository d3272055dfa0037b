-- Identity Center sign-in: SSO OIDC clients, device authorizations, tokens
-- (all by the SHA-256 of their secret), directory passwords (argon2id) and
-- rate-limit counters. Times are integer nanoseconds since the Unix epoch.

-- +goose Up
CREATE TABLE sso_clients (
    id          TEXT    PRIMARY KEY,
    secret_hash BLOB    NOT NULL,
    name        TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    scopes      TEXT    NOT NULL,
    created     INTEGER NOT NULL,
    expires     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE sso_device_auths (
    code_hash     BLOB    PRIMARY KEY,
    user_code     TEXT    NOT NULL UNIQUE,
    client_id     TEXT    NOT NULL,
    scopes        TEXT    NOT NULL,
    created       INTEGER NOT NULL,
    expires       INTEGER NOT NULL,
    poll_interval INTEGER NOT NULL,
    last_poll     INTEGER,
    status        TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'used')),
    user_id       TEXT    NOT NULL,
    auth_time     INTEGER
) STRICT, WITHOUT ROWID;

CREATE TABLE sso_tokens (
    hash      BLOB    PRIMARY KEY,
    kind      TEXT    NOT NULL CHECK (kind IN ('access', 'refresh')),
    grant_id  TEXT    NOT NULL,
    client_id TEXT    NOT NULL,
    user_id   TEXT    NOT NULL,
    created   INTEGER NOT NULL,
    expires   INTEGER NOT NULL,
    auth_time INTEGER,
    revoked   INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX sso_tokens_grant ON sso_tokens (grant_id);
CREATE INDEX sso_tokens_expires ON sso_tokens (expires);

CREATE TABLE sso_passwords (
    user_id     TEXT    PRIMARY KEY,
    hash        TEXT    NOT NULL,
    must_change INTEGER NOT NULL,
    updated     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE rate_limits (
    limit_key    TEXT    PRIMARY KEY,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE rate_limits;
DROP TABLE sso_passwords;
DROP TABLE sso_tokens;
DROP TABLE sso_device_auths;
DROP TABLE sso_clients;
