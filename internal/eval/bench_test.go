package eval_test

import (
	"os"
	"testing"
	"time"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/simulate"
)

// loadScenario reads a benchmark scenario (a simulate case) and prepares its
// request as a server would: once, outside the decision.
func loadScenario(tb testing.TB, file string) (*eval.Request, *eval.Inputs, string) {
	tb.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	cases, err := simulate.ReadFile(src, file)
	if err != nil {
		tb.Fatal(err)
	}
	c := cases[0]
	if c.Err != nil {
		tb.Fatal(c.Err)
	}
	req, err := eval.NewRequest(c.Principal, c.Action, c.Resource, c.ResourceAccount, c.Context)
	if err != nil {
		tb.Fatal(err)
	}
	authz.FillContext(req.Context, &req.Caller, time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	return req, &c.Inputs, c.Expect
}

func benchScenario(b *testing.B, file string) {
	req, in, expect := loadScenario(b, file)
	var e eval.Explanation
	if d := eval.EvaluateInto(req, in, &e); d.String() != expect {
		b.Fatalf("decision %s, want %s (%s)", d, expect, e.Note)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		eval.EvaluateInto(req, in, &e)
	}
}

// BenchmarkSecureCart is scenario (a): a developer's role session in a
// workload account reading an artifact: 3 SCP levels, 2 identity policies, a
// permissions boundary and a bucket policy, about 40 statements with
// conditions.
func BenchmarkSecureCart(b *testing.B) { benchScenario(b, "../../testdata/bench/securecart.json") }

// BenchmarkLarge is scenario (b): a policy set of 1,000 statements.
func BenchmarkLarge(b *testing.B) { benchScenario(b, "../../testdata/bench/large.json") }

// TestScenarios keeps the benchmark scenarios honest: each must reach its
// expected decision.
func TestScenarios(t *testing.T) {
	for _, f := range []string{"../../testdata/bench/securecart.json", "../../testdata/bench/large.json"} {
		req, in, expect := loadScenario(t, f)
		if e := eval.Evaluate(req, in); e.Decision.String() != expect {
			t.Errorf("%s: %s, want %s: %s", f, e.Decision, expect, e.Note)
		}
	}
}

func TestEvaluateIntoDoesNotAllocate(t *testing.T) {
	req, in, _ := loadScenario(t, "../../testdata/bench/securecart.json")
	var e eval.Explanation
	eval.EvaluateInto(req, in, &e)
	if n := testing.AllocsPerRun(100, func() { eval.EvaluateInto(req, in, &e) }); n > 0 {
		t.Errorf("EvaluateInto allocates %v times per decision; want 0", n)
	}
}
