package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/securecart/warden/internal/store"
)

// chainRow is what AuditChain passes to its callback, copied.
type chainRow struct {
	seq, time                          int64
	eventID, account, prev, hash, data []byte
}

func copyRow(r *store.AuditRow) chainRow {
	return chainRow{r.Seq, r.Time, bytes.Clone(r.EventID), bytes.Clone(r.Account), bytes.Clone(r.PrevHash), bytes.Clone(r.Hash), bytes.Clone(r.Data)}
}

// readChain collects AuditChain(from, to), copying each row.
func readChain(t *testing.T, s store.Store, from, to int64) []chainRow {
	t.Helper()
	var out []chainRow
	err := s.AuditChain(t.Context(), from, to, func(r *store.AuditRow) error {
		out = append(out, copyRow(r))
		return nil
	})
	if err != nil {
		t.Fatalf("AuditChain(%d, %d): %v", from, to, err)
	}
	return out
}

func chainSeqs(rows []chainRow) []int64 {
	out := []int64{}
	for _, r := range rows {
		out = append(out, r.seq)
	}
	return out
}

// testAuditChainRanges: AuditChain passes the records of a Seq range, both
// ends included, in order, with their stored PrevHash, Hash and Data; it
// stops at the callback's error; ranges read at once see the same records.
func testAuditChainRanges(t *testing.T, s store.Store) {
	ctx := t.Context()
	if got := readChain(t, s, 0, math.MaxInt64); len(got) != 0 {
		t.Errorf("AuditChain on an empty trail passed %d records", len(got))
	}
	want := appendN(t, s, 10, timeBySeq)
	for _, tc := range []struct {
		from, to int64
		want     []int64
	}{
		{0, math.MaxInt64, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{3, 7, []int64{3, 4, 5, 6, 7}},
		{7, 7, []int64{7}},
		{8, math.MaxInt64, []int64{8, 9, 10}},
		{11, 20, []int64{}},
		{7, 3, []int64{}},
	} {
		got := readChain(t, s, tc.from, tc.to)
		if g, w := fmt.Sprint(chainSeqs(got)), fmt.Sprint(tc.want); g != w {
			t.Errorf("AuditChain(%d, %d) passed %s, want %s", tc.from, tc.to, g, w)
		}
		for _, r := range got {
			w := want[r.seq-1]
			if !bytes.Equal(r.prev, w.PrevHash) || !bytes.Equal(r.hash, w.Hash) || !bytes.Equal(r.data, w.Data) ||
				r.time != w.Time.UnixNano() || string(r.eventID) != w.EventID || string(r.account) != w.Account {
				t.Errorf("AuditChain record %d = time %d event %s account %s prev %x hash %x data %s; want %s",
					r.seq, r.time, r.eventID, r.account, r.prev, r.hash, r.data, fmtRecord(w))
			}
		}
	}

	// The callback's error stops the reading and is returned as is.
	stop := errors.New("stop here")
	var seen []int64
	err := s.AuditChain(ctx, 1, 10, func(r *store.AuditRow) error {
		seen = append(seen, r.Seq)
		if r.Seq == 4 {
			return stop
		}
		return nil
	})
	if err != stop || fmt.Sprint(seen) != "[1 2 3 4]" {
		t.Errorf("AuditChain with a callback failing at record 4: saw %v, got %v; want [1 2 3 4] and its error", seen, err)
	}

	// Several ranges at once, as verification reads them.
	var wg sync.WaitGroup
	got := make([][]chainRow, 5)
	for i := range got {
		wg.Go(func() {
			var rows []chainRow
			err := s.AuditChain(ctx, int64(2*i+1), int64(2*i+2), func(r *store.AuditRow) error {
				rows = append(rows, copyRow(r))
				return nil
			})
			if err != nil {
				t.Errorf("AuditChain(%d, %d): %v", 2*i+1, 2*i+2, err)
			}
			got[i] = rows
		})
	}
	wg.Wait()
	var all []store.AuditRecord
	for _, rows := range got {
		for _, r := range rows {
			all = append(all, store.AuditRecord{Seq: r.seq, PrevHash: r.prev, Hash: r.hash, Data: r.data})
		}
	}
	if err := VerifyChain(0, nil, all); err != nil || len(all) != 10 {
		t.Errorf("ranges read at once: %d records, %v; want the whole chain of 10", len(all), err)
	}

	// After retention the range starts at the first record kept.
	if err := s.PutAuditDigest(ctx, digest(1, 4)); err != nil {
		t.Fatalf("PutAuditDigest: %v", err)
	}
	if _, err := s.DeleteAuditThrough(ctx, 4); err != nil {
		t.Fatalf("DeleteAuditThrough: %v", err)
	}
	if g := fmt.Sprint(chainSeqs(readChain(t, s, 0, 6))); g != "[5 6]" {
		t.Errorf("AuditChain(0, 6) after retention through 4 passed %s, want [5 6]", g)
	}
}
