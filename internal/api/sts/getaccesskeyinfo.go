package sts

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
)

type getAccessKeyInfoResult struct {
	Account string `xml:"Account"`
}

// GetAccessKeyInfo returns the account an access key ID belongs to, read
// from the ID itself as AWS does.
func (s *Service) GetAccessKeyInfo(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	id, perr := c.Params.Required("AccessKeyId")
	if perr != nil {
		return nil, perr
	}
	c.RequestParameters = map[string]string{"accessKeyId": id}
	if len(id) < 16 || len(id) > 128 {
		return nil, awsproto.Errorf("ValidationError", "1 validation error detected: Value '%s' at 'accessKeyId' failed to satisfy constraint: Member must have length between 16 and 128", id)
	}
	acct, ok := creds.AccountOfKey(id)
	if !ok {
		return nil, awsproto.Errorf("InvalidParameterValue", "The access key ID %s is not valid", id)
	}
	return getAccessKeyInfoResult{Account: acct}, nil
}
