package sts

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/identity"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/store"
)

type assumeRoleWithSAMLResult struct {
	Credentials      Credentials     `xml:"Credentials"`
	AssumedRoleUser  AssumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize *int            `xml:"PackedPolicySize,omitempty"`
	Subject          string          `xml:"Subject"`
	SubjectType      string          `xml:"SubjectType"`
	Issuer           string          `xml:"Issuer"`
	Audience         string          `xml:"Audience"`
	NameQualifier    string          `xml:"NameQualifier"`
	SourceIdentity   string          `xml:"SourceIdentity,omitempty"`
}

// AssumeRoleWithSAML returns temporary credentials for a role to the holder
// of a SAML 2.0 authentication response, without AWS credentials
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html).
//
// PrincipalArn names an IAM SAML provider of the role's account; the
// response must verify against the provider's metadata (identity.VerifySAML:
// signature, issuer, AWS's sign-in endpoint as Recipient and Destination,
// an AWS audience, times within a small skew), be used once (the store
// remembers its issuer and assertion ID until it expires, for every
// replica), and its Role attribute must pair the role with the provider.
// RoleSessionName comes from the RoleSessionName attribute, session tags
// from PrincipalTag:<key> and TransitiveTagKeys, the source identity from
// SourceIdentity. The trust policy decides with the provider as the
// Federated principal and the saml: keys (samlContext); tags need
// sts:TagSession, a source identity sts:SetSourceIdentity. The session
// lasts DurationSeconds (1 hour by default, at most the role's maximum),
// and never beyond the assertion's SessionNotOnOrAfter.
func (s *Service) AssumeRoleWithSAML(ctx context.Context, c *api.Call) (any, error) {
	roleARN, err := s.federatedRole(ctx, c, "SAMLAssertion")
	if err != nil {
		return nil, err
	}
	principalARN, perr := c.Params.Required("PrincipalArn")
	if perr != nil {
		return nil, perr
	}
	reqParams := call.Fields{"roleArn": roleARN, "principalArn": principalARN}
	c.RequestParameters = reqParams
	ra, _ := arn.Parse(roleARN)
	// The trail names the provider the assertion claims to come from until
	// the assertion is verified, then the user as CloudTrail does.
	fed := &api.Federated{Type: "SAMLUser", Provider: principalARN, Account: ra.Account}
	c.Federated = fed
	raw := c.Params.Get("SAMLAssertion")
	if len(raw) < 4 || len(raw) > identity.MaxSAMLResponse {
		return nil, validationf("1 validation error detected: Value at 'sAMLAssertion' failed to satisfy constraint: Member must have length between 4 and %d", identity.MaxSAMLResponse)
	}
	// Whose assertion it is, as it states it (verified or not), until it
	// is verified.
	fed.Subject = identity.UnverifiedSAMLSubject(raw)
	duration, err := durationParam(c, 900, 43200, 3600)
	if err != nil {
		return nil, err
	}
	if c.Params.Has("DurationSeconds") {
		reqParams["durationSeconds"] = duration
	}
	sp, err := parseSessionParams(c)
	if err != nil {
		return nil, err
	}
	if len(sp.tags) > 0 || len(sp.transitive) > 0 || sp.sourceIdentity != "" {
		return nil, awsproto.Errorf("InvalidParameterValue", "Session tags and the source identity of AssumeRoleWithSAML come from the assertion's attributes, not from parameters.")
	}
	o, err := s.Orgs.Org(ctx)
	if err != nil {
		return nil, err
	}
	role, _ := o.Role(ra.Account, ra.Resource[strings.LastIndexByte(ra.Resource, '/')+1:])
	prov := samlProvider(o, principalARN)
	if prov == nil || prov.Account != role.Account {
		return nil, awsproto.Errorf("InvalidIdentityToken", "No SAML provider %s found in the role's account %s.", principalARN, role.Account.ID)
	}
	if prov.SAML == nil {
		return nil, awsproto.Errorf("InvalidIdentityToken", "The SAML assertion could not be validated: no trusted metadata for the identity provider %s.", principalARN)
	}
	a, err := identity.VerifySAML(raw, identity.SAMLTrust{EntityID: prov.SAML.EntityID, Certs: prov.SAML.Certs},
		identity.SAMLExpect{Recipient: samlRecipient, Audience: samlAudience, AnyInResponseTo: true, Now: c.Now})
	switch {
	case errors.Is(err, identity.ErrSAMLExpired):
		return nil, awsproto.Errorf("ExpiredTokenException", "Token expired: current date/time %s must be before the expiration date/time.", c.Now.UTC().Format(time.RFC3339))
	case err != nil:
		return nil, awsproto.Errorf("InvalidIdentityToken", "The SAML assertion could not be validated: %v", err)
	}
	nameQualifier := samlNameQualifier(a.Issuer, prov.Account.ID, prov.Name)
	fed.Provider, fed.Subject = nameQualifier, a.NameID

	sessionName, err := samlSessionName(a)
	if err != nil {
		return nil, err
	}
	roles, err := samlRoles(a)
	if err != nil {
		return nil, err
	}
	if !claimsRole(roles, role.ARN, prov.ARN) {
		return nil, awsproto.Errorf("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML: the assertion's %s attribute does not pair %s with %s", samlRole, role.ARN, prov.ARN)
	}
	if _, err := samlSessionSeconds(a); err != nil {
		return nil, err
	}
	if sp.sourceIdentity, err = samlSingle(a, samlSourceIdentity); err != nil {
		return nil, err
	}
	if sp.sourceIdentity != "" && (!sourceIdentityRE.MatchString(sp.sourceIdentity) || strings.HasPrefix(strings.ToLower(sp.sourceIdentity), "aws:")) {
		return nil, invalidSAML("the %s attribute %q is not 2 to 64 characters of letters, digits and _+=,.@- (not starting with aws:)", samlSourceIdentity, sp.sourceIdentity)
	}
	if err := samlTags(sp, a); err != nil {
		return nil, err
	}
	if len(sp.tags) > 0 {
		reqParams["principalTags"] = sp.tags
		if len(sp.transitive) > 0 {
			reqParams["transitiveTagKeys"] = sp.transitive
		}
	}
	if sp.sourceIdentity != "" {
		reqParams["sourceIdentity"] = sp.sourceIdentity
	}

	// The trust policy decides, with the assertion as context; the session
	// keeps the saml: keys for its own requests.
	sessKeys := samlContext(a, prov.Account.ID, prov.Name, nameQualifier)
	ctxKeys := maps.Clone(sessKeys)
	ctxKeys["sts:RoleSessionName"] = []string{sessionName}
	for k, v := range sp.requestContext() {
		ctxKeys[k] = v
	}
	if e, err := s.Authz.DecideFor(ctx, c, prov.ARN, "sts:AssumeRoleWithSAML", role.ARN, ctxKeys); err != nil || e.Decision != eval.Allow {
		return nil, awsproto.Errorf("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML")
	}
	if len(sp.tags) > 0 {
		if e, err := s.Authz.DecideFor(ctx, c, prov.ARN, "sts:TagSession", role.ARN, ctxKeys); err != nil || e.Decision != eval.Allow {
			return nil, awsproto.Errorf("AccessDenied", "Not authorized to perform sts:TagSession")
		}
	}
	if sp.sourceIdentity != "" {
		if e, err := s.Authz.DecideFor(ctx, c, prov.ARN, "sts:SetSourceIdentity", role.ARN, ctxKeys); err != nil || e.Decision != eval.Allow {
			return nil, awsproto.Errorf("AccessDenied", "Not authorized to perform sts:SetSourceIdentity")
		}
	}
	if duration > role.MaxSessionDuration {
		return nil, validationf("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	expires := c.Now.UTC().Add(time.Duration(duration) * time.Second)
	if !a.SessionNotOnOrAfter.IsZero() && a.SessionNotOnOrAfter.Before(expires) {
		expires = a.SessionNotOnOrAfter
	}
	if !expires.After(c.Now) {
		return nil, awsproto.Errorf("ExpiredTokenException", "Token expired: the assertion's SessionNotOnOrAfter %s has passed.", a.SessionNotOnOrAfter.Format(time.RFC3339))
	}
	// An assertion is accepted once, on any replica, until it expires.
	switch err := s.Store.UseOnce(ctx, "saml:"+a.Issuer+"|"+a.ID, c.Now, a.NotOnOrAfter.Add(identity.SAMLSkew)); {
	case errors.Is(err, store.ErrExists):
		return nil, awsproto.Errorf("InvalidIdentityToken", "The SAML assertion %s has already been used.", a.ID)
	case err != nil:
		return nil, err
	}

	roleID := creds.StableID("AROA", role.ARN)
	sessionARN := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", role.Account.ID, role.Name, sessionName)
	sess := &creds.Session{
		AccessKeyID: creds.NewAccessKeyID(creds.PrefixTemporary, role.Account.ID),
		Secret:      creds.NewSecret(), Kind: "assumed-role", Principal: sessionARN, Account: role.Account.ID,
		UserID: roleID + ":" + sessionName, RoleARN: role.ARN, Issued: c.Now.UTC(), Expires: expires,
		Policy: sp.policy, PolicyARNs: sp.policyARNs, SourceIdentity: sp.sourceIdentity,
		Tags: sp.tags, TransitiveKeys: sp.transitive, Federation: sessKeys,
	}
	token, err := s.Keyring.Issue(sess)
	if err != nil {
		return nil, err
	}
	res := assumeRoleWithSAMLResult{
		Credentials:     Credentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.Secret, SessionToken: token, Expiration: isoTime(sess.Expires)},
		AssumedRoleUser: AssumedRoleUser{AssumedRoleID: sess.UserID, Arn: sessionARN},
		Subject:         a.NameID, SubjectType: samlSubjectType(a.NameIDFormat), Issuer: a.Issuer,
		Audience: a.Recipient, NameQualifier: nameQualifier, SourceIdentity: sp.sourceIdentity,
	}
	if sp.hasPacked {
		res.PackedPolicySize = &sp.packedPercent
	}
	elements := call.Fields{
		"credentials":     map[string]string{"accessKeyId": sess.AccessKeyID, "expiration": isoTime(sess.Expires)},
		"assumedRoleUser": res.AssumedRoleUser.fields(),
		"subject":         res.Subject, "subjectType": res.SubjectType, "issuer": res.Issuer,
		"audience": res.Audience, "nameQualifier": nameQualifier,
	}
	if sp.hasPacked {
		elements["packedPolicySize"] = sp.packedPercent
	}
	c.ResponseElements = elements
	c.Resources = []api.Resource{{ARN: role.ARN, Type: "AWS::IAM::Role", Account: role.Account.ID}}
	return res, nil
}

// samlProvider finds an IAM SAML provider by ARN.
func samlProvider(o *org.Org, providerARN string) *org.Provider {
	for _, p := range o.Providers {
		if p.Type == "saml" && p.ARN == providerARN {
			return p
		}
	}
	return nil
}

// samlSessionName reads the RoleSessionName attribute, which AWS requires:
// one value, 2 to 64 characters of letters, digits and _+=,.@-.
func samlSessionName(a *identity.SAMLAssertion) (string, error) {
	name, err := samlSingle(a, samlRoleSessionName)
	if err != nil {
		return "", err
	}
	if !sessionNameRE.MatchString(name) {
		return "", invalidSAML("the %s attribute %q is missing or not 2 to 64 characters of letters, digits and _+=,.@-", samlRoleSessionName, name)
	}
	return name, nil
}

func claimsRole(pairs [][2]string, roleARN, providerARN string) bool {
	for _, p := range pairs {
		if p[0] == roleARN && p[1] == providerARN {
			return true
		}
	}
	return false
}
