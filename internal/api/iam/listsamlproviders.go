package iam

import (
	"context"
	"sort"

	"github.com/securecart/warden/internal/api"
)

type samlProviderEntry struct {
	Arn        string `xml:"Arn"`
	ValidUntil string `xml:"ValidUntil,omitempty"`
	CreateDate string `xml:"CreateDate"`
}

type listSAMLProvidersResult struct {
	SAMLProviderList []samlProviderEntry `xml:"SAMLProviderList>member"`
}

// ListSAMLProviders lists the caller's account's SAML providers, Identity
// Center's included, by ARN. The caller needs iam:ListSAMLProviders.
func (s *Service) ListSAMLProviders(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	acct := c.Identity.Account
	if err := s.Authz.Authorize(ctx, c, "iam:ListSAMLProviders", "*", nil); err != nil {
		return nil, err
	}
	m, o, err := s.view(ctx)
	if err != nil {
		return nil, err
	}
	res := listSAMLProvidersResult{SAMLProviderList: []samlProviderEntry{}}
	for _, p := range o.Providers {
		if p.Type != "saml" || p.Account.ID != acct {
			continue
		}
		e := samlProviderEntry{Arn: p.ARN, CreateDate: isoTime(s.created(ctx, m.d, p.ARN))}
		if p.SAML != nil && !p.SAML.ValidUntil.IsZero() {
			e.ValidUntil = isoTime(p.SAML.ValidUntil)
		}
		res.SAMLProviderList = append(res.SAMLProviderList, e)
	}
	sort.Slice(res.SAMLProviderList, func(i, j int) bool { return res.SAMLProviderList[i].Arn < res.SAMLProviderList[j].Arn })
	return res, nil
}
