package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const publicBucketFile = `resources:
  - arn: arn:aws:s3:::securecart-dev-public-site
    account: Dev
    policy: {Version: "2012-10-17", Statement: [{Sid: Web, Effect: Allow, Principal: "*", Action: s3:GetObject, Resource: "arn:aws:s3:::securecart-dev-public-site/*"}]}
`

// S3 Block Public Access's BlockPublicPolicy refuses a public bucket policy
// when it is written, and leaves alone one written before it was set
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-options).
// Warden holds bucket policies in the org it stores: `serve --org` on a
// new store, or with --replace-org, is where they are written.
func TestServeOrgBlockPublicPolicy(t *testing.T) {
	orgDir := copyLandingZone(t)
	site := filepath.Join(orgDir, "zz-site.yaml")
	if err := os.WriteFile(site, []byte(publicBucketFile), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	if code, log := serveOnce(t, "--data", data, "--org", orgDir); code != 0 {
		t.Fatalf("a public bucket policy without Block Public Access: exit %d\n%s", code, log)
	}
	// Dev blocks public policies from now on: the existing one stays.
	editFile(t, filepath.Join(orgDir, "organization.yaml"), "email: aws-dev@securecart.example\n", "email: aws-dev@securecart.example\n    publicAccessBlock: {blockPublicPolicy: true}\n")
	if code, log := serveOnce(t, "--data", data, "--org", orgDir, "--replace-org"); code != 0 {
		t.Fatalf("BlockPublicPolicy set over an existing public policy: exit %d\n%s", code, log)
	}
	// Writing it again, changed, is refused at its position.
	editFile(t, site, "Action: s3:GetObject,", "Action: [s3:GetObject, s3:GetObjectVersion],")
	code, log := serveOnce(t, "--data", data, "--org", orgDir, "--replace-org")
	if want := "zz-site.yaml:2:5: arn:aws:s3:::securecart-dev-public-site: the policy grants public access (statement 0 (Web)"; code == 0 || !strings.Contains(log, want) {
		t.Fatalf("a changed public policy under BlockPublicPolicy: exit %d, want a refusal saying %q:\n%s", code, want, log)
	}
	// A new store from these files: refused too.
	if code, log := serveOnce(t, "--data", filepath.Join(t.TempDir(), "fresh"), "--org", orgDir); code == 0 || !strings.Contains(log, "zz-site.yaml:2:5") {
		t.Fatalf("a new store with a public policy under BlockPublicPolicy: exit %d\n%s", code, log)
	}
}
