-- Records: services' state beside the org document (store.Records). Keys
-- are stored as BLOBs so that they order byte by byte; a deleted record is
-- a tombstone (doc NULL) until purged. record_namespaces holds each
-- namespace's revision and the newest version of a purged tombstone.

-- +goose Up
CREATE TABLE record_namespaces (
    ns     TEXT    PRIMARY KEY,
    rev    INTEGER NOT NULL,
    purged INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE records (
    ns      TEXT    NOT NULL,
    key     BLOB    NOT NULL,
    doc     BLOB,
    version INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    PRIMARY KEY (ns, key)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX records_changes ON records (ns, version);

-- +goose Down
DROP TABLE records;
DROP TABLE record_namespaces;
