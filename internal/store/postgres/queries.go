package postgres

import (
	"context"
	"database/sql"

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/internal/sqlstore"
)

// queries is the PostgreSQL text of every statement (see sqlstore.Queries
// for the parameters).
var queries = sqlstore.Queries{
	// The state's writes announce the new version to every replica's
	// listener (notify.go); a row comes back, and is counted as affected,
	// only when the write took place.
	StateInsert: `WITH w AS (INSERT INTO state (id, doc, version) VALUES (1, $1, 1) ON CONFLICT (id) DO NOTHING RETURNING version)
		SELECT pg_notify('` + stateChannel + `', version::text) FROM w`,
	StateUpdate: `WITH w AS (UPDATE state SET doc = $1, version = version + 1 WHERE id = 1 AND version = $2 RETURNING version)
		SELECT pg_notify('` + stateChannel + `', version::text) FROM w`,

	KeyInsert: `INSERT INTO access_keys (` + sqlstore.AccessKeyCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (id) DO NOTHING`,
	KeyStatus: `UPDATE access_keys SET status = $1 WHERE id = $2`,
	KeyTouch: `UPDATE access_keys SET last_used = $1, last_service = $2, last_region = $3
		WHERE id = $4 AND (last_used IS NULL OR last_used < $1)`,
	KeyExists: `SELECT 1 FROM access_keys WHERE id = $1`,
	KeyDelete: `DELETE FROM access_keys WHERE id = $1`,

	ServerKeyInsert: `INSERT INTO server_keys (` + sqlstore.ServerKeyCols + `) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO NOTHING`,
	ServerKeyRetire: `UPDATE server_keys SET retired = coalesce(retired, $1) WHERE id = $2`,
	ServerKeyDelete: `DELETE FROM server_keys WHERE id = $1`,

	MFAInsert: `INSERT INTO mfa_devices (` + sqlstore.MFACols + `) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (serial) DO NOTHING`,
	MFAAdvance: `UPDATE mfa_devices SET last_step = $1 WHERE serial = $2 AND last_step < $1`,
	MFAExists:  `SELECT 1 FROM mfa_devices WHERE serial = $1`,
	MFADelete:  `DELETE FROM mfa_devices WHERE serial = $1`,

	AuditLock:    `SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE`,
	AuditInsert:  `INSERT INTO audit_records (` + sqlstore.AuditCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
	AuditSetHead: `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`,
	AuditDelete: `DELETE FROM audit_records WHERE seq IN (
		SELECT seq FROM audit_records
		WHERE time < $1 AND seq <= (SELECT coalesce(max(seq), 0) FROM audit_digests)
		LIMIT $2)`,
	AuditDeleteThrough: `DELETE FROM audit_records WHERE seq IN (
		SELECT seq FROM audit_records WHERE seq <= $1 ORDER BY seq LIMIT $2)`,
	DigestExists:   `SELECT 1 FROM audit_digests WHERE seq = $1 LIMIT 1`,
	DigestNoExists: `SELECT 1 FROM audit_digests WHERE no = $1`,
	DigestInsert: `INSERT INTO audit_digests (` + sqlstore.DigestCols + `)
		SELECT $1::bigint, $2, $3, $4, $5, $6 WHERE (SELECT coalesce(max(no), 0) FROM audit_digests) = $1::bigint - 1
		ON CONFLICT (no) DO NOTHING`,

	State:        `SELECT doc, version FROM state WHERE id = 1`,
	StateVersion: `SELECT version FROM state WHERE id = 1`,
	AccessKey:    `SELECT ` + sqlstore.AccessKeyCols + ` FROM access_keys WHERE id = $1`,
	AccessKeys:   `SELECT ` + sqlstore.AccessKeyCols + ` FROM access_keys WHERE owner = $1 ORDER BY created, id`,
	ServerKeys:   `SELECT ` + sqlstore.ServerKeyCols + ` FROM server_keys WHERE purpose = $1 ORDER BY created DESC, id DESC`,
	MFADevice:    `SELECT ` + sqlstore.MFACols + ` FROM mfa_devices WHERE serial = $1`,
	MFADevices:   `SELECT ` + sqlstore.MFACols + ` FROM mfa_devices WHERE owner = $1 ORDER BY created, serial`,
	AuditFrom:    `SELECT ` + sqlstore.AuditCols + ` FROM audit_records WHERE seq >= $1 ORDER BY seq LIMIT $2`,
	AuditChain:   `SELECT ` + sqlstore.AuditCols + ` FROM audit_records WHERE seq >= $1 AND seq <= $2 ORDER BY seq`,
	AuditByTime: `SELECT ` + sqlstore.AuditCols + ` FROM audit_records
		WHERE time >= $1 AND time < $2 AND seq < $3 ORDER BY seq DESC LIMIT $4`,
	AuditHead: `SELECT seq, hash FROM audit_head WHERE id = 1`,
	Digests:   `SELECT ` + sqlstore.DigestCols + ` FROM audit_digests ORDER BY no`,

	SignIn:  sqlstore.SignInSQL('$'),
	Records: sqlstore.RecordsSQL('$'),
}

// insertAudit stores a checked batch in one statement, the columns passed
// as arrays.
func insertAudit(ctx context.Context, tx *sql.Tx, recs []store.AuditRecord) error {
	n := len(recs)
	seq, times := make([]int64, n), make([]int64, n)
	eventID, account := make([]string, n), make([]string, n)
	data, prev, hash := make([][]byte, n), make([][]byte, n), make([][]byte, n)
	for i, r := range recs {
		seq[i], times[i] = r.Seq, r.Time.UnixNano()
		eventID[i], account[i] = r.EventID, r.Account
		data[i], prev[i], hash[i] = sqlstore.NonNil(r.Data), sqlstore.NonNil(r.PrevHash), r.Hash
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_records (`+sqlstore.AuditCols+`)
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bytea[], $6::bytea[], $7::bytea[])`,
		seq, times, eventID, account, data, prev, hash)
	return err
}
