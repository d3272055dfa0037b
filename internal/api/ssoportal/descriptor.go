package ssoportal

import (
	"github.com/securecart/warden/internal/access"
	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/sso"
)

// bearer binds the access token (every operation's accessToken member).
var bearer = api.Binding{Member: "accessToken", Location: api.InHeader, Name: "x-amz-sso_bearer_token"}

// paging binds the list operations' paging members.
var paging = []api.Binding{
	{Member: "nextToken", Location: api.InQueryString, Name: "next_token"},
	{Member: "maxResults", Location: api.InQueryString, Name: "max_result", Type: "integer"},
}

// New declares the portal API to the server (botocore's sso 2019-06-10:
// rest-json, signing name awsssoportal).
func New(d *api.Deps) *api.Descriptor {
	dir := sso.OrgDirectory{Orgs: d.State}
	s := &Service{OIDC: &sso.OIDC{Store: d.Store, Dir: dir, Clock: d.Clock}, Dir: dir, Keyring: d.Keyring,
		Grants: access.NewManager(d.Store, d.State, d.Master, d.Clock, d.Audit, d.PublicURL)}
	account := api.Binding{Member: "accountId", Location: api.InQueryString, Name: "account_id"}
	return &api.Descriptor{
		Name:        "sso",
		SigningName: "awsssoportal",
		Protocol:    api.RESTJSON,
		APIVersion:  "2019-06-10",
		Handlers:    s.Handlers(),
		Routes: map[string]api.Route{
			"ListAccounts":     {Method: "GET", RequestURI: "/assignment/accounts", Bindings: append([]api.Binding{bearer}, paging...)},
			"ListAccountRoles": {Method: "GET", RequestURI: "/assignment/roles", Bindings: append([]api.Binding{bearer, account}, paging...)},
			"GetRoleCredentials": {Method: "GET", RequestURI: "/federation/credentials", Bindings: []api.Binding{bearer, account,
				{Member: "roleName", Location: api.InQueryString, Name: "role_name"}}},
			"Logout": {Method: "POST", RequestURI: "/logout", Bindings: []api.Binding{bearer}},
		},
		// The access token authorizes these calls, not AWS credentials.
		Unsigned: []string{"ListAccounts", "ListAccountRoles", "GetRoleCredentials", "Logout"},
		ErrorStatus: map[string]int{"UnauthorizedException": 401, "ForbiddenException": 403, "ResourceNotFoundException": 404,
			"TooManyRequestsException": 429, "InvalidRequestException": 400},
	}
}
