package sqlstore

import (
	"database/sql"

	"github.com/securecart/warden/internal/store"
)

// Column lists of the tables both SQL stores share, in the order the Scan
// functions read them.
const (
	AccessKeyCols  = `id, owner, account, sealed_secret, status, created, last_used, last_service, last_region`
	ServerKeyCols  = `id, purpose, sealed, created, retired`
	MFACols        = `serial, owner, sealed_seed, last_step, created`
	AuditBlockCols = `first_seq, last_seq, min_time, max_time, data`
	DigestCols     = `no, seq, time, data, sig, key_id`
)

// Scanner is a *sql.Row or *sql.Rows.
type Scanner interface {
	Scan(dest ...any) error
}

// ScanAccessKey reads AccessKeyCols.
func ScanAccessKey(s Scanner) (store.AccessKey, error) {
	var k store.AccessKey
	var created, lastUsed sql.NullInt64
	err := s.Scan(&k.ID, &k.Owner, &k.Account, &k.SealedSecret, &k.Status, &created, &lastUsed, &k.LastService, &k.LastRegion)
	k.SealedSecret = Bytes(k.SealedSecret)
	k.Created, k.LastUsed = Time(created), Time(lastUsed)
	return k, err
}

// ScanServerKey reads ServerKeyCols.
func ScanServerKey(s Scanner) (store.ServerKey, error) {
	var k store.ServerKey
	var created, retired sql.NullInt64
	err := s.Scan(&k.ID, &k.Purpose, &k.Sealed, &created, &retired)
	k.Sealed = Bytes(k.Sealed)
	k.Created, k.Retired = Time(created), Time(retired)
	return k, err
}

// ScanMFADevice reads MFACols.
func ScanMFADevice(s Scanner) (store.MFADevice, error) {
	var d store.MFADevice
	var created sql.NullInt64
	err := s.Scan(&d.Serial, &d.Owner, &d.SealedSeed, &d.LastStep, &created)
	d.SealedSeed = Bytes(d.SealedSeed)
	d.Created = Time(created)
	return d, err
}

// ScanAuditBlock reads AuditBlockCols.
func ScanAuditBlock(s Scanner) (store.AuditBlock, error) {
	var b store.AuditBlock
	err := s.Scan(&b.FirstSeq, &b.LastSeq, &b.MinTime, &b.MaxTime, &b.Data)
	return b, err
}

// ScanDigest reads DigestCols.
func ScanDigest(s Scanner) (store.AuditDigest, error) {
	var d store.AuditDigest
	var t sql.NullInt64
	err := s.Scan(&d.No, &d.Seq, &t, &d.Data, &d.Sig, &d.KeyID)
	d.Time = Time(t)
	d.Data, d.Sig = Bytes(d.Data), Bytes(d.Sig)
	return d, err
}

// CollectRows reads every row of rows with scan and closes rows.
func CollectRows[T any](rows *sql.Rows, err error, scan func(Scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// NonNil returns b, or an empty slice for nil, for NOT NULL blob columns.
func NonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
