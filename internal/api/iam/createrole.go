package iam

import (
	"context"
	"github.com/securecart/warden/internal/call"

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
	cp, err := readCreate(c, "RoleName", org.MaxRoleName, "AssumeRolePolicyDocument", policy.Trust)
	if err != nil {
		return nil, err
	}
	name, path, trust, desc, req := cp.name, cp.path, cp.doc, cp.desc, cp.req
	maxSession, err := sessionDurationParam(c)
	if err != nil {
		return nil, err
	}
	ne, err := readNewEntity(c)
	if err != nil {
		return nil, err
	}
	if maxSession > 0 {
		req["maxSessionDuration"] = maxSession
	}
	c.RequestParameters = ne.record(req)

	acct := c.Identity.Account
	arn := roleARN(acct, path, name)
	if err := s.Authz.Authorize(ctx, c, "iam:CreateRole", arn, ne.context()); err != nil {
		return nil, err
	}
	if policySize(trust) > maxTrustSize {
		return nil, awsproto.Errorf("LimitExceeded", "Cannot exceed quota for ACLSizePerRole: %d", maxTrustSize)
	}
	_, err = s.mutate(ctx, func(m *model) error {
		acctName, err := m.accountName(acct)
		if err != nil {
			return err
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
		if err := ne.apply(m, acct, &def.Entity); err != nil {
			return err
		}
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
	c.ResponseElements = call.Fields{"role": res.Role}
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
