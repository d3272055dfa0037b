package arn

import (
	"errors"
	"strings"
)

// ARN is a parsed Amazon Resource Name. The fields share the input's memory.
type ARN struct {
	Partition string
	Service   string
	Region    string
	Account   string
	Resource  string
}

// ErrMalformed is returned by Parse for a string that is not an ARN.
var ErrMalformed = errors.New("malformed ARN: want arn:partition:service:region:account-id:resource")

// Parse splits s into its parts. It requires the arn: prefix, a partition, a
// service and a non-empty resource; region and account may be empty, as in
// S3 and IAM ARNs.
func Parse(s string) (ARN, error) {
	var parts [6]string
	if !Split(s, &parts) || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return ARN{}, ErrMalformed
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, nil
}

// String reassembles the ARN.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// Split cuts s at its first five colons into parts. It reports false when s
// has fewer than five colons; the sixth part keeps any further colons.
func Split(s string, parts *[6]string) bool {
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return false
		}
		parts[i] = s[:j]
		s = s[j+1:]
	}
	parts[5] = s
	return true
}

// Pattern is a compiled resource pattern from a policy: an ARN whose parts may
// contain wildcards, a lone "*", or (for services whose resources are not ARNs)
// any other string, which is matched as a whole.
type Pattern struct {
	raw   string
	parts [6]string
	globs [6]Glob // parts prepared, unless escaped
	// n is the number of parts: 6 for a full ARN pattern; fewer when the
	// pattern has fewer colons, in which case its last part matches the rest of
	// the value, colons included (so "arn:aws:s3:*" matches every S3 ARN).
	n   int
	any bool
	// escaped marks a pattern produced from a policy variable template, in
	// which a backslash makes the next character literal.
	escaped bool
}

// CompilePattern prepares p for matching.
func CompilePattern(p string) Pattern {
	cp := Pattern{raw: p}
	if p == "*" {
		cp.any = true
		return cp
	}
	if !strings.HasPrefix(p, "arn:") {
		return cp
	}
	rest := p
	for cp.n < 5 {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			break
		}
		cp.parts[cp.n] = rest[:j]
		cp.n++
		rest = rest[j+1:]
	}
	cp.parts[cp.n] = rest
	cp.n++
	for i := 0; i < cp.n; i++ {
		cp.globs[i] = CompileGlob(cp.parts[i])
	}
	return cp
}

// CompileEscapedPattern is CompilePattern for a pattern in which a backslash
// makes the next character literal (see MatchEscaped).
func CompileEscapedPattern(p string) Pattern {
	cp := CompilePattern(p)
	cp.escaped = true
	cp.any = false
	return cp
}

func (p *Pattern) glob(pat, v string) bool {
	if p.escaped {
		return MatchEscaped(pat, v)
	}
	return Match(pat, v)
}

// String returns the pattern as written.
func (p Pattern) String() string { return p.raw }

// MatchesAll reports whether the pattern is "*".
func (p Pattern) MatchesAll() bool { return p.any }

// Match reports whether value matches the pattern, part by part. value may be
// pre-split by the caller (see Value) to avoid splitting once per statement.
func (p Pattern) Match(value string) bool {
	if p.any {
		return true
	}
	if p.n == 0 {
		return p.glob(p.raw, value)
	}
	v := SplitValue(value)
	return p.MatchValue(&v)
}

// Value is a request's resource ARN split once into parts.
type Value struct {
	Raw   string
	Parts [6]string
	IsARN bool
}

// SplitValue prepares a value for repeated matching.
func SplitValue(s string) Value {
	v := Value{Raw: s}
	v.IsARN = strings.HasPrefix(s, "arn:") && Split(s, &v.Parts)
	return v
}

// MatchValue is Match on a pre-split value.
func (p *Pattern) MatchValue(v *Value) bool {
	if p.any {
		return true
	}
	if p.n == 0 || !v.IsARN {
		return p.glob(p.raw, v.Raw)
	}
	last := p.n - 1
	if !p.escaped && p.n == 6 {
		// Resource parts differ most often: test them first.
		if !p.globs[5].Match(v.Parts[5]) {
			return false
		}
		for i := 0; i < last; i++ {
			if !p.globs[i].Match(v.Parts[i]) {
				return false
			}
		}
		return true
	}
	for i := 0; i < last; i++ {
		if !p.glob(p.parts[i], v.Parts[i]) {
			return false
		}
	}
	if p.n == 6 {
		return p.glob(p.parts[5], v.Parts[5])
	}
	// Fewer parts in the pattern than in the value: the last pattern part
	// matches the remainder of the value.
	off := 0
	for i := 0; i < last; i++ {
		off += len(v.Parts[i]) + 1
	}
	return p.glob(p.parts[last], v.Raw[off:])
}
