package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
)

// seqs lists the records' sequence numbers.
func seqs(recs []store.AuditRecord) []int64 {
	out := []int64{}
	for _, r := range recs {
		out = append(out, r.Seq)
	}
	return out
}

func testAuditRecordsPaging(t *testing.T, s store.Store) {
	ctx := t.Context()
	want := appendBlocks(t, s, 3, 4, 3) // pages start and end within blocks and across them
	for _, tc := range []struct {
		from  int64
		limit int
		want  []int64
	}{
		{0, 3, []int64{1, 2, 3}},
		{1, 4, []int64{1, 2, 3, 4}},
		{5, 4, []int64{5, 6, 7, 8}},
		{9, 4, []int64{9, 10}},
		{11, 4, []int64{}},
		{1, 0, []int64{}},
		{1, 100, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
	} {
		got, err := s.AuditRecords(ctx, tc.from, tc.limit)
		if err != nil {
			t.Fatalf("AuditRecords(%d, %d): %v", tc.from, tc.limit, err)
		}
		if g, w := fmt.Sprint(seqs(got)), fmt.Sprint(tc.want); g != w {
			t.Errorf("AuditRecords(%d, %d) = %s, want %s", tc.from, tc.limit, g, w)
		}
		for _, r := range got {
			if g, w := fmtRecord(r), fmtRecord(want[r.Seq-1]); g != w {
				t.Errorf("record %d\ngot  %s\nwant %s", r.Seq, g, w)
			}
		}
		// A store that scans its records passes the same ones, each
		// valid while fn runs.
		sc, ok := s.(store.AuditScanner)
		if !ok {
			continue
		}
		scanned := []int64{}
		err = sc.ScanAudit(ctx, tc.from, tc.limit, func(seq int64, data []byte) error {
			scanned = append(scanned, seq)
			if string(data) != string(want[seq-1].Data) {
				t.Errorf("ScanAudit(%d, %d): record %d's data %q, want %q", tc.from, tc.limit, seq, data, want[seq-1].Data)
			}
			return nil
		})
		if err != nil || fmt.Sprint(scanned) != fmt.Sprint(tc.want) {
			t.Errorf("ScanAudit(%d, %d) = %v, %v; want %v", tc.from, tc.limit, scanned, err, tc.want)
		}
	}
	// fn's error stops the scan and is returned as is.
	if sc, ok := s.(store.AuditScanner); ok {
		stop, n := errors.New("stop"), 0
		err := sc.ScanAudit(ctx, 2, 100, func(seq int64, _ []byte) error {
			if n++; seq == 5 {
				return stop
			}
			return nil
		})
		if err != stop || n != 4 {
			t.Errorf("ScanAudit stopped at %d records with %v; want 4 and fn's error", n, err)
		}
	}
}

func testAuditRecordsByTime(t *testing.T, s store.Store) {
	ctx := t.Context()
	appendBlocks(t, s, 3, 4, 3) // record n at at(n), in blocks 1-3, 4-7, 8-10
	for _, tc := range []struct {
		start, end time.Time
		before     int64
		limit      int
		want       []int64
	}{
		// start is inclusive, end exclusive, newest first.
		{at(3), at(8), 0, 100, []int64{7, 6, 5, 4, 3}},
		{at(3).Add(1), at(8).Add(1), 0, 100, []int64{8, 7, 6, 5, 4}},
		// Pages of two, each continuing before the last Seq seen.
		{at(3), at(8), 0, 2, []int64{7, 6}},
		{at(3), at(8), 6, 2, []int64{5, 4}},
		{at(3), at(8), 4, 2, []int64{3}},
		{at(3), at(8), 3, 2, []int64{}},
		{at(0), at(100), 0, 3, []int64{10, 9, 8}},
		{at(11), at(100), 0, 3, []int64{}},
		{at(0), at(100), 0, 0, []int64{}},
	} {
		got, err := s.AuditRecordsByTime(ctx, tc.start, tc.end, tc.before, tc.limit)
		if err != nil {
			t.Fatalf("AuditRecordsByTime: %v", err)
		}
		if g, w := fmt.Sprint(seqs(got)), fmt.Sprint(tc.want); g != w {
			t.Errorf("AuditRecordsByTime(%s, %s, before %d, limit %d) = %s, want %s", ts(tc.start), ts(tc.end), tc.before, tc.limit, g, w)
		}
	}
}

func fmtDigest(d store.AuditDigest) string {
	return fmt.Sprintf("{No:%d Seq:%d Time:%s Data:%s Sig:%x KeyID:%s}", d.No, d.Seq, ts(d.Time), d.Data, d.Sig, d.KeyID)
}

// digest is digest number no, ending at record seq.
func digest(no, seq int64) store.AuditDigest {
	return store.AuditDigest{
		No: no, Seq: seq, Time: at(seq + no), Data: fmt.Appendf(nil, `{"digestNumber":%d,"lastSeq":%d}`, no, seq),
		Sig: []byte(fmt.Sprintf("sig-%d", seq)), KeyID: "as-1",
	}
}

func testAuditDigests(t *testing.T, s store.Store) {
	ctx := t.Context()
	if got, err := s.AuditDigests(ctx); err != nil || len(got) != 0 {
		t.Errorf("AuditDigests of a new store = %d digests, %v; want none", len(got), err)
	}
	if d, err := s.LastAuditDigest(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LastAuditDigest of a new store = %d, %v; want ErrNotFound", d.No, err)
	}
	// A digest that follows one covering no new record ends at the same
	// record.
	d1, d2, d3 := digest(1, 5), digest(2, 10), digest(3, 10)
	if err := s.PutAuditDigest(ctx, digest(2, 5)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("PutAuditDigest(number 2 first): got %v, want ErrConflict", err)
	}
	for _, d := range []store.AuditDigest{d1, d2, d3} {
		if err := s.PutAuditDigest(ctx, d); err != nil {
			t.Fatalf("PutAuditDigest(%d): %v", d.No, err)
		}
		if last, err := s.LastAuditDigest(ctx); err != nil || fmtDigest(last) != fmtDigest(d) {
			t.Errorf("LastAuditDigest after digest %d = %s, %v; want %s", d.No, fmtDigest(last), err, fmtDigest(d))
		}
	}
	other := digest(2, 10)
	other.Sig = []byte("another")
	if err := s.PutAuditDigest(ctx, other); !errors.Is(err, store.ErrExists) {
		t.Errorf("PutAuditDigest(existing number): got %v, want ErrExists", err)
	}
	if err := s.PutAuditDigest(ctx, digest(5, 12)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("PutAuditDigest(number 5 after 3): got %v, want ErrConflict", err)
	}
	got, err := s.AuditDigests(ctx)
	if err != nil {
		t.Fatalf("AuditDigests: %v", err)
	}
	if g, w := fmtAll(got, fmtDigest), fmtAll([]store.AuditDigest{d1, d2, d3}, fmtDigest); g != w {
		t.Errorf("AuditDigests\ngot\n%swant\n%s", g, w)
	}
}

// testDeleteAuditThrough: retention deletes whole blocks, through the last
// record of a digest, and the chain goes on after them.
func testDeleteAuditThrough(t *testing.T, s store.Store) {
	ctx := t.Context()
	recs := appendBlocks(t, s, 4, 4, 2)
	for i, seq := range []int64{4, 8} {
		if err := s.PutAuditDigest(ctx, digest(int64(i+1), seq)); err != nil {
			t.Fatalf("PutAuditDigest(%d): %v", seq, err)
		}
	}
	for _, tc := range []struct {
		through  int64
		wantErr  error
		wantN    int64
		wantLeft []int64
	}{
		{5, store.ErrConflict, 0, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}, // no digest ends at 5
		{10, store.ErrConflict, 0, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{4, nil, 4, []int64{5, 6, 7, 8, 9, 10}},
		{4, nil, 0, []int64{5, 6, 7, 8, 9, 10}}, // again: nothing left to delete
		{8, nil, 4, []int64{9, 10}},
	} {
		n, err := s.DeleteAuditThrough(ctx, tc.through)
		if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) || n != tc.wantN {
			t.Errorf("DeleteAuditThrough(%d) = %d, %v; want %d, %v", tc.through, n, err, tc.wantN, tc.wantErr)
		}
		if g, w := fmt.Sprint(seqs(allRecords(t, s))), fmt.Sprint(tc.wantLeft); g != w {
			t.Errorf("records left after DeleteAuditThrough(%d) = %s, want %s", tc.through, g, w)
		}
	}
	checkLast(t, s, 10, recs[9].Hash)
}

// testDeleteAuditMany deletes more blocks than a store may delete in one
// go, and then every record: the chain goes on from the head.
func testDeleteAuditMany(t *testing.T, s store.Store) {
	const blocks, per = 150, 3
	ctx := t.Context()
	var last []store.AuditRecord
	for range blocks {
		last = appendN(t, s, per, func(int64) time.Time { return t0 })
	}
	const total = blocks * per
	for i, seq := range []int64{total - 10*per, total} {
		if err := s.PutAuditDigest(ctx, digest(int64(i+1), seq)); err != nil {
			t.Fatalf("PutAuditDigest: %v", err)
		}
	}
	if n, err := s.DeleteAuditThrough(ctx, total-10*per); err != nil || n != total-10*per {
		t.Errorf("DeleteAuditThrough(%d) = %d, %v; want %d", total-10*per, n, err, total-10*per)
	}
	if got := seqs(allRecords(t, s)); len(got) != 10*per || got[0] != total-10*per+1 {
		t.Errorf("records left = %v, want %d-%d", got, total-10*per+1, total)
	}
	if n, err := s.DeleteAuditThrough(ctx, total); err != nil || n != 10*per {
		t.Errorf("DeleteAuditThrough(%d) = %d, %v; want %d", total, n, err, 10*per)
	}
	if got := allRecords(t, s); len(got) != 0 {
		t.Errorf("%d records left after deleting through the last", len(got))
	}
	// The head survives the records: the chain continues from it.
	hash := last[per-1].Hash
	checkLast(t, s, total, hash)
	next := appendN(t, s, 1, timeBySeq)
	if err := VerifyChain(total, hash, next); err != nil {
		t.Errorf("append after retention: %v", err)
	}
}
