package sts

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
)

type decodeResult struct {
	DecodedMessage string `xml:"DecodedMessage"`
}

// DecodeAuthorizationMessage explains an AccessDenied's encoded message. The
// caller needs sts:DecodeAuthorizationMessage.
func (s *Service) DecodeAuthorizationMessage(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	msg, perr := c.Params.Required("EncodedMessage")
	if perr != nil {
		return nil, perr
	}
	if err := s.Authz.Authorize(ctx, c, "sts:DecodeAuthorizationMessage", "*", nil); err != nil {
		return nil, err
	}
	data, err := s.Keyring.OpenBlob(ctx, api.UseAuthzMessage, msg)
	if err != nil {
		return nil, awsproto.Errorf("InvalidAuthorizationMessageException", "The encoded authorization message is invalid or was not issued by this service.")
	}
	return decodeResult{DecodedMessage: string(data)}, nil
}
