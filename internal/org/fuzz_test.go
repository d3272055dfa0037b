package org

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// FuzzLoad feeds arbitrary organization files to the loader: it must never
// panic, must load an organization only with a management account, and
// must place every problem in a file.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/bad/*.yaml")
	seeds = append(seeds, "testdata/valid/org.yaml", "testdata/valid/org.json")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("a: &x [*x]"))
	f.Add([]byte("roles: [{name: R, accounts: [\"*\"], trust: &d {a: [*d, *d]}}]"))
	f.Add([]byte("organization: {id: o-a1b2c3d4e5, managementAccount: M}\naccounts: [{name: M, id: \"111111111111\", email: a@b.cd}]"))
	doc, err := os.ReadFile("testdata/valid/policies/boundary.json")
	if err != nil {
		f.Fatal(err)
	}
	if _, err := Load("testdata/valid/org.yaml"); err != nil { // decode the AWS managed policies once
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			"org.yaml":                       {Data: data},
			"policies/boundary.json":         {Data: doc},
			"policies/trust-management.json": {Data: doc},
			"docs/placeholder.json":          {Data: data},
			"docs/bad-trust.json":            {Data: data},
		}
		o, err := LoadFS(fsys, "org.yaml")
		if err == nil {
			if o == nil || o.Management == nil {
				t.Fatalf("loaded an organization without a management account")
			}
			return
		}
		list, ok := err.(ErrorList)
		if !ok {
			t.Fatalf("error of type %T: %v", err, err)
		}
		for _, e := range list {
			if e.Pos.File == "" || e.Msg == "" {
				t.Fatalf("an error without a file or a message: %#v", e)
			}
		}
	})
}
