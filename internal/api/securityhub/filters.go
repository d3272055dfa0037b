package securityhub

import (
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// The filters of GetFindings (AwsSecurityFindingFilters), with Security
// Hub's rules
// (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_StringFilter.html):
// EQUALS and PREFIX filters on one field are joined by OR, NOT_EQUALS and
// PREFIX_NOT_EQUALS by AND, CONTAINS by OR and NOT_CONTAINS by AND; EQUALS
// with NOT_EQUALS on one field is an error. Fields are joined by AND.

type stringFilter struct {
	Value      string `json:"Value"`
	Comparison string `json:"Comparison"`
}

type dateFilter struct {
	Start     string `json:"Start"`
	End       string `json:"End"`
	DateRange *struct {
		Value int    `json:"Value"`
		Unit  string `json:"Unit"`
	} `json:"DateRange"`
}

type numberFilter struct {
	Gte *float64 `json:"Gte"`
	Lte *float64 `json:"Lte"`
	Eq  *float64 `json:"Eq"`
	Gt  *float64 `json:"Gt"`
	Lt  *float64 `json:"Lt"`
}

type mapFilter struct {
	Key        string `json:"Key"`
	Value      string `json:"Value"`
	Comparison string `json:"Comparison"`
}

// filter is a compiled AwsSecurityFindingFilters.
type filter func(f *Finding) bool

func compileFilters(raw map[string]json.RawMessage, now time.Time) (filter, error) {
	var tests []filter
	for _, name := range sortedKeys(raw) {
		body := raw[name]
		switch {
		case stringFields[name] != nil:
			var fs []stringFilter
			if err := json.Unmarshal(body, &fs); err != nil {
				return nil, invalidInput("Filters.%s: %v", name, err)
			}
			t, err := stringTest(name, fs)
			if err != nil {
				return nil, err
			}
			tests = append(tests, t)
		case dateFields[name] != nil:
			var fs []dateFilter
			if err := json.Unmarshal(body, &fs); err != nil {
				return nil, invalidInput("Filters.%s: %v", name, err)
			}
			t, err := dateTest(name, fs, now)
			if err != nil {
				return nil, err
			}
			tests = append(tests, t)
		case numberFields[name] != nil:
			var fs []numberFilter
			if err := json.Unmarshal(body, &fs); err != nil {
				return nil, invalidInput("Filters.%s: %v", name, err)
			}
			get := numberFields[name]
			tests = append(tests, func(f *Finding) bool {
				v, ok := get(f)
				for _, n := range fs {
					if !ok || (n.Gte != nil && v < *n.Gte) || (n.Lte != nil && v > *n.Lte) || (n.Eq != nil && v != *n.Eq) ||
						(n.Gt != nil && v <= *n.Gt) || (n.Lt != nil && v >= *n.Lt) {
						return false
					}
				}
				return true
			})
		case mapFields[name] != nil:
			var fs []mapFilter
			if err := json.Unmarshal(body, &fs); err != nil {
				return nil, invalidInput("Filters.%s: %v", name, err)
			}
			t, err := mapTest(name, fs)
			if err != nil {
				return nil, err
			}
			tests = append(tests, t)
		default:
			return nil, invalidInput("Filters.%s: Warden does not filter findings on %s (it filters on %s)", name, name, strings.Join(filterNames(), ", "))
		}
	}
	return func(f *Finding) bool {
		for _, t := range tests {
			if !t(f) {
				return false
			}
		}
		return true
	}, nil
}

func filterNames() []string {
	var out []string
	for k := range stringFields {
		out = append(out, k)
	}
	for k := range dateFields {
		out = append(out, k)
	}
	for k := range numberFields {
		out = append(out, k)
	}
	for k := range mapFields {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func stringTest(name string, fs []stringFilter) (filter, error) {
	var anyOf, allOf []func(string) bool
	hasEq, hasNeq := false, false
	for _, s := range fs {
		v := s.Value
		switch s.Comparison {
		case "EQUALS":
			hasEq = true
			anyOf = append(anyOf, func(x string) bool { return x == v })
		case "PREFIX":
			anyOf = append(anyOf, func(x string) bool { return strings.HasPrefix(x, v) })
		case "CONTAINS":
			anyOf = append(anyOf, func(x string) bool { return strings.Contains(x, v) })
		case "NOT_EQUALS":
			hasNeq = true
			allOf = append(allOf, func(x string) bool { return x != v })
		case "PREFIX_NOT_EQUALS":
			hasNeq = true
			allOf = append(allOf, func(x string) bool { return !strings.HasPrefix(x, v) })
		case "NOT_CONTAINS":
			allOf = append(allOf, func(x string) bool { return !strings.Contains(x, v) })
		default:
			return nil, invalidInput("Filters.%s: Comparison %q is not one of EQUALS, PREFIX, NOT_EQUALS, PREFIX_NOT_EQUALS, CONTAINS, NOT_CONTAINS", name, s.Comparison)
		}
	}
	if hasEq && hasNeq {
		return nil, invalidInput("Filters.%s: an EQUALS filter cannot be combined with NOT_EQUALS or PREFIX_NOT_EQUALS on the same field", name)
	}
	get := stringFields[name]
	return func(f *Finding) bool {
		vals := get(f)
		if len(anyOf) > 0 && !someValue(vals, anyOf) {
			return false
		}
		for _, t := range allOf {
			for _, v := range vals {
				if !t(v) {
					return false
				}
			}
		}
		return true
	}, nil
}

func someValue(vals []string, tests []func(string) bool) bool {
	for _, v := range vals {
		for _, t := range tests {
			if t(v) {
				return true
			}
		}
	}
	return false
}

func dateTest(name string, fs []dateFilter, now time.Time) (filter, error) {
	type span struct{ from, to time.Time }
	var spans []span
	for _, d := range fs {
		var sp span
		switch {
		case d.DateRange != nil:
			if d.DateRange.Unit != "DAYS" || d.DateRange.Value <= 0 {
				return nil, invalidInput("Filters.%s.DateRange: want a positive Value in DAYS", name)
			}
			sp = span{now.AddDate(0, 0, -d.DateRange.Value), now}
		default:
			var err error
			if d.Start != "" {
				if sp.from, err = time.Parse(time.RFC3339, d.Start); err != nil {
					return nil, invalidInput("Filters.%s.Start: %q is not an ISO 8601 date-time", name, d.Start)
				}
			}
			if d.End != "" {
				if sp.to, err = time.Parse(time.RFC3339, d.End); err != nil {
					return nil, invalidInput("Filters.%s.End: %q is not an ISO 8601 date-time", name, d.End)
				}
			}
		}
		spans = append(spans, sp)
	}
	get := dateFields[name]
	return func(f *Finding) bool {
		t, err := time.Parse(time.RFC3339, get(f))
		if err != nil {
			return false
		}
		for _, sp := range spans {
			if (!sp.from.IsZero() && t.Before(sp.from)) || (!sp.to.IsZero() && t.After(sp.to)) {
				return false
			}
		}
		return true
	}, nil
}

func mapTest(name string, fs []mapFilter) (filter, error) {
	hasEq, hasNeq := false, false
	for _, m := range fs {
		switch m.Comparison {
		case "EQUALS":
			hasEq = true
		case "NOT_EQUALS":
			hasNeq = true
		case "CONTAINS", "NOT_CONTAINS":
		default:
			return nil, invalidInput("Filters.%s: Comparison %q is not one of EQUALS, NOT_EQUALS, CONTAINS, NOT_CONTAINS", name, m.Comparison)
		}
	}
	if hasEq && hasNeq {
		return nil, invalidInput("Filters.%s: an EQUALS filter cannot be combined with NOT_EQUALS on the same field", name)
	}
	get := mapFields[name]
	return func(f *Finding) bool {
		vals := get(f)
		anyMatched, anyPositive := false, false
		for _, m := range fs {
			v, ok := vals[m.Key]
			switch m.Comparison {
			case "EQUALS":
				anyPositive = true
				anyMatched = anyMatched || (ok && v == m.Value)
			case "CONTAINS":
				anyPositive = true
				anyMatched = anyMatched || (ok && strings.Contains(v, m.Value))
			case "NOT_EQUALS":
				if ok && v == m.Value {
					return false
				}
			case "NOT_CONTAINS":
				if ok && strings.Contains(v, m.Value) {
					return false
				}
			}
		}
		return !anyPositive || anyMatched
	}, nil
}

// sortFindings orders findings by SortCriteria (default UpdatedAt,
// newest first, as Security Hub does).
func sortFindings(fs []*Finding, criteria []struct {
	Field     string `json:"Field"`
	SortOrder string `json:"SortOrder"`
}) error {
	type key func(a, b *Finding) int
	var keys []key
	for _, c := range criteria {
		desc := strings.EqualFold(c.SortOrder, "desc")
		var k key
		switch {
		case stringFields[c.Field] != nil:
			get := stringFields[c.Field]
			k = func(a, b *Finding) int { return strings.Compare(strings.Join(get(a), ","), strings.Join(get(b), ",")) }
		case dateFields[c.Field] != nil:
			get := dateFields[c.Field]
			k = func(a, b *Finding) int { return strings.Compare(get(a), get(b)) }
		case numberFields[c.Field] != nil:
			get := numberFields[c.Field]
			k = func(a, b *Finding) int {
				x, _ := get(a)
				y, _ := get(b)
				return cmpFloat(x, y)
			}
		default:
			return invalidInput("SortCriteria.Field: cannot sort on %q", c.Field)
		}
		if desc {
			inner := k
			k = func(a, b *Finding) int { return -inner(a, b) }
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		keys = []key{func(a, b *Finding) int { return -strings.Compare(a.UpdatedAt, b.UpdatedAt) }}
	}
	keys = append(keys, func(a, b *Finding) int { return strings.Compare(a.ID, b.ID) })
	sort.SliceStable(fs, func(i, j int) bool {
		for _, k := range keys {
			if c := k(fs[i], fs[j]); c != 0 {
				return c < 0
			}
		}
		return false
	})
	return nil
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
