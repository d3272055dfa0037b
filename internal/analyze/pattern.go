package analyze

import (
	"strconv"
	"strings"
)

// A pattern is a set of strings as one policy value denotes it: a literal
// (StringEquals), a glob (StringLike, the Resource element), a glob whose
// wildcards stop at colons (the parts of an ARN pattern before its last), or
// a literal compared without regard to ASCII case.
type pattern struct {
	text string
	toks []tok
}

type tok struct {
	wild    uint8 // 0: literal ch; '?': one character; '*': any run
	ch      byte
	fold    bool // literal compared ignoring ASCII case
	noColon bool // the wildcard does not match ':'
	noSlash bool // the wildcard does not match '/'
}

// literalPattern denotes exactly s.
func literalPattern(s string) pattern {
	p := pattern{text: s, toks: make([]tok, len(s))}
	for i := 0; i < len(s); i++ {
		p.toks[i] = tok{ch: s[i]}
	}
	return p
}

// foldPattern denotes s in any ASCII case.
func foldPattern(s string) pattern {
	p := literalPattern(s)
	for i := range p.toks {
		p.toks[i].fold = true
	}
	return p
}

// globPattern denotes the strings that IAM's * and ? wildcards match against s
// as a whole (StringLike, and ARN patterns against values that are not ARNs).
func globPattern(s string) pattern {
	p := pattern{text: s, toks: make([]tok, 0, len(s))}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?':
			p.toks = append(p.toks, tok{wild: s[i]})
		default:
			p.toks = append(p.toks, tok{ch: s[i]})
		}
	}
	return p
}

// arnPattern denotes the ARN-shaped values (see arnShape) that an ARN pattern
// matches part by part, as package arn does: wildcards in the parts before the
// pattern's last part stay within their part; the last part matches the rest
// of the value, colons included. A pattern that is "*" or does not start with
// "arn:" is matched as a whole.
func arnPattern(s string) pattern {
	if s == "*" || !strings.HasPrefix(s, "arn:") {
		return globPattern(s)
	}
	p := globPattern(s)
	// The last part starts after the fifth colon, or after the last colon
	// when the pattern has fewer.
	colons, last := 0, 0
	for i, t := range p.toks {
		if t.wild == 0 && t.ch == ':' && colons < 5 {
			colons++
			last = i + 1
		}
	}
	for i := 0; i < last; i++ {
		if p.toks[i].wild != 0 {
			p.toks[i].noColon = true
		}
	}
	return p
}

// arnShape denotes the values package arn treats as ARNs: "arn:" and at least
// five colons in all.
func arnShape() pattern {
	return arnPattern("arn:*:*:*:*:*")
}

// match reports whether the pattern matches v (a reference implementation
// for tests and for naming the literals a value matches).
func (p *pattern) match(v string) bool {
	// Dynamic programming over the tokens: reach[j] says whether the first
	// j tokens can match the value read so far (advance).
	var buf [64]bool
	var reach []bool
	if len(p.toks)+1 <= len(buf) {
		reach = buf[:len(p.toks)+1]
	} else {
		reach = make([]bool, len(p.toks)+1)
	}
	reach[0] = true
	closeStars(p.toks, reach)
	for i := 0; i < len(v); i++ {
		advance(p.toks, reach, v[i])
	}
	return reach[len(p.toks)]
}

// advance reads one more character c: reach[j] becomes whether the first j
// tokens can match the value read so far with c. Updating from the last
// position down lets one slice serve both steps.
func advance(toks []tok, reach []bool, c byte) {
	reach[len(toks)] = false
	for j := len(toks) - 1; j >= 0; j-- {
		t := &toks[j]
		was := reach[j]
		reach[j] = false
		if !was || t.noColon && c == ':' || t.noSlash && c == '/' {
			continue
		}
		switch {
		case t.wild == '*':
			reach[j] = true
		case t.wild == '?' || t.ch == c || t.fold && lowerASCII(t.ch) == lowerASCII(c):
			reach[j+1] = true
		}
	}
	closeStars(toks, reach)
}

// closeStars lets a star match the empty string: reaching a star's position
// reaches the next one.
func closeStars(toks []tok, reach []bool) {
	for j := range toks {
		if reach[j] && toks[j].wild == '*' {
			reach[j+1] = true
		}
	}
}

// PatternResiduals describes how an ARN pattern (as a Resource element
// matches) goes on after a prefix: the rest of the pattern from each
// position that matching prefix can reach, with how many of its wildcards
// still stop at colons. Two prefixes with equal residuals are matched
// alike whatever follows them: prefix+s matches exactly when the other
// prefix+s does. "" when no position is reachable (nothing that starts with
// prefix matches).
func PatternResiduals(pat, prefix string) string {
	p := arnPattern(pat)
	reach := make([]bool, len(p.toks)+1)
	reach[0] = true
	closeStars(p.toks, reach)
	for i := 0; i < len(prefix); i++ {
		advance(p.toks, reach, prefix[i])
	}
	var b strings.Builder
	for j, ok := range reach {
		if !ok {
			continue
		}
		stop := 0
		for _, t := range p.toks[j:] {
			if t.noColon {
				stop++
			}
		}
		b.WriteString(p.text[j:])
		b.WriteByte(0)
		b.WriteString(strconv.Itoa(stop))
		b.WriteByte(1)
	}
	return b.String()
}
