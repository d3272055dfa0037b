package sso

import (
	"fmt"
	"time"

	"github.com/securecart/warden/internal/creds"
)

// RoleCredentials is what GetRoleCredentials returns: a session of a
// permission set's provisioned role for a signed-in person, sealed into a
// session token.
type RoleCredentials struct {
	Session *creds.Session
	Token   string // the session token
}

// IssueRoleCredentials issues credentials of role for user (who passed MFA
// at authTime), at now, for the permission set's session duration: the
// session of the provisioned AWSReservedSSO_ role named after the user
// name, with aws:MultiFactorAuthPresent and the sign-in's MFA time, on
// behalf of the identity store user. limit, when set, may shorten or bind
// the session before it is sealed (a time-boxed grant's end). The portal
// API (GetRoleCredentials) and the access portal's pages both issue
// through it.
//
// signIn is the ID of the sign-in the credentials are issued to (a portal
// session's or a device authorization's, SignIn.ID): the session carries
// it, so that revoking the sign-in ends the credentials too.
func IssueRoleCredentials(kr *creds.Keyring, in Instance, user User, role Role, authTime, now time.Time, signIn string, limit func(*creds.Session) error) (RoleCredentials, error) {
	acct := role.AccountID
	sess := &creds.Session{
		AccessKeyID: creds.NewAccessKeyID(creds.PrefixTemporary, acct),
		Secret:      creds.NewSecret(),
		Kind:        "assumed-role",
		Principal:   fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", acct, role.RoleName, user.UserName),
		Account:     acct,
		UserID:      creds.StableID("AROA", role.RoleARN) + ":" + user.UserName,
		RoleARN:     role.RoleARN,
		Issued:      now.UTC(),
		Expires:     now.UTC().Add(role.SessionDuration),
		MFA:         true,
		MFATime:     authTime,
		OnBehalfOf:  &creds.OnBehalfOf{UserID: user.ID, UserName: user.UserName, IdentityStoreARN: in.IdentityStoreARN()},
		SignIn:      &creds.SignInRef{UserID: user.ID, ID: signIn},
	}
	if limit != nil {
		if err := limit(sess); err != nil {
			return RoleCredentials{}, err
		}
	}
	token, err := kr.Issue(sess)
	if err != nil {
		return RoleCredentials{}, err
	}
	return RoleCredentials{Session: sess, Token: token}, nil
}
