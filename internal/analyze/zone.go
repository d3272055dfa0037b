package analyze

import "sort"

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
	// Members holds up to two accounts of each organization path, sorted:
	// the organization's accounts a principal class stands for. Computed
	// from Paths when nil.
	Members []string
}

// members returns Members, computing it when the caller did not.
func (o *OrgInfo) members() []string {
	if o.Members != nil || len(o.Paths) == 0 {
		return o.Members
	}
	return membersOf(o.Paths)
}

func membersOf(paths map[string]string) []string {
	ids := make([]string, 0, len(paths))
	for id := range paths {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	per := map[string]int{}
	var out []string
	for _, id := range ids {
		if per[paths[id]] < 2 {
			per[paths[id]]++
			out = append(out, id)
		}
	}
	return out
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
