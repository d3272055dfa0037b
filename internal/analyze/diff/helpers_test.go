package diff

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/org"
	landingzones "github.com/securecart/warden/landing-zones"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// secureCartFS is a copy of the SecureCart landing zone's files, to edit.
func secureCartFS(t testing.TB) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(landingzones.FS, landingzones.SecureCart, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(landingzones.FS, p)
		m[strings.TrimPrefix(p, landingzones.SecureCart+"/")] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// edit replaces old by new in a file of m, once; the test fails when old
// is not there.
func edit(t testing.TB, m fstest.MapFS, file, old, new string) {
	t.Helper()
	f := m[file]
	if f == nil || !strings.Contains(string(f.Data), old) {
		t.Fatalf("%s has no %q", file, old)
	}
	m[file] = &fstest.MapFile{Data: []byte(strings.Replace(string(f.Data), old, new, 1))}
}

func load(t testing.TB, m fstest.MapFS) *org.Org {
	t.Helper()
	o, err := org.LoadFS(m, ".")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func secureCart(t testing.TB) *org.Org {
	t.Helper()
	o, err := org.LoadFS(landingzones.FS, landingzones.SecureCart)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// verify checks every change's example with the engine, as warden explain
// decides it, in both orgs.
func verify(t *testing.T, old, new *org.Org, rep *Report) {
	t.Helper()
	for _, c := range rep.Changes {
		if !analyze.FitsAction(c.Action, c.Resource) {
			t.Errorf("example %s %s %s: the resource is not a concrete resource of the action", c.Principal, c.Action, c.Resource)
		}
		if r, ok := c.Context["aws:RequestedRegion"].(string); ok && !analyze.IsRealRegion(r) {
			t.Errorf("example %s %s %s: aws:RequestedRegion %q is not a Region", c.Principal, c.Action, c.Resource, r)
		}
		ctx := map[string][]string{}
		for k, v := range c.Context {
			switch x := v.(type) {
			case string:
				ctx[k] = []string{x}
			case []string:
				ctx[k] = x
			}
		}
		q := authz.Query{Principal: c.Principal, Action: c.Action, Resource: c.Resource, Context: ctx}
		var got [2]bool
		for i, o := range []*org.Org{old, new} {
			_, e, err := authz.Decide(o, q, now)
			if err != nil {
				t.Fatalf("%+v: %v", c, err)
			}
			got[i] = e.Decision == eval.Allow
		}
		want := [2]bool{c.Change == Closed, c.Change == Opened}
		if got != want {
			t.Errorf("example %s %s %s %v: engine allows (old, new) = %v, want %v", c.Principal, c.Action, c.Resource, c.Context, got, want)
		}
	}
}

// find returns the changes of a direction whose example matches all of
// principal, action and resource substrings (empty matches all), or whose
// class lists the action.
func find(rep *Report, dir, principal, action, resource string) []Change {
	var out []Change
	for _, c := range rep.Changes {
		if c.Change != dir || !strings.Contains(c.Resource, resource) {
			continue
		}
		pOK := strings.Contains(c.Principal, principal)
		for _, p := range c.Principals {
			pOK = pOK || strings.Contains(p, principal)
		}
		aOK := strings.EqualFold(c.Action, action) || action == ""
		for _, a := range c.Actions {
			aOK = aOK || strings.EqualFold(a, action)
		}
		if pOK && aOK {
			out = append(out, c)
		}
	}
	return out
}
