package sqlite

import (
	"github.com/securecart/warden/internal/store/internal/sqlstore"
)

// queries is the SQLite text of every statement (see sqlstore.Queries for
// the parameters). The audit lock is a plain read: the write transaction
// began IMMEDIATE on the one writer connection, which already excludes every
// other writer, in this process and in others.
var queries = sqlstore.Queries{
	StateInsert: `INSERT INTO state (id, doc, version) VALUES (1, ?, 1) ON CONFLICT DO NOTHING`,
	StateUpdate: `UPDATE state SET doc = ?, version = version + 1 WHERE id = 1 AND version = ?`,

	KeyInsert: `INSERT INTO access_keys (` + sqlstore.AccessKeyCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
	KeyStatus: `UPDATE access_keys SET status = ? WHERE id = ?`,
	KeyTouch: `UPDATE access_keys SET last_used = ?1, last_service = ?2, last_region = ?3
		WHERE id = ?4 AND (last_used IS NULL OR last_used < ?1)`,
	KeyExists: `SELECT 1 FROM access_keys WHERE id = ?`,
	KeyDelete: `DELETE FROM access_keys WHERE id = ?`,

	ServerKeyInsert: `INSERT INTO server_keys (` + sqlstore.ServerKeyCols + `) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
	ServerKeyRetire: `UPDATE server_keys SET retired = coalesce(retired, ?) WHERE id = ?`,
	ServerKeyDelete: `DELETE FROM server_keys WHERE id = ?`,

	MFAInsert:  `INSERT INTO mfa_devices (` + sqlstore.MFACols + `) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
	MFAAdvance: `UPDATE mfa_devices SET last_step = ?1 WHERE serial = ?2 AND last_step < ?1`,
	MFAExists:  `SELECT 1 FROM mfa_devices WHERE serial = ?`,
	MFADelete:  `DELETE FROM mfa_devices WHERE serial = ?`,

	AuditLock:    `SELECT seq, hash FROM audit_head WHERE id = 1`,
	AuditInsert:  `INSERT INTO audit_blocks (` + sqlstore.AuditBlockCols + `) VALUES (?1, ?2, ?3, ?4, ?5)`,
	AuditSetHead: `UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1`,
	AuditDeleteThrough: `DELETE FROM audit_blocks WHERE first_seq IN (
		SELECT first_seq FROM audit_blocks WHERE last_seq <= ?1 ORDER BY first_seq LIMIT ?2)
		RETURNING last_seq - first_seq + 1`,
	DigestExists:   `SELECT 1 FROM audit_digests WHERE seq = ? LIMIT 1`,
	DigestNoExists: `SELECT 1 FROM audit_digests WHERE no = ?`,
	DigestInsert: `INSERT INTO audit_digests (` + sqlstore.DigestCols + `)
		SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE (SELECT coalesce(max(no), 0) FROM audit_digests) = ?1 - 1
		ON CONFLICT DO NOTHING`,

	State:        `SELECT doc, version FROM state WHERE id = 1`,
	StateVersion: `SELECT version FROM state WHERE id = 1`,
	AccessKey:    `SELECT ` + sqlstore.AccessKeyCols + ` FROM access_keys WHERE id = ?`,
	AccessKeys:   `SELECT ` + sqlstore.AccessKeyCols + ` FROM access_keys WHERE owner = ? ORDER BY created, id`,
	ServerKeys:   `SELECT ` + sqlstore.ServerKeyCols + ` FROM server_keys WHERE purpose = ? ORDER BY created DESC, id DESC`,
	MFADevice:    `SELECT ` + sqlstore.MFACols + ` FROM mfa_devices WHERE serial = ?`,
	MFADevices:   `SELECT ` + sqlstore.MFACols + ` FROM mfa_devices WHERE owner = ? ORDER BY created, serial`,
	// The blocks from the one holding fromSeq: the subquery is one seek on
	// the primary key.
	AuditFrom: `SELECT ` + sqlstore.AuditBlockCols + ` FROM audit_blocks
		WHERE first_seq >= coalesce((SELECT max(first_seq) FROM audit_blocks WHERE first_seq <= ?1), ?1) AND first_seq > ?2
		ORDER BY first_seq LIMIT ?3`,
	AuditBlocks: `SELECT ` + sqlstore.AuditBlockCols + ` FROM audit_blocks WHERE first_seq >= ?1 AND first_seq <= ?2 ORDER BY first_seq`,
	// Newest first, walking first_seq downwards from beforeSeq and stopping
	// after limit blocks (cheap for recent windows and for continuing pages,
	// which is how the trail is read).
	AuditByTime: `SELECT ` + sqlstore.AuditBlockCols + ` FROM audit_blocks
		WHERE +max_time >= ?1 AND +min_time < ?2 AND first_seq < ?3 ORDER BY first_seq DESC LIMIT ?4`,
	AuditTimes: `SELECT min(min_time), max(max_time) FROM audit_blocks WHERE first_seq >= ?1 AND first_seq <= ?2`,
	AuditHead:  `SELECT seq, hash FROM audit_head WHERE id = 1`,
	Digests:    `SELECT ` + sqlstore.DigestCols + ` FROM audit_digests ORDER BY no`,
	LastDigest: `SELECT ` + sqlstore.DigestCols + ` FROM audit_digests ORDER BY no DESC LIMIT 1`,

	SignIn:  sqlstore.SignInSQL('?'),
	Records: sqlstore.RecordsSQL('?'),
}
