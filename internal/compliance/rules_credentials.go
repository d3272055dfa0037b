package compliance

import (
	"fmt"
	"time"

	"github.com/securecart/warden/internal/org"
)

// The rules on credentials: root users' and IAM users', from the
// credential report (Input.Credentials).

func init() {
	register(&ManagedRule{
		Identifier: "IAM_ROOT_ACCESS_KEY_CHECK", Name: "iam-root-access-key-check",
		Description:   "Checks that the root user of each account has no access key.",
		ResourceTypes: []string{TypeAccount}, Periodic: true,
		Severity: "CRITICAL", Controls: []string{"IAM.4"},
		Remediation: "Delete the root user's access keys; use roles for programmatic access.",
		Page:        "https://docs.aws.amazon.com/config/latest/developerguide/iam-root-access-key-check.html",
		eval: func(in *Input, r *Rule) []Evaluation {
			return perAccount(in, func(a *org.Account, root CredentialEntry) (string, string) {
				if n := len(root.AccessKeys); n > 0 {
					return NonCompliant, fmt.Sprintf("the root user has %d access keys", n)
				}
				return Compliant, "the root user has no access key"
			})
		},
	})
	register(&ManagedRule{
		Identifier: "ROOT_ACCOUNT_MFA_ENABLED", Name: "root-account-mfa-enabled",
		Description:   "Checks that the root user of each account signs in with MFA.",
		ResourceTypes: []string{TypeAccount}, Periodic: true,
		Severity: "CRITICAL", Controls: []string{"IAM.9"},
		Remediation: "Enable an MFA device for the root user, or remove its credentials (centralized root access).",
		Page:        "https://docs.aws.amazon.com/config/latest/developerguide/root-account-mfa-enabled.html",
		eval: func(in *Input, r *Rule) []Evaluation {
			return perAccount(in, func(a *org.Account, root CredentialEntry) (string, string) {
				switch {
				case root.MFAActive:
					return Compliant, "the root user has MFA"
				case !root.PasswordEnabled && len(root.AccessKeys) == 0:
					return Compliant, "the root user has no credentials: it cannot sign in"
				}
				return NonCompliant, "the root user can sign in without MFA"
			})
		},
	})
	register(&ManagedRule{
		Identifier: "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", Name: "mfa-enabled-for-iam-console-access",
		Description:   "Checks that every IAM user with a console password has MFA.",
		ResourceTypes: []string{TypeUser}, Periodic: true,
		Severity: "MEDIUM", Controls: []string{"IAM.5"},
		Remediation: "Enable an MFA device for the user, or remove the console password.",
		Page:        "https://docs.aws.amazon.com/config/latest/developerguide/mfa-enabled-for-iam-console-access.html",
		eval: func(in *Input, r *Rule) []Evaluation {
			return perUser(in, func(u CredentialEntry) (string, string) {
				switch {
				case !u.PasswordEnabled:
					return NotApplicable, "no console password"
				case u.MFAActive:
					return Compliant, "signs in to the console with MFA"
				}
				return NonCompliant, "has a console password and no MFA"
			})
		},
	})
	register(&ManagedRule{
		Identifier: "IAM_USER_UNUSED_CREDENTIALS_CHECK", Name: "iam-user-unused-credentials-check",
		Description:   "Checks that IAM users' passwords and active access keys were used within maxCredentialUsageAge days.",
		ResourceTypes: []string{TypeUser}, Periodic: true,
		Params:   []Param{{Name: "maxCredentialUsageAge", Kind: "int", Required: true, Default: "90"}},
		Severity: "MEDIUM", Controls: []string{"IAM.8"},
		Remediation: "Remove the unused password or deactivate the unused access key.",
		Page:        "https://docs.aws.amazon.com/config/latest/developerguide/iam-user-unused-credentials-check.html",
		eval: func(in *Input, r *Rule) []Evaluation {
			maxAge := time.Duration(r.intParam("maxCredentialUsageAge")) * 24 * time.Hour
			return perUser(in, func(u CredentialEntry) (string, string) {
				if u.PasswordEnabled && in.Now.Sub(lastUse(u.PasswordLastUsed, u.PasswordCreated)) > maxAge {
					return NonCompliant, fmt.Sprintf("the console password was not used in %d days", r.intParam("maxCredentialUsageAge"))
				}
				for _, k := range u.AccessKeys {
					if k.Active && in.Now.Sub(lastUse(k.LastUsed, k.Created)) > maxAge {
						return NonCompliant, fmt.Sprintf("access key %s was not used in %d days", k.ID, r.intParam("maxCredentialUsageAge"))
					}
				}
				return Compliant, ""
			})
		},
	})
	register(&ManagedRule{
		Identifier: "ACCESS_KEYS_ROTATED", Name: "access-keys-rotated",
		Description:   "Checks that active access keys are rotated within maxAccessKeyAge days.",
		ResourceTypes: []string{TypeUser}, Periodic: true,
		Params:   []Param{{Name: "maxAccessKeyAge", Kind: "int", Required: true, Default: "90"}},
		Severity: "MEDIUM", Controls: []string{"IAM.3"},
		Remediation: "Create a new access key, move its users to it, and delete the old one.",
		Page:        "https://docs.aws.amazon.com/config/latest/developerguide/access-keys-rotated.html",
		eval: func(in *Input, r *Rule) []Evaluation {
			maxAge := time.Duration(r.intParam("maxAccessKeyAge")) * 24 * time.Hour
			return perUser(in, func(u CredentialEntry) (string, string) {
				active := 0
				for _, k := range u.AccessKeys {
					if !k.Active {
						continue
					}
					active++
					if in.Now.Sub(k.Created) > maxAge {
						return NonCompliant, fmt.Sprintf("active access key %s is older than %d days", k.ID, r.intParam("maxAccessKeyAge"))
					}
				}
				if active == 0 {
					return NotApplicable, "no active access key"
				}
				return Compliant, ""
			})
		},
	})
}

func lastUse(used, created time.Time) time.Time {
	if used.IsZero() {
		return created
	}
	return used
}

func credentials(in *Input) Credentials {
	if in.Credentials == nil {
		return OfflineCredentials{}
	}
	return in.Credentials
}

func perAccount(in *Input, f func(a *org.Account, root CredentialEntry) (string, string)) []Evaluation {
	c := credentials(in)
	var out []Evaluation
	for _, a := range in.Org.Accounts {
		verdict, why := f(a, c.Root(a.ID))
		out = append(out, eval1(accountResource(a), verdict, why, a.Pos.String()))
	}
	return out
}

func perUser(in *Input, f func(u CredentialEntry) (string, string)) []Evaluation {
	c := credentials(in)
	var out []Evaluation
	for _, e := range entities(in.Org, TypeUser) {
		verdict, why := f(c.User(e.res.ARN))
		out = append(out, eval1(e.res, verdict, why, e.pos))
	}
	return out
}
