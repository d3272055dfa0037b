package cli

import (
	"github.com/securecart/warden/internal/org"
	landingzones "github.com/securecart/warden/landing-zones"
)

// loadOrg loads the org at path, or the embedded SecureCart landing zone when
// path is empty.
func loadOrg(path string) (*org.Org, error) {
	if path == "" {
		return org.LoadFS(landingzones.FS, landingzones.SecureCart)
	}
	return org.Load(path)
}
