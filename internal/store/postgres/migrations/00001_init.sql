-- Warden's schema for PostgreSQL. Times are bigint nanoseconds since the
-- Unix epoch (UTC), exact where timestamptz keeps microseconds; NULL is
-- "never".

-- +goose Up
CREATE TABLE state (
    id      integer PRIMARY KEY CHECK (id = 1),
    doc     bytea   NOT NULL,
    version bigint  NOT NULL
);

CREATE TABLE access_keys (
    id            text   PRIMARY KEY,
    owner         text   NOT NULL,
    account       text   NOT NULL,
    sealed_secret bytea  NOT NULL,
    status        text   NOT NULL CHECK (status IN ('Active', 'Inactive')),
    created       bigint NOT NULL,
    last_used     bigint,
    last_service  text   NOT NULL DEFAULT '',
    last_region   text   NOT NULL DEFAULT ''
);
CREATE INDEX access_keys_owner ON access_keys (owner, created, id);

CREATE TABLE server_keys (
    id      text   PRIMARY KEY,
    purpose text   NOT NULL,
    sealed  bytea  NOT NULL,
    created bigint NOT NULL,
    retired bigint
);
CREATE INDEX server_keys_purpose ON server_keys (purpose, created, id);

CREATE TABLE mfa_devices (
    serial      text   PRIMARY KEY,
    owner       text   NOT NULL,
    sealed_seed bytea  NOT NULL,
    last_step   bigint NOT NULL,
    created     bigint NOT NULL
);
CREATE INDEX mfa_devices_owner ON mfa_devices (owner, created, serial);

-- The head of the audit chain: the last appended record's Seq and Hash.
-- Appenders lock this row (SELECT ... FOR UPDATE), which serializes them
-- across replicas; it outlives retention, so the chain continues after its
-- records are deleted.
CREATE TABLE audit_head (
    id   integer PRIMARY KEY CHECK (id = 1),
    seq  bigint  NOT NULL,
    hash bytea   NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '\x');

CREATE TABLE audit_records (
    seq       bigint PRIMARY KEY,
    time      bigint NOT NULL,
    event_id  text   NOT NULL,
    account   text   NOT NULL,
    data      bytea  NOT NULL,
    prev_hash bytea  NOT NULL,
    hash      bytea  NOT NULL
);
CREATE INDEX audit_records_time ON audit_records (time);

CREATE TABLE audit_digests (
    seq    bigint PRIMARY KEY,
    time   bigint NOT NULL,
    data   bytea  NOT NULL,
    sig    bytea  NOT NULL,
    key_id text   NOT NULL
);

-- +goose Down
DROP TABLE audit_digests;
DROP TABLE audit_records;
DROP TABLE audit_head;
DROP TABLE mfa_devices;
DROP TABLE server_keys;
DROP TABLE access_keys;
DROP TABLE state;
