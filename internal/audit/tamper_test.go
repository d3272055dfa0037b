package audit_test

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/sqlite"
)

// What an attacker with write access to the database can do to the blocks
// of the trail, with the store's own framing: the tests below use these to
// tamper with a copy of a real trail.

// blockRow is a stored block with its columns.
type blockRow = store.AuditBlock

func (f *fixture) db(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(f.dir, "warden.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// blocks reads every stored block, by first_seq.
func (f *fixture) blocks(t *testing.T) []blockRow {
	t.Helper()
	rows, err := f.db(t).Query(`SELECT first_seq, last_seq, min_time, max_time, data FROM audit_blocks ORDER BY first_seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []blockRow
	for rows.Next() {
		var b blockRow
		if err := rows.Scan(&b.FirstSeq, &b.LastSeq, &b.MinTime, &b.MaxTime, &b.Data); err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// blockOf returns the block holding record seq, decoded.
func (f *fixture) blockOf(t *testing.T, seq int64) (blockRow, []store.AuditRecord) {
	t.Helper()
	for _, b := range f.blocks(t) {
		if b.FirstSeq <= seq && seq <= b.LastSeq {
			recs, err := store.DecodeAuditBlock(b.Data)
			if err != nil {
				t.Fatal(err)
			}
			return b, recs
		}
	}
	t.Fatalf("no block holds record %d", seq)
	return blockRow{}, nil
}

// putBlock replaces the block stored as first (or adds one when no block
// is) with recs, its columns derived from them as the store derives them.
func (f *fixture) putBlock(t *testing.T, first int64, recs []store.AuditRecord) {
	t.Helper()
	b, err := store.AuditBlockRecords(nil, recs)
	if err != nil {
		t.Fatal(err)
	}
	db := f.db(t)
	if _, err := db.Exec(`DELETE FROM audit_blocks WHERE first_seq = ?`, first); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO audit_blocks (first_seq, last_seq, min_time, max_time, data) VALUES (?, ?, ?, ?, ?)`,
		b.FirstSeq, b.LastSeq, b.MinTime, b.MaxTime, b.Data); err != nil {
		t.Fatal(err)
	}
}

// editBlock rewrites the block holding record seq with what edit makes of
// its records (the first one's PrevHash is the block's), columns derived.
func (f *fixture) editBlock(t *testing.T, seq int64, edit func(recs []store.AuditRecord) []store.AuditRecord) {
	t.Helper()
	b, recs := f.blockOf(t, seq)
	f.putBlock(t, b.FirstSeq, edit(recs))
}

// index is the place of record seq in recs.
func index(t *testing.T, recs []store.AuditRecord, seq int64) int {
	t.Helper()
	for i, r := range recs {
		if r.Seq == seq {
			return i
		}
	}
	t.Fatalf("record %d not in its block", seq)
	return 0
}

// editRecord changes record seq in its block.
func (f *fixture) editRecord(t *testing.T, seq int64, edit func(r *store.AuditRecord)) {
	t.Helper()
	f.editBlock(t, seq, func(recs []store.AuditRecord) []store.AuditRecord {
		edit(&recs[index(t, recs, seq)])
		return recs
	})
}

// record returns stored record seq.
func (f *fixture) record(t *testing.T, seq int64) store.AuditRecord {
	t.Helper()
	_, recs := f.blockOf(t, seq)
	return recs[index(t, recs, seq)]
}

// recomputeFrom changes record seq and recomputes the hash chain after it,
// block after block, and the head, as a careful attacker with database
// access would.
func (f *fixture) recomputeFrom(t *testing.T, seq int64) {
	t.Helper()
	var prev []byte
	started := false
	for _, b := range f.blocks(t) {
		if b.LastSeq < seq {
			continue
		}
		recs, err := store.DecodeAuditBlock(b.Data)
		if err != nil {
			t.Fatal(err)
		}
		for i := range recs {
			r := &recs[i]
			if r.Seq < seq {
				continue
			}
			if !started {
				started, prev = true, r.PrevHash
				r.Data = []byte(strings.Replace(string(r.Data), "127.0.0.1", "10.6.6.6", 1))
			}
			r.PrevHash = prev
			r.Hash = audit.RecordHash(prev, r)
			prev = r.Hash
		}
		f.putBlock(t, b.FirstSeq, recs)
	}
	if _, err := f.db(t).Exec(`UPDATE audit_head SET hash = ?`, prev); err != nil {
		t.Fatal(err)
	}
}

// Changing any byte of a block is found, whichever field, length or mark
// it falls in. The trail here is written through the store with small
// records so that every byte of a block can be tried.
func TestVerifyFindsEveryByteChanged(t *testing.T) {
	ctx := context.Background()
	f := &fixture{dir: t.TempDir()}
	st, err := sqlite.Open(ctx, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for range 3 {
		err := st.AppendAudit(ctx, func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) {
			var recs []store.AuditRecord
			prev := lastHash
			for i := range 3 {
				r := store.AuditRecord{Seq: lastSeq + int64(i) + 1, Time: t0.Add(time.Duration(lastSeq+int64(i)) * time.Second), EventID: "e-" + string(rune('a'+lastSeq+int64(i))),
					Account: "111122223333", Data: []byte(`{"eventName":"GetCallerIdentity"}`), PrevHash: prev}
				r.Hash = audit.RecordHash(prev, &r)
				prev = r.Hash
				recs = append(recs, r)
			}
			return recs, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	verify := func() *audit.Report {
		rep, err := audit.Verify(ctx, st, nil, audit.VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := verify(); !rep.OK() || rep.Records != 9 {
		t.Fatalf("untouched trail: %+v", rep)
	}
	db := f.db(t)
	for _, first := range []int64{1, 4, 7} { // the first, a middle and the last block
		var data []byte
		if err := db.QueryRow(`SELECT data FROM audit_blocks WHERE first_seq = ?`, first).Scan(&data); err != nil {
			t.Fatal(err)
		}
		for i := range data {
			for _, flip := range []byte{0x01, 0xff} {
				changed := bytes.Clone(data)
				changed[i] ^= flip
				if _, err := db.Exec(`UPDATE audit_blocks SET data = ? WHERE first_seq = ?`, changed, first); err != nil {
					t.Fatal(err)
				}
				if rep := verify(); rep.OK() {
					t.Errorf("block %d, byte %d of %d changed (%#x to %#x): not detected", first, i, len(data), data[i], changed[i])
				}
			}
		}
		if _, err := db.Exec(`UPDATE audit_blocks SET data = ? WHERE first_seq = ?`, data, first); err != nil {
			t.Fatal(err)
		}
	}
	if rep := verify(); !rep.OK() {
		t.Fatalf("restored trail: %+v", rep.Problems)
	}
}
