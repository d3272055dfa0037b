// Package tempaccess serves Warden's API of time-boxed access
// (internal/access; docs/access.md): REST-JSON under /access, authorized
// like the access portal's API by an SSO OIDC access token in the
// x-amz-sso_bearer_token header (what warden login caches), recorded in the
// trail under event source access.warden.local. AWS has no such API; its
// shapes follow the portal API's conventions (camelCase members, errors as
// {"__type", "message"}).
//
//	POST /access/requests                      CreateAccessRequest
//	GET  /access/requests?scope=&status=       ListAccessRequests
//	GET  /access/requests/{requestId}          GetAccessRequest
//	POST /access/requests/{requestId}/webauthn-challenge  CreateWebAuthnChallenge
//	POST /access/requests/{requestId}/approve  ApproveAccessRequest
//	POST /access/requests/{requestId}/deny     DenyAccessRequest
//	POST /access/requests/{requestId}/revoke   RevokeAccessGrant
//	GET  /access/policies                      ListAccessPolicies
package tempaccess

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/securecart/warden/internal/access"
	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/sso"
)

// Service is the API.
type Service struct {
	OIDC   *sso.OIDC
	Dir    sso.Directory
	Grants *access.Manager
}

func apiErr(code string, status int, format string, args ...any) error {
	return &awsproto.Error{Code: code, Status: status, Sender: status < 500, Message: fmt.Sprintf(format, args...)}
}

// statusOf is the HTTP status of each of access's error codes.
var statusOf = map[string]int{access.CodeValidation: 400, access.CodeDenied: 403, access.CodeConflict: 409, access.CodeNotFound: 404}

// answer turns access's refusals into API errors.
func answer(err error) error {
	var ae *access.Error
	if errors.As(err, &ae) {
		return apiErr(ae.Code, statusOf[ae.Code], "%s", ae.Message)
	}
	return err
}

type input struct {
	AccessToken   string `json:"accessToken"`
	RequestID     string `json:"requestId"`
	AccountID     string `json:"accountId"`
	PermissionSet string `json:"permissionSet"`
	Duration      string `json:"duration"`
	Reason        string `json:"reason"`
	Comment       string `json:"comment"`
	MFACode       string `json:"mfaCode"`
	// WebAuthnAssertion is a security key's or passkey's answer
	// (PublicKeyCredential JSON, as toJSON gives it) to a challenge of
	// CreateWebAuthnChallenge.
	WebAuthnAssertion json.RawMessage `json:"webauthnAssertion"`
	Action            string          `json:"action"`
	Scope             string          `json:"scope"`
	Status            string          `json:"status"`
}

var requestIDRE = regexp.MustCompile(`^ar-[0-9a-f]{16}$`)

// person authenticates the call's access token.
func (s *Service) person(ctx context.Context, c *api.Call) (input, *sso.User, error) {
	var in input
	if len(c.Body) > 0 {
		if err := json.Unmarshal(c.Body, &in); err != nil {
			return in, nil, apiErr("ValidationException", 400, "The request is malformed: %s", err.Error())
		}
	}
	if in.RequestID != "" && !requestIDRE.MatchString(in.RequestID) {
		return in, nil, apiErr("ValidationException", 400, "requestId %q is malformed: want ar- and 16 hex digits", in.RequestID)
	}
	t, err := s.OIDC.AccessToken(ctx, in.AccessToken)
	if errors.Is(err, sso.ErrUnauthorized) {
		return in, nil, apiErr("UnauthorizedException", 401, "Session token not found or invalid")
	}
	if err != nil {
		return in, nil, err
	}
	u, err := s.Dir.UserByID(ctx, t.UserID)
	if errors.Is(err, sso.ErrNoUser) {
		return in, nil, apiErr("UnauthorizedException", 401, "Session token not found or invalid")
	}
	if err != nil {
		return in, nil, err
	}
	inst, err := s.Dir.Instance(ctx)
	if err != nil {
		return in, nil, err
	}
	c.Person = &creds.OnBehalfOf{UserID: u.ID, UserName: u.UserName, IdentityStoreARN: inst.IdentityStoreARN()}
	c.RecipientAccount = inst.Account
	return in, &u, nil
}

// Output is one request's answer.
type Output struct {
	AccessRequest *access.Request `json:"accessRequest"`
}

// done fills the trail's record of a step and answers it.
func (s *Service) done(ctx context.Context, c *api.Call, r *access.Request, err error) (any, error) {
	if err != nil {
		return nil, answer(err)
	}
	if o, oerr := s.Grants.State.Org(ctx); oerr == nil {
		c.Resources = access.Resources(o, r)
	}
	c.ResponseElements = call.Fields{"accessRequest": r}
	return Output{AccessRequest: r}, nil
}

// CreateAccessRequest asks for a permission set in an account.
func (s *Service) CreateAccessRequest(ctx context.Context, c *api.Call) (any, error) {
	in, u, err := s.person(ctx, c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{"accountId": in.AccountID, "permissionSet": in.PermissionSet, "duration": in.Duration, "reason": in.Reason}
	d, err := access.ParseDuration(in.Duration)
	if err != nil {
		return nil, apiErr("ValidationException", 400, "duration: %v", err)
	}
	r, err := s.Grants.Create(ctx, access.Actor{User: u, Addr: c.SourceIP},
		access.NewRequest{Account: in.AccountID, PermissionSet: in.PermissionSet, Duration: d, Reason: in.Reason})
	return s.done(ctx, c, r, err)
}

// site is where the caller's browser runs, for WebAuthn.
func site(c *api.Call) sso.Site { return sso.Site{Host: c.Host, TLS: c.TLS, RemoteIP: c.SourceIP} }

// assertion reads the webauthnAssertion member: a JSON object, or "" when
// there is none.
func (in input) assertion() (string, error) {
	a := strings.TrimSpace(string(in.WebAuthnAssertion))
	if a == "" || a == "null" {
		return "", nil
	}
	if !strings.HasPrefix(a, "{") {
		return "", apiErr("ValidationException", 400, "webauthnAssertion must be a PublicKeyCredential object (its toJSON form)")
	}
	return a, nil
}

// decision is the approver's input of an approval or a denial, and the
// trail's requestParameters: which factor was given, never the factor.
func decision(c *api.Call, in input, u *sso.User) (access.Actor, error) {
	params := call.Fields{"requestId": in.RequestID, "comment": in.Comment}
	c.RequestParameters = params
	a, err := in.assertion()
	if err != nil {
		return access.Actor{}, err
	}
	who := access.Actor{User: u, WebAuthn: a, Site: site(c), Addr: c.SourceIP}
	if c.Action == "ApproveAccessRequest" {
		who.MFACode = in.MFACode
		params["mfaCodeGiven"] = in.MFACode != ""
	}
	switch {
	case a != "":
		params["mfaMethod"] = access.MFAWebAuthn
	case who.MFACode != "":
		params["mfaMethod"] = access.MFAMethod(in.MFACode)
	}
	return who, nil
}

// ApproveAccessRequest approves a pending request.
func (s *Service) ApproveAccessRequest(ctx context.Context, c *api.Call) (any, error) {
	in, u, err := s.person(ctx, c)
	if err != nil {
		return nil, err
	}
	who, err := decision(c, in, u)
	if err != nil {
		return nil, err
	}
	r, err := s.Grants.Approve(ctx, who, in.RequestID, in.Comment)
	return s.done(ctx, c, r, err)
}

// DenyAccessRequest denies a pending request.
func (s *Service) DenyAccessRequest(ctx context.Context, c *api.Call) (any, error) {
	in, u, err := s.person(ctx, c)
	if err != nil {
		return nil, err
	}
	who, err := decision(c, in, u)
	if err != nil {
		return nil, err
	}
	r, err := s.Grants.Deny(ctx, who, in.RequestID, in.Comment)
	return s.done(ctx, c, r, err)
}

// CreateWebAuthnChallenge issues a challenge for the approver's security
// key or passkey, bound to the approver, the request and the action
// (approve, the default, or deny): its credentialRequestOptions go to
// navigator.credentials.get, and the answer to ApproveAccessRequest (or
// DenyAccessRequest) as webauthnAssertion, within the challenge's
// expiresAt, once.
func (s *Service) CreateWebAuthnChallenge(ctx context.Context, c *api.Call) (any, error) {
	in, u, err := s.person(ctx, c)
	if err != nil {
		return nil, err
	}
	if in.Action == "" {
		in.Action = access.ActionApprove
	}
	c.RequestParameters = call.Fields{"requestId": in.RequestID, "action": in.Action}
	ch, err := s.Grants.WebAuthnChallenge(ctx, access.Actor{User: u, Site: site(c), Addr: c.SourceIP}, in.RequestID, in.Action)
	if err != nil {
		return nil, answer(err)
	}
	// The trail keeps when it expires, not the challenge.
	c.ResponseElements = call.Fields{"requestId": ch.RequestID, "action": ch.Action, "expiresAt": ch.ExpiresAt}
	return ch, nil
}

// RevokeAccessGrant ends a grant before its time, or withdraws a pending
// request.
func (s *Service) RevokeAccessGrant(ctx context.Context, c *api.Call) (any, error) {
	in, u, err := s.person(ctx, c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{"requestId": in.RequestID, "reason": in.Reason}
	r, err := s.Grants.Revoke(ctx, access.Actor{User: u, Addr: c.SourceIP}, in.RequestID, in.Reason)
	return s.done(ctx, c, r, err)
}

// GetAccessRequest returns a request the person made or may decide.
func (s *Service) GetAccessRequest(ctx context.Context, c *api.Call) (any, error) {
	in, u, err := s.person(ctx, c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{"requestId": in.RequestID}
	r, err := s.Grants.Get(ctx, in.RequestID)
	if err != nil {
		return nil, answer(err)
	}
	if r.UserID != u.ID {
		mine, err := s.Grants.List(ctx, access.Filter{Approver: u.ID})
		if err != nil {
			return nil, err
		}
		if !containsID(mine, r.ID) {
			// Not the person's to see: as if it did not exist.
			return nil, apiErr(access.CodeNotFound, 404, "access request %s does not exist", in.RequestID)
		}
	}
	return s.done(ctx, c, r, nil)
}

func containsID(rs []*access.Request, id string) bool {
	for _, r := range rs {
		if r.ID == id {
			return true
		}
	}
	return false
}

// ListOutput is ListAccessRequests' answer.
type ListOutput struct {
	AccessRequests []*access.Request `json:"accessRequests"`
}

var statuses = []string{access.Pending, access.Active, access.Denied, access.Expired, access.Revoked, access.Cancelled, access.Failed}

// ListAccessRequests lists the person's requests (scope mine, the
// default) or those the person may decide or revoke (scope approvable),
// newest first, optionally of one status.
func (s *Service) ListAccessRequests(ctx context.Context, c *api.Call) (any, error) {
	in, u, err := s.person(ctx, c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{"scope": in.Scope, "status": in.Status}
	f := access.Filter{Status: in.Status}
	switch in.Scope {
	case "", "mine":
		f.UserID = u.ID
	case "approvable":
		f.Approver = u.ID
	default:
		return nil, apiErr("ValidationException", 400, "scope %q: want mine or approvable", in.Scope)
	}
	if in.Status != "" && !contains(statuses, in.Status) {
		return nil, apiErr("ValidationException", 400, "status %q: want one of %v", in.Status, statuses)
	}
	rs, err := s.Grants.List(ctx, f)
	if err != nil {
		return nil, err
	}
	if rs == nil {
		rs = []*access.Request{}
	}
	return ListOutput{AccessRequests: rs}, nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Policy is a policy as ListAccessPolicies shows it.
type Policy struct {
	Name                string   `json:"name"`
	Description         string   `json:"description,omitempty"`
	PermissionSet       string   `json:"permissionSet"`
	Accounts            []string `json:"accounts"`
	AccountIDs          []string `json:"accountIds"`
	MaxDurationSeconds  int64    `json:"maxDurationSeconds"`
	ApproverGroups      []string `json:"approverGroups"`
	ApprovalRequiresMFA bool     `json:"approvalRequiresMfa"`
}

// ListAccessPolicies lists what the person may request.
func (s *Service) ListAccessPolicies(ctx context.Context, c *api.Call) (any, error) {
	_, u, err := s.person(ctx, c)
	if err != nil {
		return nil, err
	}
	ps, err := s.Grants.Policies(ctx, u.ID)
	if err != nil {
		return nil, answer(err)
	}
	out := []Policy{}
	for _, p := range ps {
		q := Policy{Name: p.Name, Description: p.Description, MaxDurationSeconds: int64(p.MaxDuration / time.Second), ApprovalRequiresMFA: p.ApprovalRequiresMFA,
			Accounts: []string{}, AccountIDs: []string{}, ApproverGroups: []string{}}
		if p.PermissionSet != nil {
			q.PermissionSet = p.PermissionSet.Name
		}
		for _, a := range p.Accounts {
			q.Accounts, q.AccountIDs = append(q.Accounts, a.Name), append(q.AccountIDs, a.ID)
		}
		for _, g := range p.ApproverGroups {
			q.ApproverGroups = append(q.ApproverGroups, g.Name)
		}
		out = append(out, q)
	}
	return struct {
		Policies []Policy `json:"policies"`
	}{out}, nil
}
