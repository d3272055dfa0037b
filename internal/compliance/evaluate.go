package compliance

import "sort"

// Report is every rule's evaluations on one input.
type Report struct {
	Rules       []*Rule      `json:"rules"`
	Evaluations []Evaluation `json:"evaluations"`
}

// Evaluate runs the rules on in. progress, if not nil, is called after
// each rule with the number done and the total.
func Evaluate(in *Input, rules []*Rule, progress func(done, total int)) *Report {
	rep := &Report{Rules: rules}
	for i, r := range rules {
		rep.Evaluations = append(rep.Evaluations, r.Evaluate(in)...)
		if progress != nil {
			progress(i+1, len(rules))
		}
	}
	sort.SliceStable(rep.Evaluations, func(i, j int) bool {
		a, b := &rep.Evaluations[i], &rep.Evaluations[j]
		if a.Resource.Account != b.Resource.Account {
			return a.Resource.Account < b.Resource.Account
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Resource.ID < b.Resource.ID
	})
	return rep
}

// Rule returns the report's rule of that name.
func (r *Report) Rule(name string) *Rule {
	for _, x := range r.Rules {
		if x.Name == name {
			return x
		}
	}
	return nil
}

// NonCompliant returns the evaluations that are NON_COMPLIANT or could not
// be made (INSUFFICIENT_DATA: a rule error), whose severity is at least
// minSeverity ("" for any).
func (r *Report) NonCompliant(minSeverity string) []Evaluation {
	var out []Evaluation
	floor := severityRank(minSeverity)
	for _, e := range r.Evaluations {
		if e.Compliance != NonCompliant && e.Compliance != InsufficientData {
			continue
		}
		if rule := r.Rule(e.Rule); rule != nil && severityRank(rule.Severity) < floor {
			continue
		}
		out = append(out, e)
	}
	return out
}

// RuleCompliance is a rule's compliance over all its resources, as
// DescribeComplianceByConfigRule gives it: NON_COMPLIANT if any resource
// is, COMPLIANT if some is and none is not, INSUFFICIENT_DATA otherwise.
func (r *Report) RuleCompliance(rule string) (string, int) {
	nc, c := 0, 0
	for _, e := range r.Evaluations {
		if e.Rule != rule {
			continue
		}
		switch e.Compliance {
		case NonCompliant:
			nc++
		case Compliant:
			c++
		}
	}
	switch {
	case nc > 0:
		return NonCompliant, nc
	case c > 0:
		return Compliant, 0
	}
	return InsufficientData, 0
}

func severityRank(s string) int {
	for i, x := range severities {
		if x == s {
			return i
		}
	}
	return 0
}

// ValidSeverity reports whether s names a severity (INFORMATIONAL, LOW,
// MEDIUM, HIGH, CRITICAL).
func ValidSeverity(s string) bool { return contains(severities, s) }
