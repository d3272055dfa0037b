package awsdata

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/securecart/warden/internal/arn"
)

func actionNames(actions []*Action) []string {
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = a.String()
	}
	return out
}

func TestMatchActionsS3Get(t *testing.T) {
	got := actionNames(MatchActions("s3:Get*"))
	if !slices.Contains(got, "s3:GetObject") {
		t.Error(`MatchActions("s3:Get*") lacks s3:GetObject`)
	}
	if slices.Contains(got, "s3:PutObject") {
		t.Error(`MatchActions("s3:Get*") holds s3:PutObject`)
	}
	for _, name := range got {
		if !strings.HasPrefix(name, "s3:Get") {
			t.Errorf(`MatchActions("s3:Get*") holds %s`, name)
		}
	}
	if upper := actionNames(MatchActions("S3:GET*")); !slices.Equal(upper, got) {
		t.Errorf(`MatchActions("S3:GET*") differs from "s3:Get*": %d and %d actions`, len(upper), len(got))
	}
}

func TestMatchActions(t *testing.T) {
	tests := []struct {
		pattern   string
		count     int      // -1: not checked
		want, not []string // must and must not be among the results
	}{
		{"*", 21788, []string{"s3:GetObject", "iam:PassRole"}, nil},
		{"*:*", 21788, nil, nil},
		{"s3:getobject", 1, []string{"s3:GetObject"}, nil},
		{"s3:GetObjec?", -1, []string{"s3:GetObject"}, []string{"s3:GetObjectAcl"}},
		{"iam:*Role*", -1, []string{"iam:PassRole", "iam:CreateRole", "iam:ListRoles"}, []string{"iam:CreateUser", "sts:AssumeRole"}},
		{"*:GetObject", -1, []string{"s3:GetObject"}, []string{"s3:GetObjectAcl"}},
		{"s?:GetObject", -1, []string{"s3:GetObject"}, nil},
		{"*Object", -1, []string{"s3:GetObject", "s3:PutObject"}, []string{"s3:GetObjectAcl"}},
		{"s3:*", -1, []string{"s3:GetObject"}, []string{"s3express:CreateSession"}},
		{"nosuchservice:*", 0, nil, nil},
		{"s3:Get*:x", 0, nil, nil},
		{"s3", 0, nil, nil},
		{"", 0, nil, nil},
	}
	for _, tt := range tests {
		got := actionNames(MatchActions(tt.pattern))
		if tt.count >= 0 && len(got) != tt.count {
			t.Errorf("MatchActions(%q) returned %d actions, want %d", tt.pattern, len(got), tt.count)
		}
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("MatchActions(%q) lacks %s", tt.pattern, w)
			}
		}
		for _, n := range tt.not {
			if slices.Contains(got, n) {
				t.Errorf("MatchActions(%q) holds %s", tt.pattern, n)
			}
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "anything", true},
		{"?", "", false},
		{"?", "a", true},
		{"?", "ab", false},
		{"?", "é", true}, // one character, two bytes
		{"a*b", "ab", true},
		{"a*b", "axxb", true},
		{"a*b", "axxbc", false},
		{"a*b*c", "abbbc", true},
		{"*a*a*a", "aaaa", true},
		{"*a*a*a", "aa", false},
		{"get*", "getobject", true},
		{"get*", "putobject", false},
		{"*role*", "passrole", true},
		{"?*", "", false},
		{"?*", "x", true},
		{"s3:existingobjecttag/?*", "s3:existingobjecttag/a/b", true},
		{"s3:existingobjecttag/?*", "s3:existingobjecttag/", false},
		{"x/?*.type", "x/id.type", true},
		{"x/?*.type", "x/.type", false},
		{"**", "", true},
		{"a**?", "ab", true},
	}
	for _, tt := range tests {
		if got := wildcardMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func FuzzWildcardMatch(f *testing.F) {
	for _, seed := range [][2]string{{"s3:get*", "s3:getobject"}, {"*a?b*", "xxaybzz"}, {"?*", "é"}, {"a*", "b"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if !utf8Valid(pattern, s) {
			return // patterns and actions are valid UTF-8 (JSON guarantees it)
		}
		// arn.Match is the policy language's matcher, itself checked against
		// an obviously correct reference by arn.FuzzMatch.
		if got, want := wildcardMatch(pattern, s), arn.Match(pattern, s); got != want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", pattern, s, got, want)
		}
	})
}

func utf8Valid(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}
