package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// DeleteAccessKey deletes an access key of an IAM user (or of the caller).
// The caller needs iam:DeleteAccessKey on the user.
func (s *Service) DeleteAccessKey(ctx context.Context, c *api.Call) (any, error) {
	_, t, err := s.targetUser(ctx, c, true)
	if err != nil {
		return nil, err
	}
	id, err := accessKeyIDParam(c)
	if err != nil {
		return nil, err
	}
	req := map[string]string{"accessKeyId": id}
	if t.name != "" {
		req["userName"] = t.name
	}
	c.RequestParameters = req
	if err := s.Authz.Authorize(ctx, c, "iam:DeleteAccessKey", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	if _, err := s.ownKey(ctx, t, id); err != nil {
		return nil, err
	}
	if err := s.Store.DeleteAccessKey(ctx, id); err != nil {
		if isNotFound(err) {
			return nil, keyNotFound(id)
		}
		return nil, err
	}
	c.Resources = []api.Resource{{ARN: id, Type: "AWS::IAM::AccessKey", Account: c.Identity.Account}}
	return nil, nil
}
