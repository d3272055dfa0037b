package audit

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/securecart/warden/internal/store"
)

// Problem is one thing wrong with the trail.
type Problem struct {
	Seq    int64  // the record or digest's last record concerned (0: none)
	Kind   string // "record-changed", "record-removed", "record-inserted", "record-reordered", "record-renumbered", "chain-broken", "block-changed", "digest-signature", "digest-missing", "digest-changed", "head-missing", "anchor-missing"
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
	// Batch is how many records one range holds when the trail is read in
	// ranges of record numbers, Workers at a time, each on its own
	// connection (default 16,384); a trail in parts (segment files) is
	// read part by part.
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
	rep, fixes, err := verify(ctx, st, keys, opt)
	if err != nil || len(fixes) == 0 {
		return rep, err
	}
	// Records that match their hashes under another number were renumbered
	// and nothing else: they are named, and the trail verified again with
	// their numbers put back (and their blocks where those numbers place
	// them), so that what else is wrong is named as such, not as the gaps
	// and moves the new numbers make.
	again, _, err := verify(ctx, renumberedStore{st, fixes}, keys, opt)
	if err != nil {
		return nil, err
	}
	out := *again
	out.Problems = nil
	for _, fb := range fixes {
		for _, f := range fb.records {
			out.add(f.was, "record-renumbered", "record %d (event %s) carries number %d: it matches its hash as record %d, so only its number was changed",
				f.was, f.event, f.now, f.was)
		}
	}
	out.problems(again.Problems)
	return &out, nil
}

func verify(ctx context.Context, st store.Store, keys []*SigningKey, opt VerifyOptions) (*Report, []fixedBlock, error) {
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
		return nil, nil, err
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
		return nil, nil, err
	}
	var segs []segment
	if ok {
		segs, err = scanSegments(ctx, st, docs, first, max(head, first), sealedUpTo, opt)
		if err != nil {
			return nil, nil, err
		}
	}
	// Records that match their hashes under a number no record holds:
	// their blocks with those numbers put back.
	var fixes []fixedBlock
	var held []run
	for i := range segs {
		held = append(held, segs[i].runs...)
	}
	_, _, held = runIndex(held)
	for i := range segs {
		for _, fb := range segs[i].fixes {
			fb.records = slices.DeleteFunc(fb.records, func(r renumbering) bool {
				k, _ := slices.BinarySearchFunc(held, r.was, func(p run, seq int64) int {
					if p.last < seq {
						return -1
					}
					return 1
				})
				return k < len(held) && held[k].first <= r.was
			})
			if len(fb.records) > 0 {
				fixes = append(fixes, fb.fix())
			}
		}
		for _, lb := range segs[i].leads {
			if was, ok := missingMatch(held, lb.lead); ok {
				lb.records = []renumbering{{offset: lb.lead.offset, was: was, now: lb.lead.seq, event: lb.lead.event}}
				fixes = append(fixes, lb.fix())
			}
		}
	}

	// The problems in order: the digests', then the records'.
	checkDigests(rep, digests, parsed, <-sigc, opt.Unsealed)
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
	// but its first record's place in the chain. The runs of consecutive
	// numbers are joined across segments and their order checked once all
	// are known (sequenceProblems); those problems come first.
	var runs []run
	var maxSeq int64 // the highest number held, wherever it lies
	base := len(rep.Problems)
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
			rep.FirstSeq = sg.firstSeq
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
		for j, r := range sg.runs {
			if j == 0 {
				// An unreadable block before: nothing to check the first
				// record against.
				r.resync = resync || sg.startResync
			}
			if n := len(runs); n > 0 && !r.resync && r.first == runs[n-1].last+1 {
				runs[n-1].last = r.last
			} else {
				runs = append(runs, r)
			}
		}
		if !resync && !sg.startResync && !sg.firstBad && !bytes.Equal(sg.firstPrev, expectPrev) {
			rep.add(sg.firstSeq, "chain-broken", "record %d (event %s) does not follow the record before it: records were inserted, removed or reordered before it", sg.firstSeq, sg.firstEvent)
		}
		rep.problems(sg.problems)
		rep.Records += sg.n
		rep.Sealed = max(rep.Sealed, sg.sealed)
		rep.LastSeq = sg.lastSeq
		for _, r := range sg.runs {
			maxSeq = max(maxSeq, r.last)
		}
		if sg.unsealedTime != 0 && unsealedTime == 0 {
			unsealedTime = sg.unsealedTime
		}
		expectPrev, lastHash = sg.lastHash, sg.lastHash
		resync = sg.endResync
	}
	if seqProblems := sequenceProblems(runs); len(seqProblems) > 0 {
		rest := slices.Clone(rep.Problems[base:])
		rep.Problems = rep.Problems[:base]
		rep.problems(seqProblems)
		rep.problems(rest)
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
		return rep, fixes, nil
	}
	if newest != nil {
		if last := newest.LastSeq; last > maxSeq {
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
	return rep, fixes, nil
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
	runs              []run // the runs of consecutive numbers, in the order read
	// An unreadable block came before the range's first record (start) or
	// after its last (end): the number and link across it are not checked.
	startResync, endResync bool
	// fixes are the blocks holding records that match their hashes under
	// another number, with those numbers put back.
	fixes []fixedBlock
	// leads are blocks whose first record matches its hash under no number
	// tried while reading (a block of one record, moved with its new
	// number): the numbers missing from the trail are tried once all are
	// known.
	leads []leadBlock
}

// maxLeads bounds the leads a segment keeps.
const maxLeads = 64

type leadBlock struct {
	fixedBlock
	lead *frameCopy
}

func (sg *segment) add(seq int64, kind, format string, args ...any) {
	if len(sg.problems) < maxProblems {
		sg.problems = append(sg.problems, Problem{Seq: seq, Kind: kind, Detail: fmt.Sprintf(format, args...)})
	}
}

// scanSegments reads the blocks in ranges, opt.Workers ranges at a time,
// hashing as it reads, and returns the segments in order. A store whose
// trail lies in parts (store.AuditPartReader: the segment files) is read
// part by part, the last part with the parts begun since. Another is read
// in ranges of their first record's number, opt.Batch records wide, each on
// its own connection: the first range starts at the lowest number and the
// last is open-ended, so that every stored block is read once whatever its
// columns say (blocks appended meanwhile, or beyond the chain head, are
// read too).
func scanSegments(ctx context.Context, st store.Store, docs map[int64]*DigestDoc, first, last, sealedUpTo int64, opt VerifyOptions) ([]segment, error) {
	if pr, ok := st.(store.AuditPartReader); ok {
		parts, err := pr.AuditParts(ctx)
		if err != nil {
			return nil, err
		}
		if len(parts) > 0 {
			ranges := make([]blockRange, len(parts))
			for i, part := range parts {
				rest := i == len(parts)-1
				ranges[i] = func(ctx context.Context, fn func(b *store.AuditBlock) error) error {
					return pr.AuditPartBlocks(ctx, part, rest, fn)
				}
			}
			return scanRanges(ctx, docs, sealedUpTo, opt, ranges)
		}
	}
	byNumber := func(lo, hi int64) blockRange {
		return func(ctx context.Context, fn func(b *store.AuditBlock) error) error {
			return st.AuditBlocks(ctx, lo, hi, fn)
		}
	}
	if width := last - first; last < first || width < 0 || width/int64(opt.Batch) > 1<<20 {
		// The first block's number is past the head, or so far before it
		// (a changed number) that ranges would not end: read it all as one.
		return scanRanges(ctx, docs, sealedUpTo, opt, []blockRange{byNumber(math.MinInt64, math.MaxInt64)})
	}
	var ranges []blockRange
	for lo := int64(math.MinInt64); ; {
		hi := first + int64(opt.Batch) - 1
		if lo != math.MinInt64 {
			hi = lo + int64(opt.Batch) - 1
		}
		if hi >= last || hi < lo {
			ranges = append(ranges, byNumber(lo, math.MaxInt64))
			break
		}
		ranges = append(ranges, byNumber(lo, hi))
		lo = hi + 1
	}
	return scanRanges(ctx, docs, sealedUpTo, opt, ranges)
}

// blockRange reads one range of the trail's blocks, in order.
type blockRange func(ctx context.Context, fn func(b *store.AuditBlock) error) error

// scanRanges scans ranges, opt.Workers at a time, and returns their
// segments in order.
func scanRanges(ctx context.Context, docs map[int64]*DigestDoc, sealedUpTo int64, opt VerifyOptions, ranges []blockRange) ([]segment, error) {
	segs := make([]segment, len(ranges))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var once sync.Once
	var firstErr error
	var wg sync.WaitGroup
	for range min(opt.Workers, len(ranges)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ranges) || ctx.Err() != nil {
					return
				}
				if err := scanSegment(ctx, ranges[i], docs, sealedUpTo, &segs[i]); err != nil {
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
func scanSegment(ctx context.Context, blocks blockRange, docs map[int64]*DigestDoc, sealedUpTo int64, sg *segment) error {
	h := newHasher()
	var hexHash [2 * sha256.Size]byte
	last := make([]byte, 0, sha256.Size) // the previous record's hash
	resync := false                      // the record before could not be read: do not check the next one's number and link
	err := blocks(ctx, func(b *store.AuditBlock) error {
		var firstSeq, lastSeq, minTime, maxTime int64
		n := 0
		var renumbered []renumbering // this block's records renumbered
		var lead *frameCopy          // the block's first record, when it matches its hash under no number tried yet
		_, err := store.ReadAuditBlock(b.Data, func(f *store.AuditFrame) error {
			seq := f.Seq
			if f.Index == 1 && lead != nil {
				// The record after names the first's number.
				if was := f.Seq - 1; was != lead.seq && lead.matchesAs(h, was) {
					renumbered = append(renumbered, renumbering{offset: lead.offset, was: was, now: lead.seq, event: lead.event})
				}
				lead = nil
			}
			if f.Index == 0 {
				firstSeq, minTime, maxTime = seq, f.Time, f.Time
			}
			lastSeq, minTime, maxTime = seq, min(minTime, f.Time), max(maxTime, f.Time)
			n++
			if sg.n > 0 && !resync && seq == sg.lastSeq+1 {
				sg.runs[len(sg.runs)-1].last = seq
			} else {
				sg.runs = append(sg.runs, run{first: seq, last: seq, resync: resync})
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
			if r := &sg.runs[len(sg.runs)-1]; r.first == seq {
				r.bad = bad
			}
			if bad {
				prev := last
				if f.Index == 0 {
					prev = f.BlockPrev
				}
				// The numbers it may have had: the one after the record
				// read before it, the one a digest seals with its hash, 1
				// for the trail's first record, and for a block's first
				// record the one before the next record's.
				var tries [3]int64
				cand := tries[:0]
				if sg.n > 0 && !resync {
					cand = append(cand, sg.lastSeq+1)
				}
				if f.Index == 0 && len(f.BlockPrev) == 0 {
					cand = append(cand, 1)
				}
				if len(f.Hash) == sha256.Size {
					hex.Encode(hexHash[:], f.Hash)
					for _, doc := range docs {
						if doc.LastRecordHash == string(hexHash[:]) {
							cand = append(cand, doc.LastSeq)
							break
						}
					}
				}
				found := false
				for _, was := range cand {
					if was != seq && bytes.Equal(h.frameAs(prev, was, f.Head, f.Data), f.Hash) {
						renumbered = append(renumbered, renumbering{offset: f.Offset, was: was, now: seq, event: string(f.EventID)})
						found = true
						break
					}
				}
				if !found && f.Index == 0 {
					lead = &frameCopy{seq: seq, offset: f.Offset, event: string(f.EventID), prev: bytes.Clone(prev), head: bytes.Clone(f.Head), data: bytes.Clone(f.Data), hash: bytes.Clone(f.Hash)}
				}
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
					sg.sealed = max(sg.sealed, seq)
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
		if len(renumbered) > 0 || (lead != nil && len(sg.leads) < maxLeads) {
			cp := *b
			cp.Data = bytes.Clone(b.Data)
			fb := fixedBlock{stored: b.FirstSeq, sum: sha256.Sum256(b.Data), block: cp, records: renumbered,
				derived: firstSeq == b.FirstSeq && lastSeq == b.LastSeq && minTime == b.MinTime && maxTime == b.MaxTime}
			if len(renumbered) > 0 {
				sg.fixes = append(sg.fixes, fb)
			} else {
				sg.leads = append(sg.leads, leadBlock{fb, lead})
			}
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

// run is a stretch of records numbered one after the other, in the order
// the trail holds them; resync: an unreadable block came just before it, so
// its place after the run before is not checked.
type run struct {
	first, last int64
	resync      bool
	bad         bool // its first record does not match its hash
}

// sequenceProblems names what is wrong with the order of the runs of a
// trail (one run when intact): a record whose number alone is out of place
// between two runs that otherwise follow each other was renumbered; a run
// whose number is lower than the one before was moved back (reordered) or,
// when its numbers are also elsewhere in the trail, duplicated; the numbers
// a forward jump skips are missing unless they are elsewhere in the trail,
// out of order.
func sequenceProblems(runs []run) []Problem {
	if len(runs) < 2 {
		return nil
	}
	var out []Problem
	add := func(seq int64, kind, format string, args ...any) {
		if len(out) < maxProblems {
			out = append(out, Problem{Seq: seq, Kind: kind, Detail: fmt.Sprintf(format, args...)})
		}
	}
	sorted, prefix, present := runIndex(runs)
	// duplicated: some number of r is held by another run too.
	duplicated := func(r run) bool {
		k, _ := slices.BinarySearchFunc(sorted, r, compareRuns)
		return prefix[k] >= r.first || (k+1 < len(sorted) && sorted[k+1].first <= r.last)
	}
	// One record whose number is out of place (held by another record,
	// or beyond all others) and does not match its hash, where one number
	// is missing: that record was
	// renumbered, and moved with its number when it led its block. It is
	// named, and the rest checked with its number put back.
	stray, strays := -1, 0
	lo, hi := sorted[0].first, prefix[len(sorted)]
	for i, r := range runs {
		if i > 0 && !r.resync && r.bad && r.first == r.last && (duplicated(r) || (r.first == hi && r.first > runs[i-1].last+1) || (r.first == lo && i > 0)) {
			stray, strays = i, strays+1
		}
	}
	if strays == 1 {
		rest := slices.Delete(slices.Clone(runs), stray, stray+1)
		_, _, held := runIndex(rest)
		if len(held) == 2 && held[1].first == held[0].last+2 {
			h, y := held[0].last+1, runs[stray].first
			if stray+1 < len(runs) && !runs[stray+1].resync && runs[stray+1].first == runs[stray-1].last+2 {
				add(h, "record-renumbered", "the record after record %d carries number %d where %d was expected: it was renumbered", h-1, y, h)
			} else {
				add(h, "record-renumbered", "record %d is missing and the record after record %d carries number %d, out of place: record %d was renumbered %d (and moved with its number)", h, runs[stray-1].last, y, h, y)
			}
			// Record h back in its place: after the run that ends before it.
			var fixed []run
			for _, r := range rest {
				fixed = append(fixed, r)
				if r.last == h-1 {
					fixed = append(fixed, run{first: h, last: h})
				}
			}
			var joined []run
			for _, r := range fixed {
				if n := len(joined); n > 0 && !r.resync && r.first == joined[n-1].last+1 {
					joined[n-1].last = r.last
				} else {
					joined = append(joined, r)
				}
			}
			return append(out, sequenceProblems(joined)...)
		}
	}
	ordered := false // an out-of-order problem was named
	var moved *run   // the first skipped range held elsewhere
	for i := 1; i < len(runs); i++ {
		prev, cur := runs[i-1], runs[i]
		if cur.resync {
			continue
		}
		if cur.first == cur.last && i+1 < len(runs) && !runs[i+1].resync && runs[i+1].first == prev.last+2 {
			add(prev.last+1, "record-renumbered", "the record after record %d carries number %d where %d was expected: it was renumbered", prev.last, cur.first, prev.last+1)
			ordered = true
			i++ // the run after follows the renumbered record's place
			continue
		}
		if cur.first <= prev.last {
			ordered = true
			if duplicated(cur) {
				add(cur.first, "record-inserted", "record %d appears out of order after record %d", cur.first, prev.last)
			} else {
				add(cur.first, "record-reordered", "records %d-%d appear after records %d-%d: the trail is out of order", cur.first, cur.last, prev.first, prev.last)
			}
			continue
		}
		// A forward jump: the skipped numbers held nowhere are missing.
		lo, hi := prev.last+1, cur.first-1
		k, _ := slices.BinarySearchFunc(present, lo, func(p run, seq int64) int {
			if p.last < seq {
				return -1
			}
			return 1
		})
		for ; lo <= hi; k++ {
			if k >= len(present) || present[k].first > hi {
				add(lo, "record-removed", "records %d-%d are missing (the trail jumps from record %d to %d)", lo, hi, prev.last, cur.first)
				break
			}
			p := present[k]
			if p.first > lo {
				add(lo, "record-removed", "records %d-%d are missing (the trail jumps from record %d to %d)", lo, p.first-1, prev.last, cur.first)
			}
			if moved == nil {
				moved = &run{first: max(lo, p.first), last: min(hi, p.last)}
			}
			if p.last >= hi {
				break
			}
			lo = p.last + 1
		}
	}
	if moved != nil && !ordered {
		// Held elsewhere, after an unreadable block: still out of order.
		add(moved.first, "record-reordered", "records %d-%d are not where their numbers place them: the trail is out of order", moved.first, moved.last)
	}
	return out
}

func compareRuns(a, b run) int {
	return cmp.Or(cmp.Compare(a.first, b.first), cmp.Compare(a.last, b.last))
}

// runIndex returns runs by number (resync cleared), prefix[k] the highest
// number among sorted[:k], and the numbers held as disjoint ranges in order.
func runIndex(runs []run) (sorted []run, prefix []int64, present []run) {
	sorted = slices.Clone(runs)
	for i := range sorted {
		sorted[i].resync = false
	}
	slices.SortStableFunc(sorted, compareRuns)
	prefix = make([]int64, len(sorted)+1)
	prefix[0] = math.MinInt64
	for k, r := range sorted {
		prefix[k+1] = max(prefix[k], r.last)
	}
	for _, r := range sorted {
		if n := len(present); n > 0 && r.first <= present[n-1].last+1 {
			present[n-1].last = max(present[n-1].last, r.last)
		} else {
			present = append(present, run{first: r.first, last: r.last})
		}
	}
	return sorted, prefix, present
}

// renumbering is a record that matches its hash under another number: only
// its number was changed.
type renumbering struct {
	offset   int   // where it starts in its block
	was, now int64 // the number its hash covers, the one it carries
	event    string
}

// frameCopy is a block's first record kept until the record after it is
// read (the frame's bytes are valid only during its callback).
type frameCopy struct {
	seq                    int64
	offset                 int
	event                  string
	prev, head, data, hash []byte
}

func (c *frameCopy) matchesAs(h *hasher, seq int64) bool {
	return bytes.Equal(h.frameAs(c.prev, seq, c.head, c.data), c.hash)
}

// fixedBlock is a stored block with its renumbered records' numbers put
// back (by fix).
type fixedBlock struct {
	stored  int64 // its FirstSeq column as stored
	sum     [sha256.Size]byte
	block   store.AuditBlock // a copy
	records []renumbering
	derived bool // its stored columns are those of its records as stored
}

// fix puts the records' numbers back in the block's copy, and derives its
// columns again when the stored ones were derived from its records.
func (fb fixedBlock) fix() fixedBlock {
	for _, r := range fb.records {
		binary.BigEndian.PutUint64(fb.block.Data[r.offset:], uint64(r.was))
	}
	if fb.derived {
		// The block was read before: it can be read again.
		store.ReadAuditBlock(fb.block.Data, func(f *store.AuditFrame) error {
			if f.Index == 0 {
				fb.block.FirstSeq, fb.block.MinTime, fb.block.MaxTime = f.Seq, f.Time, f.Time
			}
			fb.block.LastSeq, fb.block.MinTime, fb.block.MaxTime = f.Seq, min(fb.block.MinTime, f.Time), max(fb.block.MaxTime, f.Time)
			return nil
		})
	}
	return fb
}

// renumberedStore is a store whose renumbered records have their numbers
// back, their blocks read where those numbers place them.
type renumberedStore struct {
	store.Store
	fixes []fixedBlock
}

// AuditBlocks reads the stored blocks but the fixed ones, which it passes
// instead, in order of their FirstSeq.
func (s renumberedStore) AuditBlocks(ctx context.Context, fromSeq, toSeq int64, fn func(b *store.AuditBlock) error) error {
	var mine []*store.AuditBlock // the fixed blocks in range, in order
	for i := range s.fixes {
		if b := &s.fixes[i].block; b.FirstSeq >= fromSeq && b.FirstSeq <= toSeq {
			mine = append(mine, b)
		}
	}
	slices.SortStableFunc(mine, func(a, b *store.AuditBlock) int { return cmp.Compare(a.FirstSeq, b.FirstSeq) })
	err := s.Store.AuditBlocks(ctx, fromSeq, toSeq, func(b *store.AuditBlock) error {
		for _, f := range s.fixes {
			if f.stored == b.FirstSeq && f.sum == sha256.Sum256(b.Data) {
				return nil
			}
		}
		for len(mine) > 0 && mine[0].FirstSeq < b.FirstSeq {
			if err := fn(mine[0]); err != nil {
				return err
			}
			mine = mine[1:]
		}
		return fn(b)
	})
	if err != nil {
		return err
	}
	for _, b := range mine {
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

// LastAudit is the store's chain head, but for a store that keeps no head
// apart from its records (the segment files: the last record stored) whose
// head is the last record of a block holding a renumbered record: then the
// head is that record with its number put back, or when the block moved
// with a new number, the last record of the last block where the numbers
// put back place it.
func (s renumberedStore) LastAudit(ctx context.Context) (int64, []byte, error) {
	seq, hash, err := s.Store.LastAudit(ctx)
	if err != nil {
		return seq, hash, err
	}
	for _, fb := range s.fixes {
		lastSeq, lastHash, err := lastRecord(fb.block.Data)
		if err != nil || !bytes.Equal(lastHash, hash) {
			continue
		}
		stored := lastSeq // its number as stored
		for _, r := range fb.records {
			if r.was == lastSeq {
				stored = r.now
			}
		}
		if stored != seq {
			continue
		}
		if fb.block.FirstSeq == fb.stored {
			return lastSeq, hash, nil
		}
		err = s.AuditBlocks(ctx, math.MinInt64, math.MaxInt64, func(b *store.AuditBlock) error {
			var e error
			seq, hash, e = lastRecord(b.Data)
			hash = bytes.Clone(hash)
			return e
		})
		return seq, hash, err
	}
	return seq, hash, nil
}

// lastRecord returns the number and hash of a block's last record.
func lastRecord(data []byte) (seq int64, hash []byte, err error) {
	_, err = store.ReadAuditBlock(data, func(f *store.AuditFrame) error {
		seq, hash = f.Seq, f.Hash
		return nil
	})
	return seq, hash, err
}

// maxTries bounds the missing numbers missingMatch tries.
const maxTries = 1024

// missingMatch tries the numbers missing between the held ranges (up to
// maxTries of them) as c's number.
func missingMatch(held []run, c *frameCopy) (int64, bool) {
	h := newHasher()
	tries := 0
	for i := 1; i < len(held); i++ {
		for was := held[i-1].last + 1; was < held[i].first; was++ {
			if tries++; tries > maxTries {
				return 0, false
			}
			if c.matchesAs(h, was) {
				return was, true
			}
		}
	}
	return 0, false
}
