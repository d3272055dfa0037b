package validate

import (
	"strings"

	"github.com/securecart/warden/internal/awsdata"
)

// actionChecks checks each action against the Service Authorization
// Reference (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html):
// a known service prefix, a known action or a pattern that matches one, and
// no pattern that another pattern of the same element already covers.
func (v *validator) actionChecks(s *statement) {
	for _, a := range s.actions {
		if !v.action(a) {
			if s.invalid == nil {
				s.invalid = map[*node]bool{}
			}
			s.invalid[a] = true
		}
	}
	v.redundantActions(s)
}

// action checks one action and reports whether it is valid.
func (v *validator) action(n *node) bool {
	a := n.str
	if a == "*" {
		return true
	}
	svc, name, ok := strings.Cut(a, ":")
	if !ok || svc == "" || name == "" {
		v.add("INVALID_ACTION", v.at(n), "The action %s does not exist: an action is written service:ActionName, such as s3:GetObject, or \"*\".", a)
		return false
	}
	if strings.ContainsAny(svc, "*?") {
		v.add("WILDCARD_IN_SERVICE_NAME", v.at(n), "Avoid using wildcards (*, ?) in the service name %s because it might grant unintended access to other AWS services with similar names.", svc)
		if len(awsdata.MatchActions(a)) == 0 {
			v.add("INVALID_ACTION", v.at(n), "The action %s does not match any action of any service. Update the pattern.", a)
			return false
		}
		return true
	}
	service, known := awsdata.LookupService(svc)
	if !known {
		v.add("INVALID_SERVICE_IN_ACTION", v.at(n), "The service %s specified in the action does not exist.%s", svc, didYouMean(closestService(svc)))
		return false
	}
	if strings.ContainsAny(name, "*?") {
		if len(awsdata.MatchActions(a)) == 0 {
			v.add("INVALID_ACTION", v.at(n), "The action %s does not match any action of %s. Update the pattern.", a, service.Name)
			return false
		}
		return true
	}
	if _, ok := service.Action(name); !ok {
		v.add("INVALID_ACTION", v.at(n), "The action %s does not exist.%s", a, didYouMean(closestAction(service, name)))
		return false
	}
	return true
}

// redundantActions reports each action of the element whose actions another
// one of the element already includes (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-suggestion-redundant-action):
// it is redundant when every action it can match, today's and future ones,
// the other matches too (pattern inclusion, not a sample of the data). Of
// two patterns that match the same actions, the later is the redundant one.
func (v *validator) redundantActions(s *statement) {
	if len(s.actions) < 2 {
		return
	}
	s.dropActions = map[*node]bool{}
	var valid []*node
	for _, a := range s.actions {
		if !s.invalid[a] {
			valid = append(valid, a)
		}
	}
	redundant(valid, actionSubset, true, func(n, by *node) {
		s.dropActions[n] = true
		v.add("REDUNDANT_ACTION", v.at(n), "The action %s is redundant because %s already provides its permissions. Remove %s.", n.str, by.str, n.str)
	})
}

// redundant calls report for each item that another item covers; fold
// compares items ignoring case.
func redundant(items []*node, subset func(a, b string) bool, fold bool, report func(n, by *node)) {
	text := make(map[*node]string, len(items))
	var wild []*node
	for _, it := range items {
		t := it.str
		if fold {
			t = strings.ToLower(t)
		}
		text[it] = t
		if strings.ContainsAny(t, "*?") {
			wild = append(wild, it)
		}
	}
	first := map[string]*node{}
	for _, it := range items {
		t := text[it]
		by, dup := first[t]
		if !dup {
			first[t] = it
			by = nil
		}
		for _, w := range wild {
			if by != nil {
				break
			}
			wt := text[w]
			if w == it || wt == t || !subset(t, wt) {
				continue
			}
			// Equivalent patterns: only the later one is redundant.
			if subset(wt, t) && w.index > it.index {
				continue
			}
			by = w
		}
		if by != nil {
			report(it, by)
		}
	}
}

func didYouMean(s string) string {
	if s == "" {
		return ""
	}
	return " Did you mean " + s + "?"
}

// closestService returns the known service prefix nearest to svc, if any is
// close (an edit distance of at most a third of its length).
func closestService(svc string) string {
	low := strings.ToLower(svc)
	best, bestD := "", len(low)/3+1
	for _, p := range awsdata.Services() {
		if d := editDistance(low, p); d < bestD {
			best, bestD = p, d
		}
	}
	return best
}

// closestAction returns the service's action nearest to name, as
// service:Action, if any is close.
func closestAction(s *awsdata.Service, name string) string {
	low := strings.ToLower(name)
	var best *awsdata.Action
	bestD := len(low)/3 + 1
	for _, a := range s.Actions() {
		if d := editDistance(low, strings.ToLower(a.Name)); d < bestD {
			best, bestD = a, d
		}
	}
	if best == nil {
		return ""
	}
	return best.String()
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
