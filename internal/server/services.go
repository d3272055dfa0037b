package server

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/api/cloudtrail"
	"github.com/securecart/warden/internal/api/iam"
	"github.com/securecart/warden/internal/api/organizations"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/store"
)

// AuditOwner is the account that owns the organization's trail: the account
// named Security (SecureCart's central logging account), else the management
// account.
func AuditOwner(o *org.Org) string {
	if a, ok := o.AccountByName("Security"); ok {
		return a.ID
	}
	return o.Management.ID
}

// RegisterAll registers every service beyond STS.
func RegisterAll(s *Server, st store.Store) {
	ct := &cloudtrail.Service{Store: st, Master: s.master, Authz: s.authz, Owner: func(ctx context.Context) (string, error) {
		o, err := s.State.Org(ctx)
		if err != nil {
			return "", err
		}
		return AuditOwner(o), nil
	}}
	s.Register("cloudtrail", ct.Handlers())
	s.Register("iam", s.forgettingKeys((&iam.Service{State: s.State, Authz: s.authz, Store: st, Master: s.master}).Handlers()))
	s.Register("organizations", (&organizations.Service{State: s.State, Authz: s.authz}).Handlers())
}

// forgettingKeys makes the IAM actions that change an access key drop it
// from this replica's key cache, so that a key deactivated or deleted
// through this replica stops working here at once (other replicas: within
// keyCacheTTL).
func (s *Server) forgettingKeys(h map[string]api.Handler) map[string]api.Handler {
	for _, op := range []string{"UpdateAccessKey", "DeleteAccessKey"} {
		next := h[op]
		if next == nil {
			continue
		}
		h[op] = func(ctx context.Context, c *api.Call) (any, error) {
			out, err := next(ctx, c)
			s.ForgetKey(c.Params.Get("AccessKeyId"))
			return out, err
		}
	}
	return h
}
