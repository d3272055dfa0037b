package audit

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/securecart/warden/internal/store"
)

// parsedDigest is a stored digest's document (nil when it is not one) and
// the key named by its fingerprint (nil when the trail has no such key).
type parsedDigest struct {
	doc *DigestDoc
	err error
	key *SigningKey
}

// parseDigests reads the stored digests' documents and finds their keys. It
// returns them in order, the documents of the digests covering records by
// their last record, and the newest document: what checking the records
// needs, without the signatures, which checkSignatures verifies meanwhile.
func parseDigests(digests []store.AuditDigest, keys []*SigningKey) ([]parsedDigest, map[int64]*DigestDoc, *DigestDoc) {
	byFinger := map[string]*SigningKey{}
	for _, k := range keys {
		byFinger[k.Fingerprint()] = k
	}
	parsed := make([]parsedDigest, len(digests))
	docs := make(map[int64]*DigestDoc, len(digests))
	var newest *DigestDoc
	for i := range digests {
		d := &digests[i]
		doc := new(DigestDoc)
		if err := json.Unmarshal(d.Data, doc); err != nil {
			parsed[i].err = err
			continue
		}
		parsed[i].doc, parsed[i].key = doc, byFinger[doc.PublicKeyFinger]
		if doc.Records != 0 {
			docs[d.Seq] = doc
		}
		newest = doc
	}
	return parsed, docs, newest
}

// checkSignatures reports, for each digest whose key is known, whether its
// signature matches its document.
func checkSignatures(digests []store.AuditDigest, parsed []parsedDigest) []bool {
	ok := make([]bool, len(digests))
	for i := range digests {
		if k := parsed[i].key; k != nil {
			ok[i] = ed25519.Verify(k.Public, digests[i].Data, digests[i].Sig)
		}
	}
	return ok
}

// checkDigests checks the digests in order of number: each one's signature
// (sigOK, from checkSignatures), that its stored columns (number, last
// record, time, key) are the ones it signed, that the numbers follow on from
// 1, that each links to the one before and continues its records, and that
// one covering no new record names the same last record, and that each
// came by the time the one before said the next was due (with grace), so
// that a trail cut back to a digest and resumed by a later start shows
// where it was cut.
func checkDigests(rep *Report, digests []store.AuditDigest, parsed []parsedDigest, sigOK []bool, grace time.Duration) {
	var prev *store.AuditDigest
	var prevDoc *DigestDoc
	for i := range digests {
		d := &digests[i]
		doc, k := parsed[i].doc, parsed[i].key
		if doc == nil {
			rep.add(d.Seq, "digest-changed", "digest %d (ending at record %d) is not a digest document: %v", d.No, d.Seq, parsed[i].err)
			prev, prevDoc = d, nil
			continue
		}
		switch {
		case k == nil:
			rep.add(d.Seq, "digest-signature", "digest %d of records %d-%d names a key this trail does not have (%s)", d.No, doc.FirstSeq, doc.LastSeq, doc.PublicKeyFinger)
		case !sigOK[i]:
			rep.add(d.Seq, "digest-signature", "digest %d of records %d-%d: the signature does not match its document: the digest was changed", d.No, doc.FirstSeq, doc.LastSeq)
		case d.KeyID != k.ID:
			rep.add(d.Seq, "digest-changed", "digest %d: its stored key ID %q is not the key that signed it (%s)", d.No, d.KeyID, k.ID)
		}
		if doc.Version != digestVersion || doc.RecordHash != recordHashVersion {
			rep.add(d.Seq, "digest-changed", "digest %d has format %q with record hash %q; this Warden verifies format %q with %q", d.No, doc.Version, doc.RecordHash, digestVersion, recordHashVersion)
		}
		if doc.Number != d.No {
			rep.add(d.Seq, "digest-changed", "digest stored as number %d says it is number %d", d.No, doc.Number)
		}
		if doc.LastSeq != d.Seq {
			rep.add(d.Seq, "digest-changed", "digest %d stored as ending at record %d says it ends at record %d", d.No, d.Seq, doc.LastSeq)
		}
		if created, err := parseTime(doc.Created); err != nil || !created.Equal(d.Time) {
			rep.add(d.Seq, "digest-changed", "digest %d: its stored time %s is not its signed creation time %s", d.No, d.Time.UTC().Format("2006-01-02T15:04:05.999999999Z"), doc.Created)
		}
		switch {
		case prev == nil && d.No != 1:
			rep.add(d.Seq, "digest-missing", "digests 1-%d are missing: the first digest is number %d", d.No-1, d.No)
		case prev != nil && d.No > prev.No+1:
			rep.add(d.Seq, "digest-missing", "digests %d-%d are missing: digest %d follows digest %d", prev.No+1, d.No-1, d.No, prev.No)
		case prev != nil && d.No <= prev.No:
			rep.add(d.Seq, "digest-changed", "digest %d follows digest %d: digests were duplicated or reordered", d.No, prev.No)
		}
		if prev == nil && (doc.PreviousSeq != 0 || doc.PreviousSig != "" || doc.PreviousHash != "") {
			rep.add(d.Seq, "digest-missing", "the digest before digest %d (of records %d-%d) is missing: it follows a digest ending at record %d", d.No, doc.FirstSeq, doc.LastSeq, doc.PreviousSeq)
		}
		if prev != nil && (doc.PreviousSeq != prev.Seq || doc.PreviousSig != hex.EncodeToString(prev.Sig) || doc.PreviousHash != digestHash(prev.Data)) {
			rep.add(d.Seq, "digest-changed", "digest %d (of records %d-%d) does not link to the digest before it (digest %d, ending at record %d): a digest was changed, removed or reordered", d.No, doc.FirstSeq, doc.LastSeq, prev.No, prev.Seq)
		}
		if doc.FirstSeq != doc.PreviousSeq+1 || doc.Records != doc.LastSeq-doc.PreviousSeq {
			rep.add(d.Seq, "digest-changed", "digest %d of %d records %d-%d does not start right after the previous digest's last record %d", d.No, doc.Records, doc.FirstSeq, doc.LastSeq, doc.PreviousSeq)
		}
		if prevDoc != nil && !prevDoc.Stopped {
			if due, err := parseTime(prevDoc.NextBy); err == nil && d.Time.Sub(due) > grace {
				rep.add(prev.Seq, "digest-missing", "digest %d of %s came after digest %d of %s said the next was due by %s: the digests between were removed (the trail was cut back, then resumed) or the server stopped without sealing its trail",
					d.No, doc.Created, prev.No, prevDoc.Created, prevDoc.NextBy)
			}
		}
		if doc.Records == 0 {
			// A digest of the cadence with no new record names the last
			// record the one before named.
			if prevDoc != nil && doc.LastRecordHash != prevDoc.LastRecordHash {
				rep.add(d.Seq, "digest-changed", "digest %d covers no new record but names another last record than digest %d", d.No, prev.No)
			}
		}
		prev, prevDoc = d, doc
	}
}

// checkAnchor reports an anchor the trail does not contain.
func checkAnchor(rep *Report, digests []store.AuditDigest, a Anchor) {
	for _, d := range digests {
		if digestHash(d.Data) == a.Hash {
			return
		}
	}
	what := "digest " + a.Hash
	if a.Number > 0 {
		what = fmt.Sprintf("digest %d of %s (%s, up to record %d)", a.Number, a.Time.UTC().Format("2006-01-02T15:04:05Z"), a.Hash, a.LastSeq)
	}
	end := "the trail has no digest"
	if n := len(digests); n > 0 {
		last := digests[n-1]
		end = fmt.Sprintf("its newest digest is number %d of %s, up to record %d", last.No, last.Time.UTC().Format("2006-01-02T15:04:05Z"), last.Seq)
	}
	rep.add(a.LastSeq, "anchor-missing", "the trail does not contain the anchored %s; %s: the trail was cut back or replaced by an older copy", what, end)
}
