package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
)

// restRoute is one REST operation's compiled route.
type restRoute struct {
	svc      *service
	op       string
	method   string
	segments []segment
	greedy   bool              // the last segment is a {Label+}
	literals map[string]string // literal query parameters ("" = present)
	route    api.Route
	// labelMember maps a path label to its member.
	labelMember map[string]string
}

type segment struct {
	literal string // when label == ""
	label   string
}

// restMatch is a route that matched a request, with its path labels.
type restMatch struct {
	*restRoute
	labels map[string]string
}

// compileRoute parses a requestUri template.
func compileRoute(svc *service, op string, rt api.Route) (*restRoute, error) {
	if rt.Method == "" || !strings.HasPrefix(rt.RequestURI, "/") {
		return nil, fmt.Errorf("route needs a method and a request URI starting with /, not %q %q", rt.Method, rt.RequestURI)
	}
	r := &restRoute{svc: svc, op: op, method: rt.Method, literals: map[string]string{}, route: rt, labelMember: map[string]string{}}
	path, query, _ := strings.Cut(rt.RequestURI, "?")
	if query != "" {
		for _, kv := range strings.Split(query, "&") {
			k, v, _ := strings.Cut(kv, "=")
			r.literals[k] = v
		}
	}
	for i, s := range splitPath(path) {
		if !strings.HasPrefix(s, "{") {
			if strings.ContainsAny(s, "{}") {
				return nil, fmt.Errorf("request URI %q: a label must be a whole path segment", rt.RequestURI)
			}
			r.segments = append(r.segments, segment{literal: s})
			continue
		}
		name, ok := strings.CutSuffix(s[1:], "}")
		if !ok || name == "" {
			return nil, fmt.Errorf("request URI %q: malformed label %q", rt.RequestURI, s)
		}
		if name, ok = strings.CutSuffix(name, "+"); ok {
			if i != len(splitPath(path))-1 {
				return nil, fmt.Errorf("request URI %q: a greedy label must be the last segment", rt.RequestURI)
			}
			r.greedy = true
		}
		r.segments = append(r.segments, segment{label: name})
		r.labelMember[name] = name
	}
	for _, b := range rt.Bindings {
		switch b.Location {
		case api.InURI:
			if _, ok := r.labelMember[b.Name]; !ok {
				return nil, fmt.Errorf("binding of %s: request URI %q has no label {%s}", b.Member, rt.RequestURI, b.Name)
			}
			r.labelMember[b.Name] = b.Member
		case api.InQueryString, api.InHeader:
		default:
			return nil, fmt.Errorf("binding of %s: unknown location %q", b.Member, b.Location)
		}
		switch b.Type {
		case "", "string", "integer", "long", "boolean", "timestamp", "list":
		default:
			return nil, fmt.Errorf("binding of %s: unsupported type %q", b.Member, b.Type)
		}
	}
	return r, nil
}

// splitPath splits a path into its segments; "/" has none.
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match matches a request's method, escaped path segments and query.
func (r *restRoute) match(method string, segs []string, q url.Values) (*restMatch, bool) {
	if method != r.method {
		return nil, false
	}
	n := len(r.segments)
	if len(segs) < n || (!r.greedy && len(segs) != n) {
		return nil, false
	}
	m := &restMatch{restRoute: r, labels: map[string]string{}}
	for i, s := range r.segments {
		raw := segs[i]
		if r.greedy && i == n-1 {
			raw = strings.Join(segs[i:], "/")
		}
		v, err := url.PathUnescape(raw)
		if err != nil {
			return nil, false
		}
		if s.label == "" {
			if v != s.literal {
				return nil, false
			}
			continue
		}
		if v == "" {
			return nil, false
		}
		m.labels[s.label] = v
	}
	for k, want := range r.literals {
		if !q.Has(k) || (want != "" && q.Get(k) != want) {
			return nil, false
		}
	}
	return m, true
}

// sortMatches puts the most specific route first: more literal segments,
// then no greedy label, then more literal query parameters.
func sortMatches(ms []*restMatch) {
	literal := func(m *restMatch) int {
		n := 0
		for _, s := range m.segments {
			if s.label == "" {
				n++
			}
		}
		return n
	}
	sort.SliceStable(ms, func(i, j int) bool {
		if a, b := literal(ms[i]), literal(ms[j]); a != b {
			return a > b
		}
		if ms[i].greedy != ms[j].greedy {
			return !ms[i].greedy
		}
		return len(ms[i].literals) > len(ms[j].literals)
	})
}

// restInput gathers the members a REST request carries outside its body:
// path labels, bound query parameters and bound headers, by member name:
// with typed, as JSON values of the members' types, else as the strings
// (lists: []string) the request carries.
func (m *restMatch) restInput(r *http.Request, typed bool) (map[string]any, error) {
	in := map[string]any{}
	for label, v := range m.labels {
		in[m.labelMember[label]] = v
	}
	q := r.URL.Query()
	for _, b := range m.route.Bindings {
		var vals []string
		var where string
		switch b.Location {
		case api.InQueryString:
			vals, where = q[b.Name], "query parameter "+b.Name
		case api.InHeader:
			vals, where = r.Header.Values(b.Name), "header "+b.Name
			if len(vals) > 0 && b.Type == "list" {
				var split []string
				for _, v := range vals {
					for _, p := range strings.Split(v, ",") {
						split = append(split, strings.TrimSpace(p))
					}
				}
				vals = split
			}
		default:
			continue
		}
		if len(vals) == 0 {
			continue
		}
		if !typed {
			if b.Type == "list" {
				in[b.Member] = vals
			} else {
				in[b.Member] = vals[0]
			}
			continue
		}
		v, err := bindValue(b.Type, vals)
		if err != nil {
			return nil, awsproto.Errorf("ValidationException", "1 validation error detected: Value '%s' at '%s' (%s) failed to satisfy constraint: %s", vals[0], b.Member, where, err.Error())
		}
		in[b.Member] = v
	}
	return in, nil
}

// bindValue converts a bound string to its member's JSON value.
func bindValue(typ string, vals []string) (any, error) {
	v := vals[0]
	switch typ {
	case "list":
		return vals, nil
	case "integer", "long":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("Member must be a number")
		}
		return n, nil
	case "boolean":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("Member must be true or false")
		}
		return b, nil
	case "timestamp":
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			if t, err = http.ParseTime(v); err != nil {
				return nil, fmt.Errorf("Member must be an ISO 8601 or HTTP date")
			}
		}
		// JSON bodies carry timestamps as epoch seconds.
		return float64(t.UnixNano()) / 1e9, nil
	}
	return v, nil
}

// restJSONBody merges the members bound outside the body into a REST-JSON
// request's body, which must be empty or a JSON object; a bound member
// replaces a body member of the same name.
func restJSONBody(body []byte, bound map[string]any) ([]byte, error) {
	obj := map[string]json.RawMessage{}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, awsproto.Errorf("SerializationException", "The request body is not a JSON object: %s", err.Error())
		}
		if obj == nil {
			obj = map[string]json.RawMessage{}
		}
	}
	for k, v := range bound {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		obj[k] = b
	}
	return json.Marshal(obj)
}
