-- The audit trail is stored one block per append (one commit group): the
-- records framed in one bytea (store.AuditBlockRecords), the block's first
-- and last record numbers and time range as columns for selecting blocks.
-- The records of audit_records move into blocks in migration 7 (Go: the
-- framing is binary), which then drops audit_records.

-- +goose Up
CREATE TABLE audit_blocks (
    first_seq bigint PRIMARY KEY,
    last_seq  bigint NOT NULL,
    min_time  bigint NOT NULL,
    max_time  bigint NOT NULL,
    data      bytea  NOT NULL
);

-- +goose Down
DROP TABLE audit_blocks;
