package sts

import (
	"context"
	"errors"
	"fmt"
	"github.com/securecart/warden/internal/call"
	"strings"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/identity"
	"github.com/securecart/warden/internal/org"
)

type assumeRoleWithWebIdentityResult struct {
	SubjectFromWebIdentityToken string          `xml:"SubjectFromWebIdentityToken"`
	AssumedRoleUser             AssumedRoleUser `xml:"AssumedRoleUser"`
	Credentials                 Credentials     `xml:"Credentials"`
	Provider                    string          `xml:"Provider"`
	Audience                    string          `xml:"Audience"`
	PackedPolicySize            *int            `xml:"PackedPolicySize,omitempty"`
	SourceIdentity              string          `xml:"SourceIdentity,omitempty"`
}

// AssumeRoleWithWebIdentity returns temporary credentials for a role to the
// holder of an OpenID Connect token, without AWS credentials
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html).
// The token must come from an IAM OIDC provider of the role's account, be
// signed by the issuer's keys, unexpired, and for one of the provider's
// client IDs; the role's trust policy must allow the provider (the
// Federated principal) for sts:AssumeRoleWithWebIdentity, with the token's
// claims as the context keys <provider>:aud and <provider>:sub. Session tags
// come from the token's https://aws.amazon.com/tags claim (webIdentityTags):
// they are aws:RequestTag/<key> and aws:TagKeys (and sts:TransitiveTagKeys)
// of the trust policy's decision, which must also allow sts:TagSession, and
// the session's aws:PrincipalTag/<key> afterwards.
func (s *Service) AssumeRoleWithWebIdentity(ctx context.Context, c *api.Call) (any, error) {
	roleARN, err := s.federatedRole(ctx, c, "WebIdentityToken")
	if err != nil {
		return nil, err
	}
	sessionName := c.Params.Get("RoleSessionName")
	raw := c.Params.Get("WebIdentityToken")
	reqParams := call.Fields{"roleArn": roleARN, "roleSessionName": sessionName}
	c.RequestParameters = reqParams
	if len(raw) < 4 || len(raw) > 20000 {
		return nil, validationf("1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length between 4 and 20000")
	}
	if c.Params.Has("ProviderId") {
		return nil, awsproto.Errorf("InvalidParameterValue", "ProviderId is for OAuth 2.0 access tokens of Login with Amazon and Facebook, which this endpoint does not accept: use an OpenID Connect ID token.")
	}
	duration, err := durationParam(c, 900, 43200, 3600)
	if err != nil {
		return nil, err
	}
	sp, err := parseSessionParams(c)
	if err != nil {
		return nil, err
	}
	if len(sp.tags) > 0 {
		return nil, awsproto.Errorf("InvalidParameterValue", "Session tags of AssumeRoleWithWebIdentity come from the token's https://aws.amazon.com/tags claim, not from parameters.")
	}
	ra, _ := arn.Parse(roleARN)
	o, err := s.Orgs.Org(ctx)
	if err != nil {
		return nil, err
	}
	role, _ := o.Role(ra.Account, ra.Resource[strings.LastIndexByte(ra.Resource, '/')+1:])
	// The trail says whose token it was, whether or not it verifies.
	fed := &api.Federated{Type: "WebIdentityUser", Account: ra.Account}
	c.Federated = fed
	stated, err := identity.Unverified(raw)
	if err != nil {
		// Not a JWT signed as providers sign (alg none, no signature): its
		// payload still says whose token it claims to be.
		if cl, ok := identity.Stated(raw); ok {
			fed.Provider, fed.Subject, fed.Audience = strings.TrimPrefix(cl.Issuer, "https://"), cl.Subject, cl.Audience
			if prov := oidcProvider(o, role.Account, cl.Issuer); prov != nil {
				fed.Provider = prov.ARN
			}
		}
		return nil, awsproto.Errorf("InvalidIdentityToken", "The web identity token is not a signed JWT with an issuer.")
	}
	iss := stated.Issuer
	// Until a provider of the account matches, the provider is named as IAM
	// and CloudTrail name one: the issuer without https://
	// (accounts.google.com).
	fed.Provider, fed.Subject, fed.Audience = strings.TrimPrefix(iss, "https://"), stated.Subject, stated.Audience
	prov := oidcProvider(o, role.Account, iss)
	if prov == nil {
		return nil, awsproto.Errorf("InvalidIdentityToken", "No OpenIDConnect provider found in your account for %s", iss)
	}
	fed.Provider = prov.ARN
	reqParams["providerArn"] = prov.ARN
	claims, err := s.OIDC.Verify(ctx, iss, raw, prov.ClientIDs, c.Now)
	switch {
	case errors.Is(err, identity.ErrExpired):
		return nil, awsproto.Errorf("ExpiredTokenException", "Token expired: current date/time %s must be before the expiration date/time.", c.Now.UTC().Format(time.RFC3339))
	case errors.Is(err, identity.ErrAudience):
		return nil, awsproto.Errorf("InvalidIdentityToken", "Incorrect token audience")
	case errors.Is(err, identity.ErrUnreachable):
		return nil, awsproto.Errorf("IDPCommunicationError", "The request could not be fulfilled because the identity provider (IDP) that was asked to verify the incoming identity token could not be reached.")
	case err != nil:
		return nil, awsproto.Errorf("InvalidIdentityToken", "The web identity token could not be verified: %v", err)
	}
	fed.Subject, fed.Audience = claims.Subject, claims.Audience
	if err := webIdentityTags(sp, claims.SessionTags); err != nil {
		return nil, err
	}
	if len(sp.tags) > 0 {
		reqParams["principalTags"] = sp.tags
		if len(sp.transitive) > 0 {
			reqParams["transitiveTagKeys"] = sp.transitive
		}
	}

	// The trust policy decides, with the token's claims as context.
	ctxKeys := map[string][]string{}
	ctxKeys[prov.Name+":aud"] = []string{claims.Audience}
	ctxKeys[prov.Name+":sub"] = []string{claims.Subject}
	ctxKeys["aws:FederatedProvider"] = []string{prov.ARN}
	ctxKeys["sts:RoleSessionName"] = []string{sessionName}
	for k, v := range sp.requestContext() {
		ctxKeys[k] = v
	}
	e, err := s.Authz.DecideFor(ctx, c, prov.ARN, "sts:AssumeRoleWithWebIdentity", roleARN, ctxKeys)
	if err != nil || e.Decision != eval.Allow {
		return nil, awsproto.Errorf("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	}
	if len(sp.tags) > 0 {
		if e, err := s.Authz.DecideFor(ctx, c, prov.ARN, "sts:TagSession", roleARN, ctxKeys); err != nil || e.Decision != eval.Allow {
			return nil, awsproto.Errorf("AccessDenied", "Not authorized to perform sts:TagSession")
		}
	}
	if duration > role.MaxSessionDuration {
		return nil, validationf("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if sp.sourceIdentity != "" {
		ctxKeys["sts:SourceIdentity"] = []string{sp.sourceIdentity}
		if e, err := s.Authz.DecideFor(ctx, c, prov.ARN, "sts:SetSourceIdentity", roleARN, ctxKeys); err != nil || e.Decision != eval.Allow {
			return nil, awsproto.Errorf("AccessDenied", "Not authorized to perform sts:SetSourceIdentity")
		}
	}

	roleID := creds.StableID("AROA", role.ARN)
	sessionARN := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", role.Account.ID, role.Name, sessionName)
	sess := &creds.Session{
		AccessKeyID: creds.NewAccessKeyID(creds.PrefixTemporary, role.Account.ID),
		Secret:      creds.NewSecret(), Kind: "assumed-role", Principal: sessionARN, Account: role.Account.ID,
		UserID: roleID + ":" + sessionName, RoleARN: role.ARN, Issued: c.Now.UTC(),
		Expires: c.Now.UTC().Add(time.Duration(duration) * time.Second), Policy: sp.policy, PolicyARNs: sp.policyARNs,
		SourceIdentity: sp.sourceIdentity, Tags: sp.tags, TransitiveKeys: sp.transitive,
	}
	token, err := s.Keyring.Issue(sess)
	if err != nil {
		return nil, err
	}
	res := assumeRoleWithWebIdentityResult{
		SubjectFromWebIdentityToken: claims.Subject,
		AssumedRoleUser:             AssumedRoleUser{AssumedRoleID: sess.UserID, Arn: sessionARN},
		Credentials:                 Credentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.Secret, SessionToken: token, Expiration: isoTime(sess.Expires)},
		Provider:                    prov.Name, Audience: claims.Audience, SourceIdentity: sp.sourceIdentity,
	}
	if sp.hasPacked {
		res.PackedPolicySize = &sp.packedPercent
	}
	c.ResponseElements = call.Fields{
		"credentials":                 map[string]string{"accessKeyId": sess.AccessKeyID, "expiration": isoTime(sess.Expires)},
		"assumedRoleUser":             res.AssumedRoleUser.fields(),
		"subjectFromWebIdentityToken": claims.Subject, "provider": prov.ARN, "audience": claims.Audience,
	}
	c.Resources = []api.Resource{{ARN: role.ARN, Type: "AWS::IAM::Role", Account: role.Account.ID}}
	return res, nil
}

// oidcProvider finds the account's IAM OIDC provider for an issuer URL.
func oidcProvider(o *org.Org, acct *org.Account, issuer string) *org.Provider {
	name, ok := strings.CutPrefix(issuer, "https://")
	if !ok {
		return nil
	}
	name = strings.TrimSuffix(name, "/")
	for _, p := range o.Providers {
		if p.Type == "oidc" && p.Account == acct && p.Name == name {
			return p
		}
	}
	return nil
}
