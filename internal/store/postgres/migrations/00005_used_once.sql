-- Keys used once (SAML assertions, by issuer and ID) until they expire:
-- replay protection across every replica. Times are integer nanoseconds
-- since the Unix epoch.

-- +goose Up
CREATE TABLE used_once (
    once_key text   PRIMARY KEY,
    expires  bigint NOT NULL
);

-- +goose Down
DROP TABLE used_once;
