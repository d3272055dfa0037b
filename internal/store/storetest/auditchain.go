package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
)

// appendBlocks appends one block of each size, records timed by timeBySeq,
// and returns every record appended.
func appendBlocks(t *testing.T, s store.Store, sizes ...int) []store.AuditRecord {
	t.Helper()
	var all []store.AuditRecord
	for _, n := range sizes {
		all = append(all, appendN(t, s, n, timeBySeq)...)
	}
	return all
}

// readBlocks collects AuditBlocks(from, to), copying each block.
func readBlocks(t *testing.T, s store.Store, from, to int64) []store.AuditBlock {
	t.Helper()
	var out []store.AuditBlock
	err := s.AuditBlocks(t.Context(), from, to, func(b *store.AuditBlock) error {
		c := *b
		c.Data = bytes.Clone(b.Data)
		out = append(out, c)
		return nil
	})
	if err != nil {
		t.Fatalf("AuditBlocks(%d, %d): %v", from, to, err)
	}
	return out
}

func blockRanges(bs []store.AuditBlock) string {
	out := "["
	for i, b := range bs {
		if i > 0 {
			out += " "
		}
		out += fmt.Sprintf("%d-%d", b.FirstSeq, b.LastSeq)
	}
	return out + "]"
}

// testAuditBlocks: each append is one block whose columns are its records'
// first and last Seq and time range, and whose Data frames its records as
// appended; AuditBlocks passes the blocks whose first record is in a Seq
// range, both ends included, in order; it stops at the callback's error;
// ranges read at once see the same blocks.
func testAuditBlocks(t *testing.T, s store.Store) {
	ctx := t.Context()
	if got := readBlocks(t, s, math.MinInt64, math.MaxInt64); len(got) != 0 {
		t.Errorf("AuditBlocks on an empty trail passed %d blocks", len(got))
	}
	want := appendBlocks(t, s, 3, 1, 4, 2) // blocks 1-3, 4, 5-8, 9-10
	for _, tc := range []struct {
		from, to int64
		want     string
	}{
		{0, math.MaxInt64, "[1-3 4-4 5-8 9-10]"},
		{1, 1, "[1-3]"},
		{2, 4, "[4-4]"}, // by the block's first record
		{3, 9, "[4-4 5-8 9-10]"},
		{10, 20, "[]"},
		{7, 3, "[]"},
	} {
		if got := blockRanges(readBlocks(t, s, tc.from, tc.to)); got != tc.want {
			t.Errorf("AuditBlocks(%d, %d) passed %s, want %s", tc.from, tc.to, got, tc.want)
		}
	}
	var got []store.AuditRecord
	for _, b := range readBlocks(t, s, 0, math.MaxInt64) {
		recs, err := store.DecodeAuditBlock(b.Data)
		if err != nil {
			t.Fatalf("block %d-%d: %v", b.FirstSeq, b.LastSeq, err)
		}
		lo, hi := recs[0].Time.UnixNano(), recs[len(recs)-1].Time.UnixNano()
		if b.FirstSeq != recs[0].Seq || b.LastSeq != recs[len(recs)-1].Seq || b.MinTime != lo || b.MaxTime != hi {
			t.Errorf("block columns %d-%d, times %d-%d; its records are %d-%d at %d-%d", b.FirstSeq, b.LastSeq, b.MinTime, b.MaxTime, recs[0].Seq, recs[len(recs)-1].Seq, lo, hi)
		}
		got = append(got, recs...)
	}
	if g, w := fmtAll(got, fmtRecord), fmtAll(want, fmtRecord); g != w {
		t.Errorf("records of the blocks\ngot\n%swant\n%s", g, w)
	}

	// The time range of blocks, from their columns.
	for _, tc := range []struct {
		from, to int64
		lo, hi   int64 // records whose times are the range's ends; 0: none
	}{
		{1, 10, 1, 10},
		{4, 8, 4, 8},
		{2, 3, 0, 0}, // no block starts there
		{11, 20, 0, 0},
	} {
		lo, hi, err := s.AuditTimes(ctx, tc.from, tc.to)
		wantLo, wantHi := time.Time{}, time.Time{}
		if tc.lo > 0 {
			wantLo, wantHi = at(tc.lo), at(tc.hi)
		}
		if err != nil || !lo.Equal(wantLo) || !hi.Equal(wantHi) {
			t.Errorf("AuditTimes(%d, %d) = %s, %s, %v; want %s, %s", tc.from, tc.to, ts(lo), ts(hi), err, ts(wantLo), ts(wantHi))
		}
	}

	// The callback's error stops the reading and is returned as is.
	stop := errors.New("stop here")
	var seen []int64
	err := s.AuditBlocks(ctx, 1, 10, func(b *store.AuditBlock) error {
		seen = append(seen, b.FirstSeq)
		if b.FirstSeq == 4 {
			return stop
		}
		return nil
	})
	if err != stop || fmt.Sprint(seen) != "[1 4]" {
		t.Errorf("AuditBlocks with a callback failing at block 4: saw %v, got %v; want [1 4] and its error", seen, err)
	}

	// Several ranges at once, as verification reads them.
	var wg sync.WaitGroup
	parts := make([][]store.AuditBlock, 5)
	for i := range parts {
		wg.Go(func() {
			var bs []store.AuditBlock
			err := s.AuditBlocks(ctx, int64(2*i+1), int64(2*i+2), func(b *store.AuditBlock) error {
				c := *b
				c.Data = bytes.Clone(b.Data)
				bs = append(bs, c)
				return nil
			})
			if err != nil {
				t.Errorf("AuditBlocks(%d, %d): %v", 2*i+1, 2*i+2, err)
			}
			parts[i] = bs
		})
	}
	wg.Wait()
	var all []store.AuditRecord
	for _, bs := range parts {
		for _, b := range bs {
			recs, err := store.DecodeAuditBlock(b.Data)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, recs...)
		}
	}
	if err := VerifyChain(0, nil, all); err != nil || len(all) != 10 {
		t.Errorf("ranges read at once: %d records, %v; want the whole chain of 10", len(all), err)
	}

	// After retention the blocks start at the first one kept.
	if err := s.PutAuditDigest(ctx, digest(1, 4)); err != nil {
		t.Fatalf("PutAuditDigest: %v", err)
	}
	if _, err := s.DeleteAuditThrough(ctx, 4); err != nil {
		t.Fatalf("DeleteAuditThrough: %v", err)
	}
	if g := blockRanges(readBlocks(t, s, 0, 6)); g != "[5-8]" {
		t.Errorf("AuditBlocks(0, 6) after retention through 4 passed %s, want [5-8]", g)
	}
}
