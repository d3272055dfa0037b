-- Digests are numbered: one is written on a fixed cadence even when no
-- record arrived since the one before, and then ends at the same record.

-- +goose Up
ALTER TABLE audit_digests ADD COLUMN no bigint;
UPDATE audit_digests d SET no = n.no
    FROM (SELECT seq, row_number() OVER (ORDER BY seq) AS no FROM audit_digests) n WHERE d.seq = n.seq;
ALTER TABLE audit_digests ALTER COLUMN no SET NOT NULL;
ALTER TABLE audit_digests DROP CONSTRAINT audit_digests_pkey;
ALTER TABLE audit_digests ADD PRIMARY KEY (no);
CREATE INDEX audit_digests_seq ON audit_digests (seq);

-- +goose Down
DELETE FROM audit_digests WHERE no NOT IN (SELECT max(no) FROM audit_digests GROUP BY seq);
DROP INDEX audit_digests_seq;
ALTER TABLE audit_digests DROP CONSTRAINT audit_digests_pkey;
ALTER TABLE audit_digests DROP COLUMN no;
ALTER TABLE audit_digests ADD PRIMARY KEY (seq);
