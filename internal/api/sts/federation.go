package sts

import (
	"context"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/awsproto"
)

// AssumeRoleWithSAML is called without AWS credentials, with a SAML
// assertion; like AssumeRoleWithWebIdentity it is routed and checked, and the
// assertion is refused because no provider metadata can be verified here.
func (s *Service) AssumeRoleWithSAML(ctx context.Context, c *api.Call) (any, error) {
	roleARN, err := s.federatedRole(ctx, c, "SAMLAssertion")
	if err != nil {
		return nil, err
	}
	if _, perr := c.Params.Required("PrincipalArn"); perr != nil {
		return nil, perr
	}
	c.RequestParameters = map[string]string{"roleArn": roleARN, "principalArn": c.Params.Get("PrincipalArn")}
	// The trail names the SAML provider the assertion claims to come from.
	ra, _ := arn.Parse(roleARN)
	c.Federated = &api.Federated{Type: "SAMLUser", Provider: c.Params.Get("PrincipalArn"), Account: ra.Account}
	return nil, awsproto.Errorf("InvalidIdentityToken", "The SAML assertion could not be validated: no trusted metadata for the identity provider %s.", c.Params.Get("PrincipalArn"))
}

func (s *Service) federatedRole(ctx context.Context, c *api.Call, tokenParam string) (string, error) {
	roleARN, perr := c.Params.Required("RoleArn")
	if perr != nil {
		return "", perr
	}
	if _, perr := c.Params.Required(tokenParam); perr != nil {
		return "", perr
	}
	if tokenParam == "WebIdentityToken" {
		name, perr := c.Params.Required("RoleSessionName")
		if perr != nil {
			return "", perr
		}
		if !sessionNameRE.MatchString(name) {
			return "", validationf("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", name)
		}
	}
	if _, err := durationParam(c, 900, 43200, 3600); err != nil {
		return "", err
	}
	ra, err := arn.Parse(roleARN)
	if err != nil || ra.Service != "iam" || !strings.HasPrefix(ra.Resource, "role/") {
		return "", awsproto.Errorf("ValidationError", "%s is invalid", roleARN)
	}
	o, err := s.Orgs.Org(ctx)
	if err != nil {
		return "", err
	}
	if _, ok := o.Role(ra.Account, ra.Resource[strings.LastIndexByte(ra.Resource, '/')+1:]); !ok {
		return "", awsproto.Errorf("AccessDenied", "Not authorized to perform sts:AssumeRoleWith%s", strings.TrimPrefix(tokenParam, "WebIdentityToken"))
	}
	return roleARN, nil
}
