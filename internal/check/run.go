package check

import (
	"time"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
)

// Result is the outcome of one test, in the shape of `check --format json`.
type Result struct {
	Name     string   `json:"name"`
	Decision string   `json:"decision"`
	Expect   string   `json:"expect"`
	Pass     bool     `json:"pass"`
	DeniedBy string   `json:"deniedBy"`
	Reasons  []Reason `json:"reasons"`
	// Note says why when no statement does (an implicit deny, the root
	// user). The text output shows it; the JSON of the contract has
	// exactly the fields above.
	Note string `json:"-"`

	Test        *Test            `json:"-"`
	Explanation eval.Explanation `json:"-"`
	Situation   *authz.Situation `json:"-"`
}

// Reason is one deciding statement.
type Reason struct {
	PolicyType string `json:"policyType"`
	Policy     string `json:"policy"`
	Statement  string `json:"statement"`
	Effect     string `json:"effect"`
	Position   string `json:"position,omitempty"`
	// Level is the SCP or RCP level (the root, an OU or an account) whose
	// policy the statement is.
	Level string `json:"level,omitempty"`
}

// Checker runs tests against one organization. It is safe for concurrent
// use.
type Checker struct {
	Org     *org.Org
	Sources *Sources
}

// New returns a Checker for o, indexing where its policies are written once.
func New(o *org.Org) *Checker {
	return &Checker{Org: o, Sources: NewSources(o)}
}

// Run decides a test against the org. It indexes the org's sources for each
// call: to run many tests, use a Checker.
func Run(o *org.Org, t *Test, now time.Time) (Result, error) {
	return New(o).Run(t, now)
}

// Run decides a test. The error is for a test that names something the org
// does not have.
func (c *Checker) Run(t *Test, now time.Time) (Result, error) {
	if t.SignIn != nil {
		return c.runSignIn(t)
	}
	s, e, err := authz.Decide(c.Org, authz.Query{
		Principal: t.Principal, Action: t.Action, Resource: t.Resource,
		ResourceAccount: t.ResourceAccount, Context: t.Context,
	}, now)
	if err != nil {
		return Result{}, &Error{File: t.File, Line: t.Line, Col: t.Col, Msg: "test " + quote(t.Name) + ": " + err.Error()}
	}
	if s.Missing != "" && !t.PrincipalAbsent {
		// A test that names a principal the org does not have is malformed
		// (shared/spec/check.md, exit status 2): a typo in a role name must
		// not pass a deny test.
		line, col := t.PrincipalLine, t.PrincipalCol
		if line == 0 {
			line, col = t.Line, t.Col
		}
		return Result{}, &Error{File: t.File, Line: line, Col: col, Msg: "test " + quote(t.Name) + ": no such principal in the org: " +
			s.Missing + " (if the test means it, say principalAbsent: true)"}
	}
	r := Result{Name: t.Name, Decision: e.Decision.String(), Expect: t.Expect, Test: t, Explanation: e, Situation: s, Note: e.Note, Reasons: []Reason{}}
	r.DeniedBy = "none"
	if e.Decision != eval.Allow {
		r.DeniedBy = e.DeniedBy.String()
	}
	for _, rs := range e.Reasons {
		r.Reasons = append(r.Reasons, Reason{
			PolicyType: rs.Layer.String(), Policy: rs.Policy.Name, Statement: rs.Statement.Src.Label(),
			Effect: rs.Effect.String(), Position: c.Sources.Position(rs.Policy, rs.Statement.Src), Level: rs.Target,
		})
	}
	r.Pass = passes(t, &e)
	if t.PrincipalAbsent && s.Missing == "" {
		r.Pass = false
		r.Note = "the test says the principal is absent (principalAbsent: true), but it is not a missing role or IAM user of an org account"
	}
	return r, nil
}

func passes(t *Test, e *eval.Explanation) bool {
	switch t.Expect {
	case "allow":
		return e.Decision == eval.Allow
	case "deny":
		if e.Decision == eval.Allow {
			return false
		}
	case "explicit-deny":
		if e.Decision != eval.ExplicitDeny {
			return false
		}
	case "implicit-deny":
		if e.Decision != eval.ImplicitDeny {
			return false
		}
	}
	if t.DeniedBy == "" {
		return true
	}
	if layerIs(e.DeniedBy, t.DeniedBy) {
		return true
	}
	// An explicit deny decided by several layers is decided by each of them.
	if e.Decision == eval.ExplicitDeny {
		for _, l := range e.Denials() {
			if layerIs(l, t.DeniedBy) {
				return true
			}
		}
	}
	return false
}

// layerIs compares a layer with a test's name for it; a KMS key policy is a
// resource policy that must allow explicitly, and tests may call it either.
func layerIs(l eval.Layer, name string) bool {
	return l.String() == name || (l == eval.LayerTrust && name == "resource")
}

func quote(s string) string { return `"` + s + `"` }
