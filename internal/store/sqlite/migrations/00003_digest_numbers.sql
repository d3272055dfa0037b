-- Digests are numbered: one is written on a fixed cadence even when no
-- record arrived since the one before, and then ends at the same record.

-- +goose Up
CREATE TABLE audit_digests_numbered (
    no     INTEGER PRIMARY KEY,
    seq    INTEGER NOT NULL,
    time   INTEGER NOT NULL,
    data   BLOB    NOT NULL,
    sig    BLOB    NOT NULL,
    key_id TEXT    NOT NULL
) STRICT;
INSERT INTO audit_digests_numbered (no, seq, time, data, sig, key_id)
    SELECT row_number() OVER (ORDER BY seq), seq, time, data, sig, key_id FROM audit_digests;
DROP TABLE audit_digests;
ALTER TABLE audit_digests_numbered RENAME TO audit_digests;
CREATE INDEX audit_digests_seq ON audit_digests (seq);

-- +goose Down
CREATE TABLE audit_digests_by_seq (
    seq    INTEGER PRIMARY KEY,
    time   INTEGER NOT NULL,
    data   BLOB    NOT NULL,
    sig    BLOB    NOT NULL,
    key_id TEXT    NOT NULL
) STRICT;
INSERT INTO audit_digests_by_seq (seq, time, data, sig, key_id)
    SELECT seq, time, data, sig, key_id FROM audit_digests WHERE no IN (SELECT max(no) FROM audit_digests GROUP BY seq);
DROP TABLE audit_digests;
ALTER TABLE audit_digests_by_seq RENAME TO audit_digests;
