package audit_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/policy"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/sqlite"
	"github.com/securecart/warden/internal/store/sqlite/trailtable"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func event(i int, now time.Time) *call.Event {
	c := &call.Call{Service: "sts", Action: "AssumeRole", Region: "us-east-1", RequestID: fmt.Sprintf("req-%d", i), Now: now,
		SourceIP: "127.0.0.1", UserAgent: "test",
		Identity:          &call.Identity{ARN: "arn:aws:iam::111122223333:root", Account: "111122223333", UserID: "111122223333", Kind: policy.CallerRoot, AccessKeyID: "AKIAEXAMPLE"},
		RequestParameters: map[string]any{"roleArn": "arn:aws:iam::444455556666:role/R", "roleSessionName": fmt.Sprintf("s%d", i)},
		ResponseElements:  map[string]any{"credentials": map[string]any{"accessKeyId": "ASIAEXAMPLE", "secretAccessKey": "leak", "sessionToken": "leak"}},
	}
	return &call.Event{Call: c, EventSource: "sts.amazonaws.com"}
}

func TestRecordShapeAndSecrets(t *testing.T) {
	e := event(1, t0)
	e.Call.ExtraRecipients = []string{"444455556666"}
	e.Call.Identity = &call.Identity{ARN: "arn:aws:sts::111122223333:assumed-role/R/s", Account: "111122223333", UserID: "AROAX:s", Kind: policy.CallerAssumedRole, AccessKeyID: "ASIAX",
		Session: &creds.Session{RoleARN: "arn:aws:iam::111122223333:role/R", Account: "111122223333", UserID: "AROAX:s", Issued: t0, MFA: true, SourceIdentity: "alice"}}
	recs := audit.Records(e)
	if len(recs) != 2 || recs[0].RecipientAccountID != "111122223333" || recs[1].RecipientAccountID != "444455556666" {
		t.Fatalf("a cross-account call must be recorded in both accounts: %+v", recs)
	}
	if recs[0].SharedEventID == "" || recs[0].SharedEventID != recs[1].SharedEventID || recs[0].EventID == recs[1].EventID {
		t.Errorf("shared event IDs: %q %q, event IDs %q %q", recs[0].SharedEventID, recs[1].SharedEventID, recs[0].EventID, recs[1].EventID)
	}
	data, _ := json.Marshal(recs[0])
	s := string(data)
	for _, want := range []string{`"eventVersion":"1.11"`, `"type":"AssumedRole"`, `"sessionIssuer":{"type":"Role","principalId":"AROAX"`, `"mfaAuthenticated":"true"`,
		`"creationDate":"2026-11-22T12:00:00Z"`, `"sourceIdentity":"alice"`, `"eventTime":"2026-11-22T12:00:00Z"`, `"eventSource":"sts.amazonaws.com"`,
		`"eventName":"AssumeRole"`, `"requestID":"req-1"`, `"eventType":"AwsApiCall"`, `"managementEvent":true`, `"readOnly":false`, `"accessKeyId":"ASIAX"`} {
		if !strings.Contains(s, want) {
			t.Errorf("record lacks %s: %s", want, s)
		}
	}
	if strings.Contains(s, "leak") {
		t.Errorf("a secret was recorded: %s", s)
	}
}

// byNumber hides the store's parts (store.AuditPartReader): verification
// reads it in ranges of record numbers.
type byNumber struct{ store.Store }

type fixture struct {
	dir    string
	sealer *creds.Sealer
	n      int          // records written
	anchor audit.Anchor // the newest anchor published
}

// newTrail writes n records with a digest every 50, and one when the trail
// stops.
func newTrail(t *testing.T, n int) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir()}
	f.sealer, _ = creds.NewSealer(creds.NewKey())
	f.more(t, n)
	return f
}

// more opens the trail, writes n more records and closes it.
func (f *fixture) more(t *testing.T, n int) {
	t.Helper()
	f.moreAt(t, n, t0)
}

// moreAt is more with the trail's clock at clock, record i's time i
// seconds after t0.
func (f *fixture) moreAt(t *testing.T, n int, clock time.Time) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tr, err := audit.Open(ctx, st, f.sealer, audit.Options{Owner: "218364950271", DigestEvery: 50, Clock: func() time.Time { return clock },
		Anchor: func(a audit.Anchor) { f.anchor = a }})
	if err != nil {
		t.Fatal(err)
	}
	// Ten records per commit keeps the test fast; Record (one call per
	// request) is exercised by the server's tests.
	var batch []*audit.Record
	for i := f.n + 1; i <= f.n+n; i++ {
		batch = append(batch, audit.Records(event(i, t0.Add(time.Duration(i)*time.Second)))...)
		if len(batch) == 10 || i == f.n+n {
			if err := tr.Append(ctx, batch); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
	}
	f.n += n
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
}

// copyStore copies the SQLite store of one directory (the database and the
// trail's segments) over another's.
func copyStore(t *testing.T, from, to string) {
	t.Helper()
	for _, name := range []string{"warden.db", "warden.db-wal", "warden.db-shm"} {
		b, err := os.ReadFile(filepath.Join(from, name))
		if os.IsNotExist(err) {
			os.Remove(filepath.Join(to, name))
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.RemoveAll(filepath.Join(to, sqlite.TrailDir)); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(to, sqlite.TrailDir), os.DirFS(filepath.Join(from, sqlite.TrailDir))); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) verify(t *testing.T) *audit.Report {
	t.Helper()
	return f.verifyOpts(t, audit.VerifyOptions{Now: t0.Add(time.Hour), Unsealed: 24 * time.Hour})
}

// verifyOpts verifies the trail with opt (the store's segment files part
// by part), and again reading it in ranges of 1, 7 and 50 records, three at
// a time (as the SQL stores are read): every reading must give the same
// report.
func (f *fixture) verifyOpts(t *testing.T, opt audit.VerifyOptions) *audit.Report {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys, err := audit.PublicKeys(ctx, st, f.sealer)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Verify(ctx, st, keys, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range []int{1, 7, 50} {
		o := opt
		o.Batch, o.Workers = batch, 3
		r, err := audit.Verify(ctx, byNumber{st}, keys, o)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(r, rep) {
			t.Errorf("verification in ranges of %d records:\n%+v\nwant the same as in one range:\n%+v", batch, r, rep)
		}
	}
	return rep
}

// exec runs queries on the store's database, with the trail's blocks laid
// out as audit_blocks (trailtable) and written back to its segment.
func (f *fixture) exec(t *testing.T, queries ...string) {
	t.Helper()
	if len(queries) == 0 {
		return
	}
	f.edit(t, func(db *sql.DB) {
		for _, q := range queries {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	})
}

// edit runs fn on the store's database with the trail's blocks laid out as
// audit_blocks, then writes them back as the trail's segment.
func (f *fixture) edit(t *testing.T, fn func(db *sql.DB)) {
	t.Helper()
	if err := trailtable.Edit(f.dir, func(db *sql.DB) error { fn(db); return nil }); err != nil {
		t.Fatal(err)
	}
}

// tamperCases are the kinds of tampering done to a copy of a trail of 120
// records in blocks of ten (1-10, 11-20, ...) sealed by digests 1 (records
// 1-50), 2 (51-100) and 3 (101-120, written when the trail stopped), each
// with the problem verification must name. A case changes the store with
// SQL, or with edit, which rewrites blocks with the store's own framing and
// columns derived from the records (as an attacker who knows the format
// would).
var tamperCases = []struct {
	name    string
	queries []string
	edit    func(t *testing.T, f *fixture)
	kind    string
	detail  string
}{
	// Every field of a record inside its block.
	{"record data changed", nil, func(t *testing.T, f *fixture) {
		f.editRecord(t, 57, func(r *store.AuditRecord) { r.Data = []byte(strings.Replace(string(r.Data), `s57"`, `s99"`, 1)) })
	}, "record-changed", "record 57"},
	{"record data changed in place", []string{`UPDATE audit_blocks SET data = CAST(replace(CAST(data AS TEXT), 's57"', 's99"') AS BLOB) WHERE first_seq = 51`}, nil, "record-changed", "record 57"},
	{"record seq changed", nil, func(t *testing.T, f *fixture) { f.editRecord(t, 57, func(r *store.AuditRecord) { r.Seq = 1057 }) },
		"record-renumbered", "carries number 1057: it matches its hash as record 57, so only its number was changed"},
	{"first record of a block renumbered", nil, func(t *testing.T, f *fixture) { f.editRecord(t, 51, func(r *store.AuditRecord) { r.Seq = 1051 }) },
		"record-renumbered", "carries number 1051: it matches its hash as record 51, so only its number was changed"},
	{"first record of the trail renumbered", nil, func(t *testing.T, f *fixture) { f.editRecord(t, 1, func(r *store.AuditRecord) { r.Seq = 1001 }) },
		"record-renumbered", "carries number 1001: it matches its hash as record 1, so only its number was changed"},
	{"first record of the trail renumbered 0", nil, func(t *testing.T, f *fixture) { f.editRecord(t, 1, func(r *store.AuditRecord) { r.Seq = 0 }) },
		"record-renumbered", "carries number 0: it matches its hash as record 1, so only its number was changed"},
	{"last record of the trail renumbered", nil, func(t *testing.T, f *fixture) { f.editRecord(t, 120, func(r *store.AuditRecord) { r.Seq = 1120 }) },
		"record-renumbered", "carries number 1120: it matches its hash as record 120, so only its number was changed"},
	{"last record of the trail renumbered back", nil, func(t *testing.T, f *fixture) { f.editRecord(t, 120, func(r *store.AuditRecord) { r.Seq = 7 }) },
		"record-renumbered", "carries number 7: it matches its hash as record 120, so only its number was changed"},
	{"record time changed", nil, func(t *testing.T, f *fixture) {
		f.editRecord(t, 57, func(r *store.AuditRecord) { r.Time = r.Time.Add(-24 * time.Hour) })
	}, "record-changed", "record 57"},
	{"record event ID changed", nil, func(t *testing.T, f *fixture) {
		f.editRecord(t, 57, func(r *store.AuditRecord) { r.EventID = "forged" })
	},
		"record-changed", "record 57 (event forged)"},
	{"record account changed", nil, func(t *testing.T, f *fixture) {
		f.editRecord(t, 57, func(r *store.AuditRecord) { r.Account = "999999999999" })
	}, "record-changed", "record 57"},
	{"block's previous hash changed", nil, func(t *testing.T, f *fixture) {
		f.editRecord(t, 51, func(r *store.AuditRecord) { r.PrevHash = make([]byte, 32) })
	}, "record-changed", "record 51"},
	{"record hash changed", nil, func(t *testing.T, f *fixture) {
		f.editRecord(t, 57, func(r *store.AuditRecord) { r.Hash = make([]byte, 32) })
	},
		"record-changed", "record 57"},
	{"record changed and chain recomputed", nil, func(t *testing.T, f *fixture) { f.recomputeFrom(t, 57) }, "record-changed", "do not match it"},
	{"block cut short", []string{`UPDATE audit_blocks SET data = substr(data, 1, length(data) - 40) WHERE first_seq = 51`}, nil,
		"block-changed", "the block stored as records 51-60 cannot be read"},
	{"first block cut short", []string{`UPDATE audit_blocks SET data = substr(data, 1, 100) WHERE first_seq = 1`}, nil,
		"block-changed", "the block stored as records 1-10 cannot be read"},
	{"last block cut short", []string{`UPDATE audit_blocks SET data = substr(data, 1, 2000) WHERE first_seq = 111`}, nil,
		"block-changed", "the block stored as records 111-120 cannot be read"},
	{"block emptied", []string{`UPDATE audit_blocks SET data = X'' WHERE first_seq = 51`}, nil,
		"block-changed", "the block stored as records 51-60 cannot be read (it does not start with the block format's mark"},
	// Every column of a block: each would hide its records from lookups.
	{"block first_seq changed", []string{`UPDATE audit_blocks SET first_seq = 52 WHERE first_seq = 51`}, nil,
		"block-changed", "the block of records 51-60 (2026-11-22T12:00:51Z to 2026-11-22T12:01:00Z) is stored as records 52-60"},
	{"block last_seq changed", []string{`UPDATE audit_blocks SET last_seq = 59 WHERE first_seq = 51`}, nil, "block-changed", "is stored as records 51-59"},
	{"block min_time changed", []string{`UPDATE audit_blocks SET min_time = min_time + 1 WHERE first_seq = 51`}, nil,
		"block-changed", "is stored as records 51-60 (2026-11-22T12:00:51.000000001Z"},
	{"block max_time changed", []string{`UPDATE audit_blocks SET max_time = max_time - 86400000000000 WHERE first_seq = 51`}, nil,
		"block-changed", "to 2026-11-21T12:01:00Z)"},
	// Records removed.
	{"first block removed", []string{`DELETE FROM audit_blocks WHERE first_seq = 1`}, nil, "record-removed", "records 1-10 are missing"},
	{"first record removed", nil, func(t *testing.T, f *fixture) {
		f.editBlock(t, 1, func(recs []store.AuditRecord) []store.AuditRecord { return recs[1:] })
	}, "record-removed", "records 1-1 are missing"},
	{"middle block removed", []string{`DELETE FROM audit_blocks WHERE first_seq = 51`}, nil, "record-removed", "records 51-60 are missing"},
	{"middle record removed", nil, func(t *testing.T, f *fixture) {
		f.editBlock(t, 57, func(recs []store.AuditRecord) []store.AuditRecord { return append(recs[:6:6], recs[7:]...) })
	}, "record-removed", "records 57-57 are missing"},
	// The chain head is the last record of the newest segment: what
	// removes the last records moves it back with them, and the digest
	// that sealed them tells.
	{"last block removed", []string{`DELETE FROM audit_blocks WHERE first_seq = 111`}, nil, "record-removed", "the digests cover records up to 120 but the trail ends at record 110"},
	{"last record removed", nil, func(t *testing.T, f *fixture) {
		f.editBlock(t, 120, func(recs []store.AuditRecord) []store.AuditRecord { return recs[:9] })
	}, "record-removed", "the digests cover records up to 120 but the trail ends at record 119"},
	{"last records and their digest removed", []string{`DELETE FROM audit_digests WHERE no = 3`, `DELETE FROM audit_blocks WHERE first_seq > 101`}, nil,
		"digest-missing", "records 101-110 have no digest"},
	{"tail cut back to a digest", []string{`DELETE FROM audit_digests WHERE no = 3`, `DELETE FROM audit_blocks WHERE first_seq > 100`}, nil,
		"digest-missing", "no digest after digest 2"},
	// Records and blocks added or moved.
	{"record inserted", nil, func(t *testing.T, f *fixture) {
		// A forged record 57 and every later record renumbered.
		for _, b := range f.blocks(t) {
			if b.LastSeq < 57 {
				continue
			}
			recs, _ := store.DecodeAuditBlock(b.Data)
			var out []store.AuditRecord
			for _, r := range recs {
				if r.Seq == 57 {
					forged := f.record(t, 56)
					forged.Seq, forged.EventID = 57, "forged"
					out = append(out, forged)
				}
				if r.Seq >= 57 {
					r.Seq++
				}
				out = append(out, r)
			}
			f.putBlock(t, b.FirstSeq, out)
		}
	}, "record-changed", "record 57 (event forged)"},
	{"records reordered in a block", nil, func(t *testing.T, f *fixture) {
		f.editBlock(t, 57, func(recs []store.AuditRecord) []store.AuditRecord { recs[6], recs[7] = recs[7], recs[6]; return recs })
	}, "record-changed", "record 58"},
	{"blocks reordered", []string{`UPDATE audit_blocks SET first_seq = -1 WHERE first_seq = 51`, `UPDATE audit_blocks SET first_seq = 51 WHERE first_seq = 61`,
		`UPDATE audit_blocks SET first_seq = 61 WHERE first_seq = -1`}, nil, "record-reordered", "records 51-60 appear after records 61-70: the trail is out of order"},
	{"block moved back two places", []string{`UPDATE audit_blocks SET first_seq = -1 WHERE first_seq = 51`, `UPDATE audit_blocks SET first_seq = 51 WHERE first_seq = 61`,
		`UPDATE audit_blocks SET first_seq = 61 WHERE first_seq = 71`, `UPDATE audit_blocks SET first_seq = 71 WHERE first_seq = -1`}, nil,
		"record-reordered", "records 51-60 appear after records 61-80: the trail is out of order"},
	{"record renumbered to a number the trail holds", nil, func(t *testing.T, f *fixture) { f.editRecord(t, 57, func(r *store.AuditRecord) { r.Seq = 59 }) },
		"record-renumbered", "carries number 59: it matches its hash as record 57, so only its number was changed"},
	{"record duplicated", nil, func(t *testing.T, f *fixture) {
		r := f.record(t, 57)
		r.Seq = 121
		f.putBlock(t, 121, []store.AuditRecord{r})
	}, "record-changed", "record 121 (event"},
	{"block duplicated", []string{`INSERT INTO audit_blocks SELECT 121, 121, min_time, max_time, data FROM audit_blocks WHERE first_seq = 51`}, nil,
		"record-inserted", "record 51 appears out of order after record 120"},
	// Digests.
	{"digest changed", []string{`UPDATE audit_digests SET data = CAST(replace(CAST(data AS TEXT), '"records":50', '"records":49') AS BLOB) WHERE no = 2`}, nil, "digest-signature", "digest 2 of records 51-100"},
	{"digest signature changed", []string{`UPDATE audit_digests SET sig = zeroblob(64) WHERE no = 2`}, nil, "digest-signature", "digest 2 of records 51-100"},
	{"digest time changed", []string{`UPDATE audit_digests SET time = time + 1 WHERE no = 2`}, nil, "digest-changed", "digest 2: its stored time"},
	{"digest key ID changed", []string{`UPDATE audit_digests SET key_id = 'tk-forged' WHERE no = 2`}, nil, "digest-changed", "digest 2: its stored key ID"},
	{"digest last record changed", []string{`UPDATE audit_digests SET seq = 99 WHERE no = 2`}, nil, "digest-changed", "digest 2 stored as ending at record 99"},
	{"digest number changed", []string{`UPDATE audit_digests SET no = 7 WHERE no = 3`}, nil, "digest-missing", "digests 3-6 are missing"},
	{"digest removed", []string{`DELETE FROM audit_digests WHERE no = 2`}, nil, "digest-missing", "digests 2-2 are missing"},
	{"first digest removed", []string{`DELETE FROM audit_digests WHERE no = 1`}, nil, "digest-missing", "digests 1-1 are missing"},
	{"latest digest removed", []string{`DELETE FROM audit_digests WHERE no = 3`}, nil, "digest-missing", "the latest digest is missing"},
	{"digests reordered", []string{`UPDATE audit_digests SET no = -1 WHERE no = 1`, `UPDATE audit_digests SET no = 1 WHERE no = 2`, `UPDATE audit_digests SET no = 2 WHERE no = -1`}, nil, "digest-changed", "digest stored as number 1 says it is number 2"},
	// The segment files themselves.
	{"segments removed", nil, func(t *testing.T, f *fixture) { f.removeSegments(t) }, "head-missing", "the chain head"},
	{"last block cut as a write that never finished", nil, func(t *testing.T, f *fixture) { f.truncateSegment(t, 100) },
		"record-removed", "the digests cover records up to 120 but the trail ends at record 110"},
	{"last block's end zeroed as a write into preallocated space that never finished", nil, func(t *testing.T, f *fixture) { f.zeroSegmentTail(t, 100, true) },
		"record-removed", "the digests cover records up to 120 but the trail ends at record 110"},
	{"last block changed to end in zeros", nil, func(t *testing.T, f *fixture) { f.zeroSegmentTail(t, 100, false) },
		"block-changed", "the block stored as records 111-120 cannot be read"},
	{"segment header changed", nil, func(t *testing.T, f *fixture) { f.patchSegment(t, 4+7, 0x01) },
		"block-changed", "the block stored as records 1-1 cannot be read"},
	{"a frame's length changed", nil, func(t *testing.T, f *fixture) { f.patchSegment(t, 13+4+3, 0x01) },
		"block-changed", "the block stored as records 1-10 cannot be read"},
}

// Each kind of tampering, done to a real store, is found and named.
func TestVerifyFindsTampering(t *testing.T) {
	for _, tt := range tamperCases {
		t.Run(tt.name, func(t *testing.T) {
			f := newTrail(t, 120)
			if rep := f.verify(t); !rep.OK() || rep.Records != 120 || rep.Digests != 3 || rep.Sealed != 120 {
				t.Fatalf("untouched trail: %+v", rep)
			}
			f.exec(t, tt.queries...)
			if tt.edit != nil {
				tt.edit(t, f)
			}
			// Two days later, with an hour's grace: late digests count as
			// missing.
			rep := f.verifyOpts(t, audit.VerifyOptions{Now: t0.Add(48 * time.Hour), Unsealed: time.Hour})
			wantProblem(t, rep, tt.kind, tt.detail)
			if tt.kind == "record-renumbered" && len(rep.Problems) != 1 {
				// Its number put back, the trail is whole: nothing else is
				// reported (no gap where its number was, no move of its
				// block).
				t.Errorf("a renumbered record reported with other problems: %+v", rep.Problems)
			}
			if tt.kind == "record-reordered" || tt.kind == "record-renumbered" {
				// Every record is there: none is reported missing.
				for _, p := range rep.Problems {
					if p.Kind == "record-removed" {
						t.Errorf("records moved or renumbered reported as removed: %+v", rep.Problems)
					}
				}
			}
			// The anchor of the last digest is gone where a digest was
			// removed or cut.
			rep = f.verifyOpts(t, audit.VerifyOptions{Now: t0.Add(48 * time.Hour), Unsealed: time.Hour, Anchor: &f.anchor})
			wantProblem(t, rep, tt.kind, tt.detail)
		})
	}
}

func wantProblem(t *testing.T, rep *audit.Report, kind, detail string) {
	t.Helper()
	if rep.OK() {
		t.Fatalf("tampering not detected: %+v", rep)
	}
	for _, p := range rep.Problems {
		if p.Kind == kind && strings.Contains(p.Detail, detail) {
			return
		}
	}
	t.Errorf("want a %s problem mentioning %q; got %+v", kind, detail, rep.Problems)
}

// A trail cut back to a digest boundary verifies without the anchor as long
// as the cut digest was not yet due, and fails with the anchor; the whole
// store replaced by an older copy fails with the anchor.
func TestVerifyAnchor(t *testing.T) {
	f := newTrail(t, 120)
	if f.anchor.Number != 3 || f.anchor.LastSeq != 120 {
		t.Fatalf("anchor after the trail stopped: %+v, want digest 3 up to record 120", f.anchor)
	}
	if rep := f.verifyOpts(t, audit.VerifyOptions{Now: t0.Add(time.Minute), Anchor: &f.anchor}); !rep.OK() {
		t.Fatalf("untouched trail with its anchor: %+v", rep.Problems)
	}
	old := t.TempDir()
	copyStore(t, f.dir, old)
	f.more(t, 30)
	if f.anchor.Number != 4 {
		t.Fatalf("anchor after 30 more records: %+v", f.anchor)
	}
	copyStore(t, old, f.dir)
	// An hour and more later the older copy looks intact (its last digest
	// says the trail stopped): only the anchor tells.
	if rep := f.verifyOpts(t, audit.VerifyOptions{Now: t0.Add(2 * time.Hour)}); !rep.OK() {
		t.Fatalf("older copy without the anchor: %+v", rep.Problems)
	}
	rep := f.verifyOpts(t, audit.VerifyOptions{Now: t0.Add(2 * time.Hour), Anchor: &f.anchor})
	wantProblem(t, rep, "anchor-missing", "does not contain the anchored digest 4")
	wantProblem(t, rep, "anchor-missing", "its newest digest is number 3")

	// The anchor as a file and as a bare hash.
	file := filepath.Join(t.TempDir(), "anchor.json")
	if err := audit.WriteAnchorFile(file, f.anchor); err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{file, f.anchor.Hash} {
		a, err := audit.ParseAnchor(arg)
		if err != nil || a.Hash != f.anchor.Hash {
			t.Fatalf("ParseAnchor(%s) = %+v, %v", arg, a, err)
		}
	}
	if _, err := audit.ParseAnchor("not-a-hash"); err == nil || !strings.Contains(err.Error(), "64 hexadecimal digits") {
		t.Errorf("ParseAnchor of neither a hash nor a file: %v", err)
	}
}

// Digests come on the cadence also when no record arrives, each naming the
// last record, so that a newest digest past its due time is reported.
func TestDigestCadence(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sealer, _ := creds.NewSealer(creds.NewKey())
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var mu sync.Mutex
	clock := t0
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	var anchors []audit.Anchor
	tr, err := audit.Open(ctx, st, sealer, audit.Options{Owner: "218364950271", DigestInterval: 40 * time.Millisecond, SealWithin: 40 * time.Millisecond, Clock: now,
		Anchor: func(a audit.Anchor) { mu.Lock(); anchors = append(anchors, a); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Append(ctx, audit.Records(event(1, t0))); err != nil {
		t.Fatal(err)
	}
	// Let the clock run: digests come with no new record.
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		clock = clock.Add(20 * time.Millisecond)
		n := len(anchors)
		mu.Unlock()
		if n >= 4 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The clock stands still now, but a digest due at its last step may
	// still come: read the digests once the anchors stop changing.
	var ds []store.AuditDigest
	for prev := -1; ; {
		time.Sleep(50 * time.Millisecond)
		mu.Lock()
		n := len(anchors)
		mu.Unlock()
		if ds, err = st.AuditDigests(ctx); err != nil {
			t.Fatal(err)
		}
		if n == prev && n == len(ds) || time.Now().After(deadline.Add(10*time.Second)) {
			break
		}
		prev = n
	}
	if len(ds) < 4 {
		t.Fatalf("%d digests while idle, want at least 4", len(ds))
	}
	for i, d := range ds {
		var doc audit.DigestDoc
		json.Unmarshal(d.Data, &doc)
		if d.No != int64(i+1) || doc.Number != d.No || doc.LastSeq != 1 || (i > 0 && doc.Records != 0) {
			t.Errorf("digest %d: number %d, records %d, last record %d; want number %d, no new record, last record 1", i, doc.Number, doc.Records, doc.LastSeq, i+1)
		}
	}
	keys, _ := audit.PublicKeys(ctx, st, sealer)
	// Right after the newest digest: intact. Long after it, the trail not
	// stopped: the next digest is overdue.
	last := ds[len(ds)-1].Time
	rep, err := audit.Verify(ctx, st, keys, audit.VerifyOptions{Now: last, Unsealed: time.Second})
	if err != nil || !rep.OK() {
		t.Fatalf("verify now: %v %+v", err, rep)
	}
	rep, err = audit.Verify(ctx, st, keys, audit.VerifyOptions{Now: last.Add(time.Hour), Unsealed: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	wantProblem(t, rep, "digest-missing", fmt.Sprintf("no digest after digest %d", len(ds)))
	mu.Lock()
	a := anchors[len(anchors)-1]
	mu.Unlock()
	if a.Number != int64(len(ds)) || a.LastSeq != 1 {
		t.Errorf("last anchor %+v, want digest %d ending at record 1", a, len(ds))
	}
	// The trail stops with a digest that says so: no digest is overdue.
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err = audit.Verify(ctx, st, keys, audit.VerifyOptions{Now: last.Add(24 * time.Hour), Unsealed: time.Second})
	if err != nil || !rep.OK() {
		t.Fatalf("verify after a clean stop: %v %+v", err, rep)
	}
}

// The userIdentity of each kind of caller, as CloudTrail writes it
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html),
// and the account each record belongs to.
func TestRecordIdentities(t *testing.T) {
	user := &call.Identity{ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333", UserID: "AIDAX", Kind: policy.CallerUser, AccessKeyID: "AKIAALICE"}
	tests := []struct {
		name      string
		set       func(c *call.Call)
		want      string
		recipient string
	}{
		{"authenticated user", func(c *call.Call) { c.Identity = user },
			`{"type":"IAMUser","principalId":"AIDAX","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAALICE","userName":"alice"}`, "111122223333"},
		{"signature failed with a known key", func(c *call.Call) { c.Identity, c.Claimed = nil, user },
			`{"type":"IAMUser","principalId":"AIDAX","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAALICE","userName":"alice"}`, "111122223333"},
		{"unknown access key", func(c *call.Call) { c.Identity, c.Claimed = nil, &call.Identity{AccessKeyID: "AKIANOSUCHKEY"} },
			`{"type":"Unknown","accessKeyId":"AKIANOSUCHKEY"}`, "218364950271"},
		{"unsigned", func(c *call.Call) { c.Identity = nil },
			`{"type":"AWSAccount","accountId":"ANONYMOUS_PRINCIPAL"}`, "218364950271"},
		{"web identity", func(c *call.Call) {
			c.Identity = nil
			c.Federated = &call.Federated{Type: "WebIdentityUser", Provider: "arn:aws:iam::444455556666:oidc-provider/idp.example.com", Subject: "repo:sc/app", Audience: "sts.amazonaws.com", Account: "444455556666"}
		}, `{"type":"WebIdentityUser","principalId":"arn:aws:iam::444455556666:oidc-provider/idp.example.com:sts.amazonaws.com:repo:sc/app","userName":"repo:sc/app","identityProvider":"arn:aws:iam::444455556666:oidc-provider/idp.example.com"}`, "444455556666"},
		{"SAML", func(c *call.Call) {
			c.Identity = nil
			c.Federated = &call.Federated{Type: "SAMLUser", Provider: "arn:aws:iam::444455556666:saml-provider/corp", Account: "444455556666"}
		}, `{"type":"SAMLUser","identityProvider":"arn:aws:iam::444455556666:saml-provider/corp"}`, "444455556666"},
		// Verified: the NameQualifier as identityProvider, the subject as
		// userName, principalId NameQualifier:subject ("Values for AWS STS
		// APIs with SAML and web identity federation" on the page above).
		{"SAML verified", func(c *call.Call) {
			c.Identity = nil
			c.Federated = &call.Federated{Type: "SAMLUser", Provider: "Ag2DVUwPrvkWbLDzDP5hQ7Nq3aM=", Subject: "alice@securecart.example", Account: "444455556666"}
		}, `{"type":"SAMLUser","principalId":"Ag2DVUwPrvkWbLDzDP5hQ7Nq3aM=:alice@securecart.example","userName":"alice@securecart.example","identityProvider":"Ag2DVUwPrvkWbLDzDP5hQ7Nq3aM="}`, "444455556666"},
		// A refused web identity token: the identity it states.
		{"web identity refused", func(c *call.Call) {
			c.Identity = nil
			c.Federated = &call.Federated{Type: "WebIdentityUser", Provider: "token.actions.githubusercontent.com", Subject: "repo:mallory/app:ref:refs/heads/main", Audience: "sts.amazonaws.com", Account: "444455556666"}
		}, `{"type":"WebIdentityUser","principalId":"token.actions.githubusercontent.com:sts.amazonaws.com:repo:mallory/app:ref:refs/heads/main","userName":"repo:mallory/app:ref:refs/heads/main","identityProvider":"token.actions.githubusercontent.com"}`, "444455556666"},
		{"root", func(c *call.Call) {
			c.Identity = &call.Identity{ARN: "arn:aws:iam::111122223333:root", Account: "111122223333", UserID: "111122223333", Kind: policy.CallerRoot, AccessKeyID: "AKIAROOT"}
		}, `{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"AKIAROOT"}`, "111122223333"},
		{"assumed role", func(c *call.Call) {
			c.Identity = &call.Identity{ARN: "arn:aws:sts::111122223333:assumed-role/RoleToBeAssumed/MySessionName", Account: "111122223333", UserID: "AROAIDPPEZS35WEXAMPLE:MySessionName",
				Kind: policy.CallerAssumedRole, AccessKeyID: "ASIAEXAMPLE", Session: &creds.Session{RoleARN: "arn:aws:iam::111122223333:role/RoleToBeAssumed", Account: "111122223333",
					UserID: "AROAIDPPEZS35WEXAMPLE:MySessionName", Issued: t0}}
		}, `{"type":"AssumedRole","principalId":"AROAIDPPEZS35WEXAMPLE:MySessionName","arn":"arn:aws:sts::111122223333:assumed-role/RoleToBeAssumed/MySessionName","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE",` +
			`"sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAIDPPEZS35WEXAMPLE","arn":"arn:aws:iam::111122223333:role/RoleToBeAssumed","accountId":"111122223333","userName":"RoleToBeAssumed"},` +
			`"attributes":{"creationDate":"` + t0.UTC().Format("2006-01-02T15:04:05Z") + `","mfaAuthenticated":"false"}}}`, "111122223333"},
		// The portal API's caller: "userIdentity for a request made on
		// behalf of an IAM Identity Center user" on the page above.
		{"Identity Center user", func(c *call.Call) {
			c.Identity = nil
			c.Person = &creds.OnBehalfOf{UserID: "544894e8-80c1-707f-60e3-3ba6510dfac1", UserName: "alice@securecart.example", IdentityStoreARN: "arn:aws:identitystore::123456789012:identitystore/d-9067642ac7"}
			c.RecipientAccount, c.CredentialID = "123456789012", "g-EXAMPLEcredential"
		}, `{"type":"IdentityCenterUser","accountId":"123456789012","onBehalfOf":{"userId":"544894e8-80c1-707f-60e3-3ba6510dfac1","identityStoreArn":"arn:aws:identitystore::123456789012:identitystore/d-9067642ac7"},"credentialId":"g-EXAMPLEcredential"}`, "123456789012"},
		// A successful sign-in step, before any credential: an
		// IdentityCenterUser without credentialId; a failed one stays
		// Unknown (AWS Security Blog, "Modifications to AWS CloudTrail event
		// data of IAM Identity Center": sign-in events are
		// IdentityCenterUser "limited to successful authentications").
		{"Identity Center user signing in", func(c *call.Call) {
			c.Identity = nil
			c.Person = &creds.OnBehalfOf{UserID: "544894e8-80c1-707f-60e3-3ba6510dfac1", UserName: "alice@securecart.example", IdentityStoreARN: "arn:aws:identitystore::123456789012:identitystore/d-9067642ac7"}
			c.RecipientAccount, c.SignedIn = "123456789012", true
		}, `{"type":"IdentityCenterUser","accountId":"123456789012","onBehalfOf":{"userId":"544894e8-80c1-707f-60e3-3ba6510dfac1","identityStoreArn":"arn:aws:identitystore::123456789012:identitystore/d-9067642ac7"}}`, "123456789012"},
		// Without principalId and userName, which Identity Center no longer
		// writes since July 14, 2025 (the same post): the portal puts the
		// user name in additionalEventData.UserName.
		{"Identity Center user failing a sign-in step", func(c *call.Call) {
			c.Identity = nil
			c.Person = &creds.OnBehalfOf{UserID: "544894e8-80c1-707f-60e3-3ba6510dfac1", UserName: "alice@securecart.example", IdentityStoreARN: "arn:aws:identitystore::123456789012:identitystore/d-9067642ac7"}
			c.RecipientAccount, c.Service = "123456789012", "signin"
		}, `{"type":"Unknown","accountId":"123456789012","onBehalfOf":{"userId":"544894e8-80c1-707f-60e3-3ba6510dfac1","identityStoreArn":"arn:aws:identitystore::123456789012:identitystore/d-9067642ac7"}}`, "123456789012"},
		// A refused password: Unknown in the instance's account, with no
		// onBehalfOf (IAM Identity Center User Guide, "Example events for
		// IAM Identity Center sign-in scenarios": failed sign-in due to
		// incorrect password).
		{"refused password", func(c *call.Call) {
			c.Identity = nil
			c.Person = &creds.OnBehalfOf{UserName: "HIDDEN_DUE_TO_SECURITY_REASONS", IdentityStoreARN: "arn:aws:identitystore::123456789012:identitystore/d-9067642ac7"}
			c.RecipientAccount, c.Service = "123456789012", "signin"
		}, `{"type":"Unknown","accountId":"123456789012"}`, "123456789012"},
		// An unauthenticated call to the OIDC service (RegisterClient,
		// StartDeviceAuthorization, a refused CreateToken): Unknown in the
		// instance's account, not the anonymous principal ("for
		// unauthenticated users, the userIdentity type will remain
		// Unknown", the post above).
		{"unauthenticated Identity Center call", func(c *call.Call) {
			c.Identity = nil
			c.RecipientAccount, c.Service = "123456789012", "sso-oauth"
		}, `{"type":"Unknown","accountId":"123456789012"}`, "123456789012"},
		// Warden's own service (access.warden.local) still names the person.
		{"Identity Center user at Warden's access service", func(c *call.Call) {
			c.Identity = nil
			c.Person = &creds.OnBehalfOf{UserID: "544894e8-80c1-707f-60e3-3ba6510dfac1", UserName: "alice@securecart.example", IdentityStoreARN: "arn:aws:identitystore::123456789012:identitystore/d-9067642ac7"}
			c.RecipientAccount, c.Service = "123456789012", "access"
		}, `{"type":"Unknown","principalId":"544894e8-80c1-707f-60e3-3ba6510dfac1","userName":"alice@securecart.example","onBehalfOf":{"userId":"544894e8-80c1-707f-60e3-3ba6510dfac1","identityStoreArn":"arn:aws:identitystore::123456789012:identitystore/d-9067642ac7"}}`, "123456789012"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := event(1, t0)
			tt.set(e.Call)
			if e.Call.Identity == nil {
				e.ErrorCode, e.ErrorMessage = "AccessDenied", "refused"
			}
			e.RecipientAccount = "218364950271" // the trail's owner, as Trail.Record sets it
			if e.Call.RecipientAccount != "" {
				e.RecipientAccount = e.Call.RecipientAccount // as the portal's handlers set it
			}
			r := audit.Records(e)[0]
			got, _ := json.Marshal(r.UserIdentity)
			if string(got) != tt.want || r.RecipientAccountID != tt.recipient {
				t.Errorf("userIdentity %s in account %s\nwant %s in account %s", got, r.RecipientAccountID, tt.want, tt.recipient)
			}
		})
	}
}
