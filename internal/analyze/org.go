package analyze

import (
	"strings"

	"github.com/securecart/warden/internal/org"
)

// OrgInfoOf is what the analysis needs of an organization.
func OrgInfoOf(o *org.Org) OrgInfo {
	info := OrgInfo{ID: o.ID, Paths: make(map[string]string, len(o.Accounts))}
	for _, a := range o.Accounts {
		info.Paths[a.ID] = o.OrgPaths(a.ID)
	}
	info.Members = membersOf(info.Paths)
	return info
}

// Targets lists every resource-based policy of the organization: the
// declared resource policies and the trust policies of its roles. Roles that
// AWS manages (service-linked roles, and the roles Identity Center
// provisions under /aws-reserved/) are left out, as Access Analyzer leaves
// them: no one can change their trust policies.
func Targets(o *org.Org) []Target {
	var out []Target
	mk := func(arnStr string, owner *org.Account) Target {
		return Target{ARN: arnStr, Owner: owner.ID, RCP: o.RCPLevels(owner.ID), OrgID: o.ID, OrgPath: o.OrgPaths(owner.ID)}
	}
	for _, r := range o.Resources {
		if r.Policy == nil || r.Account == nil {
			continue
		}
		t := mk(r.ARN, r.Account)
		if r.AWSManagedKey() {
			// RCPs do not apply to an AWS managed KMS key.
			t.RCP = nil
		}
		t.Policy = r.Policy
		t.BPA = o.PublicAccessBlockOf(r)
		out = append(out, t)
	}
	for _, r := range o.Roles {
		if r.Trust == nil || r.ServiceLinked || strings.HasPrefix(r.Path, "/aws-reserved/") || r.Account == nil {
			continue
		}
		t := mk(r.ARN, r.Account)
		t.Policy = r.Trust
		out = append(out, t)
	}
	return out
}

// AccessOrg analyzes every target of the organization for a zone kind: for
// ZoneAccount each resource's zone is its own account, for ZoneOrganization
// the organization.
func AccessOrg(o *org.Org, kind string) []Finding {
	info := OrgInfoOf(o)
	var out []Finding
	for _, t := range Targets(o) {
		z := Zone{Kind: kind, Account: t.Owner, Org: info}
		out = append(out, Access(&t, &z)...)
	}
	return out
}
