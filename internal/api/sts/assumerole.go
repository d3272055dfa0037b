package sts

import (
	"context"
	"errors"
	"github.com/securecart/warden/internal/call"
	"strconv"
	"strings"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/policy"
)

type assumeRoleResult struct {
	SourceIdentity   string          `xml:"SourceIdentity,omitempty"`
	AssumedRoleUser  AssumedRoleUser `xml:"AssumedRoleUser"`
	Credentials      Credentials     `xml:"Credentials"`
	PackedPolicySize *int            `xml:"PackedPolicySize,omitempty"`
}

const chainLimit = time.Hour

// AssumeRole returns temporary credentials for a role. The caller's policies
// (and SCPs) must allow sts:AssumeRole on the role and the role's trust
// policy must allow the caller, as the engine decides; session tags need
// sts:TagSession and a source identity sts:SetSourceIdentity. A root user,
// with its long-term key or a session of it, is refused whatever the
// policies say: the IAM User Guide's "Compare AWS STS credentials"
// (id_credentials_sts-comparison.html) names IAM users and roles as the
// callers of AssumeRole, and AWS answers a root user with AccessDenied
// "Roles may not be assumed by root accounts."
func (s *Service) AssumeRole(ctx context.Context, c *api.Call) (any, error) {
	roleARN, perr := c.Params.Required("RoleArn")
	if perr != nil {
		return nil, perr
	}
	sessionName, perr := c.Params.Required("RoleSessionName")
	if perr != nil {
		return nil, perr
	}
	reqParams := call.Fields{"roleArn": roleARN, "roleSessionName": sessionName}
	c.RequestParameters = reqParams
	if len(roleARN) < 20 || len(roleARN) > 2048 {
		return nil, validationf("1 validation error detected: Value '%s' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20", roleARN)
	}
	ra, err := arn.Parse(roleARN)
	if err != nil || ra.Service != "iam" || !strings.HasPrefix(ra.Resource, "role/") {
		return nil, awsproto.Errorf("ValidationError", "%s is invalid", roleARN)
	}
	if !sessionNameRE.MatchString(sessionName) {
		return nil, validationf("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64", sessionName)
	}
	duration, err := durationParam(c, 900, 43200, 3600)
	if err != nil {
		return nil, err
	}
	reqParams["durationSeconds"] = duration
	sp, err := parseSessionParams(c)
	if err != nil {
		return nil, err
	}
	extra := sp.requestContext()
	extra["sts:RoleSessionName"] = []string{sessionName}
	if c.Params.Has("ExternalId") {
		ext := c.Params.Get("ExternalId")
		if len(ext) < 2 || len(ext) > 1224 || !externalIDRE.MatchString(ext) {
			return nil, validationf("1 validation error detected: Value '%s' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]* and have length between 2 and 1224", ext)
		}
		extra["sts:ExternalId"] = []string{ext}
		reqParams["externalId"] = ext
	}

	caller := c.Identity
	if caller.Kind == policy.CallerRoot {
		return nil, awsproto.Errorf("AccessDenied", "Roles may not be assumed by root accounts.")
	}
	prev := caller.Session
	chained := prev != nil && prev.Kind == "assumed-role"
	if chained && duration > int(chainLimit/time.Second) {
		return nil, validationf("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}

	// A source identity, once set, stays for the sessions that follow.
	sourceIdentity := sp.sourceIdentity
	if prev != nil && prev.SourceIdentity != "" {
		if sourceIdentity != "" && sourceIdentity != prev.SourceIdentity {
			return nil, awsproto.Errorf("AccessDenied", "User: %s is not authorized to perform: sts:SetSourceIdentity: the source identity %q of the session cannot be changed.", caller.ARN, prev.SourceIdentity)
		}
		sourceIdentity = prev.SourceIdentity
	}
	if sourceIdentity != "" {
		reqParams["sourceIdentity"] = sourceIdentity
		// The request sets it on the new session, inherited or not.
		extra["sts:SourceIdentity"] = []string{sourceIdentity}
	}
	// Transitive tags of the calling session pass to this one.
	tags, transitive := map[string]string{}, []string{}
	if prev != nil {
		for _, k := range prev.TransitiveKeys {
			if _, clash := sp.tags[k]; clash {
				return nil, awsproto.Errorf("InvalidParameterValue", "One or more of the specified session tag keys %q conflict with an inherited transitive tag key.", k)
			}
			tags[k] = prev.Tags[k]
			transitive = append(transitive, k)
		}
	}
	for k, v := range sp.tags {
		tags[k] = v
	}
	transitive = append(transitive, sp.transitive...)

	mfa, mfaTime := prev != nil && prev.MFA, time.Time{}
	if prev != nil {
		mfaTime = prev.MFATime
	}
	if c.Params.Has("SerialNumber") || c.Params.Has("TokenCode") {
		if err := s.checkMFA(ctx, c); err != nil {
			return nil, err
		}
		mfa, mfaTime = true, c.Now
		reqParams["serialNumber"] = c.Params.Get("SerialNumber")
	}
	if mfa {
		extra["aws:MultiFactorAuthPresent"] = []string{"true"}
		extra["aws:MultiFactorAuthAge"] = []string{strconv.FormatInt(int64(c.Now.Sub(mfaTime)/time.Second), 10)}
	}

	o, err := s.Orgs.Org(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Authz.Authorize(ctx, c, "sts:AssumeRole", roleARN, extra); err != nil {
		return nil, err
	}
	if len(sp.tags) > 0 {
		if err := s.Authz.Authorize(ctx, c, "sts:TagSession", roleARN, extra); err != nil {
			return nil, err
		}
	}
	// Setting a source identity needs sts:SetSourceIdentity, and so does
	// carrying one into the next session of a role chain: "permissions
	// for sts:SetSourceIdentity are required in both the permissions
	// policy of the principal who is assuming the role and in the role
	// trust policy of the target role" ("Permissions required to set
	// source identity",
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html#id_credentials_temp_control-access_monitor-perms).
	if sourceIdentity != "" {
		if err := s.Authz.Authorize(ctx, c, "sts:SetSourceIdentity", roleARN, extra); err != nil {
			return nil, err
		}
	}
	roleName := ra.Resource[strings.LastIndexByte(ra.Resource, '/')+1:]
	role, ok := o.Role(ra.Account, roleName)
	if !ok {
		return nil, awsproto.Errorf("AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller.ARN, roleARN)
	}
	if role.ARN != roleARN {
		// AWS matches the role by its full ARN, path included.
		return nil, awsproto.Errorf("AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller.ARN, roleARN)
	}
	if duration > role.MaxSessionDuration {
		return nil, validationf("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	for _, pa := range sp.policyARNs {
		if _, ok := authz.ManagedPolicy(o, pa); !ok {
			return nil, awsproto.Errorf("InvalidParameterValue", "The policy %s does not exist or is not attachable.", pa)
		}
	}

	roleID := creds.StableID("AROA", role.ARN)
	sessionARN := "arn:aws:sts::" + role.Account.ID + ":assumed-role/" + role.Name + "/" + sessionName
	sess := &creds.Session{
		AccessKeyID:    creds.NewAccessKeyID(creds.PrefixTemporary, role.Account.ID),
		Secret:         creds.NewSecret(),
		Kind:           "assumed-role",
		Principal:      sessionARN,
		Account:        role.Account.ID,
		UserID:         roleID + ":" + sessionName,
		RoleARN:        role.ARN,
		Issued:         c.Now.UTC(),
		Expires:        c.Now.UTC().Add(time.Duration(duration) * time.Second),
		Policy:         sp.policy,
		PolicyARNs:     sp.policyARNs,
		Tags:           tags,
		TransitiveKeys: transitive,
		SourceIdentity: sourceIdentity,
		MFA:            mfa,
		MFATime:        mfaTime,
		Chained:        chained,
		SourceKeyID:    caller.AccessKeyID,
	}
	if caller.Session != nil {
		// A session chained from a time-boxed grant's ends with the grant.
		sess.Grant = caller.Session.Grant
		// So does one chained from an Identity Center sign-in's, when an
		// administrator revokes the sign-in.
		sess.SignIn = caller.Session.SignIn
	}
	token, err := s.Keyring.Issue(sess)
	if err != nil {
		return nil, err
	}
	res := assumeRoleResult{
		SourceIdentity:  sourceIdentity,
		AssumedRoleUser: AssumedRoleUser{AssumedRoleID: sess.UserID, Arn: sessionARN},
		Credentials:     Credentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.Secret, SessionToken: token, Expiration: isoTime(sess.Expires)},
	}
	if sp.hasPacked {
		res.PackedPolicySize = &sp.packedPercent
	}
	c.ResponseElements = call.Fields{
		"credentials":     map[string]string{"accessKeyId": sess.AccessKeyID, "expiration": isoTime(sess.Expires)},
		"assumedRoleUser": res.AssumedRoleUser.fields(),
	}
	c.Resources = []api.Resource{{ARN: role.ARN, Type: "AWS::IAM::Role", Account: role.Account.ID}}
	if role.Account.ID != caller.Account {
		c.ExtraRecipients = []string{role.Account.ID}
	}
	return res, nil
}

// durationParam reads DurationSeconds within [min, max].
func durationParam(c *api.Call, min, max, def int) (int, error) {
	if !c.Params.Has("DurationSeconds") {
		return def, nil
	}
	d, perr := c.Params.Int("DurationSeconds", def)
	if perr != nil {
		return 0, perr
	}
	if d < min {
		return 0, validationf("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to %d", d, min)
	}
	if d > max {
		return 0, validationf("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to %d", d, max)
	}
	return d, nil
}

// checkMFA verifies SerialNumber and TokenCode: the device must be the
// caller's and the code current and unused.
func (s *Service) checkMFA(ctx context.Context, c *api.Call) error {
	serial, code := c.Params.Get("SerialNumber"), c.Params.Get("TokenCode")
	if serial == "" || code == "" {
		return validationf("SerialNumber and TokenCode must be given together")
	}
	if !serialRE.MatchString(serial) {
		return validationf("1 validation error detected: Value '%s' at 'serialNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=/:,.@-]*", serial)
	}
	if !tokenCodeRE.MatchString(code) {
		return validationf("1 validation error detected: Value at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*")
	}
	dev, err := s.Store.MFADevice(ctx, serial)
	owner := c.Identity.ARN
	if c.Identity.Session != nil && c.Identity.Session.Kind == "session" {
		owner = c.Identity.Session.Principal
	}
	if err != nil || dev.Owner != owner {
		return awsproto.Errorf("AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.")
	}
	if err := creds.CheckTOTP(ctx, s.Store, s.Master, serial, code, c.Now); err != nil {
		if errors.Is(err, creds.ErrMFA) {
			return awsproto.Errorf("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
		}
		return err
	}
	return nil
}
