package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

type attachmentInput struct {
	PolicyID *string `json:"PolicyId"`
	TargetID *string `json:"TargetId"`
}

// AttachPolicy attaches a policy to a root, OU or account: at most five
// policies of a type per target, and only of a type enabled in the root.
// The caller needs organizations:AttachPolicy on the policy and the target.
func (s *Service) AttachPolicy(ctx context.Context, c *api.Call) (any, error) {
	return s.attachment(ctx, c, canAttach, func(a attachmentChange) { a.def.AttachTo(a.t.Name) })
}

// DetachPolicy detaches a policy from a root, OU or account. Every target
// keeps at least one SCP, and RCPFullAWSAccess cannot be detached. The
// caller needs organizations:DetachPolicy on the policy and the target.
func (s *Service) DetachPolicy(ctx context.Context, c *api.Call) (any, error) {
	return s.attachment(ctx, c, canDetach, func(a attachmentChange) { a.def.DetachFrom(a.t.Name) })
}

// attachmentChange is a policy and a target, as the org has them now.
type attachmentChange struct {
	v   view
	p   pol
	def *org.PolicyDef
	t   target
}

// canAttach checks that a policy may be attached to a target.
func canAttach(a attachmentChange) error {
	v, p, t := a.v, a.p, a.t
	if !v.typeEnabled(p.Type) {
		return policyTypeNotEnabled(p.Type)
	}
	if v.isAttached(p, t) {
		return awsproto.Errorf("DuplicatePolicyAttachmentException", "The selected policy is already attached to the specified target: %s is attached to %s.", p.Name, t.ID)
	}
	if len(v.attachedTo(t, p.Type)) >= maxAttachedPerType {
		return constraint("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time: %s already has %d policies of type %s.", t.ID, maxAttachedPerType, p.Type)
	}
	return nil
}

// canDetach checks that a policy may be detached from a target.
func canDetach(a attachmentChange) error {
	v, p, t := a.v, a.p, a.t
	if p.p == nil {
		return invalidInput("NON_DETACHABLE_POLICY", "You can't detach this AWS Managed Policy: %s is attached to every root, OU and account.", p.Name)
	}
	if !v.isAttached(p, t) {
		return awsproto.Errorf("PolicyNotAttachedException", "The policy isn't attached to the specified target in the specified root: %s is not attached to %s.", p.Name, t.ID)
	}
	if p.Type == typeSCP && len(v.attachedTo(t, typeSCP)) == 1 {
		return constraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required: %s must keep at least one SCP.", t.ID)
	}
	return nil
}

// attachment reads PolicyId and TargetId, authorizes the call on the policy
// and the target, and makes the change once check allows it.
func (s *Service) attachment(ctx context.Context, c *api.Call, check func(attachmentChange) error, change func(attachmentChange)) (any, error) {
	var in attachmentInput
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
	var changed pol
	_, err = s.mutate(ctx, func(d *state.Doc, v view) error {
		p, def, err := policyIn(d, v, id)
		if err != nil {
			return err
		}
		t, ok := v.target(tid)
		if !ok {
			return targetNotFound(tid)
		}
		ac := attachmentChange{v: v, p: p, def: def, t: t}
		if err := check(ac); err != nil {
			return err
		}
		change(ac)
		changed = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.Resources = append(policyResources(changed, a.mgmt()), targetResource(a.view, tid))
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
