package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// repoRoot walks up from the package folder to the folder holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package folder")
		}
		dir = parent
	}
}

// sharedData returns the staged data folder, the repository's sibling
// shared/data, skipping the test when this checkout has none.
func sharedData(t *testing.T, root string) string {
	t.Helper()
	dir := filepath.Join(filepath.Dir(root), "shared", "data")
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Skipf("staged third-party data not found at %s; cannot check that data/ is current", dir)
	}
	return dir
}

func fileNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestEmbeddedDataIsCurrent regenerates the data and compares it with the
// committed files.
func TestEmbeddedDataIsCurrent(t *testing.T) {
	root := repoRoot(t)
	shared := sharedData(t, root)
	fresh := t.TempDir()
	if err := generate(shared, fresh); err != nil {
		t.Fatal(err)
	}
	committed := filepath.Join(root, "internal", "awsdata", "data")
	if got, want := fileNames(t, committed), fileNames(t, fresh); !slices.Equal(got, want) {
		t.Fatalf("internal/awsdata/data holds %q, the generator writes %q", got, want)
	}
	for _, name := range fileNames(t, fresh) {
		want, err := os.ReadFile(filepath.Join(fresh, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(committed, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("data/%s is not current: run go generate ./internal/awsdata", name)
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	shared := sharedData(t, repoRoot(t))
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if err := generate(shared, dir); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range fileNames(t, a) {
		x, _ := os.ReadFile(filepath.Join(a, name))
		y, err := os.ReadFile(filepath.Join(b, name))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs (err %v)", name, err)
		}
	}
}

func TestSplitAccessLevel(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Read", []string{"Read"}},
		{"Tagging, Write", []string{"Tagging", "Write"}},
		{"Permissions management, Write", []string{"Permissions management", "Write"}},
	}
	for _, tt := range tests {
		got, err := splitAccessLevel(tt.in)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("splitAccessLevel(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "Tagging,Write", "Admin", "Read, "} {
		if got, err := splitAccessLevel(bad); err == nil {
			t.Errorf("splitAccessLevel(%q) = %q, want an error", bad, got)
		}
	}
}

func TestTemplatePattern(t *testing.T) {
	tests := []struct{ key, want string }{
		{"aws:SourceIp", ""},
		{"aws:PrincipalTag/${TagKey}", "aws:principaltag/?*"},
		{"s3:ExistingObjectTag/<key>", "s3:existingobjecttag/?*"},
		{"secretsmanager:ResourceTag/tag-key", "secretsmanager:resourcetag/?*"},
		{"glacier:ResourceTag/", "glacier:resourcetag/?*"},
		{"codebuild:secondarySources/${sourceIdentifier}.auth.type", "codebuild:secondarysources/?*.auth.type"},
		{"agent.${Domain}.buildkite.dev:build_branch", "agent.?*.buildkite.dev:build_branch"},
	}
	for _, tt := range tests {
		if got := templatePattern(tt.key); got != tt.want {
			t.Errorf("templatePattern(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestConvertPolicy(t *testing.T) {
	str := func(s string) *string { return &s }
	yes := true
	tests := []struct {
		name string
		src  policySource
		want policyOut
	}{
		{"with ARN", policySource{Name: "ReadOnlyAccess", ARN: str("arn:aws:iam::aws:policy/ReadOnlyAccess"), Version: str("v9"),
			Document: json.RawMessage(`{ "Version": "2012-10-17", "Statement": [] }`)},
			policyOut{Name: "ReadOnlyAccess", ARN: "arn:aws:iam::aws:policy/ReadOnlyAccess", Version: "v9",
				Document: json.RawMessage(`{"Version":"2012-10-17","Statement":[]}`)}},
		{"deprecated, path known", policySource{Name: "X", Path: str("/service-role/"), Deprecated: &yes, Document: json.RawMessage(`null`)},
			policyOut{Name: "X", ARN: "arn:aws:iam::aws:policy/service-role/X", Deprecated: true}},
		{"deprecated, path unknown", policySource{Name: "Y", Deprecated: &yes, Partial: json.RawMessage(`{"reason":"r"}`)},
			policyOut{Name: "Y", Deprecated: true, Partial: true}},
	}
	for _, tt := range tests {
		got, err := convertPolicy(tt.src)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got.Name != tt.want.Name || got.ARN != tt.want.ARN || got.Version != tt.want.Version ||
			got.Deprecated != tt.want.Deprecated || got.Partial != tt.want.Partial || !bytes.Equal(got.Document, tt.want.Document) {
			t.Errorf("%s: got %+v (document %s), want %+v (document %s)", tt.name, got, got.Document, tt.want, tt.want.Document)
		}
	}
	if _, err := convertPolicy(policySource{Name: "Z", ARN: str("arn:aws:iam::aws:policy/Other")}); err == nil {
		t.Error("an ARN that does not end in the policy name was accepted")
	}
}
