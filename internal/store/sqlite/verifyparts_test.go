package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/policy"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/internal/segment"
)

// byNumber hides the store's parts: verification reads it in ranges of
// record numbers.
type byNumber struct{ store.Store }

// multiSegmentTrail writes 100 records of real calls, a digest every 20,
// each beginning a new segment, and returns the store's directory, its
// sealer and the segments' names.
func multiSegmentTrail(t *testing.T) (string, *creds.Sealer, []string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.trail.RollSize = 1
	sealer, err := creds.NewSealer(creds.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := audit.Open(ctx, s, sealer, audit.Options{Owner: "218364950271", DigestEvery: 20, Clock: func() time.Time { return trailT0 }})
	if err != nil {
		t.Fatal(err)
	}
	var batch []*audit.Record
	for i := 1; i <= 100; i++ {
		c := &call.Call{Service: "sts", Action: "GetCallerIdentity", Region: "us-east-1", RequestID: fmt.Sprintf("req-%d", i),
			Now: trailT0.Add(time.Duration(i) * time.Second), SourceIP: "127.0.0.1", UserAgent: "test",
			Identity: &call.Identity{ARN: "arn:aws:iam::111122223333:root", Account: "111122223333", UserID: "111122223333", Kind: policy.CallerRoot, AccessKeyID: "AKIAEXAMPLE"}}
		batch = append(batch, audit.Records(&call.Event{Call: c, EventSource: "sts.amazonaws.com"})...)
		if len(batch) == 5 {
			if err := tr.Append(ctx, batch); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	segs, err := segment.Segments(filepath.Join(dir, TrailDir))
	if err != nil || len(segs) < 5 {
		t.Fatalf("segments %v, %v; want one for each digest's 20 records", segs, err)
	}
	return dir, sealer, segs
}

// verifyParts verifies the trail of dir part by part (its segment files),
// and in one range of record numbers, which reads the files in the same
// order and must find the same; with inRanges, also in ranges 1, 7 and 50
// records wide, one and three at a time, which must find the same too.
// (Ranges of numbers read a segment moved out of its place where its
// numbers put it, so they name such a change otherwise, and ranges are
// what the SQL stores have: their blocks are rows in order of number.)
// It returns the report read by parts.
func verifyParts(t *testing.T, dir string, sealer *creds.Sealer, inRanges bool) *audit.Report {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	keys, err := audit.PublicKeys(ctx, s, sealer)
	if err != nil {
		t.Fatal(err)
	}
	opt := audit.VerifyOptions{Now: trailT0.Add(time.Hour), Unsealed: 24 * time.Hour}
	rep, err := audit.Verify(ctx, s, keys, opt)
	if err != nil {
		t.Fatal(err)
	}
	type reading struct{ batch, workers int }
	readings := []reading{{1 << 20, 1}}
	if inRanges {
		readings = append(readings, reading{1, 1}, reading{1, 3}, reading{7, 1}, reading{7, 3}, reading{50, 1}, reading{50, 3})
	}
	for _, rd := range readings {
		o := opt
		o.Batch, o.Workers = rd.batch, rd.workers
		r, err := audit.Verify(ctx, byNumber{s}, keys, o)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(r, rep) {
			t.Errorf("verification in ranges of %d records, %d at a time:\n%+v\nwant the same as part by part:\n%+v", rd.batch, rd.workers, r, rep)
		}
	}
	return rep
}

// Verification reads a trail of several segment files part by part (each
// frame once, where ranges of record numbers would each step over the
// frames of every segment before theirs), with the same findings as in
// ranges, whatever was done to the files: every tampering with whole
// segments is named.
func TestVerifyByParts(t *testing.T) {
	dir, sealer, segs := multiSegmentTrail(t)
	if rep := verifyParts(t, dir, sealer, true); !rep.OK() || rep.Records != 100 {
		t.Fatalf("untouched trail of %d segments: %+v", len(segs), rep)
	}
	// Reading by parts passes the blocks that reading every number passes,
	// in the same order.
	ctx := context.Background()
	s := openStore(t, dir)
	var all, parted []string
	note := func(to *[]string) func(b *store.AuditBlock) error {
		return func(b *store.AuditBlock) error {
			*to = append(*to, fmt.Sprintf("%d-%d %x", b.FirstSeq, b.LastSeq, b.Data))
			return nil
		}
	}
	if err := s.AuditBlocks(ctx, -1<<63, 1<<63-1, note(&all)); err != nil {
		t.Fatal(err)
	}
	parts, err := s.AuditParts(ctx)
	if err != nil || !slices.Equal(parts, segs) {
		t.Fatalf("AuditParts = %v, %v; want the segments %v", parts, err, segs)
	}
	for i, p := range parts {
		if err := s.AuditPartBlocks(ctx, p, i == len(parts)-1, note(&parted)); err != nil {
			t.Fatal(err)
		}
	}
	if len(all) == 0 || !slices.Equal(parted, all) {
		t.Fatalf("by parts: %d blocks; by numbers: %d; want the same", len(parted), len(all))
	}
	// The last part read with the rest: the segments after it too.
	var rest []string
	if err := s.AuditPartBlocks(ctx, parts[len(parts)-2], true, note(&rest)); err != nil {
		t.Fatal(err)
	}
	var last2 []string
	for _, p := range parts[len(parts)-2:] {
		if err := s.AuditPartBlocks(ctx, p, false, note(&last2)); err != nil {
			t.Fatal(err)
		}
	}
	if len(rest) == 0 || !slices.Equal(rest, last2) {
		t.Errorf("part %s with the rest: %d blocks; want the %d of it and the one after", parts[len(parts)-2], len(rest), len(last2))
	}
	s.Close()

	tdir := func(d string) string { return filepath.Join(d, TrailDir) }
	copyTrail := func(t *testing.T) string {
		t.Helper()
		to := t.TempDir()
		if err := os.CopyFS(to, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		return to
	}
	mid := segs[2] // records 41-60
	for _, tt := range []struct {
		name     string
		tamper   func(t *testing.T, d string)
		want     string
		inRanges bool // ranges of numbers find the same
	}{
		{"a middle segment deleted", func(t *testing.T, d string) {
			if err := os.Remove(filepath.Join(tdir(d), mid)); err != nil {
				t.Fatal(err)
			}
		}, "records 41-60 are missing", true},
		{"a middle segment moved after the newest", func(t *testing.T, d string) {
			if err := os.Rename(filepath.Join(tdir(d), mid), filepath.Join(tdir(d), segment.SegName(1000))); err != nil {
				t.Fatal(err)
			}
		}, "records 41-60 are not where their numbers place them: the trail is out of order", false},
		{"two segments swapped", func(t *testing.T, d string) {
			a, b := filepath.Join(tdir(d), segs[1]), filepath.Join(tdir(d), mid)
			if err := os.Rename(a, a+".x"); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(b, a); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(a+".x", b); err != nil {
				t.Fatal(err)
			}
		}, "record 61 (event", false},
		{"a middle segment's last frame cut", func(t *testing.T, d string) {
			path := filepath.Join(tdir(d), mid)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// Its frames, to the last one's start.
			off, last := 13+int(b[12]), 0
			for off+44 <= len(b) && string(b[off:off+4]) == "WTF2" {
				last = off
				off += 44 + int(uint32(b[off+4])<<24|uint32(b[off+5])<<16|uint32(b[off+6])<<8|uint32(b[off+7]))
			}
			if err := os.Truncate(path, int64(last)); err != nil {
				t.Fatal(err)
			}
		}, "records 56-60 are missing", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := copyTrail(t)
			tt.tamper(t, d)
			rep := verifyParts(t, d, sealer, tt.inRanges)
			if rep.OK() {
				t.Fatalf("not detected: %+v", rep)
			}
			if !slices.ContainsFunc(rep.Problems, func(p audit.Problem) bool { return strings.Contains(p.Detail, tt.want) }) {
				t.Errorf("no problem says %q: %+v", tt.want, rep.Problems)
			}
		})
	}
}
