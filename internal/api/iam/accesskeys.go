package iam

import (
	"context"
	"errors"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/store"
)

func isExists(err error) bool   { return errors.Is(err, store.ErrExists) }
func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// accessKeyIDParam reads AccessKeyId: 16 to 128 word characters.
func accessKeyIDParam(c *api.Call) (string, error) {
	id, err := required(c, "AccessKeyId")
	if err != nil {
		return "", err
	}
	if len(id) < 16 || len(id) > 128 {
		return "", validationf("1 validation error detected: Value '%s' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16", id)
	}
	if !keyIDRE.MatchString(id) {
		return "", validationf("1 validation error detected: Value '%s' at 'accessKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+", id)
	}
	return id, nil
}

// ownKey returns the target's access key with the ID; NoSuchEntity for a
// key that does not exist or is another principal's.
func (s *Service) ownKey(ctx context.Context, t *userTarget, id string) (store.AccessKey, error) {
	k, err := s.Store.AccessKey(ctx, id)
	if isNotFound(err) || (err == nil && k.Owner != t.owner()) {
		return store.AccessKey{}, keyNotFound(id)
	}
	return k, err
}
