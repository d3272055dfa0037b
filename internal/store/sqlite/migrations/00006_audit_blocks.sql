-- The audit trail is stored one block per append (one commit group): the
-- records framed in one blob (store.AuditBlockRecords), the block's first and
-- last record numbers and time range as columns for selecting blocks. The
-- records of audit_records move into blocks in migration 7 (Go: the framing
-- is binary), which then drops audit_records.

-- +goose Up
CREATE TABLE audit_blocks (
    first_seq INTEGER PRIMARY KEY,
    last_seq  INTEGER NOT NULL,
    min_time  INTEGER NOT NULL,
    max_time  INTEGER NOT NULL,
    data      BLOB    NOT NULL
) STRICT;

-- +goose Down
DROP TABLE audit_blocks;
