package cedarbench

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	cedar "github.com/cedar-policy/cedar-go"
)

var scenarios = []struct {
	name string // directory under testdata
	iam  string // the IAM scenario it translates, from this directory
	// the statements that must be the only permits of the benchmarked request,
	// as "layer/sid"
	permits []string
}{
	{"securecart", "../../testdata/bench/securecart.json", []string{
		"boundary/AllowWorkloadServices",
		"identity/ReadDevArtifacts",
		"resource/AllowOrganizationRead",
		"scp/0", "scp/0", "scp/0", // FullAWSAccess at each level
	}},
	{"large", "../../testdata/bench/large.json", []string{"identity/AllowSqs0987"}},
}

func load(tb testing.TB, name string) *Scenario {
	tb.Helper()
	sc, err := Load(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

// TestDecisions checks every request of both scenarios, so the benchmarks
// cannot silently measure a wrong answer: the benchmarked request is Allowed
// by exactly the expected statements, the variants get their expected
// decisions, and no policy errors (cedar-go skips a policy that errors).
func TestDecisions(t *testing.T) {
	for _, s := range scenarios {
		sc := load(t, s.name)
		for i, c := range sc.Cases {
			t.Run(s.name+"/"+c.Name, func(t *testing.T) {
				var permits, forbids []string
				observe := func(layer string, level int, d cedar.Decision, diag cedar.Diagnostic) {
					for _, e := range diag.Errors {
						t.Errorf("%s level %d: policy %s: %s", layer, level, e.PolicyID, e.Message)
					}
					ps := layerSet(&sc.Sets, layer, level)
					for _, r := range diag.Reasons {
						p := ps.Get(r.PolicyID)
						id := layer + "/" + string(p.Annotations()["sid"])
						if p.Effect() == cedar.Permit {
							permits = append(permits, id)
						} else {
							forbids = append(forbids, id)
						}
					}
				}
				got := sc.Sets.Decide(c.Entities, c.Request, observe)
				t.Logf("%s; permits %v; forbids %v", got, permits, forbids)
				if got != c.Expect {
					t.Fatalf("decision %s, want %s", got, c.Expect)
				}
				if i == 0 {
					if c.Expect != Allow {
						t.Fatalf("the benchmarked request must expect Allow, not %s", c.Expect)
					}
					sort.Strings(permits)
					want := slices.Sorted(slices.Values(s.permits))
					if !slices.Equal(permits, want) {
						t.Errorf("permitting statements %v, want %v", permits, want)
					}
				}
			})
		}
	}
}

func layerSet(s *PolicySets, layer string, level int) *cedar.PolicySet {
	switch layer {
	case "scp":
		return s.SCP[level]
	case "identity":
		return s.Identity
	case "boundary":
		return s.Boundary
	case "session":
		return s.Session
	case "resource":
		return s.Resource
	}
	panic(layer)
}

// TestTranslationComplete checks that each IAM statement of the scenario has
// exactly one Cedar policy, layer by layer, so a regenerated IAM file with a
// stale translation (or the reverse) fails.
func TestTranslationComplete(t *testing.T) {
	type doc struct {
		Statement json.RawMessage
	}
	count := func(t *testing.T, docs []doc) int {
		n := 0
		for _, d := range docs {
			var many []json.RawMessage
			if json.Unmarshal(d.Statement, &many) == nil {
				n += len(many)
			} else {
				n++
			}
		}
		return n
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			b, err := os.ReadFile(s.iam)
			if err != nil {
				t.Fatal(err)
			}
			var c struct {
				Policies struct {
					Identity []doc
					Boundary []doc
					Session  *doc
					Resource *doc
					SCP      []struct{ Policies []doc }
				}
			}
			if err := json.Unmarshal(b, &c); err != nil {
				t.Fatal(err)
			}
			sc := load(t, s.name)
			size := func(ps *cedar.PolicySet) int {
				if ps == nil {
					return 0
				}
				n := 0
				for range ps.All() {
					n++
				}
				return n
			}
			opt := func(d *doc) []doc {
				if d == nil {
					return nil
				}
				return []doc{*d}
			}
			check := func(what string, iam int, ps *cedar.PolicySet) {
				if got := size(ps); got != iam {
					t.Errorf("%s: %d Cedar policies for %d IAM statements", what, got, iam)
				}
			}
			if len(sc.Sets.SCP) != len(c.Policies.SCP) {
				t.Fatalf("%d SCP levels in Cedar, %d in IAM", len(sc.Sets.SCP), len(c.Policies.SCP))
			}
			total := 0
			for i, lvl := range c.Policies.SCP {
				n := count(t, lvl.Policies)
				check(fmt.Sprintf("scp level %d", i), n, sc.Sets.SCP[i])
				total += n
			}
			for _, l := range []struct {
				name string
				docs []doc
				ps   *cedar.PolicySet
			}{
				{"identity", c.Policies.Identity, sc.Sets.Identity},
				{"boundary", c.Policies.Boundary, sc.Sets.Boundary},
				{"session", opt(c.Policies.Session), sc.Sets.Session},
				{"resource", opt(c.Policies.Resource), sc.Sets.Resource},
			} {
				n := count(t, l.docs)
				check(l.name, n, l.ps)
				total += n
			}
			t.Logf("%d statements", total)
		})
	}
}

func benchmarkScenario(b *testing.B, name string) {
	sc := load(b, name)
	c := sc.Cases[0]
	if !strings.HasPrefix(c.Name, "bench ") || c.Expect != Allow {
		b.Fatalf("first request %q (expect %s) is not the benchmarked one", c.Name, c.Expect)
	}
	b.ReportAllocs()
	for b.Loop() {
		if sc.Sets.Decide(c.Entities, c.Request, nil) != Allow {
			b.Fatal("not Allow")
		}
	}
}

// BenchmarkCedarSecureCart is one decision of scenario (a): 3 SCP levels,
// identity, boundary and resource policy sets (40 statements).
func BenchmarkCedarSecureCart(b *testing.B) { benchmarkScenario(b, "securecart") }

// BenchmarkCedarLarge is one decision of scenario (b): 1,000 identity
// statements.
func BenchmarkCedarLarge(b *testing.B) { benchmarkScenario(b, "large") }
