package iam

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/policy"
)

type accessKeyLastUsed struct {
	LastUsedDate string `xml:"LastUsedDate,omitempty"`
	ServiceName  string `xml:"ServiceName"`
	Region       string `xml:"Region"`
}

type getAccessKeyLastUsedResult struct {
	UserName          string            `xml:"UserName,omitempty"`
	AccessKeyLastUsed accessKeyLastUsed `xml:"AccessKeyLastUsed"`
}

// GetAccessKeyLastUsed says when an access key was last used, with which
// service and in which region (N/A for a key never used). The caller needs
// iam:GetAccessKeyLastUsed on the key's user.
func (s *Service) GetAccessKeyLastUsed(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	id, err := accessKeyIDParam(c)
	if err != nil {
		return nil, err
	}
	c.RequestParameters = map[string]string{"accessKeyId": id}
	k, kerr := s.Store.AccessKey(ctx, id)
	if kerr != nil && !isNotFound(kerr) {
		return nil, kerr
	}
	resource := "arn:aws:iam::" + c.Identity.Account + ":user/*"
	if kerr == nil {
		resource = k.Owner
	}
	if err := s.Authz.Authorize(ctx, c, "iam:GetAccessKeyLastUsed", resource, nil); err != nil {
		return nil, err
	}
	if kerr != nil || k.Account != c.Identity.Account {
		return nil, keyNotFound(id)
	}
	res := getAccessKeyLastUsedResult{AccessKeyLastUsed: accessKeyLastUsed{ServiceName: "N/A", Region: "N/A"}}
	if owner, err := policy.ParseCaller(k.Owner); err == nil && owner.Kind == policy.CallerUser {
		res.UserName = owner.Name
	}
	if !k.LastUsed.IsZero() {
		res.AccessKeyLastUsed = accessKeyLastUsed{LastUsedDate: isoTime(k.LastUsed), ServiceName: k.LastService, Region: k.LastRegion}
	}
	return res, nil
}
