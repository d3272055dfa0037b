package audit_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
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

// segmentFile is the path of the trail's (one) segment.
func (f *fixture) segmentFile(t *testing.T) string {
	t.Helper()
	segs, err := filepath.Glob(filepath.Join(f.dir, sqlite.TrailDir, "*.seg"))
	if err != nil || len(segs) != 1 {
		t.Fatalf("segments %v, %v; want one", segs, err)
	}
	return segs[0]
}

// removeSegments removes the trail's segment files.
func (f *fixture) removeSegments(t *testing.T) {
	t.Helper()
	if err := os.Remove(f.segmentFile(t)); err != nil {
		t.Fatal(err)
	}
}

// segmentEnd is where the last frame of the segment ends (the zeros
// written ahead follow): its header, then frames of a 44-byte header
// ("WTF2", the data's length at bytes 4-7) and their data.
func segmentEnd(t *testing.T, b []byte) int {
	t.Helper()
	off := 13 + int(b[12])
	for off+44 <= len(b) && string(b[off:off+4]) == "WTF2" {
		off += 44 + int(binary.BigEndian.Uint32(b[off+4:]))
	}
	if off > len(b) {
		t.Fatalf("the segment's frames run past its end (%d bytes)", len(b))
	}
	return off
}

// truncateSegment cuts the segment at n bytes before the end of its last
// frame (its zeros with them), as a write that grew the file leaves it
// when a crash cuts it short.
func (f *fixture) truncateSegment(t *testing.T, n int) {
	t.Helper()
	path := f.segmentFile(t)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, int64(segmentEnd(t, b)-n)); err != nil {
		t.Fatal(err)
	}
}

// zeroSegmentTail writes zeros over the last n bytes of the last frame;
// from a sector's start (sector), as a write into preallocated space
// leaves it when a crash cuts it short (sectors written or not).
func (f *fixture) zeroSegmentTail(t *testing.T, n int, sector bool) {
	t.Helper()
	path := f.segmentFile(t)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	end := segmentEnd(t, b)
	if end == len(b) {
		t.Fatalf("no zeros after the last frame (%d bytes): the segment was not preallocated", len(b))
	}
	from := end - n
	if sector {
		from -= from % 512
	}
	clear(b[from:end])
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// patchSegment flips bits of the byte at off of the segment.
func (f *fixture) patchSegment(t *testing.T, off int, flip byte) {
	t.Helper()
	path := f.segmentFile(t)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[off] ^= flip
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// blocks reads every stored block, by first_seq.
func (f *fixture) blocks(t *testing.T) []blockRow {
	t.Helper()
	var out []blockRow
	f.edit(t, func(db *sql.DB) {
		rows, err := db.Query(`SELECT first_seq, last_seq, min_time, max_time, data FROM audit_blocks ORDER BY first_seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var b blockRow
			if err := rows.Scan(&b.FirstSeq, &b.LastSeq, &b.MinTime, &b.MaxTime, &b.Data); err != nil {
				t.Fatal(err)
			}
			out = append(out, b)
		}
	})
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
	f.edit(t, func(db *sql.DB) {
		if _, err := db.Exec(`DELETE FROM audit_blocks WHERE first_seq = ?`, first); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO audit_blocks (first_seq, last_seq, min_time, max_time, data) VALUES (?, ?, ?, ?, ?)`,
			b.FirstSeq, b.LastSeq, b.MinTime, b.MaxTime, b.Data); err != nil {
			t.Fatal(err)
		}
	})
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
// block after block (the chain head is the last one's), as a careful
// attacker with access to the files would.
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
}

// Changing any byte of the trail's segment file is found, whichever
// header, field, length or mark it falls in. The trail here is written
// through the store with small records so that every byte can be tried.
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
	path := f.segmentFile(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	end := segmentEnd(t, data)
	if end == len(data) {
		t.Fatalf("no zeros after the frames (%d bytes): the segment was not preallocated", len(data))
	}
	fh, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	put := func(off int, b byte) {
		t.Helper()
		if _, err := fh.WriteAt([]byte{b}, int64(off)); err != nil {
			t.Fatal(err)
		}
	}
	restore := func() {
		t.Helper()
		if _, err := fh.WriteAt(data, 0); err != nil {
			t.Fatal(err)
		}
	}
	for i := range data[:end] {
		for _, flip := range []byte{0x01, 0xff} {
			put(i, data[i]^flip)
			if rep := verify(); rep.OK() {
				t.Errorf("byte %d of %d changed (%#x to %#x): not detected", i, end, data[i], data[i]^flip)
			}
			put(i, data[i])
		}
	}
	restore()
	if rep := verify(); !rep.OK() || rep.Records != 9 {
		t.Fatalf("restored trail: %+v", rep)
	}
	// In the zeros after the last frame: a byte in the sector where the
	// next frame would begin is not what an unfinished write leaves (its
	// header would be there); one further on is (a write whose first
	// sectors never reached the disk), which readers ignore and the next
	// appender cuts off.
	put(end, 1)
	if rep := verify(); rep.OK() {
		t.Errorf("a byte in the zeros right after the last frame: not detected")
	}
	restore()
	far := end - end%512 + 1024
	put(far, 1)
	if rep := verify(); !rep.OK() || rep.Records != 9 {
		t.Errorf("a byte %d bytes into the zeros: %+v; want the trail intact (an unfinished write)", far-end, rep)
	}
	// A process opening the trail (as after a crash) cuts it off.
	other, err := sqlite.Open(ctx, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if seq, _, err := other.LastAudit(ctx); err != nil || seq != 9 {
		t.Errorf("LastAudit = %d, %v; want 9", seq, err)
	}
	if st, err := fh.Stat(); err != nil || st.Size() != int64(end) {
		t.Errorf("after another process opened the trail: %d bytes, %v; want the unfinished write cut off at %d", st.Size(), err, end)
	}
}

// Verification reads the trail in ranges, several at a time, and stitches
// the ranges together; a tampering must be found wherever it falls: in the
// first, a middle or the last record of a block, in the first, a middle or
// the last block, at the start, inside or at the end of a range. For each
// record of a trail of three blocks of ten, each tampering is verified in
// one range and in ranges of 1, 3, 7, 10, 11 and 50 records, two and
// three at a time: every reading must give the same report.
func TestParallelVerifyFindsTamperingAtEveryPosition(t *testing.T) {
	orig := newTrail(t, 30)
	if rep := orig.verify(t); !rep.OK() || rep.Records != 30 {
		t.Fatalf("untouched trail: %+v", rep)
	}
	kinds := []struct {
		name   string
		tamper func(t *testing.T, f *fixture, seq int64)
		want   func(seq int64, p audit.Problem) bool
	}{
		{"data changed", func(t *testing.T, f *fixture, seq int64) {
			f.editRecord(t, seq, func(r *store.AuditRecord) {
				r.Data = bytes.Replace(r.Data, []byte(`"eventName":"`), []byte(`"eventName":"X`), 1)
			})
		}, func(seq int64, p audit.Problem) bool { return p.Kind == "record-changed" && p.Seq == seq }},
		{"removed from its block", func(t *testing.T, f *fixture, seq int64) {
			f.editBlock(t, seq, func(recs []store.AuditRecord) []store.AuditRecord {
				i := index(t, recs, seq)
				if len(recs) == 1 {
					t.Fatalf("record %d is alone in its block", seq)
				}
				return append(recs[:i:i], recs[i+1:]...)
			})
		}, func(seq int64, p audit.Problem) bool {
			// The last record is the chain head: its digest tells.
			return p.Kind == "record-removed" && (strings.Contains(p.Detail, fmt.Sprintf("records %d-%d are missing", seq, seq)) ||
				seq == 30 && strings.Contains(p.Detail, "the digests cover records up to 30 but the trail ends at record 29"))
		}},
		{"swapped with the record before", func(t *testing.T, f *fixture, seq int64) {
			if (seq-1)%10 == 0 {
				// The first of its block: swap with the last of the block
				// before, moving both between blocks.
				if seq == 1 {
					f.editBlock(t, 1, func(recs []store.AuditRecord) []store.AuditRecord { recs[0], recs[1] = recs[1], recs[0]; return recs })
					return
				}
				before, mine := f.record(t, seq-1), f.record(t, seq)
				f.editRecord(t, seq-1, func(r *store.AuditRecord) { *r = mine })
				f.editBlock(t, seq, func(recs []store.AuditRecord) []store.AuditRecord {
					before.PrevHash = recs[0].PrevHash
					recs[0] = before
					return recs
				})
				return
			}
			f.editBlock(t, seq, func(recs []store.AuditRecord) []store.AuditRecord {
				i := index(t, recs, seq)
				recs[i-1], recs[i] = recs[i], recs[i-1]
				return recs
			})
		}, func(seq int64, p audit.Problem) bool {
			return p.Seq == seq || p.Seq == seq-1 || (seq == 1 && p.Seq == 2)
		}},
		{"renumbered", func(t *testing.T, f *fixture, seq int64) {
			f.editRecord(t, seq, func(r *store.AuditRecord) { r.Seq = seq + 1000 })
		}, func(seq int64, p audit.Problem) bool {
			// Its hash tells its number: named wherever it lies, its block
			// moved with it or not.
			return p.Kind == "record-renumbered" && p.Seq == seq &&
				strings.Contains(p.Detail, fmt.Sprintf("carries number %d: it matches its hash as record %d, so only its number was changed", seq+1000, seq))
		}},
		{"changed and the chain recomputed", func(t *testing.T, f *fixture, seq int64) { f.recomputeFrom(t, seq) },
			func(seq int64, p audit.Problem) bool {
				return p.Kind == "record-changed" && strings.Contains(p.Detail, "do not match it")
			}},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			for seq := int64(1); seq <= 30; seq++ {
				f := &fixture{dir: t.TempDir(), sealer: orig.sealer, n: orig.n, anchor: orig.anchor}
				copyStore(t, orig.dir, f.dir)
				k.tamper(t, f, seq)
				rep := verifyInRanges(t, f, seq)
				if rep.OK() {
					t.Errorf("record %d: not detected", seq)
					continue
				}
				if !slices.ContainsFunc(rep.Problems, func(p audit.Problem) bool { return k.want(seq, p) }) {
					t.Errorf("record %d: not named where it is: %+v", seq, rep.Problems)
				}
				if k.name == "renumbered" && len(rep.Problems) != 1 {
					t.Errorf("record %d: renumbered, and other problems reported: %+v", seq, rep.Problems)
				}
			}
		})
	}
}

// verifyInRanges verifies f's trail part by part (its one segment) and in
// ranges of 1, 3, 7, 10, 11 and 50 records, two and three at a time, and
// returns the report read by parts, which each other reading must equal.
func verifyInRanges(t *testing.T, f *fixture, seq int64) *audit.Report {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys, err := audit.PublicKeys(ctx, st, f.sealer)
	if err != nil {
		t.Fatal(err)
	}
	opt := audit.VerifyOptions{Now: t0.Add(time.Hour), Unsealed: 24 * time.Hour, Batch: 1 << 20, Workers: 1}
	rep, err := audit.Verify(ctx, st, keys, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range []int{1, 3, 7, 10, 11, 50} {
		for _, workers := range []int{2, 3} {
			opt.Batch, opt.Workers = batch, workers
			r, err := audit.Verify(ctx, byNumber{st}, keys, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r, rep) {
				t.Errorf("record %d: verification in ranges of %d records, %d at a time:\n%+v\nwant the same as part by part:\n%+v", seq, batch, workers, r, rep)
			}
		}
	}
	return rep
}

// A block of one record renumbered moves with its number (its columns
// derived from it): no record beside it in its block or before it in the
// trail tells its number, so the numbers missing from the trail are tried,
// and it is named as renumbered, the first, a middle and the last block.
func TestVerifyNamesRenumberedBlockOfOneRecord(t *testing.T) {
	for _, tt := range []struct {
		seq, to int64
	}{{56, 1056}, {56, 3}, {67, 1067}} {
		f := newTrail(t, 55)
		f.more(t, 1) // record 56 alone in its block
		f.more(t, 10)
		f.more(t, 1) // record 67, the last, alone in its block
		if rep := f.verify(t); !rep.OK() || rep.Records != 67 {
			t.Fatalf("untouched trail: %+v", rep)
		}
		f.editRecord(t, tt.seq, func(r *store.AuditRecord) { r.Seq = tt.to })
		rep := f.verifyOpts(t, audit.VerifyOptions{Now: t0.Add(time.Hour), Unsealed: 24 * time.Hour})
		want := fmt.Sprintf("carries number %d: it matches its hash as record %d, so only its number was changed", tt.to, tt.seq)
		if len(rep.Problems) != 1 || rep.Problems[0].Kind != "record-renumbered" || rep.Problems[0].Seq != tt.seq || !strings.Contains(rep.Problems[0].Detail, want) {
			t.Errorf("record %d renumbered %d: want only %q, got %+v", tt.seq, tt.to, want, rep.Problems)
		}
	}
}

// A trail cut back to a digest (the later digests and records removed) and
// then resumed by a later start leaves no gap at its end, and without an
// anchor nothing else tells: the first digest after the cut came long
// after the digest before it said the next was due, which verify reports.
// A trail stopped cleanly (its last digest says so) and resumed later is
// intact.
func TestVerifyFindsCutResumedTrail(t *testing.T) {
	later := t0.Add(48 * time.Hour)
	opt := audit.VerifyOptions{Now: later.Add(time.Minute), Unsealed: time.Hour}

	f := newTrail(t, 120)
	f.exec(t, `DELETE FROM audit_digests WHERE no = 3`, `DELETE FROM audit_blocks WHERE first_seq > 100`)
	f.n = 100
	f.moreAt(t, 10, later)
	rep := f.verifyOpts(t, opt)
	want := "came after digest 2 of " + t0.Format(time.RFC3339Nano)
	if !slices.ContainsFunc(rep.Problems, func(p audit.Problem) bool {
		return p.Kind == "digest-missing" && p.Seq == 100 && strings.Contains(p.Detail, want) && strings.Contains(p.Detail, "cut back, then resumed")
	}) {
		t.Errorf("cut back to digest 2 and resumed two days later: want digest-missing %q, got %+v", want, rep.Problems)
	}

	g := newTrail(t, 120)
	g.moreAt(t, 10, later)
	if rep := g.verifyOpts(t, opt); !rep.OK() || rep.Records != 130 {
		t.Errorf("stopped cleanly and resumed two days later: %+v", rep)
	}
}
