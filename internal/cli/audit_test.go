package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/policy"
	"github.com/securecart/warden/internal/sso"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store/sqlite"
	"github.com/securecart/warden/internal/store/sqlite/trailtable"
)

const (
	securityAcct = "218364950271"
	devAcct      = "436205817493"
	prodAcct     = "654827139045"
)

// trailEvent is event i of the test trail: its name, account, region and
// time (record i is at fixedNow - (20-i) minutes).
func trailEvent(i int) *api.Event {
	names := []string{"AssumeRole", "GetCallerIdentity", "CreateUser"}
	acct := devAcct
	if i%2 == 0 {
		acct = prodAcct
	}
	region := "us-east-1"
	if i%3 == 0 {
		region = "eu-west-1"
	}
	arn := "arn:aws:sts::" + acct + ":assumed-role/OrganizationAccountAccessRole/admin"
	c := &api.Call{Service: "sts", Action: names[i%3], Region: region, RequestID: fmt.Sprintf("req-%d", i),
		Now: fixedNow().Add(-time.Duration(20-i) * time.Minute), SourceIP: "192.0.2.10", UserAgent: "test",
		Identity:          &api.Identity{ARN: arn, Account: acct, UserID: "AROAEXAMPLE:admin", Kind: policy.CallerAssumedRole, AccessKeyID: "ASIAEXAMPLE"},
		RequestParameters: map[string]any{"n": i}}
	return &api.Event{Call: c, EventSource: "sts.amazonaws.com"}
}

// auditData writes a data directory (master key and SQLite store) holding
// a trail of n records, one per call, sealed every 4 records.
func auditData(t *testing.T, n int) (string, []*audit.Record) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, sealer := openDataDir(t, dir)
	defer st.Close()
	tr, err := audit.Open(ctx, st, sealer, audit.Options{Owner: securityAcct, DigestEvery: 4, Clock: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	var recs []*audit.Record
	for i := 1; i <= n; i++ {
		r := audit.Records(trailEvent(i))
		if err := tr.Append(ctx, r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r...)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, recs
}

// openDataDir opens the data directory dir (its master key, made when
// missing, and its SQLite store).
func openDataDir(t *testing.T, dir string) (*sqlite.Store, *creds.Sealer) {
	t.Helper()
	key, err := creds.LoadOrCreateMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := creds.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return st, sealer
}

// jsonLines decodes one record per line.
func jsonLines(t *testing.T, out string) []audit.Record {
	t.Helper()
	var recs []audit.Record
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var r audit.Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line is not a CloudTrail record: %v: %q", err, line)
		}
		recs = append(recs, r)
	}
	return recs
}

func eventIDs[T audit.Record | *audit.Record](recs []T) []string {
	out := []string{}
	for _, r := range recs {
		switch r := any(r).(type) {
		case audit.Record:
			out = append(out, r.EventID)
		case *audit.Record:
			out = append(out, r.EventID)
		}
	}
	return out
}

func TestAuditLookup(t *testing.T) {
	dir, recs := auditData(t, 10)
	newestFirst := slices.Clone(recs)
	slices.Reverse(newestFirst)

	out, stderr, code := run(t, "", "audit", "lookup", "--data", dir, "--format", "json")
	if code != 0 {
		t.Fatalf("lookup --format json: exit %d, stderr %s", code, stderr)
	}
	got := jsonLines(t, out)
	if g, w := eventIDs(got), eventIDs(newestFirst); !slices.Equal(g, w) {
		t.Errorf("lookup --format json: events\n%v\nwant newest first\n%v", g, w)
	}
	// Each line is the stored record, byte for byte.
	if want, _ := json.Marshal(recs[9]); strings.SplitN(out, "\n", 2)[0] != string(want) {
		t.Errorf("first line %q, want the stored record %s", strings.SplitN(out, "\n", 2)[0], want)
	}

	out, _, code = run(t, "", "audit", "lookup", "--data", dir, "--format", "json", "--event-name", "CreateUser")
	var want []*audit.Record
	for _, r := range newestFirst {
		if r.EventName == "CreateUser" {
			want = append(want, r)
		}
	}
	if g, w := eventIDs(jsonLines(t, out)), eventIDs(want); code != 0 || len(w) != 3 || !slices.Equal(g, w) {
		t.Errorf("lookup --event-name CreateUser: exit %d, events %v, want %v", code, g, w)
	}

	// Text: one line per record, newest first.
	out, _, code = run(t, "", "audit", "lookup", "--data", dir, "--event-name", "AssumeRole")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	wantFirst := "2026-11-22T11:49:00Z  sts.amazonaws.com AssumeRole                   ok             arn:aws:sts::436205817493:assumed-role/OrganizationAccountAccessRole/admin  (account 436205817493, 192.0.2.10)"
	if code != 0 || len(lines) != 3 || lines[0] != wantFirst || !strings.HasPrefix(lines[1], "2026-11-22T11:46:00Z  sts.amazonaws.com AssumeRole ") || !strings.HasPrefix(lines[2], "2026-11-22T11:43:00Z ") {
		t.Errorf("lookup --event-name AssumeRole: exit %d, output\n%s\nwant first line\n%s", code, out, wantFirst)
	}

	// Other attributes, the time range (both ends included) and --max.
	for _, tc := range []struct {
		args []string
		want []int // event numbers, newest first
	}{
		{[]string{"--attribute", "EventId", "--value", recs[3].EventID}, []int{4}},
		{[]string{"--username", "admin", "--max", "2"}, []int{10, 9}},
		{[]string{"--start", "2026-11-22T11:45:00Z", "--end", "2026-11-22T11:47:00Z"}, []int{7, 6, 5}},
		{[]string{"--event-name", "NoSuchEvent"}, []int{}},
	} {
		out, stderr, code := run(t, "", append([]string{"audit", "lookup", "--data", dir, "--format", "json"}, tc.args...)...)
		var want []string
		for _, i := range tc.want {
			want = append(want, recs[i-1].EventID)
		}
		if g := eventIDs(jsonLines(t, out)); code != 0 || !slices.Equal(g, append([]string{}, want...)) {
			t.Errorf("lookup %v: exit %d (%s), events %v, want %v", tc.args, code, stderr, g, want)
		}
	}

	for _, args := range [][]string{
		{"--format", "xml"},
		{"--start", "yesterday"},
	} {
		if _, _, code := run(t, "", append([]string{"audit", "lookup", "--data", dir}, args...)...); code != 2 {
			t.Errorf("lookup %v: exit %d, want 2", args, code)
		}
	}
	if _, stderr, code := run(t, "", "audit", "lookup", "--data", t.TempDir()); code != 2 || !strings.Contains(stderr, "no Warden store") {
		t.Errorf("lookup of an empty directory: exit %d, stderr %q; want 2 and no Warden store", code, stderr)
	}
}

// copyData copies a data directory, to tamper with the copy.
func copyData(t *testing.T, dir string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// execSQL runs queries on the store's database, with the trail's blocks
// laid out as audit_blocks (trailtable) and written back to its segment.
func execSQL(t *testing.T, dir string, queries ...string) {
	t.Helper()
	err := trailtable.Edit(dir, func(db *sql.DB) error {
		for _, q := range queries {
			if _, err := db.Exec(q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAuditVerify(t *testing.T) {
	dir, recs := auditData(t, 10)
	out, stderr, code := run(t, "", "audit", "verify", "--data", dir)
	if code != 0 || !strings.HasPrefix(out, "trail intact: 10 records (1-10), 3 digests, sealed through record 10, verified in ") {
		t.Errorf("intact trail: exit %d, output %q, stderr %q", code, out, stderr)
	}

	tests := []struct {
		name    string
		queries []string
		want    string
	}{
		// One record per block: each call was appended on its own.
		{"record changed", []string{`UPDATE audit_blocks SET data = CAST(replace(CAST(data AS TEXT), '192.0.2.10', '192.0.2.66') AS BLOB) WHERE first_seq = 5`},
			"TAMPERED record 5 (event " + recs[4].EventID + ") was changed: its stored fields do not match its hash"},
		{"record removed", []string{`DELETE FROM audit_blocks WHERE first_seq = 6`}, "TAMPERED records 6-6 are missing (the trail jumps from record 5 to 7)"},
		{"records reordered", []string{`UPDATE audit_blocks SET first_seq = -1 WHERE first_seq = 3`, `UPDATE audit_blocks SET first_seq = 3 WHERE first_seq = 2`, `UPDATE audit_blocks SET first_seq = 2 WHERE first_seq = -1`},
			"TAMPERED records 2-2 appear after records 3-3: the trail is out of order"},
		{"block's time range changed", []string{`UPDATE audit_blocks SET max_time = min_time - 1 WHERE first_seq = 7`},
			"TAMPERED the block of records 7-7 "},
		{"digest changed", []string{`UPDATE audit_digests SET data = CAST(replace(CAST(data AS TEXT), '"records":4', '"records":3') AS BLOB) WHERE seq = 8`},
			"TAMPERED digest 2 of records 5-8: the signature does not match its document: the digest was changed"},
		{"digest removed", []string{`DELETE FROM audit_digests WHERE seq = 4`}, "TAMPERED digests 1-1 are missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := copyData(t, dir)
			execSQL(t, d, tt.queries...)
			out, _, code := run(t, "", "audit", "verify", "--data", d)
			if code != 1 || !strings.Contains(out, tt.want) || !strings.Contains(out, "trail NOT intact: ") {
				t.Errorf("exit %d, output\n%s\nwant exit 1 and %q", code, out, tt.want)
			}
		})
	}

	// JSON names the kind and the record.
	d := copyData(t, dir)
	execSQL(t, d, tests[0].queries...)
	out, _, code = run(t, "", "audit", "verify", "--data", d, "--format", "json")
	var rep struct {
		OK       bool            `json:"ok"`
		Records  int             `json:"records"`
		Problems []audit.Problem `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("verify --format json: %v: %s", err, out)
	}
	if code != 1 || rep.OK || rep.Records != 10 || len(rep.Problems) == 0 || rep.Problems[0].Kind != "record-changed" || rep.Problems[0].Seq != 5 {
		t.Errorf("verify --format json of a changed record: exit %d, %+v", code, rep)
	}

	// A store it cannot read, or the wrong master key: 2.
	if _, _, code := run(t, "", "audit", "verify", "--data", t.TempDir()); code != 2 {
		t.Errorf("verify of an empty directory: exit %d, want 2", code)
	}
	d = copyData(t, dir)
	os.Remove(filepath.Join(d, "master.key"))
	if _, stderr, code := run(t, "", "audit", "verify", "--data", d); code != 2 || !strings.Contains(stderr, "master key") {
		t.Errorf("verify with another master key: exit %d, stderr %q; want 2", code, stderr)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// tail starts `audit tail` with args; stop cancels it and returns its exit
// status.
func tail(t *testing.T, out *syncBuffer, args ...string) (stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- Main(append([]string{"audit", "tail", "--interval", "10ms"}, args...), Env{Stdin: strings.NewReader(""), Stdout: out, Stderr: io.Discard, Now: fixedNow, Context: ctx})
	}()
	return func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(10 * time.Second):
			t.Fatal("audit tail did not stop within 10s of its context's cancellation")
			return -1
		}
	}
}

// waitLines waits until out has n lines.
func waitLines(t *testing.T, out *syncBuffer, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := out.String()
		if lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n"); s != "" && len(lines) >= n {
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("audit tail printed %q; want %d lines", s, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestAuditTail(t *testing.T) {
	dir, recs := auditData(t, 3)
	ctx := context.Background()

	// From record 2: the records there are, oldest first, then the new
	// ones as they are written, until the context is cancelled.
	var out syncBuffer
	stop := tail(t, &out, "--data", dir, "--format", "json", "--from", "2")
	lines := waitLines(t, &out, 2)
	if g, w := eventIDs(jsonLines(t, strings.Join(lines, "\n"))), eventIDs(recs[1:]); !slices.Equal(g, w) {
		t.Errorf("tail --from 2: %v, want %v", g, w)
	}
	key, _ := creds.LoadOrCreateMasterKey(filepath.Join(dir, "master.key"))
	sealer, _ := creds.NewSealer(key)
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tr, err := audit.Open(ctx, st, sealer, audit.Options{Owner: securityAcct, Clock: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	var more []*audit.Record
	for i := 4; i <= 5; i++ {
		r := audit.Records(trailEvent(i))
		if err := tr.Append(ctx, r); err != nil {
			t.Fatal(err)
		}
		more = append(more, r...)
	}
	lines = waitLines(t, &out, 4)
	if g, w := eventIDs(jsonLines(t, strings.Join(lines, "\n"))), eventIDs(append(recs[1:], more...)); !slices.Equal(g, w) {
		t.Errorf("tail after two appends: %v, want %v", g, w)
	}
	if code := stop(); code != 0 {
		t.Errorf("tail exit status %d after its context was cancelled, want 0", code)
	}

	// Text, new records only by default: records are appended until tail
	// prints one, which must be one of them.
	var text syncBuffer
	stop = tail(t, &text, "--data", dir)
	var appended []*audit.Record
	deadline := time.Now().Add(10 * time.Second)
	for text.String() == "" && time.Now().Before(deadline) {
		r := audit.Records(trailEvent(6 + len(appended)))
		if err := tr.Append(ctx, r); err != nil {
			t.Fatal(err)
		}
		appended = append(appended, r...)
		time.Sleep(30 * time.Millisecond)
	}
	lines = waitLines(t, &text, 1)
	found := false
	for _, r := range appended {
		if strings.HasPrefix(lines[0], r.EventTime+"  sts.amazonaws.com "+r.EventName+" ") && strings.Contains(lines[0], "(account "+r.RecipientAccountID+", 192.0.2.10)") {
			found = true
		}
	}
	if !found {
		t.Errorf("tail (text, new records only) printed %q first; want one of the records appended after it started", lines[0])
	}
	if code := stop(); code != 0 {
		t.Errorf("tail exit status %d, want 0", code)
	}
	tr.Close()
}

func TestAuditExport(t *testing.T) {
	dir, recs := auditData(t, 10)
	outDir := t.TempDir()
	out, stderr, code := run(t, "", "audit", "export", "--data", dir, "--out", outDir)

	// Records: one file per account, region and hour.
	logName := regexp.MustCompile(`^AWSLogs/(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4}/\d{2}/\d{2})/(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{2})(\d{2})Z_\d+\.json\.gz$`)
	digestName := regexp.MustCompile(`^AWSLogs/` + securityAcct + `/CloudTrail-Digest/us-east-1/(\d{4}/\d{2}/\d{2})/` + securityAcct + `_CloudTrail-Digest_us-east-1_organization-trail_\d{8}T\d{6}Z_(\d+)\.json\.gz$`)
	var exported []string
	groups := map[string]bool{}
	var digests []string
	err := filepath.WalkDir(outDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(outDir, path)
		rel = filepath.ToSlash(rel)
		body := gunzip(t, path)
		if m := logName.FindStringSubmatch(rel); m != nil {
			var f struct {
				Records []audit.Record `json:"Records"`
			}
			if err := json.Unmarshal(body, &f); err != nil || len(f.Records) == 0 {
				t.Errorf("%s: %v, %d records; want {\"Records\":[...]}", rel, err, len(f.Records))
			}
			if m[1] != m[4] || m[2] != m[5] || m[7] != "00" {
				t.Errorf("%s: the name does not match its directory, or does not name an hour", rel)
			}
			for _, r := range f.Records {
				hour := strings.ReplaceAll(r.EventTime[:13], "-", "")
				if r.RecipientAccountID != m[1] || r.AWSRegion != m[2] || strings.ReplaceAll(r.EventTime[:10], "-", "/") != m[3] || hour != m[6] {
					t.Errorf("%s holds a record of account %s, region %s, time %s", rel, r.RecipientAccountID, r.AWSRegion, r.EventTime)
				}
				exported = append(exported, r.EventID)
			}
			groups[m[1]+" "+m[2]+" "+m[6]] = true
			return nil
		}
		if m := digestName.FindStringSubmatch(rel); m != nil {
			digests = append(digests, m[2])
			verifyExportedDigest(t, dir, rel, body)
			return nil
		}
		t.Errorf("unexpected file %s", rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantGroups := map[string]bool{}
	for _, r := range recs {
		wantGroups[r.RecipientAccountID+" "+r.AWSRegion+" "+strings.ReplaceAll(r.EventTime[:13], "-", "")] = true
	}
	slices.Sort(exported)
	want := eventIDs(recs)
	slices.Sort(want)
	if !slices.Equal(exported, want) || len(groups) != len(wantGroups) {
		t.Errorf("exported records %v in %d files; want every record once, in %d files (one per account, region and hour)", exported, len(groups), len(wantGroups))
	}
	slices.Sort(digests)
	// Named by digest number: a digest of the cadence may end at the same
	// record as the one before.
	if !slices.Equal(digests, []string{"1", "2", "3"}) {
		t.Errorf("digest files numbered %v, want 1, 2 and 3", digests)
	}
	if wantOut := fmt.Sprintf("exported 10 records in %d files to %s\n", len(wantGroups)+3, outDir); code != 0 || out != wantOut {
		t.Errorf("export: exit %d, output %q (stderr %q), want %q", code, out, stderr, wantOut)
	}

	// Existing files are not overwritten.
	if _, stderr, code := run(t, "", "audit", "export", "--data", dir, "--out", outDir); code == 0 || !strings.Contains(stderr, "file exists") {
		t.Errorf("export over an earlier export: exit %d, stderr %q; want a failure", code, stderr)
	}
	if _, _, code := run(t, "", "audit", "export", "--data", dir); code != 2 {
		t.Errorf("export without --out: exit %d, want 2", code)
	}
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return body
}

// verifyExportedDigest checks an exported digest's signature with the
// trail's public key.
func verifyExportedDigest(t *testing.T, dir, name string, body []byte) {
	t.Helper()
	var f struct {
		Digest    json.RawMessage `json:"digest"`
		Signature string          `json:"signature"`
		KeyID     string          `json:"keyId"`
	}
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	ctx := context.Background()
	key, _ := creds.LoadOrCreateMasterKey(filepath.Join(dir, "master.key"))
	sealer, _ := creds.NewSealer(key)
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys, err := audit.PublicKeys(ctx, st, sealer)
	if err != nil || len(keys) != 1 {
		t.Fatalf("public keys: %v, %d", err, len(keys))
	}
	sig, err := hex.DecodeString(f.Signature)
	if err != nil || !ed25519.Verify(keys[0].Public, f.Digest, sig) || f.KeyID != keys[0].ID {
		t.Errorf("%s: the signature does not verify with the trail's key %s (key %s)", name, keys[0].ID, f.KeyID)
	}
}

// `serve --audit-retention` deletes the sealed periods older than the
// retention when it starts; the trail left verifies.
func TestServeAuditRetention(t *testing.T) {
	dir, _ := auditData(t, 10) // records 11:41-11:50, digests ending 11:44, 11:48, 11:50
	if _, stderr, code := run(t, "", "serve", "--data", dir, "--audit-retention", "-1h"); code != 2 || !strings.Contains(stderr, "--audit-retention") {
		t.Errorf("serve --audit-retention -1h: exit %d, stderr %q; want 2", code, stderr)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan int, 1)
	go func() {
		// The clock reads 12:00: a retention of 11 minutes keeps what ends
		// at 11:49 or later, the last period (9-10).
		done <- Main([]string{"serve", "--data", dir, "--listen", "127.0.0.1:0", "--audit-retention", "11m"},
			Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &logs, Now: fixedNow, Context: ctx})
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logs.String(), "audit retention: deleted records") {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not apply the retention within 20s; log:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exit status %d, want 0; log:\n%s", code, logs.String())
	}
	if !strings.Contains(logs.String(), "records=8") {
		t.Errorf("serve's log does not say 8 records were deleted:\n%s", logs.String())
	}
	out, _, code := run(t, "", "audit", "verify", "--data", dir)
	if code != 0 || !strings.HasPrefix(out, "trail intact: 2 records (9-10), 4 digests, sealed through record 10") {
		t.Errorf("verify after retention: exit %d, output %q", code, out)
	}
}

// audit head prints the newest digest's anchor; verify --anchor passes with
// it and fails, naming the anchor, when the trail no longer contains it (here
// a copy cut back to the first digest).
func TestAuditHeadAndAnchor(t *testing.T) {
	dir, _ := auditData(t, 10)
	out, _, code := run(t, "", "audit", "head", "--data", dir, "--format", "json")
	var a audit.Anchor
	if code != 0 || json.Unmarshal([]byte(out), &a) != nil || a.Number != 3 || a.LastSeq != 10 || len(a.Hash) != 64 {
		t.Fatalf("audit head --format json: exit %d, %q", code, out)
	}
	text, _, code := run(t, "", "audit", "head", "--data", dir)
	if code != 0 || !strings.HasPrefix(text, a.Hash+"  digest 3 of ") || !strings.Contains(text, "records up to 10") {
		t.Errorf("audit head: exit %d, %q", code, text)
	}
	file := filepath.Join(t.TempDir(), "anchor.json")
	if err := os.WriteFile(file, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{a.Hash, file} {
		if out, _, code := run(t, "", "audit", "verify", "--data", dir, "--anchor", arg); code != 0 {
			t.Errorf("verify --anchor %s: exit %d, %s", arg, code, out)
		}
	}
	cut := copyData(t, dir)
	// The chain head is the last block's last record.
	execSQL(t, cut, `DELETE FROM audit_digests WHERE no > 1`, `DELETE FROM audit_blocks WHERE first_seq > 4`)
	out, _, code = run(t, "", "audit", "verify", "--data", cut, "--anchor", file)
	if code != 1 || !strings.Contains(out, "TAMPERED the trail does not contain the anchored digest 3") {
		t.Errorf("verify --anchor of a trail cut back: exit %d, %s", code, out)
	}
	if _, stderr, code := run(t, "", "audit", "verify", "--data", dir, "--anchor", "nonsense"); code != 2 || !strings.Contains(stderr, "64 hexadecimal digits") {
		t.Errorf("verify --anchor nonsense: exit %d, %s", code, stderr)
	}
}

// `warden audit lookup --username` finds an Identity Center user's events
// that name the person by identity store user ID alone (IdentityCenterUser:
// the access portal's calls, CreateToken), as well as those that name the
// user (additionalEventData.UserName), and no one else's (IAM Identity
// Center User Guide, "Username in sign-in CloudTrail events"; AWS Security
// Blog, "Modifications to AWS CloudTrail event data of IAM Identity
// Center": no userName in userIdentity since July 14, 2025).
func TestAuditLookupIdentityCenterUsername(t *testing.T) {
	dir := seededDataDir(t)
	ctx := context.Background()
	st, sealer := openDataDir(t, dir)
	dirc := sso.OrgDirectory{Orgs: state.New(st, fixedNow)}
	in, err := dirc.Instance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	users, err := dirc.Users(ctx)
	if err != nil || len(users) < 2 {
		t.Fatalf("the landing zone's Identity Center users: %v %v", users, err)
	}
	alice, other := users[0], users[1]
	tr, err := audit.Open(ctx, st, sealer, audit.Options{Owner: securityAcct, Clock: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	portalCall := func(u sso.User, action string) *api.Event {
		c := &api.Call{Service: "sso", Action: action, RequestID: "req-" + action + u.ID, Now: fixedNow().Add(-time.Minute),
			Person: &creds.OnBehalfOf{UserID: u.ID, UserName: u.UserName, IdentityStoreARN: in.IdentityStoreARN()}, CredentialID: "ps-0123456789abcdef01234567",
			RecipientAccount: in.Account, SourceIP: "192.0.2.10", UserAgent: "test"}
		return &api.Event{Call: c, EventSource: "sso.amazonaws.com", RecipientAccount: in.Account}
	}
	for _, ev := range []*api.Event{portalCall(alice, "ListAccounts"), portalCall(other, "ListAccounts"), trailEvent(1), portalCall(alice, "GetRoleCredentials")} {
		if err := tr.Append(ctx, audit.Records(ev)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, stderr, code := run(t, "", "audit", "lookup", "--data", dir, "--format", "json", "--username", alice.UserName)
	if code != 0 {
		t.Fatalf("lookup --username: exit %d, stderr %s", code, stderr)
	}
	var got []string
	for _, r := range jsonLines(t, out) {
		u := r.UserIdentity
		if u.Type != "IdentityCenterUser" || u.OnBehalfOf == nil || u.OnBehalfOf.UserID != alice.ID || u.UserName != "" {
			t.Errorf("lookup --username %s returned %+v", alice.UserName, u)
		}
		got = append(got, r.EventName)
	}
	if want := []string{"GetRoleCredentials", "ListAccounts"}; !slices.Equal(got, want) {
		t.Errorf("lookup --username %s: %q, want %q", alice.UserName, got, want)
	}
	if stderr != "" {
		t.Errorf("lookup --username: stderr %q, want nothing", stderr)
	}
	// An organization that cannot be read: the lookup still searches by
	// the names the records give, and says what it could not do.
	st, _ = openDataDir(t, dir)
	if _, v, err := st.State(ctx); err != nil {
		t.Fatal(err)
	} else if _, err := st.PutState(ctx, []byte("{not json"), v); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, stderr, code = run(t, "", "audit", "lookup", "--data", dir, "--format", "json", "--username", alice.UserName)
	if code != 0 || out != "" || !strings.Contains(stderr, "Identity Center's user names cannot be read") {
		t.Errorf("lookup --username with an unreadable organization: exit %d, stdout %q, stderr %q; want 0, nothing found and a warning", code, out, stderr)
	}
}
