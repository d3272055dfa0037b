package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

type createPolicyInput struct {
	Content     *string `json:"Content"`
	Description *string `json:"Description"`
	Name        *string `json:"Name"`
	Type        *string `json:"Type"`
	Tags        []Tag   `json:"Tags"`
}

type policyResult struct {
	Policy Policy `json:"Policy"`
}

// CreatePolicy creates an SCP or RCP, not attached to anything. Its
// document must be valid for its type and at most 5120 characters; names
// are unique within a type, and at most 1000 policies of a type exist.
// Warden keeps SCPs and RCPs only (the policy types it evaluates).
func (s *Service) CreatePolicy(ctx context.Context, c *api.Call) (any, error) {
	var in createPolicyInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("name", in.Name, "description", in.Description, "type", in.Type, "content", in.Content)
	name, err := required("Name", in.Name, nil)
	if err != nil {
		return nil, err
	}
	if err := checkPolicyName(in.Name, in.Description); err != nil {
		return nil, err
	}
	t, err := policyType("Type", in.Type)
	if err != nil {
		return nil, err
	}
	if _, kept := formatType[t]; !kept {
		return nil, policyTypeNotEnabled(t)
	}
	if err := noTags("policies", in.Tags); err != nil {
		return nil, err
	}
	if err := checkContent(t, name, str(in.Content)); err != nil {
		return nil, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := a.allow(ctx, []string{a.newPolicyARN(t, name)}, policyContext(t), false); err != nil {
		return nil, err
	}
	o, err := s.mutate(ctx, func(d *state.Doc, v view) error {
		if !v.typeEnabled(t) {
			return policyTypeNotEnabled(t)
		}
		if _, taken := v.policyByName(t, name); taken {
			return awsproto.Errorf("DuplicatePolicyException", "A policy with the same name already exists: %s.", name)
		}
		if len(v.policies(t)) >= maxPoliciesPerType {
			return constraint("POLICY_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the number of policies that you can have in an organization: %d of each type.", maxPoliciesPerType)
		}
		d.Org.Policies = append(d.Org.Policies, &org.PolicyDef{Name: name, Type: formatType[t], Description: str(in.Description), Document: org.TextDoc(*in.Content)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	v := view{o}
	p, ok := v.policyByName(t, name)
	if !ok {
		return nil, internalf("organizations: created policy %s is missing", name)
	}
	out := Policy{PolicySummary: p.summary(), Content: *in.Content}
	c.ResponseElements = trailPolicy(out)
	c.Resources = policyResources(p, v.mgmt())
	return policyResult{Policy: out}, nil
}
