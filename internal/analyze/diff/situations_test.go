package diff

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
)

// genEdited loads org.Generate(accounts, roles, 1) and a copy with each
// (old, new) replaced once.
func genEdited(t *testing.T, accounts, roles int, edits ...[2]string) (*org.Org, *org.Org) {
	t.Helper()
	src := string(org.Generate(accounts, roles, 1))
	loadSrc := func(s string) *org.Org {
		o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(s)}}, "org.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	old := loadSrc(src)
	for _, e := range edits {
		if !strings.Contains(src, e[0]) {
			t.Fatalf("generated org has no %q", e[0])
		}
		src = strings.Replace(src, e[0], e[1], 1)
	}
	return old, loadSrc(src)
}

// triples are a report's changes flattened: direction, principal and
// action class, one per principal.
func triples(rep *Report) []string {
	seen := map[string]bool{}
	for _, c := range rep.Changes {
		cls := fmt.Sprintf("%s/%d", strings.ToLower(strings.Join(c.Actions, ",")), c.ActionCount)
		for _, p := range c.Principals {
			seen[c.Change+" "+p+" "+cls] = true
		}
	}
	var out []string
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// verifyMembers checks every change's example, written for each principal
// of its class (the example's account replaced by the member's), with the
// engine in both orgs: each member's change is real.
func verifyMembers(t *testing.T, old, new *org.Org, rep *Report) {
	t.Helper()
	for _, c := range rep.Changes {
		from := accountOf(c.Principal)
		if len(c.class) == 0 || c.class[0] != c.Principal {
			t.Errorf("change %s %s: its class %v does not start with its example's principal", c.Change, c.Principal, c.class)
		}
		for _, m := range c.class {
			to := accountOf(m)
			sub := func(s string) string { return self(s, from) }
			put := func(s string) string { return strings.ReplaceAll(sub(s), "\x00SELF\x00", to) }
			if put(c.Principal) != m {
				t.Errorf("member %s of %s's class is not the same principal in another account", m, c.Principal)
				continue
			}
			ctx := map[string][]string{}
			for k, v := range c.Context {
				switch x := v.(type) {
				case string:
					ctx[k] = []string{put(x)}
				case []string:
					for _, s := range x {
						ctx[k] = append(ctx[k], put(s))
					}
				}
			}
			q := authz.Query{Principal: m, Action: c.Action, Resource: put(c.Resource), Context: ctx}
			var got [2]bool
			for i, o := range []*org.Org{old, new} {
				_, e, err := authz.Decide(o, q, now)
				if err != nil {
					t.Fatalf("%+v: %v", q, err)
				}
				got[i] = e.Decision == eval.Allow
			}
			if want := [2]bool{c.Change == Closed, c.Change == Opened}; got != want {
				t.Errorf("member %s of %s's class: %s %s %v: engine allows (old, new) = %v, want %v", m, c.Principal, q.Action, q.Resource, ctx, got, want)
			}
		}
	}
}

// Principals in equal situations are compared once for their class: the
// report is the one that comparing every principal on its own gives
// (direction, principal and action class), on edits of every layer of a
// generated organization; each member's change is real; and the classes
// are far fewer than the principals where nothing tells accounts apart.
func TestClassesMatchPerPrincipal(t *testing.T) {
	cases := []struct {
		name  string
		edits [][2]string
		// fewer: the classes must be fewer than half the principals.
		fewer bool
		// small: a smaller organization (every principal meets every
		// account's bucket).
		small bool
	}{
		{name: "OU SCP denies one more IAM action", edits: [][2]string{{"Action: iam:CreateUser", "Action: [iam:CreateUser, iam:CreateAccessKey]"}}, fewer: true},
		{name: "OU SCP denies an S3 action (every account's bucket policy reads it)", edits: [][2]string{{"Action: rds:DeleteDBInstance", "Action: [rds:DeleteDBInstance, s3:DeleteBucket]"}}, fewer: false},
		{name: "managed policy gains a statement", edits: [][2]string{{`Condition: {StringEquals: {aws:ResourceTag/team: "${aws:PrincipalTag/team}"}}`, `Condition: {StringEquals: {aws:ResourceTag/team: "${aws:PrincipalTag/team}"}}` + "\n        - {Effect: Allow, Action: sqs:DeleteQueue, Resource: \"*\"}"}}, fewer: true},
		{name: "managed policy's S3 statement gains an action (every account's bucket policy reads S3 actions)", edits: [][2]string{{"Action: [s3:GetObject, s3:ListBucket, dynamodb:Query, sqs:SendMessage]", "Action: [s3:GetObject, s3:ListBucket, dynamodb:Query, sqs:SendMessage, sqs:DeleteQueue]"}}, fewer: false},
		{name: "one account's role loses a statement", edits: [][2]string{{"Action: [logs:CreateLogStream, logs:PutLogEvents]", "Action: [logs:CreateLogStream]"}}, fewer: false},
		{name: "RCP edit", edits: [][2]string{{`Action: "s3:*", Resource: "*", Condition: {BoolIfExists`, `Action: ["s3:*", "sqs:*"], Resource: "*", Condition: {BoolIfExists`}}, small: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			accounts, roles := 8, 6
			if tc.small {
				accounts, roles = 4, 2
			}
			old, new := genEdited(t, accounts, roles, tc.edits...)
			grouped := Diff(old, new, Options{Now: now})
			each := Diff(old, new, Options{Now: now, PerPrincipal: true})
			if len(grouped.Changes) == 0 {
				t.Fatal("no change")
			}
			g, e := triples(grouped), triples(each)
			if strings.Join(g, "\n") != strings.Join(e, "\n") {
				t.Errorf("grouped report differs from the per-principal one:\ngrouped %d: %v\nper principal %d: %v", len(g), head(g), len(e), head(e))
			}
			if grouped.Principals != each.Principals {
				t.Errorf("principals compared: grouped %d, per principal %d", grouped.Principals, each.Principals)
			}
			if each.Classes != each.Principals {
				t.Errorf("per principal: %d classes for %d principals", each.Classes, each.Principals)
			}
			if tc.fewer && grouped.Classes*2 > grouped.Principals {
				t.Errorf("%d classes for %d principals", grouped.Classes, grouped.Principals)
			}
			t.Logf("%d principals in %d classes, %d changes", grouped.Principals, grouped.Classes, len(grouped.Changes))
			verify(t, old, new, grouped)
			verifyMembers(t, old, new, grouped)
		})
	}
}

func head(s []string) []string {
	if len(s) > 8 {
		return s[:8]
	}
	return s
}

// A statement that matches account IDs partly by a wildcard tells any two
// accounts apart: no principal shares a class.
func TestPartialAccountPatternKeepsPrincipalsApart(t *testing.T) {
	old, new := genEdited(t, 6, 4,
		[2]string{"Action: iam:CreateUser", "Action: [iam:CreateUser, iam:CreateAccessKey]"},
		[2]string{`Condition: {ArnNotLike: {aws:PrincipalArn: "arn:aws:iam::*:role/BreakGlassRole"}}`, `Condition: {ArnNotLike: {aws:PrincipalArn: "arn:aws:iam::1*:role/BreakGlassRole"}}`})
	rep := Diff(old, new, Options{Now: now})
	if rep.Classes != rep.Principals {
		t.Errorf("%d classes for %d principals", rep.Classes, rep.Principals)
	}
	if !partialAccount("arn:aws:iam::1*:role/x") || partialAccount("arn:aws:iam::*:role/x") || partialAccount("arn:aws:iam::????????????:root") {
		t.Error("partialAccount")
	}
}

func TestSelf(t *testing.T) {
	for _, c := range [][3]string{
		{"arn:aws:iam::111122223333:role/R", "111122223333", "arn:aws:iam::\x00SELF\x00:role/R"},
		{"x1111222233334", "111122223333", "x1111222233334"},
		{"111122223333/111122223333", "111122223333", "\x00SELF\x00/\x00SELF\x00"},
		{"none", "111122223333", "none"},
	} {
		if got := self(c[0], c[1]); got != c[2] {
			t.Errorf("self(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}
