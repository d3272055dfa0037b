-- Keys used once (SAML assertions, by issuer and ID) until they expire:
-- replay protection across every process sharing the database. Times are
-- integer nanoseconds since the Unix epoch.

-- +goose Up
CREATE TABLE used_once (
    once_key TEXT    PRIMARY KEY,
    expires  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE used_once;
