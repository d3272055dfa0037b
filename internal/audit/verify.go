package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/securecart/warden/internal/store"
)

// Problem is one thing wrong with the trail.
type Problem struct {
	Seq    int64  // the record or digest's last record concerned (0: none)
	Kind   string // "record-changed", "record-removed", "record-inserted", "chain-broken", "digest-signature", "digest-missing", "digest-changed", "head-missing", "anchor-missing"
	Detail string
}

func (p Problem) String() string { return p.Detail }

// Report is the result of a verification.
type Report struct {
	Records  int64
	Digests  int
	FirstSeq int64
	LastSeq  int64
	Sealed   int64 // the last record a valid digest covers
	Problems []Problem

	needEvent []int // problems whose Detail still needs the record's event ID
}

// maxProblems caps the problems a report lists.
const maxProblems = 1000

// OK reports whether the trail is intact.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(seq int64, kind, format string, args ...any) {
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, Problem{Seq: seq, Kind: kind, Detail: fmt.Sprintf(format, args...)})
	}
}

// VerifyOptions tune Verify.
type VerifyOptions struct {
	Now time.Time
	// Unsealed is the grace period: how long records may wait for a digest,
	// and how late past its due time the next digest may be, before the
	// digest counts as missing (default 10 minutes).
	Unsealed time.Duration
	// Anchor, when set, is a digest kept outside the database: the trail
	// must still contain it.
	Anchor *Anchor
	// Batch is how many records one range holds: the trail is read in
	// ranges, Workers at a time, each on its own connection (default
	// 16,384).
	Batch int
	// Workers is how many ranges are read and hashed at once (default
	// GOMAXPROCS, at least 2: one can hash while the other waits on the
	// database).
	Workers int
}

// Verify checks the whole trail: every record's hash (over every stored
// column) and link, every digest's signature, stored columns, number, link
// and coverage, that the newest digest is not overdue, that the chain head
// names the last record, that nothing old is unsealed, and that the trail
// contains the anchor when one is given.
func Verify(ctx context.Context, st store.Store, keys []*SigningKey, opt VerifyOptions) (*Report, error) {
	if opt.Batch <= 0 {
		opt.Batch = 16384
	}
	if opt.Workers <= 0 {
		opt.Workers = max(2, runtime.GOMAXPROCS(0))
	}
	if opt.Unsealed <= 0 {
		opt.Unsealed = 10 * time.Minute
	}
	rep := &Report{}
	digests, err := st.AuditDigests(ctx)
	if err != nil {
		return nil, err
	}
	rep.Digests = len(digests)
	docs, newest := checkDigests(rep, digests, keys)
	if newest != nil && !newest.Stopped && !opt.Now.IsZero() {
		if due, err := parseTime(newest.NextBy); err == nil && opt.Now.Sub(due) > opt.Unsealed {
			rep.add(newest.LastSeq, "digest-missing", "no digest after digest %d of %s although the next was due by %s: later digests were removed (the trail was cut back) or the server stopped without sealing its trail",
				newest.Number, newest.Created, newest.NextBy)
		}
	}
	if opt.Anchor != nil {
		checkAnchor(rep, digests, *opt.Anchor)
	}

	// The records.
	head, headHash, err := st.LastAudit(ctx)
	headKnown := err == nil
	if errors.Is(err, store.ErrNotFound) {
		rep.add(0, "head-missing", "the chain head (the last record's number and hash, kept apart from the records) is missing")
	} else if err != nil {
		return nil, err
	}
	first, err := st.AuditRecords(ctx, 0, 1)
	if err != nil {
		return nil, err
	}
	if len(first) == 0 {
		if len(digests) > 0 {
			last := digests[len(digests)-1].Seq
			doc := docs[last]
			if headKnown && head == last && doc != nil && doc.LastRecordHash == hex.EncodeToString(headHash) {
				// Retention removed every record, all of them sealed: the
				// chain head is the last digest's last record.
				rep.Sealed = last
			} else {
				rep.add(last, "record-removed", "the trail has digests up to record %d but no records", last)
			}
		}
		return rep, nil
	}
	rep.FirstSeq = first[0].Seq
	var expectPrev []byte // the first record has no previous hash
	if rep.FirstSeq > 1 {
		// Records before it were removed by retention: the digest that ends
		// just before it anchors the chain.
		anchor, ok := docs[rep.FirstSeq-1]
		if !ok {
			rep.add(rep.FirstSeq, "record-removed", "records 1-%d are missing and no digest ends at record %d to account for their removal by retention", rep.FirstSeq-1, rep.FirstSeq-1)
			expectPrev = first[0].PrevHash
		} else {
			expectPrev, _ = hex.DecodeString(anchor.LastRecordHash)
		}
	}
	segs, err := scanSegments(ctx, st, docs, rep.FirstSeq, max(head, rep.FirstSeq), opt)
	if err != nil {
		return nil, err
	}
	// Stitch the segments together in order: each checked its own records
	// but its first record's place in the chain.
	next := rep.FirstSeq
	var lastHash []byte
	for i := range segs {
		sg := &segs[i]
		if sg.n == 0 {
			continue
		}
		if sg.firstSeq != next {
			if sg.firstSeq > next {
				rep.add(next, "record-removed", "records %d-%d are missing (the trail jumps from record %d to %d)", next, sg.firstSeq-1, next-1, sg.firstSeq)
			} else {
				rep.add(sg.firstSeq, "record-inserted", "record %d appears out of order after record %d", sg.firstSeq, next-1)
			}
		}
		if !sg.firstBad && !bytes.Equal(sg.firstPrev, expectPrev) {
			rep.addEvent(sg.firstSeq, "chain-broken", "record %d (event %s) does not follow the record before it: records were inserted, removed or reordered before it")
		}
		for _, p := range sg.problems {
			rep.addFinding(p)
		}
		rep.Records += sg.n
		rep.Sealed = max(rep.Sealed, sg.sealed)
		rep.LastSeq = sg.lastSeq
		expectPrev, lastHash = sg.lastHash, sg.lastHash
		next = sg.lastSeq + 1
	}
	if err := rep.fillEvents(ctx, st); err != nil {
		return nil, err
	}
	if newest != nil {
		if last := newest.LastSeq; last > rep.LastSeq {
			rep.add(last, "record-removed", "the digests cover records up to %d but the trail ends at record %d: records were removed", last, rep.LastSeq)
		}
	}
	// The chain head, read before the records, names the last record then;
	// read again now, no record may follow it.
	if head2, _, err := st.LastAudit(ctx); err == nil && rep.LastSeq > head2 {
		rep.add(head2+1, "record-inserted", "records %d-%d follow the chain head (record %d): they were added outside the trail", head2+1, rep.LastSeq, head2)
	}
	switch {
	case !headKnown:
	case head > rep.LastSeq:
		rep.add(rep.LastSeq+1, "record-removed", "records %d-%d are missing: the chain head is record %d but the trail ends at record %d", rep.LastSeq+1, head, head, rep.LastSeq)
	case head == rep.LastSeq && !bytes.Equal(headHash, lastHash):
		rep.add(head, "record-changed", "record %d, the last one, does not match the chain head's hash: it was changed or replaced", head)
	}
	// Records waiting for a digest too long: the latest digest is missing.
	var sealedUpTo int64
	if newest != nil {
		sealedUpTo = newest.LastSeq
	}
	if rep.LastSeq > sealedUpTo {
		oldest, err := st.AuditRecords(ctx, sealedUpTo+1, 1)
		if err == nil && len(oldest) == 1 && !opt.Now.IsZero() && opt.Now.Sub(oldest[0].Time) > opt.Unsealed {
			rep.add(oldest[0].Seq, "digest-missing", "records %d-%d have no digest although the oldest is from %s: the latest digest is missing", sealedUpTo+1, rep.LastSeq, oldest[0].Time.UTC().Format(time.RFC3339))
		}
	}
	return rep, nil
}

// finding is a problem a segment found; when event is set, Detail has a %d
// for the record's Seq and a %s for its event ID, filled in at the end.
type finding struct {
	Problem
	event bool
}

func (r *Report) addEvent(seq int64, kind, format string) {
	r.addFinding(finding{Problem{Seq: seq, Kind: kind, Detail: format}, true})
}

func (r *Report) addFinding(f finding) {
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, f.Problem)
		if f.event {
			r.needEvent = append(r.needEvent, len(r.Problems)-1)
		}
	}
}

// fillEvents writes the event IDs into the problems that name one, reading
// only those records.
func (r *Report) fillEvents(ctx context.Context, st store.Store) error {
	for _, i := range r.needEvent {
		p := &r.Problems[i]
		recs, err := st.AuditRecords(ctx, p.Seq, 1)
		if err != nil {
			return err
		}
		id := "?"
		if len(recs) == 1 && recs[0].Seq == p.Seq {
			id = recs[0].EventID
		}
		p.Detail = fmt.Sprintf(p.Detail, p.Seq, id)
	}
	r.needEvent = nil
	return nil
}

// segment is what scanning one range of the trail found.
type segment struct {
	n                 int64
	firstSeq, lastSeq int64
	firstPrev         []byte // the first record's PrevHash, checked by the caller
	firstBad          bool   // the first record's content does not match its hash
	lastHash          []byte
	sealed            int64 // the last record whose digest matches it
	problems          []finding
}

func (sg *segment) add(f finding) {
	if len(sg.problems) < maxProblems {
		sg.problems = append(sg.problems, f)
	}
}

// scanSegments reads the records from first on in ranges of opt.Batch,
// opt.Workers ranges at a time, each on its own connection, hashing as it
// reads; the last range is open-ended (records appended meanwhile, or
// beyond the chain head, are read too). It returns the segments in order.
func scanSegments(ctx context.Context, st store.Store, docs map[int64]*DigestDoc, first, last int64, opt VerifyOptions) ([]segment, error) {
	type span struct{ lo, hi int64 }
	var spans []span
	for lo := first; ; lo += int64(opt.Batch) {
		hi := lo + int64(opt.Batch) - 1
		if hi >= last || hi < lo {
			spans = append(spans, span{lo, math.MaxInt64})
			break
		}
		spans = append(spans, span{lo, hi})
	}
	segs := make([]segment, len(spans))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var once sync.Once
	var firstErr error
	var wg sync.WaitGroup
	for range min(opt.Workers, len(spans)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(spans) || ctx.Err() != nil {
					return
				}
				if err := scanSegment(ctx, st, docs, spans[i].lo, spans[i].hi, &segs[i]); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return segs, ctx.Err()
}

// scanSegment checks the records of one range: each record's hash, each
// one's link to the one before (but the first's), and the digests ending in
// the range.
func scanSegment(ctx context.Context, st store.Store, docs map[int64]*DigestDoc, lo, hi int64, sg *segment) error {
	h := newHasher()
	var hexHash [2 * sha256.Size]byte
	last := make([]byte, 0, sha256.Size) // the previous record's hash
	err := st.AuditChain(ctx, lo, hi, func(r *store.AuditRow) error {
		seq, prev, hash := r.Seq, r.PrevHash, r.Hash
		bad := !bytes.Equal(h.row(prev, seq, r.Time, r.EventID, r.Account, r.Data), hash)
		if sg.n == 0 {
			sg.firstSeq, sg.firstPrev, sg.firstBad = seq, bytes.Clone(prev), bad
		} else if seq != sg.lastSeq+1 {
			if seq > sg.lastSeq+1 {
				sg.add(finding{Problem: Problem{Seq: sg.lastSeq + 1, Kind: "record-removed", Detail: fmt.Sprintf("records %d-%d are missing (the trail jumps from record %d to %d)", sg.lastSeq+1, seq-1, sg.lastSeq, seq)}})
			} else {
				sg.add(finding{Problem: Problem{Seq: seq, Kind: "record-inserted", Detail: fmt.Sprintf("record %d appears out of order after record %d", seq, sg.lastSeq)}})
			}
		}
		if bad {
			sg.add(finding{Problem{Seq: seq, Kind: "record-changed", Detail: "record %d (event %s) was changed: its stored fields do not match its hash"}, true})
		} else if sg.n > 0 && !bytes.Equal(prev, last) {
			sg.add(finding{Problem{Seq: seq, Kind: "chain-broken", Detail: "record %d (event %s) does not follow the record before it: records were inserted, removed or reordered before it"}, true})
		}
		if doc, ok := docs[seq]; ok {
			matches := len(hash) == sha256.Size
			if matches {
				hex.Encode(hexHash[:], hash)
				matches = string(hexHash[:]) == doc.LastRecordHash
			}
			if !matches {
				sg.add(finding{Problem: Problem{Seq: seq, Kind: "record-changed", Detail: fmt.Sprintf("the records sealed by the digest of records %d-%d do not match it: a record up to %d was changed, removed, inserted or reordered and its hashes recomputed", doc.FirstSeq, doc.LastSeq, seq)}})
			} else {
				sg.sealed = seq
			}
		}
		last = append(last[:0], hash...)
		sg.lastSeq = seq
		sg.n++
		return nil
	})
	sg.lastHash = bytes.Clone(last)
	return err
}
