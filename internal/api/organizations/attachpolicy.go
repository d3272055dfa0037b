package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/state"
)

type attachPolicyInput struct {
	PolicyID *string `json:"PolicyId"`
	TargetID *string `json:"TargetId"`
}

// AttachPolicy attaches a policy to a root, OU or account: at most five
// policies of a type per target, and only of a type enabled in the root.
// The caller needs organizations:AttachPolicy on the policy and the target.
func (s *Service) AttachPolicy(ctx context.Context, c *api.Call) (any, error) {
	var in attachPolicyInput
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
	var attached pol
	_, err = s.mutate(ctx, func(d *state.Doc, v view) error {
		p, m, err := policyIn(d, v, id)
		if err != nil {
			return err
		}
		t, ok := v.target(tid)
		if !ok {
			return targetNotFound(tid)
		}
		if !v.typeEnabled(p.Type) {
			return policyTypeNotEnabled(p.Type)
		}
		if v.isAttached(p, t) {
			return awsproto.Errorf("DuplicatePolicyAttachmentException", "The selected policy is already attached to the specified target: %s is attached to %s.", p.Name, t.ID)
		}
		if len(v.attachedTo(t, p.Type)) >= maxAttachedPerType {
			return constraint("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time: %s already has %d policies of type %s.", t.ID, maxAttachedPerType, p.Type)
		}
		setAttach(m, append(attachList(m), t.Name))
		attached = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.Resources = append(policyResources(attached, a.mgmt()), targetResource(a.view, tid))
	return struct{}{}, nil
}

// targetResource is the trail's resource of a target.
func targetResource(v view, id string) api.Resource {
	typ := "AWS::Organizations::Account"
	switch {
	case len(id) > 2 && id[:2] == "r-":
		typ = "AWS::Organizations::Root"
	case len(id) > 3 && id[:3] == "ou-":
		typ = "AWS::Organizations::OrganizationalUnit"
	}
	return api.Resource{ARN: v.targetARN(id), Type: typ, Account: v.mgmt()}
}
