-- Warden's schema for SQLite. Times are integer nanoseconds since the Unix
-- epoch (UTC); NULL is "never".

-- +goose Up
CREATE TABLE state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    doc     BLOB    NOT NULL,
    version INTEGER NOT NULL
) STRICT;

CREATE TABLE access_keys (
    id            TEXT    PRIMARY KEY,
    owner         TEXT    NOT NULL,
    account       TEXT    NOT NULL,
    sealed_secret BLOB    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('Active', 'Inactive')),
    created       INTEGER NOT NULL,
    last_used     INTEGER,
    last_service  TEXT    NOT NULL DEFAULT '',
    last_region   TEXT    NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;
CREATE INDEX access_keys_owner ON access_keys (owner, created, id);

CREATE TABLE server_keys (
    id      TEXT    PRIMARY KEY,
    purpose TEXT    NOT NULL,
    sealed  BLOB    NOT NULL,
    created INTEGER NOT NULL,
    retired INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX server_keys_purpose ON server_keys (purpose, created, id);

CREATE TABLE mfa_devices (
    serial      TEXT    PRIMARY KEY,
    owner       TEXT    NOT NULL,
    sealed_seed BLOB    NOT NULL,
    last_step   INTEGER NOT NULL,
    created     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX mfa_devices_owner ON mfa_devices (owner, created, serial);

-- The head of the audit chain: the last appended record's Seq and Hash. It
-- is kept apart from audit_records so that retention can delete every record
-- without losing the chain.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash BLOB    NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, X'');

CREATE TABLE audit_records (
    seq       INTEGER PRIMARY KEY,
    time      INTEGER NOT NULL,
    event_id  TEXT    NOT NULL,
    account   TEXT    NOT NULL,
    data      BLOB    NOT NULL,
    prev_hash BLOB    NOT NULL,
    hash      BLOB    NOT NULL
) STRICT;
CREATE INDEX audit_records_time ON audit_records (time);

CREATE TABLE audit_digests (
    seq    INTEGER PRIMARY KEY,
    time   INTEGER NOT NULL,
    data   BLOB    NOT NULL,
    sig    BLOB    NOT NULL,
    key_id TEXT    NOT NULL
) STRICT;

-- +goose Down
DROP TABLE audit_digests;
DROP TABLE audit_records;
DROP TABLE audit_head;
DROP TABLE mfa_devices;
DROP TABLE server_keys;
DROP TABLE access_keys;
DROP TABLE state;
