package iam

import (
	"context"
	"github.com/securecart/warden/internal/call"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsdata"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// simulatedUser is the principal of a custom simulation without CallerArn:
// an IAM user of the caller's account that has only the given policies.
const simulatedUser = "iam-policy-simulator"

// SimulateCustomPolicy evaluates actions on resources with the given
// policies only (PolicyInputList, PermissionsBoundaryPolicyInputList,
// ResourcePolicy) and the given context entries: no organization policy
// applies. The caller needs iam:SimulateCustomPolicy.
func (s *Service) SimulateCustomPolicy(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	if len(c.Params.List("PolicyInputList")) == 0 {
		return nil, validationf("1 validation error detected: Value null at 'policyInputList' failed to satisfy constraint: Member must not be null")
	}
	in, err := readSimInput(c)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	if in.resource != nil && in.caller == nil {
		return nil, awsproto.Errorf("InvalidInput", "CallerArn is required when a ResourcePolicy is given.")
	}
	c.RequestParameters = call.Fields{"actionNames": in.actions, "resourceArns": in.resources}
	if err := s.Authz.Authorize(ctx, c, "iam:SimulateCustomPolicy", "*", nil); err != nil {
		return nil, err
	}
	principal := "arn:aws:iam::" + c.Identity.Account + ":user/" + simulatedUser
	if in.caller != nil {
		principal = in.caller.ARN
	}
	var results []evaluationResult
	for _, action := range in.actions {
		for _, resource := range in.resources {
			req, err := eval.NewRequest(principal, action, resource, in.owner, copyContext(in.context))
			if err != nil {
				return nil, awsproto.Errorf("InvalidInput", "%v", err)
			}
			if awsdata.TakesNoResource(action) {
				req.TakesNoResource()
			}
			inputs := eval.Inputs{Identity: in.extra, Boundary: in.boundary}
			if in.resource != nil {
				inputs.Resource = []*policy.Policy{in.resource}
			}
			results = append(results, in.result(req, &inputs, eval.Evaluate(req, &inputs), false))
		}
	}
	return paginateResults(c, results)
}
