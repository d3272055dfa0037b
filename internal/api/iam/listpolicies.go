package iam

import (
	"context"
	"github.com/securecart/warden/internal/call"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsdata"
)

type listPoliciesResult struct {
	Policies []Policy `xml:"Policies>member"`
	pageInfo
}

// ListPolicies lists managed policies: the caller's account's (Scope
// Local), AWS's (AWS) or both (All, the default), those attached to
// something only (OnlyAttached) or used in the way PolicyUsageFilter says,
// whose path starts with PathPrefix. The caller needs iam:ListPolicies.
func (s *Service) ListPolicies(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	scope := "All"
	if c.Params.Has("Scope") {
		scope = c.Params.Get("Scope")
		if scope != "All" && scope != "AWS" && scope != "Local" {
			return nil, validationf("1 validation error detected: Value '%s' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]", scope)
		}
	}
	onlyAttached := false
	if c.Params.Has("OnlyAttached") {
		switch v := strings.ToLower(c.Params.Get("OnlyAttached")); v {
		case "true", "false":
			onlyAttached = v == "true"
		default:
			return nil, validationf("1 validation error detected: Value '%s' at 'onlyAttached' failed to satisfy constraint: Member must be a boolean", c.Params.Get("OnlyAttached"))
		}
	}
	filter := c.Params.Get("PolicyUsageFilter")
	if c.Params.Has("PolicyUsageFilter") && filter != "PermissionsPolicy" && filter != "PermissionsBoundary" {
		return nil, validationf("1 validation error detected: Value '%s' at 'policyUsageFilter' failed to satisfy constraint: Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]", filter)
	}
	prefix, err := pathPrefix(c)
	if err != nil {
		return nil, err
	}
	if _, err := maxItems(c); err != nil {
		return nil, err
	}
	c.RequestParameters = call.Fields{"scope": scope, "onlyAttached": onlyAttached, "pathPrefix": prefix}
	if err := s.Authz.Authorize(ctx, c, "iam:ListPolicies", "*", nil); err != nil {
		return nil, err
	}
	m, o, err := s.view(ctx)
	if err != nil {
		return nil, err
	}
	acct := c.Identity.Account
	u := accountUsage(m, o, acct)
	var all []*policyRec
	if scope != "AWS" {
		for _, def := range m.ManagedIn(m.AccountName(acct)) {
			all = append(all, s.customerPolicyRec(ctx, m, acct, def))
		}
	}
	if scope != "Local" {
		seeded := s.seeded(ctx)
		for _, mp := range awsdata.ManagedPolicies() {
			if mp.ARN != "" && mp.Document != nil {
				all = append(all, awsPolicyRec(mp, seeded))
			}
		}
	}
	var list []*policyRec
	for _, p := range all {
		if !strings.HasPrefix(p.Path, prefix) {
			continue
		}
		used := map[string]bool{"PermissionsPolicy": u.attached[p.ARN] > 0, "PermissionsBoundary": u.boundary[p.ARN] > 0}
		switch {
		case filter != "" && !used[filter]:
			continue
		case onlyAttached && !used["PermissionsPolicy"] && !used["PermissionsBoundary"]:
			continue
		}
		list = append(list, p)
	}
	page, info, err := paginate(c, list, func(p *policyRec) string { return p.Name + "\x00" + p.ARN })
	if err != nil {
		return nil, err
	}
	res := listPoliciesResult{Policies: make([]Policy, 0, len(page)), pageInfo: info}
	for _, p := range page {
		res.Policies = append(res.Policies, s.policyStruct(ctx, m, p, u, false))
	}
	return res, nil
}
