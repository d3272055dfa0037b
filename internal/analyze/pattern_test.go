package analyze

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/arn"
)

// The patterns agree with package arn, which the engine matches with.
func TestPatternsAgreeWithARN(t *testing.T) {
	pats := []string{"*", "a*", "*b", "a?c", "arn:aws:s3:::b/*", "arn:aws:iam::*:role/R*", "arn:*:s3:::*", "arn:aws:sqs:us-east-1:1:q", "x*y*z", "arn:aws:s3:*", "??"}
	vals := []string{"", "a", "abc", "ab", "arn:aws:s3:::b/k", "arn:aws:s3:::b", "arn:aws:iam::1:role/Rx", "arn:aws:iam::1:2:role/R", "xyz", "x-y-z", "arn:aws:s3:us-east-1:1:accesspoint/x", "arn:aws:sqs:us-east-1:1:q", "zz"}
	for _, p := range pats {
		ap, gp := arnPattern(p), globPattern(p)
		cp := arn.CompilePattern(p)
		for _, v := range vals {
			want := cp.Match(v)
			got := gp.match(v)
			if isARNShaped(v) {
				got = ap.match(v)
			}
			if got != want {
				t.Errorf("pattern %q value %q: got %v, arn says %v", p, v, got, want)
			}
			if g := arn.Match(p, v); gp.match(v) != g {
				t.Errorf("glob %q value %q: got %v, arn.Match says %v", p, v, gp.match(v), g)
			}
		}
	}
	if lp := literalPattern("a*"); lp.match("ab") || !lp.match("a*") {
		t.Error("a literal pattern matches only itself")
	}
	if fp := foldPattern("AbC"); !fp.match("abc") || fp.match("abd") {
		t.Error("a folding pattern ignores case only")
	}
}

// Every cell regions reports is real and distinct, and a value's cell is
// among them.
func TestRegionsCoverEveryValue(t *testing.T) {
	pats := []pattern{globPattern("a*"), literalPattern("abc"), globPattern("*c"), arnPattern("arn:aws:s3:::b/*")}
	rs, ok := regions(pats, freshByte(pats))
	if !ok {
		t.Fatal("incomplete")
	}
	sig := func(v string) string {
		b := make([]byte, len(pats))
		for i := range pats {
			b[i] = '0'
			if pats[i].match(v) {
				b[i] = '1'
			}
		}
		return string(b)
	}
	cells := map[string]bool{}
	for _, r := range rs {
		s := sig(r.rep)
		for i, m := range r.matches {
			if m != (s[i] == '1') {
				t.Errorf("region %q: recorded %v, matches %s", r.rep, r.matches, s)
			}
		}
		if cells[s] {
			t.Errorf("cell %s twice", s)
		}
		cells[s] = true
	}
	for _, v := range []string{"", "a", "abc", "ac", "xc", "abcc", "arn:aws:s3:::b/x", "arn:aws:s3:::b/c", "q"} {
		if !cells[sig(v)] {
			t.Errorf("value %q is in cell %s, which regions missed", v, sig(v))
		}
	}
}

// PatternResiduals says how matching goes on after a prefix: a prefix
// with no residual starts nothing the pattern matches, and two prefixes
// with equal residuals are followed alike by every suffix (checked against
// the pattern's own matcher over random patterns, prefixes and suffixes).
func TestPatternResiduals(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 16))
	alpha := []string{"a", "b", "-", "/", ":", "*", "?"}
	word := func(n int, wild bool) string {
		var b strings.Builder
		for range rng.IntN(n) {
			c := alpha[rng.IntN(len(alpha))]
			if !wild && (c == "*" || c == "?") {
				c = "a"
			}
			b.WriteString(c)
		}
		return b.String()
	}
	for range 2000 {
		pat := "arn:aws:s3:::" + word(8, true)
		p := arnPattern(pat)
		x, y := "arn:aws:s3:::"+word(6, false), "arn:aws:s3:::"+word(6, false)
		rx, ry := PatternResiduals(pat, x), PatternResiduals(pat, y)
		for range 20 {
			s := word(6, false)
			mx, my := p.match(x+s), p.match(y+s)
			if rx == "" && mx {
				t.Fatalf("%q matches %q though %q has no residual", pat, x+s, x)
			}
			if rx == ry && mx != my {
				t.Fatalf("%q: %q and %q have equal residuals %q but %q+%q matches %v, %q+%q %v", pat, x, y, rx, x, s, mx, y, s, my)
			}
		}
	}
	if PatternResiduals("arn:aws:s3:::gen-*-data/*", "arn:aws:s3:::gen-a-data") != PatternResiduals("arn:aws:s3:::gen-*-data/*", "arn:aws:s3:::gen-bb-data") {
		t.Error("two buckets of one shape have different residuals")
	}
	if PatternResiduals("arn:aws:s3:::gen-a*", "arn:aws:s3:::gen-a-data") == PatternResiduals("arn:aws:s3:::gen-a*", "arn:aws:s3:::gen-b-data") {
		t.Error("a pattern that matches one bucket's name and not another's gives them equal residuals")
	}
}
