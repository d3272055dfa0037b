package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

type listAccessKeysResult struct {
	AccessKeyMetadata []AccessKeyMetadata `xml:"AccessKeyMetadata>member"`
	pageInfo
}

// ListAccessKeys lists the access keys of an IAM user, or without UserName
// of the caller (its user or its root user), without their secrets. The
// caller needs iam:ListAccessKeys on the user.
func (s *Service) ListAccessKeys(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	_, t, err := s.targetUser(ctx, c, true)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	if t.name != "" {
		c.RequestParameters = map[string]string{"userName": t.name}
	}
	if err := s.Authz.Authorize(ctx, c, "iam:ListAccessKeys", t.arn, t.context(nil)); err != nil {
		return nil, err
	}
	if err := t.found(); err != nil {
		return nil, err
	}
	keys, err := s.Store.AccessKeys(ctx, t.owner())
	if err != nil {
		return nil, err
	}
	list := make([]AccessKeyMetadata, 0, len(keys))
	for _, k := range keys {
		list = append(list, AccessKeyMetadata{UserName: t.name, AccessKeyID: k.ID, Status: k.Status, CreateDate: isoTime(k.Created)})
	}
	page, info, err := paginate(c, list, func(k AccessKeyMetadata) string { return k.CreateDate + k.AccessKeyID })
	if err != nil {
		return nil, err
	}
	return listAccessKeysResult{AccessKeyMetadata: page, pageInfo: info}, nil
}
