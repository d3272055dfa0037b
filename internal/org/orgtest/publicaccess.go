// Package orgtest holds organizations shared by the tests of several
// packages.
package orgtest

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/org"
)

// PublicAccess loads the S3 Block Public Access test organization
// (testdata/publicaccess/org.yaml at the repository's root) with the
// account's and the bucket's publicAccessBlock settings in place, as the
// inside of a YAML flow mapping ("restrictPublicBuckets: true").
func PublicAccess(t testing.TB, account, bucket string) *org.Org {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	data, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "publicaccess", "org.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	src := strings.NewReplacer("ACCOUNT_SETTING", account, "BUCKET_SETTING", bucket).Replace(string(data))
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: []byte(src)}}, "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return o
}
