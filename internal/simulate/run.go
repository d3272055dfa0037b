package simulate

import (
	"strconv"
	"time"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// Result is the outcome of one case, in the shape of `simulate --format json`.
type Result struct {
	Name     string            `json:"name"`
	Decision string            `json:"decision,omitempty"`
	Expect   string            `json:"expect,omitempty"`
	Pass     *bool             `json:"pass,omitempty"`
	Reasons  []ReasonJSON      `json:"reasons"`
	DeniedBy string            `json:"deniedBy,omitempty"`
	Note     string            `json:"note,omitempty"`
	Error    string            `json:"error,omitempty"`
	Explain  *eval.Explanation `json:"-"`
}

// ReasonJSON is one deciding statement.
type ReasonJSON struct {
	PolicyType string `json:"policyType"`
	Policy     string `json:"policy"`
	Statement  string `json:"statement"`
	Effect     string `json:"effect"`
	Position   string `json:"position,omitempty"`
}

// Run evaluates a case with authz.Evaluate. now fills aws:CurrentTime and
// aws:EpochTime when the case does not give them, as AWS sets them on every
// request.
func Run(c *Case, now time.Time) Result {
	res := Result{Name: c.Name, Expect: c.Expect, Reasons: []ReasonJSON{}}
	if c.Err != nil {
		return res.failed(c.Err.Error())
	}
	req, err := authz.NewRequest(c.Principal, c.Action, c.Resource, c.ResourceAccount, c.Context)
	if err != nil {
		return res.failed(c.File + ": " + c.Label() + ": /request: " + err.Error())
	}
	if c.FederatingUser != "" {
		if err := req.Caller.SetFederatingUser(c.FederatingUser); err != nil {
			return res.failed(c.File + ": " + c.Label() + ": /request/federatingUser: " + err.Error())
		}
	}
	exp := authz.Evaluate(req, c.Inputs, now)
	res.Explain = &exp
	res.Decision = exp.Decision.String()
	if exp.Decision != eval.Allow {
		res.DeniedBy = exp.DeniedBy.String()
	}
	res.Note = exp.Note
	if c.Expect != "" {
		pass := c.Expect == res.Decision
		res.Pass = &pass
	}
	for _, r := range exp.Reasons {
		res.Reasons = append(res.Reasons, ReasonJSON{
			PolicyType: r.Layer.PolicyType(),
			Policy:     policyName(r),
			Statement:  r.Statement.Src.Label(),
			Effect:     r.Effect.String(),
			Position:   positionOf(r.Statement.Src),
		})
	}
	return res
}

// failed is the result of a case that could not be evaluated: it has no
// decision, and a case with an expectation did not pass it (the contract's
// "expect and pass only when the case has expect": both, whenever it has).
func (res Result) failed(msg string) Result {
	res.Error = msg
	if res.Expect != "" {
		pass := false
		res.Pass = &pass
	}
	return res
}

func policyName(r eval.Reason) string {
	if r.Target != "" {
		return r.Target + "/" + strconv.Itoa(r.PolicyIndex)
	}
	if r.Policy != nil && r.Policy.Name != "" {
		return r.Policy.Name
	}
	return strconv.Itoa(r.PolicyIndex)
}

func positionOf(s *policy.Statement) string {
	if !s.Pos.IsValid() {
		return ""
	}
	return s.Pos.String()
}
