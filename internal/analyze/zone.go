package analyze

// Zone is an analyzer's zone of trust: one account, or every account of an
// organization
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html).
type Zone struct {
	Kind    string // ZoneAccount or ZoneOrganization
	Account string // the account, for ZoneAccount
	Org     OrgInfo
}

// Zone kinds, as Access Analyzer's analyzer types name them.
const (
	ZoneAccount      = "ACCOUNT"
	ZoneOrganization = "ORGANIZATION"
)

// OrgInfo is what the analysis knows of the organization: its ID and each
// member account's organization path (aws:PrincipalOrgPaths), by account ID.
// ID is "" for an account outside any organization.
type OrgInfo struct {
	ID    string
	Paths map[string]string
}

// Contains reports whether an account is in the zone.
func (z *Zone) Contains(account string) bool {
	if account == "" {
		return false
	}
	if z.Kind == ZoneOrganization {
		_, ok := z.Org.Paths[account]
		return ok
	}
	return account == z.Account
}
