package check

import (
	"time"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// Result is the outcome of one test, in the shape of `check --format json`.
type Result struct {
	Name     string   `json:"name"`
	Decision string   `json:"decision"`
	Expect   string   `json:"expect"`
	Pass     bool     `json:"pass"`
	DeniedBy string   `json:"deniedBy"`
	Reasons  []Reason `json:"reasons"`
	Note     string   `json:"note,omitempty"`

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
}

// Run decides a test against the org. The error is for a test that names
// something the org does not have.
func Run(o *org.Org, t *Test, now time.Time) (Result, error) {
	s, e, err := authz.Decide(o, authz.Query{
		Principal: t.Principal, Action: t.Action, Resource: t.Resource,
		ResourceAccount: t.ResourceAccount, Context: t.Context,
	}, now)
	if err != nil {
		return Result{}, &Error{File: t.File, Line: t.Line, Col: t.Col, Msg: "test " + quote(t.Name) + ": " + err.Error()}
	}
	r := Result{Name: t.Name, Decision: e.Decision.String(), Expect: t.Expect, Test: t, Explanation: e, Situation: s, Note: e.Note, Reasons: []Reason{}}
	r.DeniedBy = "none"
	if e.Decision != eval.Allow {
		r.DeniedBy = e.DeniedBy.String()
	}
	for _, rs := range e.Reasons {
		r.Reasons = append(r.Reasons, Reason{
			PolicyType: rs.Layer.String(), Policy: rs.Policy.Name, Statement: rs.Statement.Src.Label(),
			Effect: rs.Effect.String(), Position: position(rs.Statement.Src),
		})
	}
	r.Pass = passes(t, &e)
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

func position(s *policy.Statement) string {
	if !s.Pos.IsValid() {
		return ""
	}
	return s.Pos.String()
}

func quote(s string) string { return `"` + s + `"` }
