package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/state"
)

type detachPolicyInput struct {
	PolicyID *string `json:"PolicyId"`
	TargetID *string `json:"TargetId"`
}

// DetachPolicy detaches a policy from a root, OU or account. Every target
// keeps at least one SCP, and RCPFullAWSAccess cannot be detached. The
// caller needs organizations:DetachPolicy on the policy and the target.
func (s *Service) DetachPolicy(ctx context.Context, c *api.Call) (any, error) {
	var in detachPolicyInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("policyId", in.PolicyID, "targetId", in.TargetID)
	id, err := policyID(in.PolicyID)
	if err != nil {
		return nil, err
	}
	tid, err := targetID(in.TargetID)
	if err != nil {
		return nil, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	if _, _, err := a.allowPolicy(ctx, id, a.targetARN(tid)); err != nil {
		return nil, err
	}
	var detached pol
	_, err = s.mutate(ctx, func(d *state.Doc, v view) error {
		p, m, err := policyIn(d, v, id)
		if err != nil {
			return err
		}
		t, ok := v.target(tid)
		if !ok {
			return targetNotFound(tid)
		}
		if p.p == nil {
			return invalidInput("NON_DETACHABLE_POLICY", "You can't detach this AWS Managed Policy: %s is attached to every root, OU and account.", p.Name)
		}
		if !v.isAttached(p, t) {
			return awsproto.Errorf("PolicyNotAttachedException", "The policy isn't attached to the specified target in the specified root: %s is not attached to %s.", p.Name, t.ID)
		}
		if p.Type == typeSCP && len(v.attachedTo(t, typeSCP)) == 1 {
			return constraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required: %s must keep at least one SCP.", t.ID)
		}
		var keep []string
		for _, n := range attachList(m) {
			if n != t.Name {
				keep = append(keep, n)
			}
		}
		setAttach(m, keep)
		detached = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.Resources = append(policyResources(detached, a.mgmt()), targetResource(a.view, tid))
	return struct{}{}, nil
}
