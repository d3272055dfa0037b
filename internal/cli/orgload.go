package cli

import (
	"io"

	"github.com/securecart/warden/internal/awsdata"
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

// loadOrgShowing is loadOrg with a progress bar on stderr while a large
// organization's policies are compiled, when stderr is a terminal. It is for
// commands that load an organization once and exit: the collector is paused
// while the organization loads (withoutGC).
func loadOrgShowing(path string, stderr io.Writer) (*org.Org, error) {
	// The analyses look actions up and the load AWS managed policies:
	// decode both on the other core while the files are read.
	go awsdata.Preload()
	if path == "" {
		return loadOrg(path)
	}
	var o *org.Org
	var err error
	withoutGC(orgSize(path), func() {
		o, err = org.LoadWith(path, org.Options{Progress: progressBar(stderr, "loading the organization")})
	})
	return o, err
}
