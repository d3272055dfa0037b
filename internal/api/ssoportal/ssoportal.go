// Package ssoportal serves the AWS access portal's API (REST-JSON, "sso",
// event source sso.amazonaws.com): ListAccounts, ListAccountRoles,
// GetRoleCredentials and Logout, authorized by an SSO OIDC access token in
// the x-amz-sso_bearer_token header.
//
// A person sees only the accounts and permission sets assigned to them,
// directly or through a group, whose role is provisioned (sso.Directory).
// GetRoleCredentials returns credentials of a session of the provisioned
// AWSReservedSSO_ role, named after the person's user name, for the
// permission set's session duration, with aws:MultiFactorAuthPresent and
// aws:MultiFactorAuthAge from the sign-in's MFA and the person's identity
// store user ID (identitystore:UserId; CloudTrail's onBehalfOf).
package ssoportal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/securecart/warden/internal/call"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/securecart/warden/internal/access"
	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/sso"
)

// Service is the portal API.
type Service struct {
	OIDC    *sso.OIDC
	Dir     sso.Directory
	Keyring *creds.Keyring
	// Grants are the time-boxed access grants: a session of a permission
	// set held through one ends with it.
	Grants *access.Manager
}

// Handlers returns the actions.
func (s *Service) Handlers() map[string]api.Handler {
	return map[string]api.Handler{
		"ListAccounts":       s.ListAccounts,
		"ListAccountRoles":   s.ListAccountRoles,
		"GetRoleCredentials": s.GetRoleCredentials,
		"Logout":             s.Logout,
	}
}

func portalErr(code string, status int, format string, args ...any) error {
	return &awsproto.Error{Code: code, Status: status, Sender: status < 500, Message: fmt.Sprintf(format, args...)}
}

var accountIDRE = regexp.MustCompile(`^\d{12}$`)

// input is every operation's input: the members bound from the query
// string and the bearer header, merged into the body by the server.
type input struct {
	AccessToken string `json:"accessToken"`
	AccountID   string `json:"accountId"`
	RoleName    string `json:"roleName"`
	NextToken   string `json:"nextToken"`
	MaxResults  *int   `json:"maxResults"`
}

func decode(c *api.Call) (input, error) {
	var in input
	if len(c.Body) > 0 {
		if err := json.Unmarshal(c.Body, &in); err != nil {
			return in, portalErr("InvalidRequestException", 400, "The request is malformed: %s", err.Error())
		}
	}
	return in, nil
}

// person authenticates the call's access token and returns its user and
// what the user may use.
func (s *Service) person(ctx context.Context, c *api.Call, in input) (signedIn, error) {
	var p signedIn
	inst, err := s.Dir.Instance(ctx)
	if err != nil {
		return p, err
	}
	// In the instance's account, even when the token is refused (an
	// unauthenticated call to Identity Center: Unknown there).
	c.RecipientAccount = inst.Account
	t, err := s.OIDC.AccessToken(ctx, in.AccessToken)
	if errors.Is(err, sso.ErrUnauthorized) {
		return p, portalErr("UnauthorizedException", 401, "Session token not found or invalid")
	}
	if err != nil {
		return p, err
	}
	p.authTime, p.signIn = t.AuthTime, t.GrantID
	p.user, err = s.Dir.UserByID(ctx, t.UserID)
	if errors.Is(err, sso.ErrNoUser) {
		return p, portalErr("UnauthorizedException", 401, "Session token not found or invalid")
	}
	if err != nil {
		return p, err
	}
	c.Person = &creds.OnBehalfOf{UserID: p.user.ID, UserName: p.user.UserName, IdentityStoreARN: inst.IdentityStoreARN()}
	c.CredentialID = t.GrantID
	// As CloudTrail records the portal API's calls: service events of
	// the instance's account by an IdentityCenterUser, without request
	// parameters, the account and role asked for in serviceEventDetails
	// (set by the operations).
	c.EventType = "AwsServiceEvent"
	p.roles, err = s.Dir.Roles(ctx, p.user.ID)
	return p, err
}

// signedIn is the person behind an access token.
type signedIn struct {
	user     sso.User
	roles    []sso.Role
	authTime time.Time
	signIn   string // the access token's sign-in (its grant)
}

// page cuts a list into pages of maxResults (1 to 100, default 100) with an
// opaque next token: the index of the next item.
func page[T any](in input, items []T) ([]T, string, error) {
	max := 100
	if in.MaxResults != nil {
		if n := *in.MaxResults; n < 1 || n > 100 {
			return nil, "", portalErr("InvalidRequestException", 400, "max_result %d must be from 1 to 100", n)
		}
		max = *in.MaxResults
	}
	start := 0
	if v := in.NextToken; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", portalErr("InvalidRequestException", 400, "next_token is invalid")
		}
		start = n
	}
	end := min(start+max, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next, nil
}

type accountInfo struct {
	AccountID    string `json:"accountId"`
	AccountName  string `json:"accountName"`
	EmailAddress string `json:"emailAddress"`
}

type listAccountsOutput struct {
	AccountList []accountInfo `json:"accountList"`
	NextToken   string        `json:"nextToken,omitempty"`
}

// ListAccounts lists the accounts the person may use.
func (s *Service) ListAccounts(ctx context.Context, c *api.Call) (any, error) {
	in, err := decode(c)
	if err != nil {
		return nil, err
	}
	p, err := s.person(ctx, c, in)
	if err != nil {
		return nil, err
	}
	roles := p.roles
	var accts []accountInfo
	seen := map[string]bool{}
	for _, r := range roles {
		if !seen[r.AccountID] {
			seen[r.AccountID] = true
			accts = append(accts, accountInfo{AccountID: r.AccountID, AccountName: r.AccountName, EmailAddress: r.AccountEmail})
		}
	}
	list, next, err := page(in, accts)
	if err != nil {
		return nil, err
	}
	return listAccountsOutput{AccountList: nonNil(list), NextToken: next}, nil
}

type roleInfo struct {
	RoleName  string `json:"roleName"`
	AccountID string `json:"accountId"`
}

type listAccountRolesOutput struct {
	RoleList  []roleInfo `json:"roleList"`
	NextToken string     `json:"nextToken,omitempty"`
}

// ListAccountRoles lists the permission sets the person may use in an
// account.
func (s *Service) ListAccountRoles(ctx context.Context, c *api.Call) (any, error) {
	in, err := decode(c)
	if err != nil {
		return nil, err
	}
	acct := in.AccountID
	if !accountIDRE.MatchString(acct) {
		return nil, portalErr("InvalidRequestException", 400, "account_id %q must be a 12-digit account ID", acct)
	}
	p, err := s.person(ctx, c, in)
	c.ServiceEventDetails = call.Fields{"account_id": acct}
	if err != nil {
		return nil, err
	}
	var out []roleInfo
	for _, r := range p.roles {
		if r.AccountID == acct {
			out = append(out, roleInfo{RoleName: r.PermissionSet, AccountID: acct})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RoleName < out[j].RoleName })
	list, next, err := page(in, out)
	if err != nil {
		return nil, err
	}
	return listAccountRolesOutput{RoleList: nonNil(list), NextToken: next}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type roleCredentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	SessionToken    string `json:"sessionToken"`
	Expiration      int64  `json:"expiration"` // milliseconds since the epoch
}

type getRoleCredentialsOutput struct {
	RoleCredentials roleCredentials `json:"roleCredentials"`
}

// GetRoleCredentials returns credentials of a session of the provisioned
// role of a permission set the person may use in an account.
func (s *Service) GetRoleCredentials(ctx context.Context, c *api.Call) (any, error) {
	in, err := decode(c)
	if err != nil {
		return nil, err
	}
	acct, name := in.AccountID, in.RoleName
	if !accountIDRE.MatchString(acct) {
		return nil, portalErr("InvalidRequestException", 400, "account_id %q must be a 12-digit account ID", acct)
	}
	if name == "" {
		return nil, portalErr("InvalidRequestException", 400, "role_name is required")
	}
	p, err := s.person(ctx, c, in)
	c.ServiceEventDetails = call.Fields{"role_name": name, "account_id": acct}
	if err != nil {
		return nil, err
	}
	var role *sso.Role
	for i := range p.roles {
		if p.roles[i].AccountID == acct && p.roles[i].PermissionSet == name {
			role = &p.roles[i]
			break
		}
	}
	if role == nil {
		return nil, portalErr("ForbiddenException", 403, "No access")
	}
	inst, err := s.Dir.Instance(ctx)
	if err != nil {
		return nil, err
	}
	rc, err := sso.IssueRoleCredentials(s.Keyring, inst, p.user, *role, p.authTime, c.Now, p.signIn, s.bind(ctx, p.user.ID, role))
	if err != nil {
		return nil, err
	}
	sess, token := rc.Session, rc.Token
	// CloudTrail writes neither responseElements nor resources for
	// GetRoleCredentials: the session's own calls name its key.
	return getRoleCredentialsOutput{RoleCredentials: roleCredentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.Secret,
		SessionToken: token, Expiration: sess.Expires.UnixMilli()}}, nil
}

// Logout ends the person's sign-in: every token of it is revoked.
func (s *Service) Logout(ctx context.Context, c *api.Call) (any, error) {
	in, err := decode(c)
	if err != nil {
		return nil, err
	}
	if _, err := s.person(ctx, c, in); err != nil {
		return nil, err
	}
	if err := s.OIDC.Logout(ctx, in.AccessToken); err != nil {
		if errors.Is(err, sso.ErrUnauthorized) {
			return nil, portalErr("UnauthorizedException", 401, "Session token not found or invalid")
		}
		return nil, err
	}
	return nil, nil
}

// bind ties credentials of a role held through a time-boxed grant to it.
func (s *Service) bind(ctx context.Context, userID string, role *sso.Role) func(*creds.Session) error {
	if s.Grants == nil {
		return nil
	}
	return s.Grants.Bind(ctx, userID, role.AccountID, role.PermissionSet)
}
