package iam

import (
	"context"
	"sort"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// The policies and permissions boundaries of roles and users: each helper
// serves the role action and the user action of its name.

type listAttachedResult struct {
	AttachedPolicies []AttachedPolicy `xml:"AttachedPolicies>member"`
	pageInfo
}

type listPolicyNamesResult struct {
	PolicyNames []string `xml:"PolicyNames>member"`
	pageInfo
}

// attachPolicy serves AttachRolePolicy and AttachUserPolicy.
func (s *Service) attachPolicy(ctx context.Context, c *api.Call, k *entityKind, action string) (any, error) {
	return s.policyChange(ctx, c, k, action, "PolicyArn", "iam:PolicyARN", "PolicyNotAttachable", "The policy cannot be attached",
		func(m *model, e *entity, policyArn string) error {
			ref, ok := m.resolvePolicy(e.acct, policyArn)
			if !ok {
				return notAttachable(policyArn)
			}
			def, err := e.ownDef(m)
			if err != nil {
				return err
			}
			refs, err := attachRef(m, e.acct, def.ManagedPolicies, ref, policyArn, k.maxManaged, k.managedQuota)
			if err != nil {
				return err
			}
			def.ManagedPolicies = refs
			return nil
		})
}

// detachPolicy serves DetachRolePolicy and DetachUserPolicy.
func (s *Service) detachPolicy(ctx context.Context, c *api.Call, k *entityKind, action string) (any, error) {
	return s.policyChange(ctx, c, k, action, "PolicyArn", "iam:PolicyARN", "DeleteConflict", "The policy cannot be detached",
		func(m *model, e *entity, policyArn string) error {
			def, err := e.ownDef(m)
			if err != nil {
				return err
			}
			refs, err := detachRef(m, e.acct, def.ManagedPolicies, policyArn)
			if err != nil {
				return err
			}
			def.ManagedPolicies = refs
			return nil
		})
}

// policyChange reads the role or user a call names and the policy ARN
// parameter param, authorizes action with the ARN as the condition key key,
// and applies change; an org that would not load is an error of code,
// saying what.
func (s *Service) policyChange(ctx context.Context, c *api.Call, k *entityKind, action, param, key, code, what string,
	change func(m *model, e *entity, arn string) error) (any, error) {
	e, err := s.targetEntity(ctx, c, k)
	if err != nil {
		return nil, err
	}
	arn, err := policyARNParam(c, param)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{k.param: e.name, lowerFirst(param): arn}
	if err := e.authorizeChange(ctx, s, c, action, map[string][]string{key: {arn}}); err != nil {
		return nil, err
	}
	return nil, e.apply(ctx, s, c, code, what, func(m *model) error { return change(m, e, arn) })
}

// listAttachedPolicies serves ListAttachedRolePolicies and
// ListAttachedUserPolicies.
func (s *Service) listAttachedPolicies(ctx context.Context, c *api.Call, k *entityKind, action string) (any, error) {
	c.ReadOnly = true
	e, err := s.targetEntity(ctx, c, k)
	if err != nil {
		return nil, err
	}
	prefix, err := pathPrefix(c)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{k.param: e.name, "pathPrefix": prefix}
	if err := e.read(ctx, s, c, action); err != nil {
		return nil, err
	}
	page, info, err := paginate(c, e.m.attachedList(e.acct, e.rec.Managed, prefix), func(p AttachedPolicy) string { return p.PolicyName + "\x00" + p.PolicyArn })
	if err != nil {
		return nil, err
	}
	return listAttachedResult{AttachedPolicies: page, pageInfo: info}, nil
}

// putPermissionsBoundary serves PutRolePermissionsBoundary and
// PutUserPermissionsBoundary.
func (s *Service) putPermissionsBoundary(ctx context.Context, c *api.Call, k *entityKind, action string) (any, error) {
	return s.policyChange(ctx, c, k, action, "PermissionsBoundary", "iam:PermissionsBoundary", "PolicyNotAttachable", "The policy cannot be a permissions boundary",
		func(m *model, e *entity, boundary string) error {
			ref, ok := m.resolvePolicy(e.acct, boundary)
			if !ok {
				return boundaryNotFound(boundary)
			}
			def, err := e.ownDef(m)
			if err != nil {
				return err
			}
			def.PermissionsBoundary = ref
			return nil
		})
}

// deletePermissionsBoundary serves DeleteRolePermissionsBoundary and
// DeleteUserPermissionsBoundary; an entity without one is left as it is.
func (s *Service) deletePermissionsBoundary(ctx context.Context, c *api.Call, k *entityKind, action string) (any, error) {
	e, err := s.targetEntity(ctx, c, k)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{k.param: e.name}
	if err := e.authorizeChange(ctx, s, c, action, nil); err != nil {
		return nil, err
	}
	if e.rec.Boundary == "" {
		return nil, nil
	}
	return nil, e.apply(ctx, s, c, "DeleteConflict", "The permissions boundary cannot be removed", func(m *model) error {
		def, err := e.ownDef(m)
		if err != nil {
			return err
		}
		def.PermissionsBoundary = ""
		return nil
	})
}

// putInlinePolicy serves PutRolePolicy and PutUserPolicy.
func (s *Service) putInlinePolicy(ctx context.Context, c *api.Call, k *entityKind, action string) (any, error) {
	e, err := s.targetEntity(ctx, c, k)
	if err != nil {
		return nil, err
	}
	name, err := requiredName(c, "PolicyName", org.MaxPolicyName)
	if err != nil {
		return nil, err
	}
	doc := c.Params.Get("PolicyDocument")
	if err := checkDocument("policyDocument", doc, policy.Identity); err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{k.param: e.name, "policyName": name, "policyDocument": doc}
	if err := e.authorizeChange(ctx, s, c, action, nil); err != nil {
		return nil, err
	}
	return nil, e.apply(ctx, s, c, "MalformedPolicyDocument", "The policy cannot be used", func(m *model) error {
		def, err := e.ownDef(m)
		if err != nil {
			return err
		}
		return putInline(m, def, name, doc, k.inlineLimit, k.noun+" "+e.name)
	})
}

// getInlinePolicy serves GetRolePolicy and GetUserPolicy: it returns the
// entity's name and the policy's, with its document URL-encoded as AWS
// returns it.
func (s *Service) getInlinePolicy(ctx context.Context, c *api.Call, k *entityKind, action string) (entityName, policyName, doc string, err error) {
	c.ReadOnly = true
	e, err := s.targetEntity(ctx, c, k)
	if err != nil {
		return "", "", "", err
	}
	name, err := requiredName(c, "PolicyName", org.MaxPolicyName)
	if err != nil {
		return "", "", "", err
	}
	c.RequestParameters = map[string]string{k.param: e.name, "policyName": name}
	if err := e.read(ctx, s, c, action); err != nil {
		return "", "", "", err
	}
	for n, text := range e.rec.Inline {
		if strings.EqualFold(n, name) {
			return e.rec.Name, n, urlEncode(text), nil
		}
	}
	return "", "", "", noSuchEntity("The "+k.noun+" policy with name %s cannot be found.", name)
}

// deleteInlinePolicy serves DeleteRolePolicy and DeleteUserPolicy.
func (s *Service) deleteInlinePolicy(ctx context.Context, c *api.Call, k *entityKind, action string) (any, error) {
	e, err := s.targetEntity(ctx, c, k)
	if err != nil {
		return nil, err
	}
	name, err := requiredName(c, "PolicyName", org.MaxPolicyName)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{k.param: e.name, "policyName": name}
	if err := e.authorizeChange(ctx, s, c, action, nil); err != nil {
		return nil, err
	}
	return nil, e.apply(ctx, s, c, "DeleteConflict", "The policy cannot be deleted", func(m *model) error {
		def, err := e.ownDef(m)
		if err != nil {
			return err
		}
		if !def.DeleteInline(name) {
			return noSuchEntity("The "+k.noun+" policy with name %s cannot be found.", name)
		}
		return nil
	})
}

// listInlinePolicies serves ListRolePolicies and ListUserPolicies: the
// names of the entity's inline policies.
func (s *Service) listInlinePolicies(ctx context.Context, c *api.Call, k *entityKind, action string) (any, error) {
	c.ReadOnly = true
	e, err := s.targetEntity(ctx, c, k)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{k.param: e.name}
	if err := e.read(ctx, s, c, action); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(e.rec.Inline))
	for n := range e.rec.Inline {
		names = append(names, n)
	}
	sort.Strings(names)
	page, info, err := paginate(c, names, func(n string) string { return n })
	if err != nil {
		return nil, err
	}
	return listPolicyNamesResult{PolicyNames: page, pageInfo: info}, nil
}

// attachRef adds a policy reference to a list unless the policy is in it
// already, keeping the list within max.
func attachRef(m *model, acct string, refs []string, ref, policyArn string, max int, quota string) ([]string, error) {
	for _, r := range refs {
		if m.sameRef(acct, r, policyArn) {
			return refs, nil
		}
	}
	if len(refs) >= max {
		return nil, awsproto.Errorf("LimitExceeded", "Cannot exceed quota for %s: %d", quota, max)
	}
	return append(refs, ref), nil
}

// detachRef removes a policy from a list of references; NoSuchEntity when
// it is not attached.
func detachRef(m *model, acct string, refs []string, policyArn string) ([]string, error) {
	for i, r := range refs {
		if m.sameRef(acct, r, policyArn) {
			return append(refs[:i:i], refs[i+1:]...), nil
		}
	}
	return nil, noSuchEntity("Policy %s was not found.", policyArn)
}

// putInline sets an entity's inline policy name to doc (replacing a policy
// of the same name in any case), checking that its inline policies stay
// within limit characters together.
func putInline(m *model, def *org.Entity, name, doc string, limit int, what string) error {
	def.PutInline(name, org.TextDoc(doc))
	total := 0
	for _, d := range def.InlinePolicies {
		total += policySize(m.docText(d))
	}
	if total > limit {
		return awsproto.Errorf("LimitExceeded", "Maximum policy size of %d bytes exceeded for %s", limit, what)
	}
	return nil
}
