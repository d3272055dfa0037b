package scim

import (
	"github.com/securecart/warden/internal/call"
	"strconv"
	"strings"
)

// Filters, as IAM Identity Center's SCIM implementation supports them:
// equality only ("eq"), of the attributes each resource names (users:
// id, userName, externalId, displayName, emails.value; groups: id,
// displayName, externalId, members), joined by "and" (Microsoft Entra
// ID's membership check: id eq "G" and members eq "U"). Attribute names
// and the "eq" and "and" keywords ignore case; values are compared
// ignoring case but for id and externalId, which are case-exact (RFC 7643
// caseExact). Anything else (ne, co, sw, pr, gt, or, not, parentheses) is
// 400 invalidFilter.

// MaxResults is the most resources a list returns per page (count).
const MaxResults = 100

// term is one "attribute eq value" comparison.
type term struct {
	attr  string // lower case: "username", "emails.value", "members"
	value string
}

// filterable are the attributes each resource type filters on.
var (
	userAttrs  = map[string]bool{"id": true, "username": true, "externalid": true, "displayname": true, "emails.value": true, "emails": true}
	groupAttrs = map[string]bool{"id": true, "displayname": true, "externalid": true, "members": true, "members.value": true}
)

// parseFilter parses a filter over the attributes allowed.
func parseFilter(s string, allowed map[string]bool) ([]term, error) {
	toks, err := tokens(s)
	if err != nil {
		return nil, err
	}
	var out []term
	for i := 0; ; {
		if i+3 > len(toks) {
			return nil, invalidFilter("Filter %q: want attribute eq \"value\" (optionally joined by and), at token %d.", s, i+1)
		}
		attr, op, val := toks[i], toks[i+1], toks[i+2]
		if attr.quoted || op.quoted {
			return nil, invalidFilter("Filter %q: want an attribute name and eq before %s.", s, val.text)
		}
		name := strings.ToLower(attr.text)
		name = strings.TrimPrefix(name, strings.ToLower(UserSchema)+":")
		name = strings.TrimPrefix(name, strings.ToLower(GroupSchema)+":")
		if !allowed[name] {
			return nil, invalidFilter("Filter %q: filtering on %s is not supported (attributes: %s).", s, attr.text, names(allowed))
		}
		if !strings.EqualFold(op.text, "eq") {
			return nil, invalidFilter("Filter %q: operator %s is not supported: only eq is.", s, op.text)
		}
		if !val.quoted && val.text != "true" && val.text != "false" {
			if _, err := strconv.ParseFloat(val.text, 64); err != nil {
				return nil, invalidFilter("Filter %q: the value %s must be a quoted string.", s, val.text)
			}
		}
		out = append(out, term{attr: strings.TrimSuffix(name, ".value"), value: val.text})
		i += 3
		if i == len(toks) {
			return out, nil
		}
		if toks[i].quoted || !strings.EqualFold(toks[i].text, "and") {
			return nil, invalidFilter("Filter %q: %s is not supported between comparisons: only and is.", s, toks[i].text)
		}
		i++
	}
}

func names(m map[string]bool) string {
	var out []string
	for _, k := range []string{"id", "userName", "externalId", "displayName", "emails.value", "members"} {
		if m[strings.ToLower(k)] {
			out = append(out, k)
		}
	}
	return strings.Join(out, ", ")
}

type token struct {
	text   string
	quoted bool
}

// tokens splits a filter into words and JSON strings.
func tokens(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' {
					j++
				}
			}
			if j >= len(s) {
				return nil, invalidFilter("Filter %q: the string starting at character %d is not closed.", s, i+1)
			}
			v, err := strconv.Unquote(s[i : j+1])
			if err != nil {
				return nil, invalidFilter("Filter %q: the string at character %d is not valid: %v", s, i+1, err)
			}
			out = append(out, token{v, true})
			i = j + 1
		case c == '(' || c == ')' || c == '[' || c == ']':
			return nil, invalidFilter("Filter %q: grouping with %c (character %d) is not supported.", s, c, i+1)
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '"' && s[j] != '(' && s[j] != ')' && s[j] != '[' && s[j] != ']' {
				j++
			}
			out = append(out, token{s[i:j], false})
			i = j
		}
	}
	if len(out) == 0 {
		return nil, invalidFilter("The filter is empty.")
	}
	return out, nil
}

// entry is a resource for listing: its SCIM shape, and its values of an
// attribute of a filter.
type entry struct {
	out   func() map[string]any
	value func(attr string) []string
}

// matches reports whether an entry satisfies every term.
func (e entry) matches(terms []term) bool {
	for _, t := range terms {
		exact := t.attr == "id" || t.attr == "externalid" || t.attr == "members"
		ok := false
		for _, v := range e.value(t.attr) {
			if v == t.value || (!exact && strings.EqualFold(v, t.value)) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// list answers a list request: the filter, then startIndex (1-based) and
// count (at most MaxResults) of RFC 7644 section 3.4.2.4.
func (rq *request) list(allowed map[string]bool, all []entry) (any, error) {
	rq.c.ReadOnly = true
	q := rq.r.URL.Query()
	var terms []term
	if f := q.Get("filter"); q.Has("filter") {
		t, err := parseFilter(f, allowed)
		if err != nil {
			return nil, err
		}
		terms = t
		rq.c.RequestParameters.(call.Fields)["filter"] = f
	}
	start, count := 1, MaxResults
	if v := q.Get("startIndex"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, invalidValue("startIndex must be an integer, not %q.", v)
		}
		start = max(n, 1)
	}
	if v := q.Get("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, invalidValue("count must be an integer, not %q.", v)
		}
		count = min(max(n, 0), MaxResults)
	}
	var hits []entry
	for _, e := range all {
		if e.matches(terms) {
			hits = append(hits, e)
		}
	}
	var page []map[string]any
	for i := start - 1; i < len(hits) && len(page) < count; i++ {
		page = append(page, hits[i].out())
	}
	return listOf(page, len(hits), start), nil
}
