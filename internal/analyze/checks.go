package analyze

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// Check results, as Access Analyzer's custom policy checks answer.
const (
	Pass = "PASS"
	Fail = "FAIL"
)

// Policy types of the custom checks.
const (
	IdentityPolicy = "IDENTITY_POLICY"
	ResourcePolicy = "RESOURCE_POLICY"
)

// CheckResult is the answer of a custom policy check
// (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoNewAccess.html).
type CheckResult struct {
	Result  string   `json:"result"`
	Message string   `json:"message"`
	Reasons []Reason `json:"reasons"`
}

// Reason points at a statement that decides a FAIL
// (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ReasonSummary.html).
type Reason struct {
	Description    string `json:"description"`
	StatementIndex *int   `json:"statementIndex,omitempty"`
	StatementID    string `json:"statementId,omitempty"`
	// Example is a request that shows it (not in AWS's shape).
	Example *Request `json:"example,omitempty"`
}

// AccessSpec is the access CheckAccessNotGranted looks for: actions, and/or
// resources (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_Access.html).
type AccessSpec struct {
	Actions   []string `json:"actions,omitempty"`
	Resources []string `json:"resources,omitempty"`
}

// ErrInvalid marks a request the checks cannot take: a malformed document,
// an unknown resource or policy type, an empty access list. Its message
// says what and where.
var ErrInvalid = errors.New("invalid check request")

// checkOwner is the account that holds the policy under check.
const checkOwner = "999999999999"

// compileFor parses and compiles a document for a check.
func compileFor(doc, name string, t policy.Type) (*policy.Policy, error) {
	d, err := policy.Parse([]byte(doc), name)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, name, err)
	}
	if errs := policy.Check(d, t, name); len(errs) > 0 {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, errs)
	}
	p, err := policy.Compile(d, t, name)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, name, err)
	}
	return p, nil
}

// typeOfResourcePolicy reads a resource-based policy as a role trust
// policy when it has no Resource element and only STS actions.
func typeOfResourcePolicy(doc string) policy.Type {
	d, err := policy.Parse([]byte(doc), "policy")
	if err != nil {
		return policy.Resource
	}
	for _, s := range d.Statements {
		if s.HasResource {
			return policy.Resource
		}
		for _, a := range s.Action {
			if !strings.HasPrefix(strings.ToLower(a.Value), "sts:") {
				return policy.Resource
			}
		}
	}
	return policy.Trust
}

func policyTypeOf(pt, doc string) (policy.Type, error) {
	switch pt {
	case IdentityPolicy:
		return policy.Identity, nil
	case ResourcePolicy:
		return typeOfResourcePolicy(doc), nil
	}
	return 0, fmt.Errorf("%w: policyType %q: want IDENTITY_POLICY or RESOURCE_POLICY", ErrInvalid, pt)
}

// decider evaluates requests against one policy of a check.
type decider struct {
	p        *policy.Policy
	identity bool
}

func (d *decider) decide(p *Principal, action, resource string, ctx map[string][]string, e *eval.Explanation) bool {
	owner := checkOwner
	principal := "arn:aws:sts::" + checkOwner + ":assumed-role/warden-check/session"
	if !d.identity {
		principal = p.ARN
	}
	full := make(map[string][]string, len(ctx)+8)
	for k, v := range ctx {
		full[k] = v
	}
	if !d.identity {
		for k, v := range p.Context {
			full[k] = v
		}
	}
	req, err := eval.NewRequest(principal, action, resource, owner, full)
	if err != nil {
		return false
	}
	in := eval.Inputs{}
	if d.identity {
		in.Identity = []*policy.Policy{d.p}
	} else {
		in.Resource = []*policy.Policy{d.p}
		in.AssumeIdentityAllows = true
	}
	return eval.EvaluateInto(req, &in, e) == eval.Allow
}

// allowing returns the statement of the policy that allowed.
func allowing(e *eval.Explanation) *policy.CompiledStatement {
	for _, r := range e.Reasons {
		if r.Effect == policy.Allow {
			return r.Statement
		}
	}
	return nil
}

// sweep runs fn on one request of every class that the statements tell
// apart: principal (for resource policies), action, resource and context.
// extra patterns split resources further. It returns whether the classes
// were exact and the walk complete; fn returns false to stop.
func sweep(stmts []Stmt, identity bool, universe []string, extra []pattern, fn func(p *Principal, rc *requestClass, resource string, ctx map[string][]string) bool) bool {
	exact := true
	principals := []Principal{{ARN: "identity"}}
	if !identity {
		var ok bool
		principals, ok = Principals(stmts, &Zone{Kind: ZoneAccount})
		exact = exact && ok
	}
	fixed := IsFixedKey
	if identity {
		// Whoever holds an identity policy: the keys of the principal range
		// freely too.
		fixed = nil
	}
	for _, rc := range requestClasses(stmts, universe) {
		reps, ok := resourcesFor(&rc, stmts, extra)
		exact = exact && ok
		act := policy.NewAction(rc.Rep)
		for _, res := range reps {
			var relevant []Stmt
			for _, st := range stmts {
				if st.S.MatchesAction(&act) {
					relevant = append(relevant, st)
				}
			}
			if len(relevant) == 0 {
				continue
			}
			sp := NewSpace(relevant, fixed)
			if sp.Size(MaxCombinations) > MaxCombinations || !sp.Exact() {
				exact = false
				if sp.Size(MaxCombinations) > MaxCombinations {
					continue
				}
			}
			for i := range principals {
				stop := false
				sp.Each(func(ctx map[string][]string) bool {
					if !fn(&principals[i], &rc, res, ctx) {
						stop = true
						return false
					}
					return true
				})
				if stop {
					return exact
				}
			}
		}
	}
	return exact
}

func reasonFor(s *policy.CompiledStatement, desc string, ex *Request) Reason {
	r := Reason{Description: desc, Example: ex}
	if s != nil {
		i := s.Src.Index
		r.StatementIndex = &i
		r.StatementID = s.Src.Sid
	}
	return r
}

// finish turns reasons into a result.
func finish(reasons []Reason, passMsg, failMsg string) CheckResult {
	if len(reasons) == 0 {
		return CheckResult{Result: Pass, Message: passMsg, Reasons: []Reason{}}
	}
	sort.SliceStable(reasons, func(i, j int) bool {
		a, b := reasons[i].StatementIndex, reasons[j].StatementIndex
		return a != nil && (b == nil || *a < *b)
	})
	return CheckResult{Result: Fail, Message: failMsg, Reasons: reasons}
}

// addReason adds one reason per statement (and one for "unsure").
type reasonSet struct {
	list []Reason
	seen map[int]bool
}

func (rs *reasonSet) add(s *policy.CompiledStatement, desc string, ex *Request) {
	if rs.seen == nil {
		rs.seen = map[int]bool{}
	}
	k := -1
	if s != nil {
		k = s.Src.Index
	}
	if rs.seen[k] {
		return
	}
	rs.seen[k] = true
	rs.list = append(rs.list, reasonFor(s, desc, ex))
}
