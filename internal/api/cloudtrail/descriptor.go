package cloudtrail

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/sso"
)

// TrailOwner is the account that owns the organization's trail: the account
// named Security (SecureCart's central logging account), else the management
// account.
func TrailOwner(o *org.Org) string {
	if a, ok := o.AccountByName("Security"); ok {
		return a.ID
	}
	return o.Management.ID
}

// New declares CloudTrail to the server.
func New(d *api.Deps) *api.Descriptor {
	s := &Service{Store: d.Store, Master: d.Master, Authz: d.Authz, Owner: func(ctx context.Context) (string, error) {
		o, err := d.State.Org(ctx)
		if err != nil {
			return "", err
		}
		return TrailOwner(o), nil
	}, People: func(ctx context.Context) (map[string]string, error) {
		return sso.UserNames(ctx, sso.OrgDirectory{Orgs: d.State})
	}}
	return &api.Descriptor{
		Name:       "cloudtrail",
		Protocol:   api.JSON,
		APIVersion: "2013-11-01",
		// botocore's targetPrefix, and aws-sdk-go-v2's short form.
		TargetPrefixes: []string{"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101", "CloudTrail_20131101"},
		JSONVersion:    "1.1",
		Handlers:       s.Handlers(),
	}
}
