// Package ssooidc serves AWS's SSO OIDC API (REST-JSON, event source
// sso-oauth.amazonaws.com): RegisterClient, StartDeviceAuthorization and
// CreateToken, over sso.OIDC. The calls are unsigned, as in AWS: a client
// authenticates with its client secret, a device code or a refresh token.
// Errors are OAuth 2.0 errors in AWS's shape: an exception name, and a body
// with error and error_description.
package ssooidc

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/securecart/warden/internal/call"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/sso"
)

// Service is the SSO OIDC API.
type Service struct {
	OIDC *sso.OIDC
	Dir  sso.Directory
}

// run records the call in the Identity Center instance's account and turns
// OAuth errors into AWS's shape: the exception as the error code, and the
// error and error_description members.
func (s *Service) run(ctx context.Context, c *api.Call, fn func() (any, error)) (any, error) {
	if in, err := s.Dir.Instance(ctx); err == nil {
		c.RecipientAccount = in.Account
	}
	out, err := fn()
	var oe *sso.OAuthError
	if errors.As(err, &oe) {
		return nil, &awsproto.Error{Code: oe.Exception, Message: oe.Description, Status: oe.Status, Sender: oe.Status < 500,
			Fields: map[string]string{"error": oe.Code, "error_description": oe.Description}}
	}
	return out, err
}

// Handlers returns the actions.
func (s *Service) Handlers() map[string]api.Handler {
	return map[string]api.Handler{
		"RegisterClient": func(ctx context.Context, c *api.Call) (any, error) {
			return s.run(ctx, c, func() (any, error) { return s.RegisterClient(ctx, c) })
		},
		"StartDeviceAuthorization": func(ctx context.Context, c *api.Call) (any, error) {
			return s.run(ctx, c, func() (any, error) { return s.StartDeviceAuthorization(ctx, c) })
		},
		"CreateToken": func(ctx context.Context, c *api.Call) (any, error) {
			return s.run(ctx, c, func() (any, error) { return s.CreateToken(ctx, c) })
		},
	}
}

func decode(c *api.Call, v any) error {
	if len(c.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.Body, v); err != nil {
		return &sso.OAuthError{Exception: "InvalidRequestException", Code: "invalid_request", Status: 400,
			Description: "The request body is not a valid JSON object of this operation's input: " + err.Error()}
	}
	return nil
}

type registerClientInput struct {
	ClientName string   `json:"clientName"`
	ClientType string   `json:"clientType"`
	Scopes     []string `json:"scopes"`
}

type registerClientOutput struct {
	ClientID              string `json:"clientId"`
	ClientSecret          string `json:"clientSecret"`
	ClientIDIssuedAt      int64  `json:"clientIdIssuedAt"`
	ClientSecretExpiresAt int64  `json:"clientSecretExpiresAt"`
}

// RegisterClient registers a public client.
func (s *Service) RegisterClient(ctx context.Context, c *api.Call) (any, error) {
	var in registerClientInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{"clientName": in.ClientName, "clientType": in.ClientType, "scopes": in.Scopes}
	cl, err := s.OIDC.RegisterClient(ctx, c.SourceIP, in.ClientName, in.ClientType, in.Scopes)
	if err != nil {
		return nil, err
	}
	c.ResponseElements = call.Fields{"clientId": cl.ID, "clientIdIssuedAt": cl.Issued.Unix(), "clientSecretExpiresAt": cl.Expires.Unix()}
	return registerClientOutput{ClientID: cl.ID, ClientSecret: cl.Secret, ClientIDIssuedAt: cl.Issued.Unix(), ClientSecretExpiresAt: cl.Expires.Unix()}, nil
}

type startInput struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	StartURL     string `json:"startUrl"`
}

type startOutput struct {
	DeviceCode              string `json:"deviceCode"`
	UserCode                string `json:"userCode"`
	VerificationURI         string `json:"verificationUri"`
	VerificationURIComplete string `json:"verificationUriComplete"`
	ExpiresIn               int    `json:"expiresIn"`
	Interval                int    `json:"interval"`
}

// StartDeviceAuthorization starts a device authorization.
func (s *Service) StartDeviceAuthorization(ctx context.Context, c *api.Call) (any, error) {
	var in startInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{"clientId": in.ClientID, "startUrl": in.StartURL}
	d, err := s.OIDC.StartDeviceAuthorization(ctx, c.SourceIP, in.ClientID, in.ClientSecret, in.StartURL)
	if err != nil {
		return nil, err
	}
	c.ResponseElements = call.Fields{"verificationUri": d.VerificationURI, "expiresIn": d.ExpiresIn, "interval": d.Interval}
	return startOutput{DeviceCode: d.DeviceCode, UserCode: d.UserCode, VerificationURI: d.VerificationURI,
		VerificationURIComplete: d.VerificationURIComplete, ExpiresIn: d.ExpiresIn, Interval: d.Interval}, nil
}

type createTokenInput struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	GrantType    string `json:"grantType"`
	DeviceCode   string `json:"deviceCode"`
	RefreshToken string `json:"refreshToken"`
}

type createTokenOutput struct {
	AccessToken  string `json:"accessToken"`
	TokenType    string `json:"tokenType"`
	ExpiresIn    int    `json:"expiresIn"`
	RefreshToken string `json:"refreshToken,omitempty"`
}

// CreateToken exchanges a device code or a refresh token for tokens.
func (s *Service) CreateToken(ctx context.Context, c *api.Call) (any, error) {
	var in createTokenInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{"clientId": in.ClientID, "grantType": in.GrantType}
	t, err := s.OIDC.CreateToken(ctx, in.ClientID, in.ClientSecret, in.GrantType, in.DeviceCode, in.RefreshToken)
	if err != nil {
		return nil, err
	}
	// The person the tokens are for makes the call, as CloudTrail records
	// CreateToken: an IdentityCenterUser with onBehalfOf and the sign-in
	// (the grant) as credentialId (AWS Security Blog, "Modifications to AWS
	// CloudTrail event data of IAM Identity Center": of the OIDC events,
	// CreateToken). A refused CreateToken names no one: Unknown.
	if t.UserID != "" {
		inst, err := s.Dir.Instance(ctx)
		if err != nil {
			return nil, err
		}
		p := &creds.OnBehalfOf{UserID: t.UserID, IdentityStoreARN: inst.IdentityStoreARN()}
		switch u, err := s.Dir.UserByID(ctx, t.UserID); {
		case err == nil:
			p.UserName = u.UserName
		case !errors.Is(err, sso.ErrNoUser):
			return nil, err
		}
		c.Person, c.CredentialID, c.RecipientAccount = p, t.GrantID, inst.Account
	}
	c.ResponseElements = call.Fields{"tokenType": "Bearer", "expiresIn": t.ExpiresIn,
		"expiresAt": c.Now.Add(time.Duration(t.ExpiresIn) * time.Second).UTC().Format(time.RFC3339)}
	return createTokenOutput{AccessToken: t.AccessToken, TokenType: "Bearer", ExpiresIn: t.ExpiresIn, RefreshToken: t.RefreshToken}, nil
}
