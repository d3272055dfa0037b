package condition

import (
	"fmt"
	"strings"

	"github.com/securecart/warden/internal/arn"
)

// Template is a string that may hold policy variables. A Template without
// variables resolves to itself at no cost.
type Template struct {
	raw   string
	parts []part // nil when raw has no variables
}

type part struct {
	lit        string // literal text, or the escape's character
	key        string // lower-cased context key of a variable; "" for literal text
	hash       uint64 // keyHash(key)
	def        string
	hasDef     bool
	escapeChar bool // lit came from ${*}, ${?} or ${$}
}

// ParseTemplate parses s. When vars is false (Version 2008-10-17) the text is
// taken literally, as AWS does.
func ParseTemplate(s string, vars bool) (Template, error) {
	t := Template{raw: s}
	if !vars || !strings.Contains(s, "${") {
		return t, nil
	}
	rest := s
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			if rest != "" {
				t.parts = append(t.parts, part{lit: rest})
			}
			return t, nil
		}
		if i > 0 {
			t.parts = append(t.parts, part{lit: rest[:i]})
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return Template{}, fmt.Errorf("unterminated policy variable %q", rest[i:])
		}
		body := rest[i+2 : i+j]
		rest = rest[i+j+1:]
		switch body {
		case "*", "?", "$":
			t.parts = append(t.parts, part{lit: body, escapeChar: true})
			continue
		}
		p := part{}
		key := body
		if k, d, ok := strings.Cut(body, ","); ok {
			key = k
			d = strings.TrimSpace(d)
			if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' {
				return Template{}, fmt.Errorf("policy variable ${%s}: the default value must be in single quotes, as in ${%s, 'default'}", body, strings.TrimSpace(k))
			}
			p.def, p.hasDef = d[1:len(d)-1], true
		}
		key = strings.TrimSpace(key)
		if key == "" || strings.ContainsAny(key, " \t'${") {
			return Template{}, fmt.Errorf("malformed policy variable ${%s}", body)
		}
		p.key = strings.ToLower(key)
		p.hash = keyHash(p.key)
		t.parts = append(t.parts, p)
	}
}

// Raw returns the template as written.
func (t *Template) Raw() string { return t.raw }

// HasVars reports whether the template holds variables or escapes.
func (t *Template) HasVars() bool { return t.parts != nil }

// Resolve returns the value with variables replaced, and false when a variable
// has no value (absent or multivalued) and no default.
func (t *Template) Resolve(ctx Context) (string, bool) {
	if t.parts == nil {
		return t.raw, true
	}
	var b strings.Builder
	for i := range t.parts {
		v, ok := t.parts[i].value(ctx)
		if !ok {
			return "", false
		}
		b.WriteString(v)
	}
	return b.String(), true
}

// ResolvePattern is Resolve for a wildcard pattern: literal text keeps its
// wildcards, while substituted values and the escapes are escaped so that they
// match only themselves (see arn.MatchEscaped).
func (t *Template) ResolvePattern(ctx Context) (string, bool) {
	if t.parts == nil {
		return t.raw, true
	}
	var b strings.Builder
	for i := range t.parts {
		p := &t.parts[i]
		if p.key == "" && !p.escapeChar {
			b.WriteString(strings.ReplaceAll(p.lit, `\`, `\\`))
			continue
		}
		v, ok := p.value(ctx)
		if !ok {
			return "", false
		}
		b.WriteString(arn.Escape(v))
	}
	return b.String(), true
}

func (p *part) value(ctx Context) (string, bool) {
	if p.key == "" {
		return p.lit, true
	}
	if vs, ok := ctx.lookup(p.key, p.hash); ok && len(vs) == 1 {
		return vs[0], true
	}
	if p.hasDef {
		return p.def, true
	}
	return "", false
}
