package postgres

import (
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
	AuditInsert:  `INSERT INTO audit_blocks (` + sqlstore.AuditBlockCols + `) VALUES ($1, $2, $3, $4, $5)`,
	AuditSetHead: `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`,
	AuditDeleteThrough: `DELETE FROM audit_blocks WHERE first_seq IN (
		SELECT first_seq FROM audit_blocks WHERE last_seq <= $1 ORDER BY first_seq LIMIT $2)
		RETURNING last_seq - first_seq + 1`,
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
	// The blocks from the one holding fromSeq: the subquery is one seek on
	// the primary key.
	AuditFrom: `SELECT ` + sqlstore.AuditBlockCols + ` FROM audit_blocks
		WHERE first_seq >= coalesce((SELECT max(first_seq) FROM audit_blocks WHERE first_seq <= $1), $1) AND first_seq > $2
		ORDER BY first_seq LIMIT $3`,
	AuditBlocks: `SELECT ` + sqlstore.AuditBlockCols + ` FROM audit_blocks WHERE first_seq >= $1 AND first_seq <= $2 ORDER BY first_seq`,
	// Newest first, walking first_seq downwards from beforeSeq and stopping
	// after limit blocks (cheap for recent windows and for continuing pages,
	// which is how the trail is read).
	AuditByTime: `SELECT ` + sqlstore.AuditBlockCols + ` FROM audit_blocks
		WHERE max_time >= $1 AND min_time < $2 AND first_seq < $3 ORDER BY first_seq DESC LIMIT $4`,
	AuditTimes: `SELECT min(min_time), max(max_time) FROM audit_blocks WHERE first_seq >= $1 AND first_seq <= $2`,
	AuditHead:  `SELECT seq, hash FROM audit_head WHERE id = 1`,
	Digests:    `SELECT ` + sqlstore.DigestCols + ` FROM audit_digests ORDER BY no`,
	LastDigest: `SELECT ` + sqlstore.DigestCols + ` FROM audit_digests ORDER BY no DESC LIMIT 1`,

	SignIn:  sqlstore.SignInSQL('$'),
	Records: sqlstore.RecordsSQL('$'),
}
