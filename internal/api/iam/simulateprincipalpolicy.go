package iam

import (
	"context"
	"fmt"
	"github.com/securecart/warden/internal/call"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// SimulatePrincipalPolicy evaluates actions on resources as a role or IAM
// user of the organization (PolicySourceArn) would be decided: with its
// identity policies, its permissions boundary, the SCPs of its account and
// the resource's policy, as the engine decides real requests, plus the
// policies the request adds (PolicyInputList, PermissionsBoundaryPolicyInputList,
// ResourcePolicy) and its context entries. Each result names the deciding
// statements with their positions in the policies' text as IAM returns it.
// The caller needs iam:SimulatePrincipalPolicy on the principal.
func (s *Service) SimulatePrincipalPolicy(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	src, err := required(c, "PolicySourceArn")
	if err != nil {
		return nil, err
	}
	if len(src) < 20 || len(src) > 2048 {
		return nil, validationf("1 validation error detected: Value '%s' at 'policySourceArn' failed to satisfy constraint: Member must have length greater than or equal to 20", src)
	}
	in, err := readSimInput(c)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{"policySourceArn": src, "actionNames": in.actions, "resourceArns": in.resources}
	if err := s.Authz.Authorize(ctx, c, "iam:SimulatePrincipalPolicy", src, nil); err != nil {
		return nil, err
	}
	principal, err := policy.ParseCaller(src)
	if err != nil || (principal.Kind != policy.CallerRole && principal.Kind != policy.CallerUser) || !strings.HasPrefix(src, "arn:aws:iam::") {
		if strings.Contains(src, ":group/") {
			return nil, awsproto.Errorf("InvalidInput", "Invalid PolicySourceArn %s: Warden simulates roles and users; simulate a user of the group instead.", src)
		}
		return nil, awsproto.Errorf("InvalidInput", "Invalid PolicySourceArn %s: give the ARN of a role or an IAM user.", src)
	}
	if in.resource != nil && principal.Kind != policy.CallerUser && in.caller == nil {
		return nil, awsproto.Errorf("InvalidInput", "CallerArn is required when a ResourcePolicy is given and PolicySourceArn is not an IAM user.")
	}
	m, o, err := s.view(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.principalTexts(ctx, m, o, principal, src, in.texts); err != nil {
		return nil, err
	}
	var results []evaluationResult
	for _, action := range in.actions {
		for _, resource := range in.resources {
			s.resourceText(m, o, resource, in.texts)
			q := authz.Query{Principal: src, Action: action, Resource: resource, ResourceAccount: in.owner, Context: copyContext(in.context)}
			sit, err := authz.Assemble(o, q, c.Now)
			if err != nil {
				return nil, awsproto.Errorf("InvalidInput", "%v", err)
			}
			inputs := sit.Inputs
			inputs.Identity = append(append([]*policy.Policy(nil), inputs.Identity...), in.extra...)
			if len(in.boundary) > 0 {
				inputs.Boundary = in.boundary
			}
			if in.resource != nil {
				inputs.Resource = []*policy.Policy{in.resource}
			}
			req := sit.Request
			if in.caller != nil {
				req.Caller = *in.caller
				if _, given := in.context["aws:PrincipalArn"]; !given {
					req.Context.Set("aws:PrincipalArn", in.caller.ARN)
				}
				if _, given := in.context["aws:username"]; !given {
					req.Context.Set("aws:username", in.caller.Name)
				}
			}
			e := eval.Evaluate(req, &inputs)
			results = append(results, in.result(req, &inputs, e, sit.Account != nil))
		}
	}
	return paginateResults(c, results)
}

func copyContext(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// paginateResults returns a page of simulation results, in request order.
func paginateResults(c *api.Call, results []evaluationResult) (any, error) {
	type indexed struct {
		i int
		r evaluationResult
	}
	list := make([]indexed, len(results))
	for i, r := range results {
		list[i] = indexed{i, r}
	}
	page, info, err := paginate(c, list, func(x indexed) string { return fmt.Sprintf("%08d", x.i) })
	if err != nil {
		return nil, err
	}
	res := simulateResult{EvaluationResults: make([]evaluationResult, 0, len(page)), pageInfo: info}
	for _, x := range page {
		res.EvaluationResults = append(res.EvaluationResults, x.r)
	}
	return res, nil
}

// principalTexts records the text of each policy of a role or user, by the
// name the org gives its compiled form, so that matched statements can be
// placed in the text IAM returns.
func (s *Service) principalTexts(ctx context.Context, m *model, o *org.Org, p policy.Caller, src string, texts map[string]string) error {
	managed := func(arns []string) {
		for _, a := range arns {
			if pr, ok := s.findPolicy(ctx, m, p.Account, a); ok {
				texts[a] = pr.defaultVersion().Text
			}
		}
	}
	switch p.Kind {
	case policy.CallerRole:
		r, ok := o.Role(p.Account, p.Name)
		if !ok || r.ARN != src {
			return noSuchEntity("The role with name %s cannot be found.", p.Name)
		}
		rec, ok := findRole(m, o, p.Account, p.Name)
		if !ok {
			return noSuchEntity("The role with name %s cannot be found.", p.Name)
		}
		for k, text := range rec.Inline {
			if r.PermissionSet != "" {
				texts["permission set "+r.PermissionSet+" inline"] = text
			} else {
				texts["role "+rec.Name+" inline "+k] = text
			}
		}
		managed(rec.Managed)
		if rec.Boundary != "" {
			managed([]string{rec.Boundary})
		}
	case policy.CallerUser:
		u, ok := o.User(p.Account, p.Name)
		if !ok || u.ARN != src {
			return noSuchEntity("The user with name %s cannot be found.", p.Name)
		}
		rec, ok := findUser(m, p.Account, p.Name)
		if !ok {
			return noSuchEntity("The user with name %s cannot be found.", p.Name)
		}
		for k, text := range rec.Inline {
			texts["user "+rec.Name+" inline "+k] = text
		}
		managed(rec.Managed)
		if rec.Boundary != "" {
			managed([]string{rec.Boundary})
		}
		for _, g := range m.GroupsIn(m.AccountName(p.Account)) {
			if !containsFold(rec.Groups, g.Name) {
				continue
			}
			for k, d := range g.InlinePolicies {
				texts["group "+g.Name+" inline "+k] = m.docText(d)
			}
			var arns []string
			for _, ref := range g.ManagedPolicies {
				arns = append(arns, m.RefARN(p.Account, ref))
			}
			managed(arns)
		}
	}
	return nil
}

// resourceText records the text of the resource policy of a resource: a
// role's trust policy, or a declared resource's policy (an S3 object's is
// its bucket's).
func (s *Service) resourceText(m *model, o *org.Org, resource string, texts map[string]string) {
	bucket := resource
	if rest, ok := strings.CutPrefix(resource, "arn:aws:s3:::"); ok {
		name, _, _ := strings.Cut(rest, "/")
		bucket = "arn:aws:s3:::" + name
	}
	for _, r := range m.Resources {
		if r.ARN == resource || r.ARN == bucket {
			texts["resource "+r.ARN] = m.docText(r.Policy)
		}
	}
	acct, rest, ok := strings.Cut(strings.TrimPrefix(resource, "arn:aws:iam::"), ":role/")
	if !ok || !strings.HasPrefix(resource, "arn:aws:iam::") {
		return
	}
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	if r, ok := findRole(m, o, acct, name); ok {
		texts["role "+r.Name+" trust"] = r.Trust
	}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
