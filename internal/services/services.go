// Package services lists the AWS services `warden serve` hosts. Each is one
// package under internal/api that declares itself with a descriptor
// (api.Descriptor); the server routes requests from those descriptors.
// Adding a service is its package and one line here.
package services

import (
	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/api/accessanalyzer"
	"github.com/securecart/warden/internal/api/cloudtrail"
	"github.com/securecart/warden/internal/api/configservice"
	"github.com/securecart/warden/internal/api/iam"
	"github.com/securecart/warden/internal/api/identitycenter"
	"github.com/securecart/warden/internal/api/organizations"
	"github.com/securecart/warden/internal/api/scim"
	"github.com/securecart/warden/internal/api/securityhub"
	"github.com/securecart/warden/internal/api/ssooidc"
	"github.com/securecart/warden/internal/api/ssoportal"
	"github.com/securecart/warden/internal/api/sts"
	"github.com/securecart/warden/internal/api/tempaccess"
)

// All returns the factories of every hosted service.
func All() []api.Factory {
	return []api.Factory{
		sts.New,
		iam.New,
		organizations.New,
		cloudtrail.New,
		accessanalyzer.New,
		ssooidc.New,
		ssoportal.New,
		identitycenter.NewIdentityStore,
		identitycenter.NewSSOAdmin,
		scim.NewService,
		configservice.New,
		securityhub.New,
		tempaccess.New,
	}
}
