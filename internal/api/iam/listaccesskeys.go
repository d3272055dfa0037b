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
	t, err := s.listOfUser(ctx, c, "iam:ListAccessKeys")
	if err != nil {
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
