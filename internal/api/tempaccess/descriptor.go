package tempaccess

import (
	"context"

	"github.com/securecart/warden/internal/access"
	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/sso"
)

// New declares the API to the server. Its Background task ends the grants
// whose time has come (every replica runs it; access.SweepInterval bounds
// how late).
func New(d *api.Deps) *api.Descriptor {
	dir := sso.OrgDirectory{Orgs: d.State}
	m := access.NewManager(d.Store, d.State, d.Master, d.Clock, d.Audit, d.PublicURL)
	s := &Service{OIDC: &sso.OIDC{Store: d.Store, Dir: dir, Clock: d.Clock}, Dir: dir, Grants: m}
	bearer := api.Binding{Member: "accessToken", Location: api.InHeader, Name: "x-amz-sso_bearer_token"}
	id := []api.Binding{bearer}
	ops := map[string]api.Route{
		"CreateAccessRequest": {Method: "POST", RequestURI: "/access/requests", Bindings: id},
		"ListAccessRequests": {Method: "GET", RequestURI: "/access/requests", Bindings: []api.Binding{bearer,
			{Member: "scope", Location: api.InQueryString, Name: "scope"}, {Member: "status", Location: api.InQueryString, Name: "status"}}},
		"GetAccessRequest":        {Method: "GET", RequestURI: "/access/requests/{requestId}", Bindings: id},
		"ApproveAccessRequest":    {Method: "POST", RequestURI: "/access/requests/{requestId}/approve", Bindings: id},
		"CreateWebAuthnChallenge": {Method: "POST", RequestURI: "/access/requests/{requestId}/webauthn-challenge", Bindings: id},
		"DenyAccessRequest":       {Method: "POST", RequestURI: "/access/requests/{requestId}/deny", Bindings: id},
		"RevokeAccessGrant":       {Method: "POST", RequestURI: "/access/requests/{requestId}/revoke", Bindings: id},
		"ListAccessPolicies":      {Method: "GET", RequestURI: "/access/policies", Bindings: id},
	}
	var unsigned []string
	for op := range ops {
		unsigned = append(unsigned, op)
	}
	return &api.Descriptor{
		Name:        "access",
		SigningName: "access",
		EventSource: access.EventSource,
		Protocol:    api.RESTJSON,
		APIVersion:  "2026-12-01",
		Handlers: map[string]api.Handler{
			"CreateAccessRequest": s.CreateAccessRequest, "ListAccessRequests": s.ListAccessRequests, "GetAccessRequest": s.GetAccessRequest,
			"ApproveAccessRequest": s.ApproveAccessRequest, "DenyAccessRequest": s.DenyAccessRequest, "RevokeAccessGrant": s.RevokeAccessGrant,
			"ListAccessPolicies": s.ListAccessPolicies, "CreateWebAuthnChallenge": s.CreateWebAuthnChallenge,
		},
		Routes: ops,
		// The access token authorizes these calls, not AWS credentials.
		Unsigned: unsigned,
		ErrorStatus: map[string]int{"UnauthorizedException": 401, access.CodeDenied: 403, access.CodeNotFound: 404, access.CodeConflict: 409,
			access.CodeValidation: 400},
		Background: func(ctx context.Context) { m.Run(ctx, d.Logger) },
	}
}
