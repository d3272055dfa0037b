package detect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
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
	"github.com/securecart/warden/internal/store/sqlite"
	"github.com/securecart/warden/internal/store/storetest"
)

// sdkAgent is the user agent of the AWS SDK for Go v2, as a load test's
// client sends it.
const sdkAgent = "aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.24.1 md/GOOS#linux md/GOARCH#amd64 api/sts#1.33.17 m/E"

// loadTrail returns n events as `warden serve` records them under a
// GetCallerIdentity load, in order of time from start: mostly successful
// GetCallerIdentity calls (IAM users' keys and role sessions), some
// AssumeRole calls, and now and then what the detections look for: an
// access-denied burst, root calls, StopLogging (allowed and refused), the
// revocation of a role's older sessions and those sessions' later calls.
func loadTrail(n int, start time.Time) []*call.Event {
	rng := rand.New(rand.NewPCG(1, 2))
	user := func(acct, name string) *call.Identity {
		return &call.Identity{ARN: "arn:aws:iam::" + acct + ":user/" + name, Account: acct, UserID: "AIDA" + name, Kind: policy.CallerUser,
			AccessKeyID: "AKIA" + acct}
	}
	session := func(acct, role, name string, issued time.Time) *call.Identity {
		return &call.Identity{ARN: "arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + name, Account: acct, UserID: "AROAEXAMPLE:" + name,
			Kind: policy.CallerAssumedRole, AccessKeyID: "ASIA" + acct,
			Session: &creds.Session{RoleARN: "arn:aws:iam::" + acct + ":role/" + role, Account: acct, UserID: "AROAEXAMPLE:" + name, Issued: issued}}
	}
	rootID := &call.Identity{ARN: "arn:aws:iam::" + prod + ":root", Account: prod, UserID: prod, Kind: policy.CallerRoot, AccessKeyID: "AKIAROOT"}
	ev := func(at time.Time, src, action string, id *call.Identity, code string) *call.Event {
		c := &call.Call{Service: src[:len(src)-len(".amazonaws.com")], Action: action, Region: "us-east-1", RequestID: fmt.Sprintf("req-%d", at.UnixNano()),
			Now: at, SourceIP: "127.0.0.1", UserAgent: sdkAgent, Identity: id}
		e := &call.Event{Call: c, EventSource: src, ErrorCode: code}
		if code != "" {
			e.ErrorMessage = "User: " + id.ARN + " is not authorized to perform: " + action
		}
		return e
	}
	var out []*call.Event
	for i := 0; i < n; i++ {
		at := start.Add(time.Duration(i) * 10 * time.Millisecond)
		acct := []string{dev, prod}[i%2]
		issued := start.Add(-time.Hour)
		if i > n/4 {
			issued = start.Add(time.Duration(n/4+1) * 10 * time.Millisecond) // sessions issued after the revocation
		}
		var e *call.Event
		switch k := rng.IntN(1000); {
		case k < 450:
			e = ev(at, "sts.amazonaws.com", "GetCallerIdentity", user(acct, fmt.Sprintf("load-%d", rng.IntN(8))), "")
			e.Call.ReadOnly = true
		case k < 900:
			e = ev(at, "sts.amazonaws.com", "GetCallerIdentity", session(acct, "Load", fmt.Sprintf("worker-%d", rng.IntN(8)), issued), "")
			e.Call.ReadOnly = true
		case k < 960:
			role := "arn:aws:iam::" + prod + ":role/Deploy"
			e = ev(at, "sts.amazonaws.com", "AssumeRole", user(dev, fmt.Sprintf("ci-%d", rng.IntN(4))), "")
			name := fmt.Sprintf("run-%d", i)
			e.Call.RequestParameters = call.Fields{"roleArn": role, "roleSessionName": name}
			e.Call.ResponseElements = call.Fields{"credentials": map[string]string{"accessKeyId": "ASIAEXAMPLE", "expiration": at.Add(time.Hour).Format(time.RFC3339)},
				"assumedRoleUser": map[string]string{"assumedRoleId": "AROAEXAMPLE:" + name, "arn": "arn:aws:sts::" + prod + ":assumed-role/Deploy/" + name}}
			e.Call.Resources = []call.Resource{{ARN: role, Type: "AWS::IAM::Role", Account: prod}}
			if rng.IntN(20) == 0 {
				e.Call.SourceIP = fmt.Sprintf("203.0.113.%d", rng.IntN(250)) // a new network now and then
			}
		case k < 985:
			e = ev(at, "iam.amazonaws.com", "ListUsers", user(dev, fmt.Sprintf("prober-%d", rng.IntN(2))), "AccessDenied")
		case k < 990:
			e = ev(at, "iam.amazonaws.com", "GetAccountSummary", rootID, "")
		case k < 995:
			code := ""
			if rng.IntN(2) == 0 {
				code = "AccessDenied"
			}
			e = ev(at, "cloudtrail.amazonaws.com", "StopLogging", user(prod, "ops"), code)
			e.Call.RequestParameters = call.Fields{"name": "org-trail"}
		default:
			e = ev(at, "sts.amazonaws.com", "GetCallerIdentity", session(acct, "Load", "old", start.Add(-time.Hour)), "")
			e.Call.ReadOnly = true
		}
		if i == n/4 {
			e = ev(at, "iam.amazonaws.com", "PutRolePolicy", user(acct, "admin"), "")
			e.Call.RequestParameters = call.Fields{"roleName": "Load", "policyName": RevokePolicyName,
				"policyDocument": `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"` +
					at.Format(time.RFC3339) + `"}}}]}`}
		}
		out = append(out, e)
	}
	return out
}

// tempStore opens a new SQLite store, closed when the test ends.
func tempStore(tb testing.TB) store.Store {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// storeTrail stores the events' records through the audit trail (its
// encoder, its blocks) in a new SQLite store.
func storeTrail(tb testing.TB, events []*call.Event) store.Store {
	tb.Helper()
	ctx := context.Background()
	st := tempStore(tb)
	sealer, _ := creds.NewSealer(creds.NewKey())
	tr, err := audit.Open(ctx, st, sealer, audit.Options{Owner: prod})
	if err != nil {
		tb.Fatal(err)
	}
	var batch []*audit.Record
	for i, e := range events {
		batch = append(batch, audit.Records(e)...)
		if len(batch) >= 200 || i == len(events)-1 {
			if err := tr.Append(ctx, batch); err != nil {
				tb.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := tr.Close(); err != nil {
		tb.Fatal(err)
	}
	return st
}

// Security Hub's read-back of the trail: a detector reads a stored trail
// of 20,000 records as `warden serve` writes them under a GetCallerIdentity
// load (loadTrail), from the store, per record.
//
//	go test -run '^$' -bench 'Stored$' -count 6 ./internal/detect/
func BenchmarkStored(b *testing.B) {
	const n = 20000
	st := storeTrail(b, loadTrail(n, t0))
	ctx := context.Background()
	var found int
	for b.Loop() {
		d := New(Defaults(), inOrg)
		last, err := d.ReadStored(ctx, st, 0, nil)
		if err != nil || last < n {
			b.Fatal(last, err)
		}
		found = len(d.Findings(time.Time{}))
	}
	if found == 0 {
		b.Fatal("no finding")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
}

// encoded returns the records of events as the audit trail encodes and
// stores them.
func encoded(tb testing.TB, events []*call.Event) [][]byte {
	tb.Helper()
	st := storeTrail(tb, events)
	var out [][]byte
	for from := int64(0); ; {
		recs, err := st.AuditRecords(context.Background(), from, 1000)
		if err != nil {
			tb.Fatal(err)
		}
		for _, r := range recs {
			out = append(out, r.Data)
			from = r.Seq + 1
		}
		if len(recs) < 1000 {
			return out
		}
	}
}

// storeRecords stores datas as a trail's records, in blocks of varying
// sizes.
func storeRecords(tb testing.TB, datas [][]byte) store.Store {
	tb.Helper()
	ctx := context.Background()
	st := tempStore(tb)
	for i, size := 0, 1; i < len(datas); i, size = i+size, size%37+1 {
		block := datas[i:min(i+size, len(datas))]
		err := st.AppendAudit(ctx, func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) {
			return storetest.Chain(lastSeq, lastHash, func(int64) time.Time { return t0 }, block...), nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return st
}

// diverseTrail is a trail on which every rule acts, with records that
// come near what a rule looks for without being it: the load trail's
// records as the trail encodes them, then records of the same shapes with
// one field changed, and records written by hand (members in another
// order, escaped strings, Unicode, null and repeated members, members of
// the same names within the parameters).
func diverseTrail(tb testing.TB) [][]byte {
	tb.Helper()
	base := encoded(tb, loadTrail(3000, t0))
	out := append([][]byte{}, base...)
	// A GetCallerIdentity by an IAM user and one by a role session, as
	// encoded, changed in one place, each change after the record itself
	// (so that its shape is known).
	var user, session []byte
	for _, b := range base {
		s := string(b)
		if strings.Contains(s, `"GetCallerIdentity"`) && strings.Contains(s, `"IAMUser"`) && user == nil {
			user = b
		}
		if strings.Contains(s, `"GetCallerIdentity"`) && strings.Contains(s, `"sessionIssuer"`) && session == nil {
			session = b
		}
	}
	later := func(b []byte, i int) string {
		// Later than the load trail, each change a second apart.
		at := t0.Add(time.Hour + time.Duration(i)*time.Second).Format(time.RFC3339)
		s := string(b)
		j := strings.Index(s, `"eventTime":"`) + len(`"eventTime":"`)
		return s[:j] + at + s[j+len(at):]
	}
	changes := []struct{ old, new string }{
		{`"type":"IAMUser"`, `"type":"Root"`},
		{`"type":"IAMUser"`, `"type":"R\u006fot"`},
		{`"type":"IAMUser"`, `"type":"root"`},
		{`"type":"IAMUser"`, `"type":"Root "`},
		{`"eventType":"AwsApiCall"`, `"eventType":"AwsServiceEvent"`},
		{`"eventSource":"sts.amazonaws.com"`, `"eventSource":"cloudtrail.amazonaws.com"`},
		{`"eventName":"GetCallerIdentity"`, `"eventName":"StopLogging"`},
		{`"eventName":"GetCallerIdentity"`, `"eventName":"AssumeRole"`},
		{`"eventName":"GetCallerIdentity"`, `"eventName":"AssumeRol\u0065"`},
		{`"requestParameters":null`, `"requestParameters":{"roleArn":"arn:aws:iam::` + prod + `:role/Deploy"}`},
		{`"requestParameters":null`, `"requestParameters":{"type":"Root","eventTime":"2030-01-01T00:00:00Z","errorCode":"AccessDenied"}`},
		{`"responseElements":null`, `"responseElements":{"errorCode":"AccessDenied","eventName":"StopLogging"}`},
		{`"userAgent":"`, `"errorCode":"AccessDenied","userAgent":"`},
		{`"userAgent":"`, `"errorCode":"AccessDeniedX","userAgent":"`},
		{`"userAgent":"`, `"errorCode":"Access\u0044enied","userAgent":"`},
		{`"userAgent":"`, `"errorCode":null,"userAgent":"`},
		{`"eventID":"`, `"eventID":"\u0041`},
		{`"eventID":"`, `"eventID":"é`},
		{`"requestID":"`, `"requestID":"\"`},
		{`"sourceIPAddress":"127.0.0.1"`, `"sourceIPAddress":"203.0.113.9"`},
		{`"sourceIPAddress":"127.0.0.1"`, `"sourceIPAddress":"127.0.0.1","sourceIPAddress":"198.51.100.1"`},
		{`"eventCategory":"Management"`, `"eventCategory":"Management","eventTime":"2030-01-01T00:00:00Z"`},
		{`"eventCategory":"Management"`, `"eventCategory":"Management","eventTime":null`},
		{`"eventCategory":"Management"`, `"eventCategory":"Management","eventTime":"not a time"`},
		{`"eventCategory":"Management"`, `"eventCategory":"Management","userIdentity":{"type":"Root"}`},
		{`"userAgent":"aws-sdk`, `"userAgent":"ünïcode \u2028 aws-sdk`},
		{`,"eventSource"`, ` , "eventSource" `},
		{`"creationDate":"2026-03-01T11:00:00Z"`, `"creationDate":"2026-03-01T11:00:00+00:00"`},
		{`"creationDate":"2026-03-01T11:00:00Z"`, `"creationDate":"2030-03-01T11:00:00Z"`},
		{`"sessionIssuer":{"type":"Role"`, `"sessionIssuer":null,"x":{"type":"Role"`},
		{`"arn":"arn:aws:iam::`, `"arn":"arn:aws:iam::`},
	}
	i := 0
	for _, b := range [][]byte{user, session} {
		if b == nil {
			tb.Fatal("no GetCallerIdentity in the load trail")
		}
		for _, c := range changes {
			if !strings.Contains(string(b), c.old) {
				continue
			}
			out = append(out, []byte(later(b, i)))
			i++
			out = append(out, []byte(strings.Replace(later(b, i), c.old, c.new, 1)))
			i++
		}
	}
	// Records written by hand: members in another order, escapes.
	hand := []string{
		`{"eventName":"AssumeRole","eventSource":"sts.amazonaws.com","requestParameters":{"roleArn":"arn:aws:iam::` + prod + `:role/Deploy","roleSessionName":"x"},"sourceIPAddress":"192.0.2.7","recipientAccountId":"` + prod + `","userIdentity":{"accountId":"` + outsider + `","arn":"arn:aws:iam::` + outsider + `:user/eve","type":"IAMUser"},"eventTime":"2026-03-01T14:00:00Z","eventID":"hand-1"}`,
		`{"eventTime":"2026-03-01T14:00:01Z","eventName":"AssumeRoleWithSAML","eventSource":"sts.amazonaws.com","requestParameters":{"roleArn":"arn:aws:iam::` + prod + `:role/Deploy"},"userIdentity":{"accountId":"` + outsider + `","type":"SAMLUser"},"eventID":"hand-2"}`,
		`{"eventTime":"2026-03-01T14:00:02Z","eventSource":"iam.amazonaws.com","eventName":"PutUserPolicy","recipientAccountId":"` + dev + `","requestParameters":{"userName":"bob","policyName":"AWSRevoke\u004flderSessions","policyDocument":"{\"Statement\":{\"Effect\":\"Deny\",\"Condition\":{\"DateLessThan\":{\"aws:TokenIssueTime\":\"2026-03-01T14:00:02Z\"}}}}"},"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::` + dev + `:user/admin"},"eventID":"hand-3"}`,
		`{"userIdentity":{"sessionContext":{"attributes":{"creationDate":"2026-03-01T13:00:00Z"}},"type":"IAMUser","arn":"arn:aws:iam::` + dev + `:user/path/bob","accountId":"` + dev + `"},"eventTime":"2026-03-01T14:00:03Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventID":"hand-4"}`,
		`{"userIdentity":{"sessionContext":{"attributes":{"creationDate":"2026-03-01T15:00:00Z"}},"type":"IAMUser","arn":"arn:aws:iam::` + dev + `:user/bob","accountId":"` + dev + `"},"eventTime":"2026-03-01T15:00:04Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventID":"hand-5"}`,
		`{"eventTime":"2026-03-01T14:00:05Z","eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail","requestParameters":{"name":"t\u00e9st"},"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::` + dev + `:assumed-role/Ops/\u00e9"},"recipientAccountId":"` + dev + `","eventID":"hand-6"}`,
		`{"eventTime":"2026-03-01T14:00:06Z","eventSource":"cloudtrail.amazonaws.com","eventName":"UpdateTrail","errorCode":"AccessDeniedException","requestParameters":{"name":null},"userIdentity":{"type":"IAMUser","accessKeyId":"AKIAHAND"},"eventID":"hand-7"}`,
		`{"eventTime":"2026-03-01T14:00:07Z","eventTime":"2026-03-01T14:00:08Z","userIdentity":{"type":"Root","type":"IAMUser"},"eventID":"hand-8"}`,
		`{"eventTime":"2026-03-01T14:00:09Z","userIdentity":{"type":"IAMUser","type":"Root","accountId":"` + prod + `"},"eventType":"AwsApiCall","eventType":"AwsServiceEvent","eventID":"hand-9"}`,
		`{"eventTime":"2026-03-01T14:00:10Z","userIdentity":{"type":"AWSAccount","accountId":"ANONYMOUS_PRINCIPAL"},"errorCode":"AccessDenied","eventID":"hand-10"}`,
		// Repeated members read as encoding/json reads them: the trail's
		// name is a number, then none, the session none.
		`{"eventTime":"2026-03-01T14:00:11Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","requestParameters":{"name":"t1","name":5},"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::` + dev + `:user/ops2"},"recipientAccountId":"` + dev + `","eventID":"hand-11"}`,
		`{"eventTime":"2026-03-01T14:00:12Z","eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail","requestParameters":{"name":"t2"},"requestParameters":null,"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::` + dev + `:user/ops3"},"recipientAccountId":"` + dev + `","eventID":"hand-12"}`,
		`{"eventTime":"2026-03-01T14:00:13Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::` + dev + `:assumed-role/Load/old","sessionContext":{"attributes":{"creationDate":"2020-01-01T00:00:00Z"},"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::` + dev + `:role/Load"}},"sessionContext":null},"eventID":"hand-13"}`,
		`{"eventTime":"2026-03-01T14:00:14Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::` + dev + `:assumed-role/Load/old","sessionContext":{"attributes":{"creationDate":"2020-01-01T00:00:00Z"}},"sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::` + dev + `:role/Load"}}},"eventID":"hand-14"}`,
		`null`,
		`{}`,
	}
	for _, h := range hand {
		out = append(out, []byte(h))
	}
	return out
}

// Reading the stored trail (ReadStored: records read as views, by their
// shapes, copied only when a rule acts on them) leaves a detector as
// reading every record whole with encoding/json and observing it does:
// the same findings and the same state, on a trail where every rule acts
// and many records come near. The trail is read in several calls, as
// warden serve reads it as it grows.
func TestReadStoredSameAsFullDecoding(t *testing.T) {
	datas := diverseTrail(t)
	st := storeRecords(t, datas)
	cfg := Defaults()
	cfg.MinHistory = 3
	full := New(cfg, inOrg)
	for _, b := range datas {
		var r audit.Record
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		full.Observe(&r)
	}
	fast := New(cfg, inOrg)
	var after int64
	for _, upTo := range []int64{1, 2, 500, 1500, int64(len(datas)) - 5, int64(len(datas))} {
		for after < upTo {
			last, err := fast.ReadStored(context.Background(), readUpTo{st, upTo}, after, nil)
			if err != nil {
				t.Fatal(err)
			}
			after = last
		}
	}
	if after != int64(len(datas)) {
		t.Fatalf("read up to %d of %d records", after, len(datas))
	}
	got, want := fast.Findings(time.Time{}), full.Findings(time.Time{})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n%+v\nwant (encoding/json):\n%+v", got, want)
	}
	kinds := map[string]bool{}
	for _, f := range want {
		kinds[f.Kind.Name] = true
	}
	for _, k := range []Kind{RootCredentialUsage, CloudTrailLoggingDisabled, DefenseEvasion, Discovery, InitialAccess, RevokedSessionUsage} {
		if !kinds[k.Name] {
			t.Errorf("no %s finding: the trail does not exercise every rule", k.Name)
		}
	}
	if !fast.latest.Equal(full.latest) || !reflect.DeepEqual(fast.denied, full.denied) || !reflect.DeepEqual(fast.assumeAccounts, full.assumeAccounts) ||
		!reflect.DeepEqual(fast.sources, full.sources) || !reflect.DeepEqual(fast.history, full.history) || !reflect.DeepEqual(fast.revoked, full.revoked) {
		t.Errorf("state differs: latest %v / %v, revoked %v / %v", fast.latest, full.latest, fast.revoked, full.revoked)
	}
	// Most of the trail is GetCallerIdentity calls by a few callers: read
	// by their shapes, so that the comparison covers that path.
	if st := fast.reader.shapes.stats; st.records != len(datas) || st.hits < len(datas)/2 {
		t.Errorf("%d of %d records read by their shapes (%d looked up): want at least half", st.hits, len(datas), st.records)
	}
	t.Logf("%d of %d records read by their shapes", fast.reader.shapes.stats.hits, len(datas))
}

// readUpTo is a store whose trail ends at record last.
type readUpTo struct {
	store.Store
	last int64
}

func (s readUpTo) ScanAudit(ctx context.Context, fromSeq int64, limit int, fn func(seq int64, data []byte) error) error {
	return s.Store.(store.AuditScanner).ScanAudit(ctx, fromSeq, min(limit, int(s.last-fromSeq+1)), fn)
}

// A rule's when changes nothing (ReadStored asks every rule's when before
// observe asks them again): on the diverse trail, asking them leaves the
// detector as it was.
func TestWhenChangesNothing(t *testing.T) {
	d := New(Defaults(), inOrg)
	state := func() string {
		counts := map[string]int{}
		for id, f := range d.findings {
			counts[id] = f.Count
		}
		return fmt.Sprint(d.latest, d.denied, d.assumeAccounts, d.sources, d.history, d.revoked, counts)
	}
	acted := 0
	for _, b := range diverseTrail(t) {
		var r audit.Record
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		before := state()
		for _, rl := range rules {
			if rl.when(d, &r) {
				acted++
			}
		}
		d.acts(&r)
		if after := state(); after != before {
			t.Fatalf("%s: asking the rules' when changed the detector:\n%s\n%s", b, before, after)
		}
		d.Observe(&r)
	}
	if acted == 0 {
		t.Fatal("no rule acted")
	}
}

// A record ReadStored cannot read (a damaged store) is skipped and
// reported once: the detections go on with the records after it, which a
// reader stopping there would never read again.
func TestReadStoredSkipsUnreadable(t *testing.T) {
	good := []*audit.Record{root(dev).record(), root(prod).record(),
		rec{who: "arn:aws:iam::" + prod + ":user/ops", typ: "IAMUser", acct: prod, src: "cloudtrail.amazonaws.com", event: "StopLogging",
			params: map[string]any{"name": "org-trail"}, at: time.Minute}.record()}
	datas := [][]byte{must(json.Marshal(good[0])), []byte(`{"eventTime":5}`), []byte(`{"eventTime":"2026-03-01T12:00:00Z","userIdentity":{"type":"Root"`),
		must(json.Marshal(good[1])), must(json.Marshal(good[2]))}
	want := New(Defaults(), inOrg)
	for _, r := range good {
		want.Observe(r)
	}
	st := storeRecords(t, datas)
	for name, st := range map[string]store.Store{"scanner": st, "records": struct{ store.Store }{st}} {
		d := New(Defaults(), inOrg)
		last, err := d.ReadStored(t.Context(), st, 0, nil)
		var skipped *SkippedError
		if !errors.As(err, &skipped) || skipped.Count != 2 || len(skipped.Records) != 2 || skipped.Records[0].Seq != 2 || skipped.Records[1].Seq != 3 {
			t.Fatalf("%s: %v; want records 2 and 3 skipped", name, err)
		}
		if last != int64(len(datas)) {
			t.Errorf("%s: read up to %d of %d", name, last, len(datas))
		}
		if got, want := d.Findings(time.Time{}), want.Findings(time.Time{}); !reflect.DeepEqual(got, want) || len(got) != 3 {
			t.Errorf("%s: findings\n%+v\nwant those of the readable records:\n%+v", name, got, want)
		}
		if last, err := d.ReadStored(t.Context(), st, last, nil); err != nil || last != int64(len(datas)) {
			t.Errorf("%s: read again: %d, %v", name, last, err)
		}
	}
}

// ReadStored reports its progress every progressEvery records, within a
// batch, and stops there when its context is done.
func TestReadStoredProgressAndCancel(t *testing.T) {
	const n = 2*progressEvery + 100
	datas := make([][]byte, n)
	for i := range datas {
		datas[i] = callerRecord(i, "w", sdkAgent)
	}
	st := storeRecords(t, datas)
	var seen []int64
	last, err := New(Defaults(), inOrg).ReadStored(t.Context(), st, 0, func(seq int64) { seen = append(seen, seq) })
	if err != nil || last != n || !reflect.DeepEqual(seen, []int64{progressEvery, 2 * progressEvery, n}) {
		t.Errorf("read up to %d (%v), progress at %v; want %d, at %d, %d and %d", last, err, seen, n, progressEvery, 2*progressEvery, n)
	}
	ctx, cancel := context.WithCancel(t.Context())
	last, err = New(Defaults(), inOrg).ReadStored(ctx, st, 0, func(int64) { cancel() })
	if !errors.Is(err, context.Canceled) || last < progressEvery || last >= n {
		t.Errorf("canceled at record %d: read up to %d, %v; want it to stop before the end with context.Canceled", progressEvery, last, err)
	}
}

// ReadStored keeps no view of the store's buffers once it returns (the
// store reuses them): the readers' bytes, names, parameters and session,
// the shapes' cut values.
func TestReadStoredKeepsNoViews(t *testing.T) {
	datas := diverseTrail(t)
	d := New(Defaults(), inOrg)
	if _, err := d.ReadStored(t.Context(), storeRecords(t, datas), 0, nil); err != nil {
		t.Fatal(err)
	}
	rd := d.reader
	for name, rr := range map[string]*recordReader{"view": &rd.view, "own": &rd.own} {
		if rr.lex.b != nil || len(rr.lex.path) != 0 || slices.ContainsFunc(rr.lex.path[:cap(rr.lex.path)], func(b []byte) bool { return b != nil }) {
			t.Errorf("%s reader: bytes %d, path %q", name, len(rr.lex.b), rr.lex.path[:cap(rr.lex.path)])
		}
		if len(rr.viewParams) != 0 || rr.viewSC != (audit.SessionContext{}) || rr.viewSI != (audit.SessionIssuer{}) {
			t.Errorf("%s reader: parameters %v, session %+v, issuer %+v", name, rr.viewParams, rr.viewSC, rr.viewSI)
		}
	}
	if slices.ContainsFunc(rd.shapes.vals[:], func(b []byte) bool { return b != nil }) {
		t.Errorf("shapes' cut values %q", rd.shapes.vals)
	}
}
