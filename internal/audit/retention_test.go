package audit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/sqlite"
)

// retain opens the fixture's trail, applies Retain(before) and closes it.
func (f *fixture) retain(t *testing.T, before time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tr, err := audit.Open(ctx, st, f.sealer, audit.Options{Owner: "218364950271", DigestEvery: 50, Clock: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	n, err := tr.Retain(ctx, before)
	if err != nil {
		t.Fatalf("Retain(%s): %v", before.Format(time.RFC3339), err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	return n
}

// seqsLeft lists the sequence numbers of the records in the fixture's store.
func (f *fixture) seqsLeft(t *testing.T) string {
	t.Helper()
	st, err := sqlite.Open(context.Background(), f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recs, err := st.AuditRecords(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 {
		return "none"
	}
	return fmt.Sprintf("%d-%d (%d)", recs[0].Seq, recs[len(recs)-1].Seq, len(recs))
}

func hasProblem(rep *audit.Report, kind, detail string) bool {
	for _, p := range rep.Problems {
		if p.Kind == kind && strings.Contains(p.Detail, detail) {
			return true
		}
	}
	return false
}

// Retention removes whole digest periods, oldest first, whose last record is
// older than the cut-off; the trail that is left verifies, and tampering
// with it is still found.
func TestRetainWholePeriods(t *testing.T) {
	f := newTrail(t, 120) // record i at t0+i s; digests end at 50, 100, 120
	steps := []struct {
		before   time.Time
		deleted  int64
		left     string
		firstSeq int64
	}{
		{t0, 0, "1-120 (120)", 1},
		// Record 50, the first period's last, is at t0+50s: not older.
		{t0.Add(50 * time.Second), 0, "1-120 (120)", 1},
		{t0.Add(51 * time.Second), 50, "51-120 (70)", 51},
		{t0.Add(51 * time.Second), 0, "51-120 (70)", 51}, // again: nothing more
		// The second period ends at t0+100s: records 51-99 are older than
		// t0+100s, but the period is deleted whole or not at all.
		{t0.Add(100 * time.Second), 0, "51-120 (70)", 51},
		{t0.Add(101 * time.Second), 50, "101-120 (20)", 101},
	}
	for i, s := range steps {
		if got := f.retain(t, s.before); got != s.deleted {
			t.Errorf("Retain(%s) deleted %d records, want %d", s.before.Format(time.RFC3339), got, s.deleted)
		}
		if got := f.seqsLeft(t); got != s.left {
			t.Errorf("after Retain(%s): records %s, want %s", s.before.Format(time.RFC3339), got, s.left)
		}
		// Each opening of the trail ends with a digest saying it stopped.
		rep := f.verify(t)
		if !rep.OK() || rep.FirstSeq != s.firstSeq || rep.LastSeq != 120 || rep.Records != 121-s.firstSeq || rep.Sealed != 120 || rep.Digests != 4+i {
			t.Errorf("verify after Retain(%s): %+v; want intact, records %d-120, sealed through 120, %d digests", s.before.Format(time.RFC3339), rep, s.firstSeq, 4+i)
		}
	}

	// Tampering with what is left is still found.
	for _, tc := range []struct {
		name, query  string
		edit         func(t *testing.T, f *fixture)
		kind, detail string
	}{
		{"record changed", `UPDATE audit_blocks SET data = CAST(replace(CAST(data AS TEXT), 's110"', 's666"') AS BLOB) WHERE first_seq = 101`, nil, "record-changed", "record 110"},
		{"first block left removed", `DELETE FROM audit_blocks WHERE first_seq = 101`, nil, "record-removed", "records 1-110 are missing"},
		{"first record left removed", "", func(t *testing.T, f *fixture) {
			f.editBlock(t, 101, func(recs []store.AuditRecord) []store.AuditRecord { return recs[1:] })
		}, "record-removed", "records 1-101 are missing"},
		{"record removed", "", func(t *testing.T, f *fixture) {
			f.editBlock(t, 105, func(recs []store.AuditRecord) []store.AuditRecord { return append(recs[:4:4], recs[5:]...) })
		}, "record-removed", "records 105-105 are missing"},
		{"anchoring digest removed", `DELETE FROM audit_digests WHERE seq = 100`, nil, "digest-missing", "digests 2-2 are missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := f.copy(t)
			if tc.query != "" {
				g.exec(t, tc.query)
			}
			if tc.edit != nil {
				tc.edit(t, g)
			}
			rep := g.verify(t)
			if rep.OK() || !hasProblem(rep, tc.kind, tc.detail) {
				t.Errorf("want a %s problem mentioning %q; got %+v", tc.kind, tc.detail, rep.Problems)
			}
		})
	}
	// A changed record whose later hashes were recomputed: the digest
	// ending at 120 tells.
	g := f.copy(t)
	g.recomputeFrom(t, 110)
	if rep := g.verify(t); !hasProblem(rep, "record-changed", "do not match it") {
		t.Errorf("recomputed chain after retention: %+v", rep.Problems)
	}
}

// Records not sealed yet are never deleted, however old.
func TestRetainKeepsUnsealed(t *testing.T) {
	ctx := context.Background()
	f := newTrail(t, 0)
	st, err := sqlite.Open(ctx, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tr, err := audit.Open(ctx, st, f.sealer, audit.Options{Owner: "218364950271", DigestEvery: 50, DigestInterval: time.Hour, Clock: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 7; i++ {
		var batch []*audit.Record
		for j := 1; j <= 10; j++ {
			batch = append(batch, audit.Records(event(10*i+j, t0.Add(time.Duration(10*i+j)*time.Second)))...)
		}
		if err := tr.Append(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	// 1-50 are sealed (DigestEvery), 51-70 are not.
	n, err := tr.Retain(ctx, t0.Add(1000*time.Hour))
	if err != nil || n != 50 {
		t.Errorf("Retain = %d, %v; want the 50 sealed records", n, err)
	}
	if n, err := tr.Retain(ctx, t0.Add(1000*time.Hour)); err != nil || n != 0 {
		t.Errorf("Retain again = %d, %v; want 0: records 51-70 are not sealed", n, err)
	}
	if err := tr.Close(); err != nil { // seals 51-70
		t.Fatal(err)
	}
	if got := f.seqsLeft(t); got != "51-70 (20)" {
		t.Errorf("records left %s, want 51-70", got)
	}
	if rep := f.verify(t); !rep.OK() || rep.Records != 20 || rep.Sealed != 70 {
		t.Errorf("verify: %+v", rep)
	}
}

// Retention may delete every record once all are sealed; the trail still
// verifies and goes on from its chain head.
func TestRetainEverything(t *testing.T) {
	f := newTrail(t, 120)
	if n := f.retain(t, t0.Add(24*time.Hour)); n != 120 {
		t.Fatalf("Retain deleted %d records, want 120", n)
	}
	if rep := f.verify(t); !rep.OK() || rep.Records != 0 || rep.Sealed != 120 {
		t.Errorf("verify of a trail retained whole: %+v", rep)
	}
	// Removing the last digest (its records were removed) is still found:
	// the chain head no longer matches a digest.
	g := f.copy(t)
	g.exec(t, `DELETE FROM audit_digests WHERE seq = 120`)
	if rep := g.verify(t); rep.OK() {
		t.Errorf("last digest removed from an empty trail: not detected: %+v", rep)
	}

	// New records chain on.
	ctx := context.Background()
	st, err := sqlite.Open(ctx, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := audit.Open(ctx, st, f.sealer, audit.Options{Owner: "218364950271", DigestEvery: 50, Clock: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	var batch []*audit.Record
	for i := 121; i <= 130; i++ {
		batch = append(batch, audit.Records(event(i, t0.Add(time.Duration(i)*time.Second)))...)
	}
	if err := tr.Append(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if rep := f.verify(t); !rep.OK() || rep.FirstSeq != 121 || rep.LastSeq != 130 || rep.Sealed != 130 {
		t.Errorf("verify after new records: %+v", rep)
	}
}

// Options.Retention applies Retain periodically from the trail's clock.
func TestRetentionOption(t *testing.T) {
	ctx := context.Background()
	f := newTrail(t, 0)
	st, err := sqlite.Open(ctx, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Records at t0+1s..t0+120s; the clock reads t0+2h, so a retention of
	// 2h-60s keeps the periods ending after t0+60s.
	tr, err := audit.Open(ctx, st, f.sealer, audit.Options{Owner: "218364950271", DigestEvery: 50, DigestInterval: time.Hour,
		Retention: 2*time.Hour - 60*time.Second, RetentionEvery: 5 * time.Millisecond, Clock: func() time.Time { return t0.Add(2 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 12; i++ {
		var batch []*audit.Record
		for j := 1; j <= 10; j++ {
			batch = append(batch, audit.Records(event(10*i+j, t0.Add(time.Duration(10*i+j)*time.Second)))...)
		}
		if err := tr.Append(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		recs, err := st.AuditRecords(ctx, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 1 && recs[0].Seq == 51 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("retention did not delete records 1-50 within 30 s: the first record is %+v", recs)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	// 51-100 end at t0+100s (kept), 101-120 were never sealed before Close.
	if got := f.seqsLeft(t); got != "51-120 (70)" {
		t.Errorf("records left %s, want 51-120", got)
	}
	if rep := f.verify(t); !rep.OK() || rep.FirstSeq != 51 || rep.Sealed != 120 {
		t.Errorf("verify: %+v", rep)
	}
}

// copy copies the fixture's database to a new directory, to tamper with it.
func (f *fixture) copy(t *testing.T) *fixture {
	t.Helper()
	g := &fixture{dir: t.TempDir(), sealer: f.sealer}
	copyStore(t, f.dir, g.dir)
	return g
}
