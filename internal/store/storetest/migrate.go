package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
)

// Migration steps a database through goose's versions.
type Migration struct {
	DB          *sql.DB
	Placeholder func(i int) string // the i-th parameter, from 1
	UpTo        func(ctx context.Context, version int64) error
	DownTo      func(ctx context.Context, version int64) error
	// Open opens the store over the database (migrating it to the latest).
	Open func(t *testing.T) store.Store
	// Moved, when set, is called after Open instead of migrating back
	// down: the store moved its trail out of the database (SQLite's
	// segment files), and Moved checks what the database holds then.
	Moved func(t *testing.T)
}

// AuditBlocksMigration checks that a trail stored one record per row
// (before migration 7) moves into blocks with every stored column and hash
// as it was, tampering included, that blocks end where digests end, where
// numbers jump and where a record's PrevHash is not the hash before, and
// that going back down gives the rows back.
func AuditBlocksMigration(t *testing.T, m Migration) {
	ctx := t.Context()
	if err := m.UpTo(ctx, 6); err != nil {
		t.Fatalf("migrating up to 6: %v", err)
	}
	// Records 1-12 but 10, record 8's PrevHash broken (as tampering before
	// the migration left it), a digest ending at 4.
	var want []store.AuditRecord
	var prev []byte
	for seq := int64(1); seq <= 12; seq++ {
		if seq == 10 {
			continue
		}
		r := store.AuditRecord{Seq: seq, Time: at(seq), EventID: fmt.Sprintf("event-%d", seq), Account: "111122223333",
			Data: fmt.Appendf(nil, `{"n":%d}`, seq), PrevHash: prev}
		if seq == 8 {
			r.PrevHash = make([]byte, 32)
		}
		r.Hash = Hash(r.PrevHash, r.Data)
		prev = r.Hash
		want = append(want, r)
		p := m.Placeholder
		if _, err := m.DB.ExecContext(ctx, `INSERT INTO audit_records (seq, time, event_id, account, data, prev_hash, hash) VALUES (`+
			p(1)+`, `+p(2)+`, `+p(3)+`, `+p(4)+`, `+p(5)+`, `+p(6)+`, `+p(7)+`)`,
			r.Seq, r.Time.UnixNano(), r.EventID, r.Account, r.Data, NonNilBytes(r.PrevHash), r.Hash); err != nil {
			t.Fatal(err)
		}
	}
	d := digest(1, 4)
	p := m.Placeholder
	if _, err := m.DB.ExecContext(ctx, `INSERT INTO audit_digests (no, seq, time, data, sig, key_id) VALUES (1, 4, `+p(1)+`, `+p(2)+`, `+p(3)+`, `+p(4)+`)`,
		d.Time.UnixNano(), d.Data, d.Sig, d.KeyID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.DB.ExecContext(ctx, `UPDATE audit_head SET seq = 12, hash = `+m.Placeholder(1), prev); err != nil {
		t.Fatal(err)
	}

	s := m.Open(t)
	if g, w := fmtAll(allRecords(t, s), fmtRecord), fmtAll(want, fmtRecord); g != w {
		t.Errorf("records after the migration\ngot\n%swant\n%s", g, w)
	}
	if g := blockRanges(readBlocks(t, s, math.MinInt64, math.MaxInt64)); g != "[1-4 5-7 8-9 11-12]" {
		t.Errorf("blocks after the migration: %s, want [1-4 5-7 8-9 11-12]", g)
	}
	checkLast(t, s, 12, prev)
	next := appendN(t, s, 2, func(int64) time.Time { return t0 })
	if err := VerifyChain(12, prev, next); err != nil {
		t.Errorf("append after the migration: %v", err)
	}
	want = append(want, next...)
	if m.Moved != nil {
		m.Moved(t)
		return
	}

	// And back down: one row per record again.
	if err := m.DownTo(ctx, 6); err != nil {
		t.Fatalf("migrating down to 6: %v", err)
	}
	rows, err := m.DB.QueryContext(ctx, `SELECT seq, time, event_id, account, data, prev_hash, hash FROM audit_records ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	var got []store.AuditRecord
	for rows.Next() {
		var r store.AuditRecord
		var tm int64
		if err := rows.Scan(&r.Seq, &tm, &r.EventID, &r.Account, &r.Data, &r.PrevHash, &r.Hash); err != nil {
			t.Fatal(err)
		}
		r.Time = time.Unix(0, tm).UTC()
		if len(r.PrevHash) == 0 {
			r.PrevHash = nil
		}
		got = append(got, r)
	}
	rows.Close()
	if g, w := fmtAll(got, fmtRecord), fmtAll(want, fmtRecord); g != w {
		t.Errorf("audit_records after migrating back down\ngot\n%swant\n%s", g, w)
	}
}

// NonNilBytes is b, or an empty slice for nil (NOT NULL columns).
func NonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
