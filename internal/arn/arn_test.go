package arn

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		p, v string
		want bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"a*c", "abbbc", true},
		{"a*c", "ab", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a?c", "aéc", true}, // ? is one character, not one byte
		{"*/*", "a/b/c", true},
		{"abc", "ABC", false},
		{"a**", "a", true},
		{"*a*b*c*", "xxaxxbxxcxx", true},
		{"*a*b*c*", "xxaxxcxxbxx", false},
		{"", "", true},
		{"", "x", false},
	}
	for _, tt := range tests {
		if got := Match(tt.p, tt.v); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.p, tt.v, got, tt.want)
		}
	}
	if !MatchFold("s3:get*", "S3:GetObject") || MatchFold("s3:put*", "s3:GetObject") {
		t.Error("MatchFold does not fold case")
	}
}

func TestMatchEscaped(t *testing.T) {
	tests := []struct {
		p, v string
		want bool
	}{
		{`a\*`, "a*", true},
		{`a\*`, "ab", false},
		{`a\?b`, "a?b", true},
		{`a\?b`, "axb", false},
		{`a\\b`, `a\b`, true},
		{`*\*`, "xyz*", true},
		{Escape("a*b?c\\"), "a*b?c\\", true},
		{Escape("a*b"), "axxb", false},
	}
	for _, tt := range tests {
		if got := MatchEscaped(tt.p, tt.v); got != tt.want {
			t.Errorf("MatchEscaped(%q, %q) = %v, want %v", tt.p, tt.v, got, tt.want)
		}
	}
}

// Resource patterns are matched part by part
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
func TestPattern(t *testing.T) {
	tests := []struct {
		p, v string
		want bool
	}{
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c", true},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket2/a", false},
		{"arn:aws:iam::*:role/Dev*", "arn:aws:iam::111122223333:role/DevOps", true},
		{"arn:aws:iam::*:role/Dev*", "arn:aws:iam::111122223333:user/DevOps", false},
		// * in the account part does not reach into the resource part.
		{"arn:aws:iam::*", "arn:aws:iam::111122223333:role/x", true},
		{"arn:aws:iam::1*:role/x", "arn:aws:iam::111122223333:role/x", true},
		{"arn:aws:logs:us-east-1:111122223333:log-group:app:*", "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:s1", true},
		{"arn:aws:s3:*", "arn:aws:s3:::any/key", true},
		{"arn:aws:s3:::Bucket", "arn:aws:s3:::bucket", false},
		{"*", "arn:aws:s3:::x", true},
		{"arn:aws:s3:::x", "*", false},
		{"arn:aws:ec2:us-?ast-1:*:instance/*", "arn:aws:ec2:us-east-1:1:instance/i-1", true},
	}
	for _, tt := range tests {
		p := CompilePattern(tt.p)
		if got := p.Match(tt.v); got != tt.want {
			t.Errorf("Pattern(%q).Match(%q) = %v, want %v", tt.p, tt.v, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	a, err := Parse("arn:aws:iam::111122223333:role/path/Dev")
	if err != nil || a.Service != "iam" || a.Account != "111122223333" || a.Resource != "role/path/Dev" || a.Region != "" {
		t.Fatalf("Parse = %+v, %v", a, err)
	}
	if a.String() != "arn:aws:iam::111122223333:role/path/Dev" {
		t.Errorf("String() = %q", a.String())
	}
	for _, bad := range []string{"", "arn", "arn:aws", "arn:aws:s3:::", "foo:aws:s3:::b", "arn::s3:::b"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q): no error", bad)
		}
	}
}

// matchRef is an obviously correct recursive matcher to check Match against,
// memoized on the positions in p and v so that it stays polynomial however
// many stars p has.
func matchRef(p, v []rune) bool {
	memo := map[[2]int]bool{}
	var m func(i, j int) bool
	m = func(i, j int) bool {
		if r, ok := memo[[2]int{i, j}]; ok {
			return r
		}
		var r bool
		switch {
		case i == len(p):
			r = j == len(v)
		case p[i] == '*':
			r = m(i+1, j) || (j < len(v) && m(i, j+1))
		case p[i] == '?':
			r = j < len(v) && m(i+1, j+1)
		default:
			r = j < len(v) && p[i] == v[j] && m(i+1, j+1)
		}
		memo[[2]int{i, j}] = r
		return r
	}
	return m(0, 0)
}

// The reference is memoized: a pattern of many stars against a long value
// that does not match is answered at once, not in exponential time.
func TestMatchRefStars(t *testing.T) {
	if matchRef([]rune("*********0"), []rune(strings.Repeat("1", 32))) {
		t.Error(`matchRef("*********0", "1"×32) = true`)
	}
	if !matchRef([]rune("*1*1*1*1*1*1*1*1*"), []rune(strings.Repeat("1", 40))) {
		t.Error("matchRef of stars and ones = false")
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("a*b?c", "axxbyc")
	f.Add("*/*", "a/b")
	f.Add("arn:aws:s3:::b/*", "arn:aws:s3:::b/k")
	f.Fuzz(func(t *testing.T, p, v string) {
		// Policies and requests are valid UTF-8 (JSON guarantees it); the
		// reference compares runes.
		if len(p) > 40 || len(v) > 40 || !utf8.ValidString(p) || !utf8.ValidString(v) {
			return
		}
		want := matchRef([]rune(p), []rune(v))
		if got := Match(p, v); got != want {
			t.Errorf("Match(%q, %q) = %v, reference says %v", p, v, got, want)
		}
		// A pattern escaped matches exactly itself.
		if !MatchEscaped(Escape(v), v) {
			t.Errorf("MatchEscaped(Escape(%q)) does not match itself", v)
		}
		cp := CompilePattern(p)
		_ = cp.Match(v)
	})
}

func BenchmarkPatternMatch(b *testing.B) {
	p := CompilePattern("arn:aws:s3:::securecart-*-artifacts/builds/*")
	v := SplitValue("arn:aws:s3:::securecart-dev-artifacts/builds/app.zip")
	b.ReportAllocs()
	for b.Loop() {
		if !p.MatchValue(&v) {
			b.Fatal("no match")
		}
	}
}

// FuzzGlob checks the prepared matchers against Match.
func FuzzGlob(f *testing.F) {
	f.Add("a*b*c", "aXbYc")
	f.Add("securecart-*/*", "securecart-dev/app.zip")
	f.Add("*a*", "bab")
	f.Add("ab*ba", "aba")
	f.Fuzz(func(t *testing.T, p, v string) {
		if len(p) > 40 || len(v) > 40 || !utf8.ValidString(p) || !utf8.ValidString(v) {
			return
		}
		g := CompileGlob(p)
		if got, want := g.Match(v), Match(p, v); got != want {
			t.Errorf("CompileGlob(%q).Match(%q) = %v, Match says %v", p, v, got, want)
		}
	})
}
