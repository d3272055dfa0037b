package audit_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/policy"
	"github.com/securecart/warden/internal/store/sqlite"
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

type fixture struct {
	dir    string
	sealer *creds.Sealer
}

// newTrail writes n records with a digest every 50.
func newTrail(t *testing.T, n int) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{dir: t.TempDir()}
	f.sealer, _ = creds.NewSealer(creds.NewKey())
	st, err := sqlite.Open(ctx, f.dir)
	if err != nil {
		t.Fatal(err)
	}
	clock := t0
	tr, err := audit.Open(ctx, st, f.sealer, audit.Options{Owner: "218364950271", DigestEvery: 50, Clock: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	// Ten records per commit keeps the test fast; Record (one call per
	// request) is exercised by the server's tests.
	var batch []*audit.Record
	for i := 1; i <= n; i++ {
		batch = append(batch, audit.Records(event(i, t0.Add(time.Duration(i)*time.Second)))...)
		if len(batch) == 10 || i == n {
			if err := tr.Append(ctx, batch); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	st.Close()
	return f
}

func (f *fixture) verify(t *testing.T) *audit.Report {
	t.Helper()
	return f.verifyOpts(t, audit.VerifyOptions{Now: t0.Add(time.Hour), Unsealed: 24 * time.Hour})
}

// verifyOpts verifies the trail with opt, and again reading it in ranges
// of 1, 7 and 50 records, three at a time: every reading must give the same
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
		r, err := audit.Verify(ctx, st, keys, o)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(r, rep) {
			t.Errorf("verification in ranges of %d records:\n%+v\nwant the same as in one range:\n%+v", batch, r, rep)
		}
	}
	return rep
}

func (f *fixture) exec(t *testing.T, queries ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(f.dir, "warden.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range queries {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// Each kind of tampering, done to a real store, is found and named.
func TestVerifyFindsTampering(t *testing.T) {
	tests := []struct {
		name    string
		queries []string
		kind    string
		detail  string
	}{
		{"record changed", []string{`UPDATE audit_records SET data = CAST(replace(CAST(data AS TEXT), 's57"', 's99"') AS BLOB) WHERE seq = 57`}, "record-changed", "record 57"},
		{"record removed", []string{`DELETE FROM audit_records WHERE seq = 57`}, "record-removed", "records 57-57 are missing"},
		{"record inserted", []string{`UPDATE audit_records SET seq = seq + 1000 WHERE seq >= 57`, `UPDATE audit_records SET seq = seq - 999 WHERE seq >= 1057`,
			`INSERT INTO audit_records (seq, time, event_id, account, data, prev_hash, hash) SELECT 57, time, 'forged', account, data, prev_hash, hash FROM audit_records WHERE seq = 56`}, "chain-broken", "record 57 (event forged)"},
		{"records reordered", []string{`UPDATE audit_records SET seq = -1 WHERE seq = 57`, `UPDATE audit_records SET seq = 57 WHERE seq = 58`, `UPDATE audit_records SET seq = 58 WHERE seq = -1`}, "chain-broken", "record 57"},
		{"record changed and chain recomputed", nil, "record-changed", "do not match it"},
		{"digest changed", []string{`UPDATE audit_digests SET data = CAST(replace(CAST(data AS TEXT), '"records":50', '"records":49') AS BLOB) WHERE seq = 100`}, "digest-signature", "records 51-100"},
		{"digest removed", []string{`DELETE FROM audit_digests WHERE seq = 100`}, "digest-missing", "the digest of records 51-100 is missing"},
		{"latest digest removed", []string{`DELETE FROM audit_digests WHERE seq = (SELECT max(seq) FROM audit_digests)`}, "digest-missing", "the latest digest is missing"},
		{"first digest removed", []string{`DELETE FROM audit_digests WHERE seq = 50`}, "digest-missing", "the digest of records 1-50 is missing"},
		// The chain head, kept apart from the records, still names the last.
		{"latest records and their digest removed", []string{`DELETE FROM audit_digests WHERE seq = 120`, `DELETE FROM audit_records WHERE seq > 110`}, "record-removed", "records 111-120 are missing: the chain head is record 120"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTrail(t, 120)
			if rep := f.verify(t); !rep.OK() || rep.Records != 120 || rep.Digests != 3 || rep.Sealed != 120 {
				t.Fatalf("untouched trail: %+v", rep)
			}
			if tt.queries == nil {
				// Change a record and recompute every later hash: only the
				// signed digest tells.
				f.recomputeFrom(t, 57)
			} else {
				f.exec(t, tt.queries...)
			}
			rep := f.verify(t)
			if tt.name == "latest digest removed" {
				rep = f.verifyOpts(t, audit.VerifyOptions{Now: t0.Add(48 * time.Hour), Unsealed: time.Hour})
			}
			if rep.OK() {
				t.Fatalf("tampering not detected: %+v", rep)
			}
			found := false
			for _, p := range rep.Problems {
				if p.Kind == tt.kind && strings.Contains(p.Detail, tt.detail) {
					found = true
				}
			}
			if !found {
				t.Errorf("want a %s problem mentioning %q; got %+v", tt.kind, tt.detail, rep.Problems)
			}
		})
	}
}

// recomputeFrom changes record seq and recomputes the hash chain after it,
// as a careful attacker with database access would.
func (f *fixture) recomputeFrom(t *testing.T, seq int64) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(f.dir, "warden.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT seq, data, prev_hash FROM audit_records WHERE seq >= ? ORDER BY seq`, seq)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		seq        int64
		data, prev []byte
	}
	var rs []row
	for rows.Next() {
		var r row
		rows.Scan(&r.seq, &r.data, &r.prev)
		rs = append(rs, r)
	}
	rows.Close()
	prev := rs[0].prev
	for i, r := range rs {
		data := r.data
		if i == 0 {
			data = []byte(strings.Replace(string(data), "127.0.0.1", "10.6.6.6", 1))
		}
		h := audit.ChainHash(prev, data)
		if _, err := db.Exec(`UPDATE audit_records SET data = ?, prev_hash = ?, hash = ? WHERE seq = ?`, data, prev, h, r.seq); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
	db.Exec(`UPDATE audit_head SET hash = ?`, prev)
}
