package analyze

import (
	"slices"
	"testing"

	"github.com/securecart/warden/internal/policy"
)

// ValueClasses splits one value tested under two keys by the tests of
// both: a source identity set as sts:SourceIdentity and read later as
// aws:SourceIdentity.
func TestValueClasses(t *testing.T) {
	p := compile(t, policy.Identity, `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*", "Condition": {"StringEquals": {"sts:SourceIdentity": "alice"}}},
		{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringLike": {"aws:SourceIdentity": "b*"}}},
		{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestTag/team": "x"}}}]}`)
	kc := ValueClasses(StatementsOf(p), "sts:SourceIdentity", "aws:SourceIdentity")
	if kc.Key != "sts:sourceidentity" || !kc.Exact {
		t.Fatalf("classes: %+v", kc)
	}
	var reps []string
	absent := false
	for _, c := range kc.Classes {
		if c.Values == nil {
			absent = true
			continue
		}
		reps = append(reps, c.Values[0])
	}
	if !absent || !slices.Contains(reps, "alice") {
		t.Fatalf("want the absent class and alice's: %v", reps)
	}
	other, b := false, false
	for _, r := range reps {
		switch {
		case r != "alice" && len(r) > 0 && r[0] == 'b':
			b = true
		case r != "alice":
			other = true
		}
	}
	if !b || !other {
		t.Fatalf("want a class of b* and one of neither: %v", reps)
	}
	// A key no statement tests: one class, absent.
	if kc := ValueClasses(StatementsOf(p), "aws:PrincipalTag/team"); len(kc.Classes) != 1 || kc.Classes[0].Values != nil {
		t.Fatalf("untested key: %+v", kc)
	}
}
