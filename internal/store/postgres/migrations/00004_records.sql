-- Records: services' state beside the org document (store.Records). Keys
-- are stored as bytea so that they order byte by byte whatever the
-- database's collation; a deleted record is a tombstone (doc NULL) until
-- purged. record_namespaces holds each namespace's revision (its row lock
-- orders the writers of a namespace) and the newest version of a purged
-- tombstone.

-- +goose Up
CREATE TABLE record_namespaces (
    ns     text   PRIMARY KEY,
    rev    bigint NOT NULL,
    purged bigint NOT NULL
);

CREATE TABLE records (
    ns      text   NOT NULL,
    key     bytea  NOT NULL,
    doc     bytea,
    version bigint NOT NULL,
    updated bigint NOT NULL,
    PRIMARY KEY (ns, key)
);
CREATE UNIQUE INDEX records_changes ON records (ns, version);

-- +goose Down
DROP TABLE records;
DROP TABLE record_namespaces;
