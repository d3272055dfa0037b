package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// UpdateAccessKey makes an access key of an IAM user (or of the caller)
// Active or Inactive; an inactive key authenticates nothing. The caller
// needs iam:UpdateAccessKey on the user.
func (s *Service) UpdateAccessKey(ctx context.Context, c *api.Call) (any, error) {
	_, t, err := s.targetUser(ctx, c, true)
	if err != nil {
		return nil, err
	}
	id, err := accessKeyIDParam(c)
	if err != nil {
		return nil, err
	}
	status, err := required(c, "Status")
	if err != nil {
		return nil, err
	}
	if status != "Active" && status != "Inactive" {
		return nil, validationf("1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", status)
	}
	req := map[string]string{"accessKeyId": id, "status": status}
	if t.name != "" {
		req["userName"] = t.name
	}
	c.RequestParameters = req
	if err := s.Authz.Authorize(ctx, c, "iam:UpdateAccessKey", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	if _, err := s.ownKey(ctx, t, id); err != nil {
		return nil, err
	}
	if err := s.Store.SetAccessKeyStatus(ctx, id, status); err != nil {
		if isNotFound(err) {
			return nil, keyNotFound(id)
		}
		return nil, err
	}
	c.Resources = []api.Resource{{ARN: id, Type: "AWS::IAM::AccessKey", Account: c.Identity.Account}}
	return nil, nil
}
