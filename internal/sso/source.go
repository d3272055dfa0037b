package sso

import (
	"context"
	"errors"
	"time"
)

// ErrExternalSource: the directory's passwords are off, because people sign
// in at an external identity provider.
var ErrExternalSource = errors.New("the identity source is an external identity provider: people sign in there, and the directory's passwords are off")

// IdentitySource is ExternalSource for a Directory: an OrgDirectory
// reads its organization; other directories have their own source.
func IdentitySource(ctx context.Context, d Directory) (string, bool, error) {
	if od, ok := d.(OrgDirectory); ok {
		return ExternalSource(ctx, od.Orgs)
	}
	return "", false, nil
}

// ExternalSource reports whether Identity Center's identity source is an
// external identity provider, and its name. Once it is, people sign in only
// at that provider: the directory's own passwords are refused, as AWS does
// (https://docs.aws.amazon.com/singlesignon/latest/userguide/manage-your-identity-source-change.html).
// An error reading the organization is returned as is: callers fail closed.
func ExternalSource(ctx context.Context, orgs Orgs) (string, bool, error) {
	if orgs == nil {
		return "", false, nil
	}
	o, err := orgs.Org(ctx)
	if err != nil {
		return "", false, err
	}
	if o.IdentityCenter == nil || o.IdentityCenter.ExternalIdP == nil {
		return "", false, nil
	}
	return o.IdentityCenter.ExternalIdP.Name, true, nil
}

// SessionLifetime is how long a sign-in lasts: the org file's
// identityCenter.sessionDuration, else SignInLifetime (8 hours, AWS's
// default).
func SessionLifetime(ctx context.Context, orgs Orgs) (time.Duration, error) {
	if orgs == nil {
		return SignInLifetime, nil
	}
	o, err := orgs.Org(ctx)
	if err != nil {
		return 0, err
	}
	if o.IdentityCenter != nil && o.IdentityCenter.SessionDuration > 0 {
		return o.IdentityCenter.SessionDuration, nil
	}
	return SignInLifetime, nil
}
