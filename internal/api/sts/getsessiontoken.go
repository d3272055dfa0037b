package sts

import (
	"context"
	"github.com/securecart/warden/internal/call"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/policy"
)

type getSessionTokenResult struct {
	Credentials Credentials `xml:"Credentials"`
}

// GetSessionToken returns temporary credentials for an IAM user or an
// account's root user, optionally with MFA. Role sessions cannot call it.
// Durations: 900 to 129,600 seconds (root: at most 3,600), default 43,200.
// It needs no permission.
func (s *Service) GetSessionToken(ctx context.Context, c *api.Call) (any, error) {
	id := c.Identity
	if id.Session != nil {
		return nil, awsproto.Errorf("AccessDenied", "Cannot call GetSessionToken with session credentials")
	}
	max := 129600
	if id.Kind == policy.CallerRoot {
		max = 3600
	}
	duration, err := durationParam(c, 900, 129600, 43200)
	if err != nil {
		return nil, err
	}
	if duration > max {
		duration = max // AWS shortens a root user's session to one hour
	}
	c.RequestParameters = call.Fields{"durationSeconds": duration}
	mfa := false
	if c.Params.Has("SerialNumber") || c.Params.Has("TokenCode") {
		if err := s.checkMFA(ctx, c); err != nil {
			return nil, err
		}
		mfa = true
	}
	// No permission is needed: GetSessionToken authenticates the user (with
	// MFA), and policies do not control authentication
	// (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html).
	sess := &creds.Session{
		AccessKeyID: creds.NewAccessKeyID(creds.PrefixTemporary, id.Account),
		Secret:      creds.NewSecret(),
		Kind:        "session",
		Principal:   id.ARN,
		Account:     id.Account,
		UserID:      id.UserID,
		Issued:      c.Now.UTC(),
		Expires:     c.Now.UTC().Add(time.Duration(duration) * time.Second),
		MFA:         mfa,
		SourceKeyID: id.AccessKeyID,
	}
	if mfa {
		sess.MFATime = c.Now.UTC()
	}
	token, err := s.Keyring.Issue(sess)
	if err != nil {
		return nil, err
	}
	c.ResponseElements = call.Fields{"credentials": map[string]string{"accessKeyId": sess.AccessKeyID, "expiration": isoTime(sess.Expires)}}
	return getSessionTokenResult{Credentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.Secret, SessionToken: token, Expiration: isoTime(sess.Expires)}}, nil
}
