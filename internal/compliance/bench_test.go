package compliance

import (
	"testing"
	"testing/fstest"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/org"
	landingzones "github.com/securecart/warden/landing-zones"
)

// Every managed rule with its defaults, and SecureCart's own rules, on the
// SecureCart landing zone.
func BenchmarkEvaluateSecureCart(b *testing.B) {
	o, err := org.LoadFS(landingzones.FS, landingzones.SecureCart)
	if err != nil {
		b.Fatal(err)
	}
	src, _ := landingzones.FS.ReadFile(landingzones.SecureCartCompliance)
	set, err := ParseRules(src, "rules.yaml")
	if err != nil {
		b.Fatal(err)
	}
	rules := append(DefaultRules(), set.Rules()...)
	for b.Loop() {
		Evaluate(&Input{Org: o, Now: now, Trail: WardenTrail("1", true)}, rules, nil)
	}
}

// Every managed rule with its defaults on a generated org of 1,000
// accounts with 20 roles each.
func BenchmarkEvaluateGenerated1000(b *testing.B) {
	o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: org.Generate(1000, 20, 1)}}, "org.yaml")
	if err != nil {
		b.Fatal(err)
	}
	rules := DefaultRules()
	b.ResetTimer()
	for b.Loop() {
		rep := Evaluate(&Input{Org: o, Now: now, Trail: WardenTrail("1", true)}, rules, nil)
		if len(rep.Evaluations) < 20000 {
			b.Fatalf("%d evaluations", len(rep.Evaluations))
		}
	}
}

// The same evaluation as Live runs it after a change that touched no
// bucket policy (two copies of the org loaded apart, alternated), without
// and with the kept access analysis (Input.Access, warm), in one run:
//
//	go test -run '^$' -bench EvaluateGenerated1000Access -benchtime 5x -count 3 ./internal/compliance/
func BenchmarkEvaluateGenerated1000Access(b *testing.B) {
	data := org.Generate(1000, 20, 1)
	var orgs [2]*org.Org
	for i := range orgs {
		o, err := org.LoadFS(fstest.MapFS{"org.yaml": {Data: data}}, "org.yaml")
		if err != nil {
			b.Fatal(err)
		}
		orgs[i] = o
	}
	rules := DefaultRules()
	for _, kept := range []bool{false, true} {
		name := "full"
		var inc *analyze.Incremental
		if kept {
			name, inc = "kept", analyze.NewIncremental()
			Evaluate(&Input{Org: orgs[1], Now: now, Trail: WardenTrail("1", true), Access: inc}, rules, nil)
		}
		b.Run(name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				rep := Evaluate(&Input{Org: orgs[i%2], Now: now, Trail: WardenTrail("1", true), Access: inc}, rules, nil)
				if len(rep.Evaluations) < 20000 {
					b.Fatalf("%d evaluations", len(rep.Evaluations))
				}
				i++
			}
		})
	}
}
