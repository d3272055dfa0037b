package ssooidc

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/securecart/warden/internal/access"
	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/portal"
	"github.com/securecart/warden/internal/sso"
)

// New declares SSO OIDC to the server (botocore's sso-oidc 2019-06-10:
// rest-json, signing name awsssooidc), with the device verification page
// and, for an external SAML identity provider, Identity Center's service
// provider endpoints (/saml/metadata, /saml/acs); for an external OpenID
// provider, its redirection endpoint (/oidc/callback); and the AWS access
// portal at /start.
func New(d *api.Deps) *api.Descriptor {
	dir := sso.OrgDirectory{Orgs: d.State}
	base := strings.TrimSuffix(d.PublicURL, "/")
	if base == "" {
		base = "http://127.0.0.1:4566"
	}
	oidc := &sso.OIDC{Store: d.Store, Dir: dir, Clock: d.Clock, VerificationURI: base + "/device", Orgs: d.State}
	auth := &sso.Authenticator{Store: d.Store, Dir: dir, Master: d.Master, Clock: d.Clock, Orgs: d.State, PublicURL: d.PublicURL}
	samlSP := &sso.SAMLSP{Orgs: d.State, Store: d.Store, Master: d.Master, Client: d.HTTPClient, Clock: d.Clock, Base: base}
	oidcRP := &portal.OIDCSignIn{RP: &sso.OIDCRP{Orgs: d.State, Store: d.Store, Keyring: d.Keyring, Client: d.HTTPClient, Clock: d.Clock, Base: base, Master: d.Master},
		Keyring: d.Keyring, Clock: d.Clock, Log: d.Logger, Audit: d.Audit, Dir: dir}
	s := &Service{OIDC: oidc, Dir: dir}
	sessions := &portal.Sessions{Store: d.Store, Orgs: d.State, Dir: dir, Clock: d.Clock}
	device := &portal.Device{OIDC: oidc, Auth: auth, Keyring: d.Keyring, Clock: d.Clock, Log: d.Logger, Issuer: "Warden", SAML: samlSP, Audit: d.Audit,
		Sessions: sessions, OIDCSignIn: oidcRP, Base: base}
	start := &portal.Portal{Device: device, Sessions: sessions, Dir: dir, Keyring: d.Keyring, Audit: d.Audit, Clock: d.Clock, Log: d.Logger,
		Grants:    access.NewManager(d.Store, d.State, d.Master, d.Clock, d.Audit, d.PublicURL),
		PublicURL: d.PublicURL}
	return &api.Descriptor{
		Name:        "sso-oauth",
		SigningName: "awsssooidc",
		Protocol:    api.RESTJSON,
		APIVersion:  "2019-06-10",
		Handlers:    s.Handlers(),
		Routes: map[string]api.Route{
			"RegisterClient":           {Method: "POST", RequestURI: "/client/register"},
			"StartDeviceAuthorization": {Method: "POST", RequestURI: "/device_authorization"},
			"CreateToken":              {Method: "POST", RequestURI: "/token"},
		},
		// Clients authenticate with their secret, a device code or a
		// refresh token, not with AWS credentials.
		Unsigned: []string{"RegisterClient", "StartDeviceAuthorization", "CreateToken"},
		Pages: map[string]http.Handler{
			// The sign-in pages' only script: WebAuthn's ceremonies.
			"/device/webauthn.js": portal.WebAuthnScript{},
			"/device":             device,
			// The AWS access portal (internal/portal/portal.go).
			"/start":  start,
			"/start/": start,
			// Identity Center's SAML service provider, for an external IdP.
			"/saml/acs":      &portal.SAMLACS{SAML: samlSP, Keyring: d.Keyring, Clock: d.Clock, Log: d.Logger, Audit: d.Audit, Dir: dir},
			"/saml/metadata": &portal.SAMLMetadata{SAML: samlSP, Log: d.Logger},
			// Identity Center's OpenID Connect relying party, for an
			// external OpenID provider.
			"/oidc/callback": oidcRP,
		},
		// Expired portal sessions are deleted every 10 minutes (a session
		// past its end opens nothing before that).
		Background: func(ctx context.Context) {
			t := time.NewTicker(10 * time.Minute)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if _, err := sessions.Purge(ctx); err != nil && ctx.Err() == nil {
						d.Logger.Warn("portal: deleting expired sessions", "error", err.Error())
					}
				}
			}
		},
	}
}
