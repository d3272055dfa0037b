package detect

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/audit"
)

const (
	dev      = "222222222222"
	prod     = "444444444444"
	outsider = "999999999999"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func inOrg(a string) bool { return a == dev || a == prod }

// rec builds a CloudTrail record by a caller.
type rec struct {
	who, typ, acct, key, src, event, code, issued, issuer, ip string
	params                                                    map[string]any
	at                                                        time.Duration
	service                                                   bool
}

func (x rec) record() *audit.Record {
	r := &audit.Record{EventTime: t0.Add(x.at).Format(time.RFC3339), EventSource: x.src, EventName: x.event,
		ErrorCode: x.code, AWSRegion: "us-east-1", SourceIPAddress: x.ip, RecipientAccountID: x.acct,
		EventID: fmt.Sprintf("ev-%s-%v", x.event, x.at), EventType: "AwsApiCall", RequestParameters: map[string]any{}}
	if x.ip == "" {
		r.SourceIPAddress = "198.51.100.7"
	}
	if x.service {
		r.EventType = "AwsServiceEvent"
	}
	if x.params != nil {
		r.RequestParameters = x.params
	}
	r.UserIdentity = audit.UserIdentity{Type: x.typ, ARN: x.who, AccountID: x.acct, AccessKeyID: x.key}
	if x.issued != "" {
		r.UserIdentity.SessionContext = &audit.SessionContext{Attributes: audit.SessionAttributes{CreationDate: x.issued},
			SessionIssuer: &audit.SessionIssuer{Type: "Role", ARN: x.issuer, AccountID: x.acct}}
	}
	return r
}

// run feeds records through a detector with the defaults (or cfg) and
// returns the findings by type name.
func run(t *testing.T, cfg *Config, recs ...rec) map[string][]Finding {
	t.Helper()
	c := Defaults()
	if cfg != nil {
		c = *cfg
	}
	// Every record goes through JSON, as the trail stores it, and is read
	// back three times: whole (encoding/json, as ReadLogs reads files),
	// with recordReader, and from a store as ReadStored reads it (as views,
	// by shapes, copied when a rule acts); the detectors must agree.
	d, slim, stored := New(c, inOrg), New(c, inOrg), New(c, inOrg)
	var rr recordReader
	var datas [][]byte
	for _, x := range recs {
		r := x.record()
		b, _ := json.Marshal(r)
		datas = append(datas, b)
		var back, part audit.Record
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		d.Observe(&back)
		if err := rr.decode(b, &part); err != nil {
			t.Fatal(err)
		}
		slim.Observe(&part)
	}
	if full, part := d.Findings(time.Time{}), slim.Findings(time.Time{}); !reflect.DeepEqual(full, part) {
		t.Fatalf("findings from the records read whole:\n%+v\nread by recordReader:\n%+v", full, part)
	}
	if len(datas) > 0 {
		if _, err := stored.ReadStored(t.Context(), storeRecords(t, datas), 0, nil); err != nil {
			t.Fatal(err)
		}
		if full, part := d.Findings(time.Time{}), stored.Findings(time.Time{}); !reflect.DeepEqual(full, part) {
			t.Fatalf("findings from the records read whole:\n%+v\nread from the store:\n%+v", full, part)
		}
	}
	out := map[string][]Finding{}
	for _, f := range d.Findings(time.Time{}) {
		out[f.Kind.Name] = append(out[f.Kind.Name], f)
	}
	return out
}

func root(acct string) rec {
	return rec{who: "arn:aws:iam::" + acct + ":root", typ: "Root", acct: acct, key: "AKIAROOTROOTROOT0001", src: "iam.amazonaws.com", event: "ListUsers"}
}

// Policy:IAMUser/RootCredentialUsage
// (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html#policy-iam-rootcredentialusage):
// "the root credentials ... are being used to make requests". The twin: the
// same request by an IAM user of the account.
func TestRootCredentialUsage(t *testing.T) {
	got := run(t, nil, root(dev), func() rec { r := root(dev); r.at = time.Minute; r.event = "GetAccountSummary"; return r }())
	f := got[RootCredentialUsage.Name]
	if len(f) != 1 || f[0].Account != dev || f[0].Count != 2 {
		t.Fatalf("root use: %+v; want one finding in %s counting 2 calls", f, dev)
	}
	user := rec{who: "arn:aws:iam::" + dev + ":user/ops", typ: "IAMUser", acct: dev, src: "iam.amazonaws.com", event: "ListUsers"}
	if got := run(t, nil, user); len(got) != 0 {
		t.Errorf("an IAM user's call: %v; want no finding", got)
	}
	svc := root(dev)
	svc.service = true
	if got := run(t, nil, svc); len(got) != 0 {
		t.Errorf("an AwsServiceEvent of the root: %v; want no finding", got)
	}
}

// Stealth:IAMUser/CloudTrailLoggingDisabled
// (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html#stealth-iam-cloudtrailloggingdisabled):
// "a successful deletion or update of a trail"; a refused StopLogging is
// DefenseEvasion:IAMUser/AnomalousBehavior
// (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html#defenseevasion-iam-anomalousbehavior).
// The twin: StartLogging and GetTrailStatus.
func TestTrailStop(t *testing.T) {
	admin := "arn:aws:sts::" + prod + ":assumed-role/Admin/eve"
	stop := rec{who: admin, typ: "AssumedRole", acct: prod, src: "cloudtrail.amazonaws.com", event: "StopLogging", params: map[string]any{"name": "org-trail"}}
	got := run(t, nil, stop)
	if f := got[CloudTrailLoggingDisabled.Name]; len(f) != 1 || !strings.Contains(f[0].Description, "org-trail") {
		t.Fatalf("StopLogging: %+v; want Stealth:IAMUser/CloudTrailLoggingDisabled naming the trail", got)
	}
	del := stop
	del.event, del.code = "DeleteTrail", "AccessDenied"
	got = run(t, nil, del)
	if len(got[DefenseEvasion.Name]) != 1 || len(got[CloudTrailLoggingDisabled.Name]) != 0 {
		t.Fatalf("a refused DeleteTrail: %v; want DefenseEvasion:IAMUser/AnomalousBehavior only", got)
	}
	for _, name := range []string{"StartLogging", "GetTrailStatus", "DescribeTrails"} {
		twin := stop
		twin.event = name
		if got := run(t, nil, twin); len(got) != 0 {
			t.Errorf("%s: %v; want no finding", name, got)
		}
	}
}

func deniedCall(who string, at time.Duration) rec {
	return rec{who: who, typ: "AssumedRole", acct: dev, src: "iam.amazonaws.com", event: "GetRolePolicy", code: "AccessDenied", at: at}
}

// Discovery:IAMUser/AnomalousBehavior
// (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html#discovery-iam-anomalousbehavior;
// anomalous-behavior findings list the unsuccessful calls with their
// error, https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings-summary.html#finding-anomalous):
// DeniedCount denials of one principal within DeniedWindow. The twins: one
// denial fewer; the same count spread wider than the window; the same count
// shared by two principals.
func TestAccessDeniedBurst(t *testing.T) {
	cfg := Defaults()
	cfg.DeniedCount, cfg.DeniedWindow = 5, time.Minute
	who := "arn:aws:sts::" + dev + ":assumed-role/Developer/mallory"
	var burst, fewer, spread, shared []rec
	for i := 0; i < 5; i++ {
		burst = append(burst, deniedCall(who, time.Duration(i)*10*time.Second))
		if i < 4 {
			fewer = append(fewer, deniedCall(who, time.Duration(i)*10*time.Second))
		}
		spread = append(spread, deniedCall(who, time.Duration(i)*20*time.Second))
		other := who
		if i%2 == 0 {
			other = "arn:aws:sts::" + dev + ":assumed-role/Developer/bob"
		}
		shared = append(shared, deniedCall(other, time.Duration(i)*10*time.Second))
	}
	got := run(t, &cfg, burst...)
	f := got[Discovery.Name]
	if len(f) != 1 || f[0].Principal != who || f[0].Count != 1 {
		t.Fatalf("5 denials in 40s: %+v; want one Discovery:IAMUser/AnomalousBehavior for %s", got, who)
	}
	// Further denials in the burst update the finding, not duplicate it.
	more := append(burst, deniedCall(who, 45*time.Second), deniedCall(who, 50*time.Second))
	if f := run(t, &cfg, more...)[Discovery.Name]; len(f) != 1 || f[0].Count != 3 {
		t.Errorf("7 denials: %+v; want the one finding, counted 3 times", f)
	}
	for name, twin := range map[string][]rec{"4 denials": fewer, "5 denials over 80s": spread, "5 denials of 2 principals": shared} {
		if got := run(t, &cfg, twin...); len(got) != 0 {
			t.Errorf("%s: %v; want no finding", name, got)
		}
	}
}

func assume(who, acct, ip string, at time.Duration) rec {
	return rec{who: who, typ: "AssumedRole", acct: acct, src: "sts.amazonaws.com", event: "AssumeRole", at: at,
		params: map[string]any{"roleArn": "arn:aws:iam::" + prod + ":role/Deploy", "roleSessionName": "s"}}.withIP(ip)
}

func (x rec) withIP(ip string) rec { x.ip = ip; return x }

// InitialAccess:IAMUser/AnomalousBehavior
// (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html#initialaccess-iam-anomalousbehavior):
// an AssumeRole from an account outside the organization not seen in the
// baseline; the twins: the same account again within the baseline, and an
// account of the organization.
func TestAssumeRoleUnusualAccount(t *testing.T) {
	ext := assume("arn:aws:iam::"+outsider+":user/vendor", outsider, "203.0.113.5", 0)
	got := run(t, nil, ext)
	if f := got[InitialAccess.Name]; len(f) != 1 || f[0].Account != prod || !strings.Contains(f[0].Description, outsider) {
		t.Fatalf("AssumeRole from %s: %+v; want InitialAccess:IAMUser/AnomalousBehavior in %s", outsider, got, prod)
	}
	again := ext
	again.at = 24 * time.Hour
	if f := run(t, nil, ext, again)[InitialAccess.Name]; len(f) != 1 || f[0].Count != 1 {
		t.Errorf("the same account the next day: %+v; want only the first call's finding", f)
	}
	if got := run(t, nil, assume("arn:aws:sts::"+dev+":assumed-role/CI/run", dev, "203.0.113.5", 0)); len(got) != 0 {
		t.Errorf("AssumeRole from the organization's account: %v; want no finding", got)
	}
	refused := ext
	refused.code = "AccessDenied"
	if got := run(t, nil, refused); len(got[InitialAccess.Name]) != 0 {
		t.Errorf("a refused AssumeRole: %v; want no InitialAccess finding", got)
	}
}

// InitialAccess:IAMUser/AnomalousBehavior for an unusual source: a
// principal with MinHistory calls from its network calls from another. The
// twins: another address of its /24, and a principal with too little
// history.
func TestAssumeRoleUnusualSource(t *testing.T) {
	who := "arn:aws:sts::" + dev + ":assumed-role/CI/run"
	var usual []rec
	for i := 0; i < 5; i++ {
		usual = append(usual, assume(who, dev, "192.0.2.10", time.Duration(i)*time.Hour))
	}
	got := run(t, nil, append(usual, assume(who, dev, "198.51.100.99", 6*time.Hour))...)
	if f := got[InitialAccess.Name]; len(f) != 1 || !strings.Contains(f[0].Description, "198.51.100.0/24") {
		t.Fatalf("a new network after 5 calls: %+v; want InitialAccess:IAMUser/AnomalousBehavior naming it", got)
	}
	if got := run(t, nil, append(usual, assume(who, dev, "192.0.2.200", 6*time.Hour))...); len(got) != 0 {
		t.Errorf("another address of the usual /24: %v; want no finding", got)
	}
	if got := run(t, nil, append(usual[:4], assume(who, dev, "198.51.100.99", 6*time.Hour))...); len(got) != 0 {
		t.Errorf("a new network after 4 calls (min history 5): %v; want no finding", got)
	}
}

const revokeDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-03-01T12:30:00Z"}}}]}`

// UnauthorizedAccess:IAMUser/RevokedSessionUsage: a session issued before
// AWSRevokeOlderSessions's time calls after the policy was put
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html).
// The twins: a session issued after the revocation time; a call before the
// policy was put; another policy name.
func TestRevokedSessionUsage(t *testing.T) {
	role := "arn:aws:iam::" + dev + ":role/team/Developer"
	put := rec{who: "arn:aws:sts::" + dev + ":assumed-role/Admin/sec", typ: "AssumedRole", acct: dev, src: "iam.amazonaws.com",
		event: "PutRolePolicy", at: 31 * time.Minute, params: map[string]any{"roleName": "Developer", "policyName": "AWSRevokeOlderSessions", "policyDocument": revokeDoc}}
	use := func(issued string, at time.Duration) rec {
		return rec{who: "arn:aws:sts::" + dev + ":assumed-role/Developer/mallory", typ: "AssumedRole", acct: dev, key: "ASIAOLDSESSION00001",
			src: "s3.amazonaws.com", event: "ListBuckets", code: "AccessDenied", issued: issued, issuer: role, at: at}
	}
	old := "2026-03-01T12:10:00Z"
	got := run(t, nil, put, use(old, 40*time.Minute))
	if f := got[RevokedSessionUsage.Name]; len(f) != 1 || f[0].AccessKeyID != "ASIAOLDSESSION00001" {
		t.Fatalf("an old session after the revocation: %+v; want UnauthorizedAccess:IAMUser/RevokedSessionUsage", got)
	}
	if got := run(t, nil, put, use("2026-03-01T12:35:00Z", 40*time.Minute)); len(got[RevokedSessionUsage.Name]) != 0 {
		t.Errorf("a session issued after the revocation time: %v; want no finding", got)
	}
	if got := run(t, nil, use(old, 20*time.Minute), put); len(got[RevokedSessionUsage.Name]) != 0 {
		t.Errorf("a call before the revocation was put: %v; want no finding", got)
	}
	other := put
	other.params = map[string]any{"roleName": "Developer", "policyName": "DenyOld", "policyDocument": revokeDoc}
	if got := run(t, nil, other, use(old, 40*time.Minute)); len(got[RevokedSessionUsage.Name]) != 0 {
		t.Errorf("a policy not named AWSRevokeOlderSessions: %v; want no finding", got)
	}
}

// A finding whose activity stopped for ArchiveAfter is archived, as
// Security Hub archives findings not updated for 90 days; its ASFF is
// GuardDuty's.
func TestArchiveAndASFF(t *testing.T) {
	d := New(Defaults(), inOrg)
	d.Observe(root(dev).record())
	f := d.Findings(t0.Add(89 * 24 * time.Hour))
	if len(f) != 1 || f[0].Archived {
		t.Fatalf("after 89 days: %+v; want an active finding", f)
	}
	f = d.Findings(t0.Add(90 * 24 * time.Hour))
	if !f[0].Archived {
		t.Fatalf("after 90 days: want the finding archived")
	}
	a := f[0].ToASFF("us-east-1")
	if a.ProductArn != "arn:aws:securityhub:us-east-1::product/aws/guardduty" || a.Types[0] != "TTPs/Policy:IAMUser-RootCredentialUsage" ||
		a.RecordState != "ARCHIVED" || !strings.HasPrefix(a.ID, a.GeneratorID+"/finding/") || a.Severity.Label != "LOW" || a.Severity.Product != 2 {
		t.Errorf("ASFF: %+v", a)
	}
	b, _ := json.Marshal(a)
	if strings.Contains(string(b), `"Compliance"`) {
		t.Errorf("a GuardDuty finding has no Compliance: %s", b)
	}
}

// Logs: a CloudTrail log file ({"Records":[...]}) and JSON lines.
func TestReadLogs(t *testing.T) {
	dir := t.TempDir()
	r1, r2 := root(dev).record(), root(prod).record()
	file, _ := json.Marshal(map[string]any{"Records": []*audit.Record{r2}})
	line, _ := json.Marshal(r1)
	os.WriteFile(filepath.Join(dir, "a.json"), file, 0o600)
	os.WriteFile(filepath.Join(dir, "b.jsonl"), append(line, '\n'), 0o600)
	recs, err := ReadLogs([]string{dir})
	if err != nil || len(recs) != 2 {
		t.Fatalf("ReadLogs: %d records, %v", len(recs), err)
	}
	os.WriteFile(filepath.Join(dir, "c.jsonl"), []byte("{\"eventTime\":\"x\"}\nnot json\n"), 0o600)
	if _, err := ReadLogs([]string{dir}); err == nil || !strings.Contains(err.Error(), "c.jsonl:2") {
		t.Errorf("a malformed line: %v; want file:line", err)
	}
}
