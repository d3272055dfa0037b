package sts

import (
	"context"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/awsproto"
)

// federatedRole checks the parameters AssumeRoleWithWebIdentity and
// AssumeRoleWithSAML share and that the role exists; it returns its ARN.
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
		action := "AssumeRoleWithWebIdentity"
		if tokenParam == "SAMLAssertion" {
			action = "AssumeRoleWithSAML"
		}
		return "", awsproto.Errorf("AccessDenied", "Not authorized to perform sts:%s", action)
	}
	return roleARN, nil
}
