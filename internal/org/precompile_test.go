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
