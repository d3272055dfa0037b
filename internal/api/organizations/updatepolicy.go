package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

type updatePolicyInput struct {
	PolicyID    *string `json:"PolicyId"`
	Name        *string `json:"Name"`
	Description *string `json:"Description"`
	Content     *string `json:"Content"`
}

// UpdatePolicy changes a policy's description or document; what is not
// given stays. AWS managed policies cannot be changed. Warden derives
// policy IDs from names, so it refuses a new Name rather than change the
// policy's ID.
func (s *Service) UpdatePolicy(ctx context.Context, c *api.Call) (any, error) {
	var in updatePolicyInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("policyId", in.PolicyID, "name", in.Name, "description", in.Description, "content", in.Content)
	id, err := policyID(in.PolicyID)
	if err != nil {
		return nil, err
	}
	if err := checkPolicyName(in.Name, in.Description); err != nil {
		return nil, err
	}
	if in.Content != nil && *in.Content == "" {
		return nil, tooShort("Content", 1)
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	if _, _, err := a.allowPolicy(ctx, id); err != nil {
		return nil, err
	}
	var updated pol
	o, err := s.mutate(ctx, func(d *state.Doc, v view) error {
		p, def, err := policyIn(d, v, id)
		if err != nil {
			return err
		}
		if err := immutable(p); err != nil {
			return err
		}
		if in.Name != nil && *in.Name != p.Name {
			return awsproto.Errorf("InvalidInputException", "Warden derives a policy's ID from its name and keeps IDs stable, so it cannot rename policy %s (%s): create a new policy instead.", p.ID, p.Name)
		}
		if in.Content != nil {
			if err := checkContent(p.Type, p.Name, *in.Content); err != nil {
				return err
			}
			def.Document = org.TextDoc(*in.Content)
		}
		if in.Description != nil {
			def.Description = *in.Description
		}
		updated = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	d, err := s.doc(ctx)
	if err != nil {
		return nil, err
	}
	v := view{o}
	p, ok := v.policy(updated.ID)
	if !ok {
		return nil, policyNotFound(id)
	}
	out := describe(p, d)
	c.ResponseElements = trailPolicy(out)
	c.Resources = policyResources(p, v.mgmt())
	return policyResult{Policy: out}, nil
}
