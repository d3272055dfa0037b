package audit_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/policy"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/sqlite"
)

// lookupTrail writes n records of varied calls (event names, sources,
// access keys, resources whose names need JSON's escapes or not, two
// accounts) and returns the store.
func lookupTrail(tb testing.TB, n int) store.Store {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	sealer, _ := creds.NewSealer(creds.NewKey())
	tr, err := audit.Open(ctx, st, sealer, audit.Options{Owner: "218364950271", DigestEvery: 1000, Clock: func() time.Time { return t0 }})
	if err != nil {
		tb.Fatal(err)
	}
	services := []struct{ service, action, source string }{
		{"sts", "GetCallerIdentity", "sts.amazonaws.com"}, {"sts", "AssumeRole", "sts.amazonaws.com"},
		{"iam", "CreateRole", "iam.amazonaws.com"}, {"s3", "PutObject", "s3.amazonaws.com"},
	}
	resources := []string{"arn:aws:iam::111122223333:role/Deploy", "arn:aws:s3:::logs/a&b<c>", "arn:aws:s3:::logs/ünïcode",
		`arn:aws:s3:::logs/quote"d`, "arn:aws:iam::444455556666:role/path/Deploy-2"}
	var batch []*audit.Record
	icUsers := []string{"544894e8-80c1-707f-60e3-3ba6510dfac1", "94d00cd8-e9e6-4810-b177-b08e84725435"}
	for i := range n {
		s := services[i%len(services)]
		acct := []string{"111122223333", "444455556666"}[i%2]
		c := &call.Call{Service: s.service, Action: s.action, Region: "us-east-1", RequestID: fmt.Sprintf("req-%d", i),
			Now: t0.Add(time.Duration(i) * time.Millisecond), SourceIP: "127.0.0.1", UserAgent: "test", ReadOnly: i%3 == 0,
			Identity: &call.Identity{ARN: "arn:aws:iam::" + acct + ":user/u" + fmt.Sprint(i%5), Account: acct, UserID: "AIDA" + fmt.Sprint(i%5),
				Kind: policy.CallerUser, AccessKeyID: fmt.Sprintf("AKIAEXAMPLE%d", i%7)}}
		switch i % 11 {
		case 3: // the root user
			c.Identity = &call.Identity{ARN: "arn:aws:iam::" + acct + ":root", Account: acct, UserID: acct, Kind: policy.CallerRoot, AccessKeyID: "AKIAROOT"}
		case 5, 6: // an Identity Center user at the portal, named by ID alone
			c.Identity, c.Service, c.Action, c.RecipientAccount = nil, "sso", "ListAccounts", acct
			c.Person = &creds.OnBehalfOf{UserID: icUsers[i%2], IdentityStoreARN: "arn:aws:identitystore::" + acct + ":identitystore/d-9067642ac7"}
			c.CredentialID = "ps-" + fmt.Sprint(i)
		}
		if i%4 != 0 {
			arn := resources[i%len(resources)]
			c.Resources = []call.Resource{{ARN: arn, Type: []string{"AWS::IAM::Role", "AWS::S3::Object"}[i%2], Account: acct}}
		}
		batch = append(batch, audit.Records(&call.Event{Call: c, EventSource: s.source})...)
		if len(batch) >= 50 || i == n-1 {
			if err := tr.Append(ctx, batch); err != nil {
				tb.Fatal(err)
			}
			batch = nil
		}
	}
	if err := tr.Close(); err != nil {
		tb.Fatal(err)
	}
	return st
}

// A lookup decodes only the records whose bytes can match its attribute's
// value; it finds exactly what matching every decoded record finds, for
// every attribute, for values that JSON writes as they are and values it
// escapes (which are matched by decoding every record), in every account.
func TestLookupFindsWhatMatchFinds(t *testing.T) {
	ctx := context.Background()
	st := lookupTrail(t, 400)
	all, _, err := audit.Lookup(ctx, st, audit.Filter{}, 0, 1<<20)
	if err != nil || len(all) != 400 {
		t.Fatalf("every record: %d, %v", len(all), err)
	}
	filters := []audit.Filter{}
	for _, attr := range []string{"EventName", "EventId", "EventSource", "AccessKeyId", "ResourceType", "ResourceName", "Username", "ReadOnly"} {
		for _, v := range []string{"AssumeRole", "PutObject", "sts.amazonaws.com", "AKIAEXAMPLE3", "AWS::S3::Object", "Deploy", "Deploy-2",
			"path/Deploy-2", "a&b<c>", "ünïcode", `quote"d`, "arn:aws:iam::111122223333:role/Deploy", "u3", "true", "false", "role", "",
			all[17].Record.EventID, "NoSuchEvent"} {
			filters = append(filters, audit.Filter{Attribute: attr, Value: v})
		}
	}
	people := map[string]string{"544894e8-80c1-707f-60e3-3ba6510dfac1": "alice@securecart.example", "94d00cd8-e9e6-4810-b177-b08e84725435": "u3",
		"gone": "bob@securecart.example"}
	for _, v := range []string{"alice@securecart.example", "u3", "bob@securecart.example", "root", "AKIAROOT", "nobody"} {
		filters = append(filters, audit.Filter{Attribute: "Username", Value: v, People: people}, audit.Filter{Attribute: "Username", Value: v})
	}
	for _, f := range slices.Clone(filters) {
		f.Account = "444455556666"
		filters = append(filters, f)
	}
	for _, f := range filters {
		var want []string
		for _, r := range all {
			if f.Match(&r.Record, r.Record.RecipientAccountID) {
				want = append(want, r.Record.EventID)
			}
		}
		got, _, err := audit.Lookup(ctx, st, f, 0, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range got {
			ids = append(ids, r.Record.EventID)
		}
		if !slices.Equal(ids, want) {
			t.Errorf("Lookup(%s=%q, account %q): %d records, want the %d that match", f.Attribute, f.Value, f.Account, len(ids), len(want))
		}
	}
	// Each kind of user name is found: an IAM user's, the root user's, an
	// Identity Center user's by the ID the records name them by.
	for _, v := range []string{"u3", "root", "alice@securecart.example"} {
		got, _, err := audit.Lookup(ctx, st, audit.Filter{Attribute: "Username", Value: v, People: people}, 0, 1<<20)
		if err != nil || len(got) == 0 {
			t.Errorf("Username %q: %d records, %v; want some", v, len(got), err)
		}
	}
	// The escaped values are found where they are.
	for _, v := range []string{"a&b<c>", "ünïcode", `quote"d`} {
		got, _, err := audit.Lookup(ctx, st, audit.Filter{Attribute: "ResourceName", Value: v}, 0, 1<<20)
		if err != nil || len(got) == 0 {
			t.Errorf("ResourceName %q: %d records, %v; want some", v, len(got), err)
		}
	}
}

// A lookup that matches nothing reads every record: what it costs per
// record.
func BenchmarkLookupNoMatch(b *testing.B) {
	ctx := context.Background()
	st := lookupTrail(b, 20000)
	for _, f := range []struct {
		name string
		audit.Filter
	}{
		{"EventName", audit.Filter{Attribute: "EventName", Value: "NoSuchEvent"}},
		{"Username", audit.Filter{Attribute: "Username", Value: "nobody"}},
		// A value JSON escapes: every record is decoded.
		{"decoded", audit.Filter{Attribute: "Username", Value: "nobody<>"}},
	} {
		b.Run(f.name, func(b *testing.B) {
			for b.Loop() {
				got, _, err := audit.Lookup(ctx, st, f.Filter, 0, 50)
				if err != nil || len(got) != 0 {
					b.Fatal(len(got), err)
				}
			}
			b.ReportMetric(float64(b.N)*20000/b.Elapsed().Seconds(), "records/s")
		})
	}
}
