package organizations

import "github.com/securecart/warden/internal/api"

// New declares Organizations to the server.
func New(d *api.Deps) *api.Descriptor {
	s := &Service{State: d.State, Authz: d.Authz}
	return &api.Descriptor{
		Name:           "organizations",
		Protocol:       api.JSON,
		APIVersion:     "2016-11-28",
		TargetPrefixes: []string{"AWSOrganizationsV20161128"},
		JSONVersion:    "1.1",
		Handlers:       s.Handlers(),
	}
}
