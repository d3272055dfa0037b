package creds_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store/sqlite"
)

func newKeyring(t testing.TB) *creds.Keyring {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	master, err := creds.NewSealer(creds.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	kr, err := creds.NewKeyring(ctx, st, master, creds.PurposeSessionToken, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func benchSession() *creds.Session {
	now := time.Now().UTC().Truncate(time.Second)
	return &creds.Session{AccessKeyID: "ASIAEXAMPLEEXAMPLE01", Secret: "secretsecretsecretsecretsecretsecret0123", Kind: "assumed-role",
		Principal: "arn:aws:sts::436205817493:assumed-role/OrganizationAccountAccessRole/bench", Account: "436205817493",
		UserID: "AROAEXAMPLEEXAMPLE001:bench", RoleARN: "arn:aws:iam::436205817493:role/OrganizationAccountAccessRole",
		Issued: now, Expires: now.Add(time.Hour), Tags: map[string]string{"team": "payments"}, SourceKeyID: "AKIAEXAMPLEEXAMPLE01"}
}

// BenchmarkKeyringOpen is the opening of a session token, which every
// request made with temporary credentials pays.
func BenchmarkKeyringOpen(b *testing.B) {
	kr := newKeyring(b)
	tok, err := kr.Issue(benchSession())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := kr.Open(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

// A token opens to the session it was issued for, the first time and
// when its session is kept; what a caller does to the returned session
// does not reach the next call's.
func TestKeyringOpenKeepsSessionsApart(t *testing.T) {
	kr := newKeyring(t)
	ctx := context.Background()
	want := benchSession()
	want.PolicyARNs = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}
	want.Federation = map[string][]string{"saml:sub": {"alice"}}
	tok, err := kr.Issue(want)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		got, err := kr.Open(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if got.AccessKeyID != want.AccessKeyID || got.Secret != want.Secret || got.Principal != want.Principal ||
			!got.Expires.Equal(want.Expires) || got.Tags["team"] != "payments" || len(got.PolicyARNs) != 1 ||
			got.PolicyARNs[0] != want.PolicyARNs[0] || len(got.Federation["saml:sub"]) != 1 || got.Federation["saml:sub"][0] != "alice" {
			t.Fatalf("open %d: %+v, want %+v", i, got, want)
		}
		// A caller's changes to its copy: fields, and appends to its
		// slices (capped, so they copy).
		got.Principal, got.Expires = "changed", time.Time{}
		extra := append(got.PolicyARNs, "arn:aws:iam::aws:policy/AdministratorAccess")
		other := append(got.PolicyARNs, "arn:aws:iam::aws:policy/PowerUserAccess")
		if extra[1] == other[1] {
			t.Fatalf("open %d: two appends to the session's PolicyARNs share one array", i)
		}
		fed1 := append(got.Federation["saml:sub"], "mallory")
		fed2 := append(got.Federation["saml:sub"], "eve")
		if fed1[1] == fed2[1] {
			t.Fatalf("open %d: two appends to a Federation key's values share one array", i)
		}
	}
	// A token changed in one character is refused, the original opened.
	bad := []byte(tok)
	bad[len(bad)-3] ^= 1
	if _, err := kr.Open(ctx, string(bad)); err == nil {
		t.Error("a tampered token opened")
	}
	// After a rotation the keys are reloaded; the token opens again with
	// its key (retired, still opening what it issued).
	if err := kr.Rotate(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got, err := kr.Open(ctx, tok); err != nil || got.Principal != want.Principal {
		t.Fatalf("after rotation: %+v, %v", got, err)
	}
}

// Opening more distinct tokens than the kept sessions' bound keeps
// opening each correctly, and concurrent opens of one token agree.
func TestKeyringOpenManyTokens(t *testing.T) {
	kr := newKeyring(t)
	ctx := context.Background()
	const n = 9000 // beyond the 8192 sessions kept
	toks := make([]string, n)
	for i := range toks {
		s := benchSession()
		s.UserID = fmt.Sprintf("AROAEXAMPLE:%d", i)
		var err error
		if toks[i], err = kr.Issue(s); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Go(func() {
			for i := g; i < n; i += 3 {
				got, err := kr.Open(ctx, toks[i])
				if err != nil || got.UserID != fmt.Sprintf("AROAEXAMPLE:%d", i) {
					t.Errorf("token %d: %v, %v", i, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
