package e2e

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"testing"

	landingzones "github.com/securecart/warden/landing-zones"
)

// reExternalIdP is the identity source block of identity-center.yaml.
var reExternalIdP = regexp.MustCompile(`(?m)^  externalIdentityProvider:\n(    .*\n)+`)

// directoryOrg writes SecureCart's landing zone with Identity Center's own
// directory as identity source (no externalIdentityProvider), for tests that
// sign in with a password: with Okta as identity source, the directory's
// passwords are refused, as AWS does.
func directoryOrg(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	err := fs.WalkDir(landingzones.FS, landingzones.SecureCart, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := landingzones.FS.ReadFile(p)
		if err != nil {
			return err
		}
		if path.Base(p) == "identity-center.yaml" {
			data = reExternalIdP.ReplaceAll(data, nil)
		}
		return os.WriteFile(filepath.Join(dir, path.Base(p)), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
