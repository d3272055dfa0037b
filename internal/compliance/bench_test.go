package compliance

import (
	"testing"
	"testing/fstest"

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
