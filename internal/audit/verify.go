package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/securecart/warden/internal/store"
)

// Problem is one thing wrong with the trail.
type Problem struct {
	Seq    int64  // the record or digest's last record concerned (0: none)
	Kind   string // "record-changed", "record-removed", "record-inserted", "chain-broken", "digest-signature", "digest-missing", "digest-changed", "unsealed"
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

// OK reports whether the trail is intact.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(seq int64, kind, format string, args ...any) {
	if len(r.Problems) < 1000 {
		r.Problems = append(r.Problems, Problem{Seq: seq, Kind: kind, Detail: fmt.Sprintf(format, args...)})
	}
}

// VerifyOptions tune Verify.
type VerifyOptions struct {
	Now time.Time
	// Unsealed is how long records may wait for a digest before their
	// digest counts as missing (the digest interval plus a grace period).
	Unsealed time.Duration
	// Batch is how many records are read at a time.
	Batch int
}

// Verify checks the whole trail: every record's hash and link, every
// digest's signature, link and coverage, and that nothing old is unsealed.
func Verify(ctx context.Context, st store.Store, keys []*SigningKey, opt VerifyOptions) (*Report, error) {
	if opt.Batch <= 0 {
		opt.Batch = 20000
	}
	if opt.Unsealed <= 0 {
		opt.Unsealed = 10 * time.Minute
	}
	rep := &Report{}
	byFinger := map[string]*SigningKey{}
	for _, k := range keys {
		byFinger[k.Fingerprint()] = k
	}
	digests, err := st.AuditDigests(ctx)
	if err != nil {
		return nil, err
	}
	rep.Digests = len(digests)
	// The digest chain.
	docs := make(map[int64]*DigestDoc, len(digests)) // by last seq
	var prev *store.AuditDigest
	for i := range digests {
		d := &digests[i]

		var doc DigestDoc
		if err := json.Unmarshal(d.Data, &doc); err != nil {
			rep.add(d.Seq, "digest-changed", "digest ending at record %d is not a digest document: %v", d.Seq, err)
			prev = d
			continue
		}
		k := byFinger[doc.PublicKeyFinger]
		switch {
		case k == nil:
			rep.add(d.Seq, "digest-signature", "digest of records %d-%d names a key this trail does not have (%s)", doc.FirstSeq, doc.LastSeq, doc.PublicKeyFinger)
		case !ed25519.Verify(k.Public, d.Data, d.Sig):
			rep.add(d.Seq, "digest-signature", "digest of records %d-%d: the signature does not match its document: the digest was changed", doc.FirstSeq, doc.LastSeq)
		}
		if doc.LastSeq != d.Seq {
			rep.add(d.Seq, "digest-changed", "digest stored for record %d says it ends at record %d", d.Seq, doc.LastSeq)
		}
		if prev != nil {
			if doc.PreviousSeq != prev.Seq || doc.PreviousSig != hex.EncodeToString(prev.Sig) || doc.PreviousHash != digestHash(prev.Data) {
				if doc.PreviousSeq > prev.Seq {
					rep.add(d.Seq, "digest-missing", "the digest of records %d-%d is missing: the digest of records %d-%d follows the digest ending at record %d", prev.Seq+1, doc.PreviousSeq, doc.FirstSeq, doc.LastSeq, prev.Seq)
				} else {
					rep.add(d.Seq, "digest-changed", "digest of records %d-%d does not link to the digest before it (ending at record %d): a digest was changed, removed or reordered", doc.FirstSeq, doc.LastSeq, prev.Seq)
				}
			}
		}
		// The first digest after retention links to a removed one; its
		// records are still checked against it below.
		if doc.FirstSeq != doc.PreviousSeq+1 {
			rep.add(d.Seq, "digest-changed", "digest ending at record %d starts at record %d, not %d", d.Seq, doc.FirstSeq, doc.PreviousSeq+1)
		}
		docs[d.Seq] = &doc
		prev = d
	}

	// The records.
	first, err := st.AuditRecords(ctx, 0, 1)
	if err != nil {
		return nil, err
	}
	if len(first) == 0 {
		if len(digests) > 0 {
			rep.add(digests[len(digests)-1].Seq, "record-removed", "the trail has digests up to record %d but no records", digests[len(digests)-1].Seq)
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
	next := rep.FirstSeq
	for {
		batch, err := st.AuditRecords(ctx, next, opt.Batch)
		if err != nil {
			return nil, err
		}
		if len(batch) == 0 {
			break
		}
		bad := checkHashes(batch)
		for i := range batch {
			r := &batch[i]
			rep.Records++
			if r.Seq != next {
				if r.Seq > next {
					rep.add(next, "record-removed", "records %d-%d are missing (the trail jumps from record %d to %d)", next, r.Seq-1, next-1, r.Seq)
				} else {
					rep.add(r.Seq, "record-inserted", "record %d appears out of order after record %d", r.Seq, next-1)
				}
			}
			if bad[i] {
				rep.add(r.Seq, "record-changed", "record %d (event %s) was changed: its content does not match its hash", r.Seq, r.EventID)
			} else if !bytes.Equal(r.PrevHash, expectPrev) {
				rep.add(r.Seq, "chain-broken", "record %d (event %s) does not follow the record before it: records were inserted, removed or reordered before it", r.Seq, r.EventID)
			}
			if doc, ok := docs[r.Seq]; ok {
				if hex.EncodeToString(r.Hash) != doc.LastRecordHash {
					rep.add(r.Seq, "record-changed", "the records sealed by the digest of records %d-%d do not match it: a record up to %d was changed, removed, inserted or reordered and its hashes recomputed", doc.FirstSeq, doc.LastSeq, r.Seq)
				} else if rep.Sealed < r.Seq {
					rep.Sealed = r.Seq
				}
			}
			expectPrev = r.Hash
			next = r.Seq + 1
			rep.LastSeq = r.Seq
		}
		if len(batch) < opt.Batch {
			break
		}
	}
	if len(digests) > 0 {
		if last := digests[len(digests)-1].Seq; last > rep.LastSeq {
			rep.add(last, "record-removed", "the digests cover records up to %d but the trail ends at record %d: records were removed", last, rep.LastSeq)
		}
	}
	// Records waiting for a digest too long: the latest digest is missing.
	var sealedUpTo int64
	if len(digests) > 0 {
		sealedUpTo = digests[len(digests)-1].Seq
	}
	if rep.LastSeq > sealedUpTo {
		oldest, err := st.AuditRecords(ctx, sealedUpTo+1, 1)
		if err == nil && len(oldest) == 1 && !opt.Now.IsZero() && opt.Now.Sub(oldest[0].Time) > opt.Unsealed {
			rep.add(oldest[0].Seq, "digest-missing", "records %d-%d have no digest although the oldest is from %s: the latest digest is missing", sealedUpTo+1, rep.LastSeq, oldest[0].Time.UTC().Format(time.RFC3339))
		}
	}
	return rep, nil
}

// checkHashes recomputes each record's hash from its stored previous hash,
// in parallel; the links between records are checked in order by the caller.
func checkHashes(batch []store.AuditRecord) []bool {
	bad := make([]bool, len(batch))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	chunk := (len(batch) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, (w+1)*chunk
		if hi > len(batch) {
			hi = len(batch)
		}
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			h := sha256.New()
			var sum [sha256.Size]byte
			for i := lo; i < hi; i++ {
				h.Reset()
				h.Write(batch[i].PrevHash)
				h.Write(batch[i].Data)
				bad[i] = !bytes.Equal(h.Sum(sum[:0]), batch[i].Hash)
			}
		}(lo, hi)
	}
	wg.Wait()
	return bad
}
