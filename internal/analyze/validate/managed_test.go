package validate

import (
	"syscall"
	"testing"
	"time"

	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/policy"
)

// structural are checks that AWS's own store enforces: no AWS managed
// policy can have them.
var structural = map[string]bool{
	"JSON_SYNTAX_ERROR": true, "DATA_TYPE_MISMATCH": true, "INVALID_POLICY_ELEMENT": true, "INVALID_EFFECT": true,
	"MISSING_ACTION": true, "MISSING_EFFECT": true, "MISSING_RESOURCE": true, "MISSING_STATEMENT": true,
	"INVALID_VERSION": true, "UNSUPPORTED_ELEMENT_COMBINATION": true, "UNSUPPORTED_PRINCIPAL": true,
	"INVALID_CONDITION_OPERATOR": true, "UNIQUE_SIDS_REQUIRED": true,
}

// TestManagedPolicies validates every AWS managed policy as an identity
// policy: no structural finding, every location inside the document and
// pointing, by its path, at the text its span covers; and the findings AWS
// itself reports on its broadest policies.
func TestManagedPolicies(t *testing.T) {
	if testing.Short() {
		t.Skip("validates 1,645 documents")
	}
	total, byCode := 0, map[string]int{}
	for _, p := range awsdata.ManagedPolicies() {
		if p.Document == nil {
			continue
		}
		total++
		fs := Validate(p.Document, Options{Type: policy.Identity})
		root, _ := parseTree(p.Document)
		pos := newPositions(p.Document)
		for _, f := range fs {
			byCode[f.IssueCode]++
			if structural[f.IssueCode] {
				t.Errorf("%s: %s %s", p.Name, f.IssueCode, f.FindingDetails)
			}
			for _, l := range f.Locations {
				if n := resolve(root, l.Path); n == nil {
					t.Errorf("%s: %s: path %s resolves to nothing", p.Name, f.IssueCode, l)
				} else if want := pos.span(n.start, n.end); (len(l.Path) == 0 || l.Path[len(l.Path)-1].Key == nil) && want != l.Span {
					t.Errorf("%s: %s: span %+v, the path's value spans %+v", p.Name, f.IssueCode, l.Span, want)
				}
			}
		}
		if p.Name == "AdministratorAccess" && !has(fs, "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE") {
			t.Errorf("AdministratorAccess: no PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE in %v", codes(fs))
		}
	}
	if total < 1640 {
		t.Errorf("validated %d managed policies, want all 1,645 (one has no document)", total)
	}
	t.Logf("%d documents; findings by issue code: %v", total, byCode)
}

// resolve follows a path from the root; a final key element names the
// member whose value it returns.
func resolve(n *node, path []PathElement) *node {
	for _, e := range path {
		switch {
		case n == nil:
			return nil
		case e.Index != nil:
			if n.kind != '[' || *e.Index >= len(n.items) {
				return nil
			}
			n = n.items[*e.Index]
		case e.Value != nil, e.Key != nil:
			name := ""
			if e.Value != nil {
				name = *e.Value
			} else {
				name = *e.Key
			}
			m := n.member(name)
			if m == nil {
				return nil
			}
			n = m.val
		}
	}
	return n
}

func has(fs []Finding, code string) bool {
	for _, f := range fs {
		if f.IssueCode == code {
			return true
		}
	}
	return false
}

// BenchmarkManagedPolicies validates all 1,645 AWS managed policies per
// operation; goal: under 2 s.
func BenchmarkManagedPolicies(b *testing.B) {
	var docs [][]byte
	for _, p := range awsdata.ManagedPolicies() {
		if p.Document != nil {
			docs = append(docs, p.Document)
		}
	}
	Validate(docs[0], Options{}) // load the reference data once
	// CPU time per operation, beside wall time: on a shared machine the
	// wall time also counts other processes' turns.
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	b.ResetTimer()
	for b.Loop() {
		for _, d := range docs {
			Validate(d, Options{Type: policy.Identity})
		}
	}
	b.ReportMetric((cpu()-start).Seconds()/float64(b.N), "cpu-s/op")
}
