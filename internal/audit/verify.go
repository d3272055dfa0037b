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
	Kind   string // "record-changed", "record-removed", "record-inserted", "chain-broken", "block-changed", "digest-signature", "digest-missing", "digest-changed", "head-missing", "anchor-missing"
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
	// The digests' signatures are verified while the records are read
	// and hashed (on another core when there is one); the rest of their
	// checks needs only their documents.
	parsed, docs, newest := parseDigests(digests, keys)
	sigc := make(chan []bool, 1)
	go func() { sigc <- checkSignatures(digests, parsed) }()

	// The records.
	head, headHash, headErr := st.LastAudit(ctx)
	headKnown := headErr == nil
	var sealedUpTo int64 // the last record the newest digest covers
	if newest != nil {
		sealedUpTo = newest.LastSeq
	}
	first, ok, err := firstBlock(ctx, st)
	if err != nil {
		return nil, err
	}
	var segs []segment
	if ok {
		segs, err = scanSegments(ctx, st, docs, first, max(head, first), sealedUpTo, opt)
		if err != nil {
			return nil, err
		}
	}

	// The problems in order: the digests', then the records'.
	checkDigests(rep, digests, parsed, <-sigc)
	if newest != nil && !newest.Stopped && !opt.Now.IsZero() {
		if due, err := parseTime(newest.NextBy); err == nil && opt.Now.Sub(due) > opt.Unsealed {
			rep.add(newest.LastSeq, "digest-missing", "no digest after digest %d of %s although the next was due by %s: later digests were removed (the trail was cut back) or the server stopped without sealing its trail",
				newest.Number, newest.Created, newest.NextBy)
		}
	}
	if opt.Anchor != nil {
		checkAnchor(rep, digests, *opt.Anchor)
	}
	switch {
	case errors.Is(headErr, store.ErrNotFound):
		rep.add(0, "head-missing", "the chain head (the last record's number and hash) is missing")
	case headErr != nil:
		rep.add(0, "head-missing", "the chain head (the last record's number and hash) cannot be read: %v", headErr)
	}
	// Stitch the segments together in order: each checked its own records
	// but its first record's place in the chain.
	var next int64
	var expectPrev, lastHash []byte // the first record has no previous hash
	started, resync := false, false
	var unsealedTime int64
	for i := range segs {
		sg := &segs[i]
		if sg.n == 0 {
			rep.problems(sg.problems)
			resync = resync || sg.endResync
			continue
		}
		if !started {
			started = true
			rep.FirstSeq, next = sg.firstSeq, sg.firstSeq
			// Before an unreadable block nothing tells what came first.
			if rep.FirstSeq > 1 && !resync && !sg.startResync {
				// Records before it were removed by retention: the digest
				// that ends just before it anchors the chain.
				if anchor, ok := docs[rep.FirstSeq-1]; ok {
					expectPrev, _ = hex.DecodeString(anchor.LastRecordHash)
				} else {
					rep.add(rep.FirstSeq, "record-removed", "records 1-%d are missing and no digest ends at record %d to account for their removal by retention", rep.FirstSeq-1, rep.FirstSeq-1)
					expectPrev = sg.firstPrev
				}
			}
		}
		if resync || sg.startResync {
			// An unreadable block before: nothing to check the first
			// record against.
		} else if sg.firstSeq != next {
			if sg.firstSeq > next {
				rep.add(next, "record-removed", "records %d-%d are missing (the trail jumps from record %d to %d)", next, sg.firstSeq-1, next-1, sg.firstSeq)
			} else {
				rep.add(sg.firstSeq, "record-inserted", "record %d appears out of order after record %d", sg.firstSeq, next-1)
			}
		}
		if !resync && !sg.startResync && !sg.firstBad && !bytes.Equal(sg.firstPrev, expectPrev) {
			rep.add(sg.firstSeq, "chain-broken", "record %d (event %s) does not follow the record before it: records were inserted, removed or reordered before it", sg.firstSeq, sg.firstEvent)
		}
		rep.problems(sg.problems)
		rep.Records += sg.n
		rep.Sealed = max(rep.Sealed, sg.sealed)
		rep.LastSeq = sg.lastSeq
		if sg.unsealedTime != 0 && unsealedTime == 0 {
			unsealedTime = sg.unsealedTime
		}
		expectPrev, lastHash = sg.lastHash, sg.lastHash
		next = sg.lastSeq + 1
		resync = sg.endResync
	}
	if !started {
		if len(digests) > 0 {
			last := digests[len(digests)-1].Seq
			doc := docs[last]
			switch {
			case last == 0 && headKnown && head == 0:
				// Digests of a trail with no record yet: a server idle
				// since its first start.
			case headKnown && head == last && doc != nil && doc.LastRecordHash == hex.EncodeToString(headHash):
				// Retention removed every record, all of them sealed: the
				// chain head is the last digest's last record.
				rep.Sealed = last
			default:
				rep.add(last, "record-removed", "the trail has digests up to record %d but no records", last)
			}
		}
		return rep, nil
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
	if rep.LastSeq > sealedUpTo && unsealedTime != 0 && !opt.Now.IsZero() && opt.Now.Sub(time.Unix(0, unsealedTime)) > opt.Unsealed {
		rep.add(sealedUpTo+1, "digest-missing", "records %d-%d have no digest although the oldest is from %s: the latest digest is missing",
			sealedUpTo+1, rep.LastSeq, time.Unix(0, unsealedTime).UTC().Format(time.RFC3339))
	}
	return rep, nil
}

func (r *Report) problems(ps []Problem) {
	for _, p := range ps {
		if len(r.Problems) < maxProblems {
			r.Problems = append(r.Problems, p)
		}
	}
}

// errFirst stops AuditBlocks after the first block.
var errFirst = errors.New("first block read")

// firstBlock returns the FirstSeq column of the first stored block, and
// false when there is none.
func firstBlock(ctx context.Context, st store.Store) (int64, bool, error) {
	var first int64
	found := false
	err := st.AuditBlocks(ctx, math.MinInt64, math.MaxInt64, func(b *store.AuditBlock) error {
		first, found = b.FirstSeq, true
		return errFirst
	})
	if err != nil && err != errFirst {
		return 0, false, err
	}
	return first, found, nil
}

// segment is what scanning one range of the trail found.
type segment struct {
	n                 int64
	firstSeq, lastSeq int64
	firstPrev         []byte // the first record's PrevHash, checked by the caller
	firstBad          bool   // the first record's content does not match its hash
	firstEvent        string
	lastHash          []byte
	sealed            int64 // the last record whose digest matches it
	unsealedTime      int64 // the time of the first record no digest covers, when in this range
	problems          []Problem
	// An unreadable block came before the range's first record (start) or
	// after its last (end): the number and link across it are not checked.
	startResync, endResync bool
}

func (sg *segment) add(seq int64, kind, format string, args ...any) {
	if len(sg.problems) < maxProblems {
		sg.problems = append(sg.problems, Problem{Seq: seq, Kind: kind, Detail: fmt.Sprintf(format, args...)})
	}
}

// scanSegments reads the blocks in ranges of their first record's number,
// opt.Batch records wide, opt.Workers ranges at a time, each on its own
// connection, hashing as it reads. The first range starts at the lowest
// number and the last is open-ended, so that every stored block is read
// once whatever its columns say (blocks appended meanwhile, or beyond the
// chain head, are read too). It returns the segments in order.
func scanSegments(ctx context.Context, st store.Store, docs map[int64]*DigestDoc, first, last, sealedUpTo int64, opt VerifyOptions) ([]segment, error) {
	var spans []span
	if width := last - first; last < first || width < 0 || width/int64(opt.Batch) > 1<<20 {
		// The first block's number is past the head, or so far before it
		// (a changed number) that ranges would not end: read it all as one.
		return scanRanges(ctx, st, docs, sealedUpTo, opt, []span{{math.MinInt64, math.MaxInt64}})
	}
	for lo := int64(math.MinInt64); ; {
		hi := first + int64(opt.Batch) - 1
		if lo != math.MinInt64 {
			hi = lo + int64(opt.Batch) - 1
		}
		if hi >= last || hi < lo {
			spans = append(spans, span{lo, math.MaxInt64})
			break
		}
		spans = append(spans, span{lo, hi})
		lo = hi + 1
	}
	return scanRanges(ctx, st, docs, sealedUpTo, opt, spans)
}

// span is a range of first record numbers that scanSegment reads.
type span struct{ lo, hi int64 }

// scanRanges scans spans, opt.Workers at a time, and returns their
// segments in order.
func scanRanges(ctx context.Context, st store.Store, docs map[int64]*DigestDoc, sealedUpTo int64, opt VerifyOptions, spans []span) ([]segment, error) {
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
				if err := scanSegment(ctx, st, docs, spans[i].lo, spans[i].hi, sealedUpTo, &segs[i]); err != nil {
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

// scanSegment checks the blocks of one range: that each can be read and its
// columns are its records', each record's hash, each one's number and link
// to the one before (but the first's), and the digests ending in the range.
func scanSegment(ctx context.Context, st store.Store, docs map[int64]*DigestDoc, lo, hi, sealedUpTo int64, sg *segment) error {
	h := newHasher()
	var hexHash [2 * sha256.Size]byte
	last := make([]byte, 0, sha256.Size) // the previous record's hash
	resync := false                      // the record before could not be read: do not check the next one's number and link
	err := st.AuditBlocks(ctx, lo, hi, func(b *store.AuditBlock) error {
		var firstSeq, lastSeq, minTime, maxTime int64
		n := 0
		_, err := store.ReadAuditBlock(b.Data, func(f *store.AuditFrame) error {
			seq := f.Seq
			if f.Index == 0 {
				firstSeq, minTime, maxTime = seq, f.Time, f.Time
			}
			lastSeq, minTime, maxTime = seq, min(minTime, f.Time), max(maxTime, f.Time)
			n++
			if sg.n > 0 && !resync && seq != sg.lastSeq+1 {
				if seq > sg.lastSeq+1 {
					sg.add(sg.lastSeq+1, "record-removed", "records %d-%d are missing (the trail jumps from record %d to %d)", sg.lastSeq+1, seq-1, sg.lastSeq, seq)
				} else {
					sg.add(seq, "record-inserted", "record %d appears out of order after record %d", seq, sg.lastSeq)
				}
			}
			var bad bool
			if f.Index == 0 {
				bad = !bytes.Equal(h.frame(f.BlockPrev, f.Head, f.Data), f.Hash)
				if sg.n == 0 {
					sg.firstSeq, sg.firstPrev, sg.firstBad, sg.firstEvent = seq, bytes.Clone(f.BlockPrev), bad, string(f.EventID)
				} else if !bad && !resync && !bytes.Equal(f.BlockPrev, last) {
					sg.add(seq, "chain-broken", "record %d (event %s) does not follow the record before it: records were inserted, removed or reordered before it", seq, f.EventID)
				}
			} else {
				bad = !bytes.Equal(h.frame(last, f.Head, f.Data), f.Hash)
			}
			resync = false
			if bad {
				sg.add(seq, "record-changed", "record %d (event %s) was changed: its stored fields do not match its hash", seq, f.EventID)
			}
			if seq == sealedUpTo+1 {
				sg.unsealedTime = f.Time
			}
			if doc, ok := docs[seq]; ok {
				matches := len(f.Hash) == sha256.Size
				if matches {
					hex.Encode(hexHash[:], f.Hash)
					matches = string(hexHash[:]) == doc.LastRecordHash
				}
				if !matches {
					sg.add(seq, "record-changed", "the records sealed by the digest of records %d-%d do not match it: a record up to %d was changed, removed, inserted or reordered and its hashes recomputed", doc.FirstSeq, doc.LastSeq, seq)
				} else {
					sg.sealed = seq
				}
			}
			last = append(last[:0], f.Hash...)
			sg.lastSeq = seq
			sg.n++
			return nil
		})
		sg.lastHash = append(sg.lastHash[:0], last...)
		if err != nil {
			// What follows cannot be placed in the chain: its number and
			// link are not checked.
			sg.add(b.FirstSeq, "block-changed", "the block stored as records %d-%d cannot be read (%v): it was changed", b.FirstSeq, b.LastSeq, err)
			resync = true
			if sg.n == 0 {
				sg.startResync = true
			}
			return nil
		}
		if firstSeq != b.FirstSeq || lastSeq != b.LastSeq || minTime != b.MinTime || maxTime != b.MaxTime {
			sg.add(firstSeq, "block-changed", "the block of records %d-%d (%s to %s) is stored as records %d-%d (%s to %s): its columns were changed, which would hide its records from lookups",
				firstSeq, lastSeq, nanoTime(minTime), nanoTime(maxTime), b.FirstSeq, b.LastSeq, nanoTime(b.MinTime), nanoTime(b.MaxTime))
		}
		return nil
	})
	sg.endResync = resync
	return err
}

// nanoTime formats a stored time.
func nanoTime(n int64) string { return time.Unix(0, n).UTC().Format(time.RFC3339Nano) }
