package sts

import (
	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/identity"
)

// Namespace is the xmlns of STS replies.
const Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// New declares STS to the server.
func New(d *api.Deps) *api.Descriptor {
	s := &Service{Orgs: d.State, Authz: d.Authz, Keyring: d.Keyring, Store: d.Store, Master: d.Master,
		OIDC: &identity.OIDC{Client: d.HTTPClient, Clock: d.Clock}}
	return &api.Descriptor{
		Name:         "sts",
		Protocol:     api.Query,
		APIVersion:   "2011-06-15",
		XMLNamespace: Namespace,
		Handlers:     s.Handlers(),
		// Callers make the federation actions without AWS credentials.
		Unsigned: []string{"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"},
		// They read nothing of the organization: the caller's identity and
		// key are in the request.
		Stateless: []string{"GetCallerIdentity", "GetAccessKeyInfo"},
	}
}
