package analyze

import (
	"encoding/json"
	"io/fs"
	"path"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/org"
	landingzones "github.com/securecart/warden/landing-zones"
)

// secureCartWith loads the SecureCart landing zone with extra files.
func secureCartWith(t *testing.T, extra map[string]string) *org.Org {
	t.Helper()
	fsys := fstest.MapFS{}
	err := fs.WalkDir(landingzones.FS, landingzones.SecureCart, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(landingzones.FS, p)
		fsys[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range extra {
		fsys[path.Join(landingzones.SecureCart, name)] = &fstest.MapFile{Data: []byte(text)}
	}
	o, err := org.LoadFS(fsys, landingzones.SecureCart)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

const publicBucket = `resources:
  - arn: arn:aws:s3:::incremental-public
    account: Dev
    policy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: "*"
          Action: s3:GetObject
          Resource: arn:aws:s3:::incremental-public/*
`

// Incremental gives what a full analysis gives, and after a change to one
// resource policy analyzes that resource only; an account moved to another
// OU analyzes everything again.
func TestIncrementalMatchesFullAnalysis(t *testing.T) {
	o := secureCartWith(t, nil)
	inc := NewIncremental()
	for _, kind := range []string{ZoneOrganization, ZoneAccount} {
		got, stats := inc.Analyze(o, kind, o.Management.ID)
		want := AccessOrg(o, kind)
		if kind == ZoneAccount {
			want = filterOwner(want, o.Management.ID)
		}
		if !sameFindings(got, want) || stats.Analyzed != stats.Targets {
			t.Fatalf("%s: first analysis: %d findings, want %d; stats %+v", kind, len(got), len(want), stats)
		}
	}
	if _, stats := inc.Analyze(o, ZoneOrganization, ""); stats.Analyzed != 0 {
		t.Errorf("the same org again: analyzed %d targets, want 0", stats.Analyzed)
	}
	// The same files loaded again: nothing to do.
	if _, stats := inc.Analyze(secureCartWith(t, nil), ZoneOrganization, ""); stats.Analyzed != 0 {
		t.Errorf("the same files loaded again: analyzed %d targets, want 0", stats.Analyzed)
	}

	o2 := secureCartWith(t, map[string]string{"zz-bucket.yaml": publicBucket})
	got, stats := inc.Analyze(o2, ZoneOrganization, "")
	if stats.Analyzed != 1 {
		t.Errorf("after one new bucket policy: analyzed %d targets, want 1", stats.Analyzed)
	}
	if want := AccessOrg(o2, ZoneOrganization); !sameFindings(got, want) {
		t.Errorf("after one new bucket policy: %d findings, want %d", len(got), len(want))
	}

	// Dev moves to another OU: every principal's organization path may
	// matter, so everything is analyzed again.
	orgFile, err := fs.ReadFile(landingzones.FS, path.Join(landingzones.SecureCart, "organization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	moved := strings.Replace(string(orgFile), "aws-dev@securecart.example\n    ou: WorkloadsOU", "aws-dev@securecart.example\n    ou: SharedServicesOU", 1)
	if moved == string(orgFile) {
		t.Fatal("Dev's OU not found in organization.yaml")
	}
	o3 := secureCartWith(t, map[string]string{"zz-bucket.yaml": publicBucket, "organization.yaml": moved})
	if got, stats := inc.Analyze(o3, ZoneOrganization, ""); stats.Analyzed != stats.Targets || !sameFindings(got, AccessOrg(o3, ZoneOrganization)) {
		t.Errorf("after an account moved: analyzed %d of %d targets, want all, and the full analysis's findings", stats.Analyzed, stats.Targets)
	}
}

func filterOwner(fs []Finding, owner string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.ResourceOwnerAccount == owner {
			out = append(out, f)
		}
	}
	return out
}

func sameFindings(a, b []Finding) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return len(a) == len(b) && reflect.DeepEqual(ja, jb)
}
