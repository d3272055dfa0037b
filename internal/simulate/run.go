package simulate

import (
	"strconv"
	"time"

	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/condition"
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

// Run evaluates a case. now fills aws:CurrentTime and aws:EpochTime when the
// case does not give them, as AWS sets them on every request.
func Run(c *Case, now time.Time) Result {
	res := Result{Name: c.Name, Expect: c.Expect, Reasons: []ReasonJSON{}}
	if c.Err != nil {
		res.Error = c.Err.Error()
		return res
	}
	req, err := eval.NewRequest(c.Principal, c.Action, c.Resource, c.ResourceAccount, c.Context)
	if err != nil {
		res.Error = c.File + ": " + c.Label() + ": /request: " + err.Error()
		return res
	}
	if awsdata.TakesNoResource(req.ActionName) {
		req.TakesNoResource()
	}
	if c.FederatingUser != "" {
		if err := req.Caller.SetFederatingUser(c.FederatingUser); err != nil {
			res.Error = c.File + ": " + c.Label() + ": /request/federatingUser: " + err.Error()
			return res
		}
	}
	FillContext(req.Context, &req.Caller, now)
	in := c.Inputs
	if in.RCP != nil && !awsdata.RCPApplies(req.Action.Service) {
		// RCPs apply only to the resources of the services that support them
		// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
		in.RCP = nil
	}
	exp := eval.Evaluate(req, &in)
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

// FillContext sets the context keys AWS sets itself for the caller, unless the
// request already has them
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
func FillContext(ctx condition.Context, c *policy.Caller, now time.Time) {
	if !now.IsZero() {
		ctx.SetDefault("aws:CurrentTime", now.UTC().Format(time.RFC3339))
		ctx.SetDefault("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	}
	switch c.Kind {
	case policy.CallerAnonymous, policy.CallerWebIdentity:
		return
	case policy.CallerService:
		ctx.SetDefault("aws:PrincipalServiceName", c.ARN)
		ctx.SetDefault("aws:PrincipalIsAWSService", "true")
		return
	}
	ctx.SetDefault("aws:PrincipalAccount", c.Account)
	ctx.SetDefault("aws:PrincipalIsAWSService", "false")
	switch c.Kind {
	case policy.CallerAssumedRole, policy.CallerRole:
		ctx.SetDefault("aws:PrincipalArn", c.RoleARN)
	default:
		ctx.SetDefault("aws:PrincipalArn", c.ARN)
	}
	switch c.Kind {
	case policy.CallerUser:
		ctx.SetDefault("aws:username", c.Name)
		ctx.SetDefault("aws:PrincipalType", "User")
	case policy.CallerAssumedRole:
		ctx.SetDefault("aws:PrincipalType", "AssumedRole")
	case policy.CallerFederatedUser:
		ctx.SetDefault("aws:PrincipalType", "FederatedUser")
	case policy.CallerRoot:
		ctx.SetDefault("aws:PrincipalType", "Account")
		ctx.SetDefault("aws:userid", c.Account)
	}
}
