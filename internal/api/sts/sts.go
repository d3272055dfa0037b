// Package sts implements AWS Security Token Service (2011-06-15) on
// Warden's engine: AssumeRole, AssumeRoleWithWebIdentity (OpenID Connect),
// AssumeRoleWithSAML (SAML 2.0), GetCallerIdentity, GetSessionToken,
// GetAccessKeyInfo and DecodeAuthorizationMessage. Limits and
// errors are those of the STS API reference
// (https://docs.aws.amazon.com/STS/latest/APIReference/).
package sts

import (
	"regexp"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/identity"
	"github.com/securecart/warden/internal/store"
)

// Service serves STS actions.
type Service struct {
	Orgs    api.OrgSource
	Authz   *api.Authorizer
	Keyring *creds.Keyring
	Store   store.Store
	Master  *creds.Sealer
	// OIDC verifies web identity tokens.
	OIDC *identity.OIDC
}

// Handlers returns the actions by name.
func (s *Service) Handlers() map[string]api.Handler {
	return map[string]api.Handler{
		"AssumeRole":                 s.AssumeRole,
		"GetCallerIdentity":          s.GetCallerIdentity,
		"GetSessionToken":            s.GetSessionToken,
		"GetAccessKeyInfo":           s.GetAccessKeyInfo,
		"DecodeAuthorizationMessage": s.DecodeAuthorizationMessage,
		"AssumeRoleWithWebIdentity":  s.AssumeRoleWithWebIdentity,
		"AssumeRoleWithSAML":         s.AssumeRoleWithSAML,
	}
}

// Credentials is the STS Credentials structure.
type Credentials struct {
	AccessKeyID     string `xml:"AccessKeyId" json:"accessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey" json:"-"`
	SessionToken    string `xml:"SessionToken" json:"-"`
	Expiration      string `xml:"Expiration" json:"expiration"`
}

// AssumedRoleUser is the STS AssumedRoleUser structure.
type AssumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId" json:"assumedRoleId"`
	Arn           string `xml:"Arn" json:"arn"`
}

// fields is the user as the record's responseElements hold it (its JSON
// names): a map, which the trail scrubs without a JSON round trip.
func (u AssumedRoleUser) fields() map[string]string {
	return map[string]string{"assumedRoleId": u.AssumedRoleID, "arn": u.Arn}
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

var (
	sessionNameRE    = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	externalIDRE     = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	sourceIdentityRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	serialRE         = regexp.MustCompile(`^[\w+=/:,.@-]{9,256}$`)
	tokenCodeRE      = regexp.MustCompile(`^[\d]{6}$`)
)
