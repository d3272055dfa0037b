package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
)

// Namespace is the xmlns of IAM replies.
const Namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// New declares IAM to the server.
func New(d *api.Deps) *api.Descriptor {
	s := &Service{State: d.State, Authz: d.Authz, Store: d.Store, Master: d.Master}
	h := s.Handlers()
	if d.ForgetKey != nil {
		// A key deactivated or deleted through this replica stops working
		// here at once (other replicas: within their key cache's lifetime).
		for _, op := range []string{"UpdateAccessKey", "DeleteAccessKey"} {
			if next := h[op]; next != nil {
				h[op] = func(ctx context.Context, c *api.Call) (any, error) {
					out, err := next(ctx, c)
					d.ForgetKey(c.Params.Get("AccessKeyId"))
					return out, err
				}
			}
		}
	}
	return &api.Descriptor{
		Name:         "iam",
		Protocol:     api.Query,
		APIVersion:   "2010-05-08",
		XMLNamespace: Namespace,
		Handlers:     h,
	}
}
