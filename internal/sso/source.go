package sso

import (
	"context"
	"time"
)

// ExternalSource reports whether Identity Center's identity source is an
// external identity provider, and its name. Once it is, people sign in only
// at that provider: the directory's own passwords are refused, as AWS does
// (https://docs.aws.amazon.com/singlesignon/latest/userguide/manage-your-identity-source-change.html).
// An error reading the organization is returned as is: callers fail closed.
func ExternalSource(ctx context.Context, orgs Orgs) (string, bool, error) {
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
