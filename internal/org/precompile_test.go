package org

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/policy"
)

// compiledPositions describes every compiled policy of an organization
// with the positions of its statements, which precompiling must keep.
func compiledPositions(o *Org) string {
	var b strings.Builder
	pol := func(p *policy.Policy) {
		if p == nil {
			return
		}
		fmt.Fprintf(&b, "%s %v\n", p.Name, p.Type)
		for _, s := range p.Doc.Statements {
			fmt.Fprintf(&b, "  %v %v %v %v %v", s.Pos, s.EffectPos, s.ActionPos, s.ResourcePos, s.ConditionPos)
			for _, a := range s.Action {
				fmt.Fprintf(&b, " %s@%v", a.Value, a.Pos)
			}
			for _, a := range s.Resource {
				fmt.Fprintf(&b, " %s@%v", a.Value, a.Pos)
			}
			if s.Principal != nil {
				fmt.Fprintf(&b, " principal %v %v", s.Principal.Pos, s.Principal.AWS)
			}
			b.WriteByte('\n')
		}
	}
	for _, p := range o.Policies {
		pol(p.Compiled)
	}
	for _, r := range o.Roles {
		pol(r.Trust)
		for _, p := range r.Policies {
			pol(p)
		}
	}
	for _, u := range o.Users {
		for _, p := range o.UserPolicies(u) {
			pol(p)
		}
	}
	for _, r := range o.Resources {
		pol(r.Policy)
	}
	return b.String()
}

// TestPrecompileSameOrg checks that compiling the documents on several
// cores ahead of the build gives the organization, the compiled positions
// and the errors the build gives alone.
func TestPrecompileSameOrg(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer func(m int) { precompileMin = m }(precompileMin)
	type result struct{ org, pos, err string }
	load := func(p string) result {
		var o *Org
		var err error
		if p == "generated" {
			o, err = LoadFS(fstest.MapFS{"org.yaml": {Data: Generate(30, 6, 1)}}, "org.yaml")
		} else {
			o, err = Load(p)
		}
		if err != nil {
			return result{err: err.Error()}
		}
		return result{org: describe(o), pos: compiledPositions(o)}
	}
	paths := []string{"generated", "../../landing-zones/securecart", "testdata/valid", "testdata/dir"}
	bad, _ := filepath.Glob("testdata/bad/*")
	paths = append(paths, bad...)
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil && p != "generated" {
			t.Fatal(err)
		}
		precompileMin = 1 << 30
		alone := load(p)
		precompileMin = 1
		ahead := load(p)
		if ahead != alone {
			t.Errorf("%s: precompiled differs from the build alone:\n--- ahead\n%.3000s\n--- alone\n%.3000s", p, ahead.org+ahead.pos+ahead.err, alone.org+alone.pos+alone.err)
		}
		if strings.HasPrefix(p, "testdata/bad") && alone.err == "" {
			t.Errorf("%s loads", p)
		}
	}
}

// TestLoadProgress checks that a load reports its policy documents as they
// are compiled, ending with all of them, and that a small organization
// reports nothing.
func TestLoadProgress(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	dir := t.TempDir()
	path := filepath.Join(dir, "org.yaml")
	if err := os.WriteFile(path, Generate(120, 6, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	var calls [][2]int
	o, err := LoadWith(path, Options{Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 2 {
		t.Fatalf("progress reported %d times: %v", len(calls), calls)
	}
	total := calls[0][1]
	// Every role defined per account has a trust policy and two inline
	// policies; plus the SCPs, RCPs, managed policies, the shared roles'
	// trusts and a bucket policy per member account.
	if want := (120-1)*3*3 + 5 + 1 + 4 + 3 + 119; total != want {
		t.Errorf("progress total %d documents, want %d", total, want)
	}
	for i, c := range calls {
		if c[1] != total || c[0] <= 0 || c[0] > total || i > 0 && c[0] <= calls[i-1][0] {
			t.Fatalf("progress call %d is %v after %v", i, c, calls[:i])
		}
	}
	if last := calls[len(calls)-1]; last[0] != total {
		t.Errorf("progress ends at %v, want %d of %d", last, total, total)
	}
	if len(o.Roles) == 0 {
		t.Error("no roles")
	}
	calls = nil
	small := filepath.Join(dir, "small.yaml")
	if err := os.WriteFile(small, Generate(3, 2, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadWith(small, Options{Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }}); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 0 {
		t.Errorf("a small organization reported progress: %v", calls)
	}
}
