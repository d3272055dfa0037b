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
	want := appendN(t, s, 10, timeBySeq)
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
	}
}

func testAuditRecordsByTime(t *testing.T, s store.Store) {
	ctx := t.Context()
	appendN(t, s, 10, timeBySeq) // record n at at(n)
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

// testDeleteAuditBefore: retention deletes only old records a digest
// covers, and the chain goes on after them.
func testDeleteAuditBefore(t *testing.T, s store.Store) {
	ctx := t.Context()
	recs := appendN(t, s, 10, timeBySeq) // record n at at(n)
	del := func(before time.Time, wantN int64, wantLeft []int64) {
		t.Helper()
		n, err := s.DeleteAuditBefore(ctx, before)
		if err != nil || n != wantN {
			t.Errorf("DeleteAuditBefore(%s) = %d, %v; want %d", ts(before), n, err, wantN)
		}
		if g, w := fmt.Sprint(seqs(allRecords(t, s))), fmt.Sprint(wantLeft); g != w {
			t.Errorf("records left after DeleteAuditBefore(%s) = %s, want %s", ts(before), g, w)
		}
	}
	del(at(100), 0, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}) // no digest: nothing is covered
	if err := s.PutAuditDigest(ctx, digest(1, 4)); err != nil {
		t.Fatalf("PutAuditDigest: %v", err)
	}
	del(at(7), 4, []int64{5, 6, 7, 8, 9, 10}) // 1-4 covered and old
	if err := s.PutAuditDigest(ctx, digest(2, 8)); err != nil {
		t.Fatalf("PutAuditDigest: %v", err)
	}
	del(at(6), 1, []int64{6, 7, 8, 9, 10}) // 5 old; 6-8 covered but not old
	del(at(100), 3, []int64{9, 10})        // 6-8
	if err := s.PutAuditDigest(ctx, digest(3, 10)); err != nil {
		t.Fatalf("PutAuditDigest: %v", err)
	}
	del(at(100), 2, []int64{})

	// The head survives the records: the chain continues from it.
	checkLast(t, s, 10, recs[9].Hash)
	next := appendN(t, s, 1, timeBySeq)
	if err := VerifyChain(10, recs[9].Hash, next); err != nil {
		t.Errorf("append after retention: %v", err)
	}
	if got, err := s.AuditDigests(ctx); err != nil || len(got) != 3 {
		t.Errorf("AuditDigests after retention = %d digests, %v; want all 3 kept", len(got), err)
	}
}

func testDeleteAuditThrough(t *testing.T, s store.Store) {
	ctx := t.Context()
	recs := appendN(t, s, 10, timeBySeq)
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

// testDeleteAuditMany deletes more records than a store may delete in one
// go, by Seq and then by time.
func testDeleteAuditMany(t *testing.T, s store.Store) {
	const total = 12_001
	ctx := t.Context()
	for range total / 1000 {
		appendN(t, s, 1000, func(int64) time.Time { return t0 })
	}
	appendN(t, s, total%1000, func(int64) time.Time { return t0 })
	for i, seq := range []int64{6000, total - 1} {
		if err := s.PutAuditDigest(ctx, digest(int64(i+1), seq)); err != nil {
			t.Fatalf("PutAuditDigest: %v", err)
		}
	}
	if n, err := s.DeleteAuditThrough(ctx, 6000); err != nil || n != 6000 {
		t.Errorf("DeleteAuditThrough(6000) = %d, %v; want 6000", n, err)
	}
	if n, err := s.DeleteAuditBefore(ctx, at(1)); err != nil || n != total-6001 {
		t.Errorf("DeleteAuditBefore = %d, %v; want %d", n, err, total-6001)
	}
	if got := seqs(allRecords(t, s)); len(got) != 1 || got[0] != total {
		t.Errorf("records left = %v, want [%d]", got, total)
	}
}
