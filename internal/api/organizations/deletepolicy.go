package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/state"
)

type deletePolicyInput struct {
	PolicyID *string `json:"PolicyId"`
}

// DeletePolicy deletes a policy that is attached to nothing. AWS managed
// policies cannot be deleted.
func (s *Service) DeletePolicy(ctx context.Context, c *api.Call) (any, error) {
	var in deletePolicyInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("policyId", in.PolicyID)
	id, err := policyID(in.PolicyID)
	if err != nil {
		return nil, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	if _, _, err := a.allowPolicy(ctx, id); err != nil {
		return nil, err
	}
	var deleted pol
	_, err = s.mutate(ctx, func(d *state.Doc, v view) error {
		p, def, err := policyIn(d, v, id)
		if err != nil {
			return err
		}
		if err := immutable(p); err != nil {
			return err
		}
		if len(def.Attach) > 0 {
			return awsproto.Errorf("PolicyInUseException", "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.")
		}
		d.Org.RemovePolicy(def)
		deleted = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.Resources = policyResources(deleted, a.mgmt())
	return struct{}{}, nil
}
