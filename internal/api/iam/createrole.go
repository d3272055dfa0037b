package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

type createRoleResult struct {
	Role Role `xml:"Role"`
}

// CreateRole creates a role in the caller's account. The caller needs
// iam:CreateRole on the role's ARN, with iam:PermissionsBoundary (the
// requested boundary) and the request's tags as condition keys.
func (s *Service) CreateRole(ctx context.Context, c *api.Call) (any, error) {
	name, err := requiredName(c, "RoleName", 64)
	if err != nil {
		return nil, err
	}
	path, err := optionalPath(c)
	if err != nil {
		return nil, err
	}
	trust := c.Params.Get("AssumeRolePolicyDocument")
	if err := checkDocument("assumeRolePolicyDocument", trust, policy.Trust); err != nil {
		return nil, err
	}
	desc, hasDesc, err := description(c)
	if err != nil {
		return nil, err
	}
	maxSession, err := sessionDurationParam(c)
	if err != nil {
		return nil, err
	}
	boundary := ""
	if c.Params.Has("PermissionsBoundary") {
		if boundary, err = policyARNParam(c, "PermissionsBoundary"); err != nil {
			return nil, err
		}
	}
	tags, err := tagParams(c)
	if err != nil {
		return nil, err
	}
	req := trail{"roleName": name, "path": path, "assumeRolePolicyDocument": trust}
	if hasDesc {
		req["description"] = desc
	}
	if maxSession > 0 {
		req["maxSessionDuration"] = maxSession
	}
	if boundary != "" {
		req["permissionsBoundary"] = boundary
	}
	if len(tags) > 0 {
		req["tags"] = tags
	}
	c.RequestParameters = req

	acct := c.Identity.Account
	arn := roleARN(acct, path, name)
	extra := tagContext(tags, nil)
	if boundary != "" {
		extra["iam:PermissionsBoundary"] = []string{boundary}
	}
	if err := s.Authz.Authorize(ctx, c, "iam:CreateRole", arn, extra); err != nil {
		return nil, err
	}
	if policySize(trust) > maxTrustSize {
		return nil, awsproto.Errorf("LimitExceeded", "Cannot exceed quota for ACLSizePerRole: %d", maxTrustSize)
	}
	_, err = s.mutate(ctx, func(m *model) error {
		acctName := m.AccountName(acct)
		if acctName == "" {
			return awsproto.Errorf("AccessDenied", "Account %s is not an account of this organization.", acct)
		}
		o, err := s.State.Org(ctx)
		if err != nil {
			return err
		}
		if _, exists := findRole(m, o, acct, name); exists {
			return awsproto.Errorf("EntityAlreadyExists", "Role with name %s already exists.", name)
		}
		def := &org.RoleDef{Name: name, Accounts: []string{acctName}, Path: path, Trust: org.TextDoc(trust),
			Description: desc, MaxSessionDuration: maxSession}
		if boundary != "" {
			ref, ok := m.resolvePolicy(acct, boundary)
			if !ok {
				return boundaryNotFound(boundary)
			}
			def.PermissionsBoundary = ref
		}
		def.SetTags(tagMap(tags))
		m.Roles = append(m.Roles, def)
		m.d.Meta.Created[arn] = c.Now.UTC()
		return nil
	})
	if err != nil {
		return nil, invalid(err, "MalformedPolicyDocument", "Invalid principal in policy")
	}
	m, o, err := s.view(ctx)
	if err != nil {
		return nil, err
	}
	r, ok := findRole(m, o, acct, name)
	if !ok {
		return nil, noSuchEntity("The role with name %s cannot be found.", name)
	}
	res := createRoleResult{Role: s.roleStruct(ctx, m.d, r, true)}
	c.ResponseElements = trail{"role": res.Role}
	c.Resources = roleResource(arn, acct)
	return res, nil
}

// sessionDurationParam reads MaxSessionDuration: 3,600 to 43,200 seconds;
// 0 when absent.
func sessionDurationParam(c *api.Call) (int, error) {
	if !c.Params.Has("MaxSessionDuration") {
		return 0, nil
	}
	n, perr := c.Params.Int("MaxSessionDuration", 0)
	if perr != nil {
		return 0, perr
	}
	if n < minSessionDuration {
		return 0, validationf("1 validation error detected: Value '%d' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to %d", n, minSessionDuration)
	}
	if n > maxSessionDuration {
		return 0, validationf("1 validation error detected: Value '%d' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to %d", n, maxSessionDuration)
	}
	return n, nil
}
