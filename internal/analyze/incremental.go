package analyze

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"sync"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// Incremental analyzes an organization again and again as it changes,
// reusing each target's findings from the previous analysis when nothing
// they depend on changed: the target's ARN, type and owner, its policy
// (its name and every element as written, not where it is written), the
// RCPs of its account, its organization and path, its Block Public Access
// settings, and the zone of trust with the organization's accounts and
// their paths. A reused finding's statement reference is pointed at the
// new org's statement (position included).
// A change to one resource policy reanalyzes that resource only; a new
// account or a moved one reanalyzes everything (the zone changed). The
// targets to reanalyze are analyzed in parallel. Safe for concurrent use.
type Incremental struct {
	mu    sync.Mutex
	cache map[string]*cached // by zone kind and target ARN
	// digests memoizes policy digests for the org last analyzed (compiled
	// policies are shared within one org).
	digests  map[*policy.Policy][32]byte
	digestOf *org.Org
	// For Target: the org's info and zone digests (by kind) for digestOf,
	// and the generation (one per org analyzed) each entry was last used in.
	info  *OrgInfo
	zones map[string][32]byte
	gen   int
}

type cached struct {
	fp       [32]byte
	owner    string
	findings []Finding
	policy   *policy.Policy // the compiled policy the findings' references point into
	// byTarget marks an entry of Target, last used in generation gen.
	byTarget bool
	gen      int
}

// rebase returns copies of findings whose statement references point at
// the same statements (same policy name and index) of t's policies.
func rebase(findings []Finding, t *Target) []Finding {
	policies := map[string]*policy.Policy{}
	if t.Policy != nil {
		policies[t.Policy.Name] = t.Policy
	}
	for _, l := range t.RCP {
		for _, p := range l.Policies {
			policies[p.Name] = p
		}
	}
	out := make([]Finding, len(findings))
	for i, f := range findings {
		out[i] = f
		if f.Statement == nil {
			continue
		}
		p := policies[f.Statement.Policy]
		if p == nil {
			continue
		}
		for _, s := range p.Statements {
			if s.Src.Index == f.Statement.Index {
				out[i].Statement = refOf(p, s)
				break
			}
		}
	}
	return out
}

// IncrementalStats says how much of an analysis was done again.
type IncrementalStats struct {
	Targets  int    // targets in the zone's scope
	Analyzed int    // of which analyzed again (the others were reused)
	Last     string // the ARN of the last target in scope ("" for none)
}

// NewIncremental returns an empty analysis cache.
func NewIncremental() *Incremental {
	return &Incremental{cache: map[string]*cached{}}
}

// Analyze returns the findings of every target of o in scope: for kind
// ZoneAccount the targets owned by account (each its own zone), for
// ZoneOrganization every target (account is ignored), in the order of
// Targets. The findings are shared with the cache: callers must not modify
// them.
func (c *Incremental) Analyze(o *org.Org, kind, account string) ([]Finding, IncrementalStats) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.switchOrg(o)
	info := OrgInfoOf(o)
	zoneDigest := digestOrgInfo(kind, &info)
	var scope []Target
	for _, t := range Targets(o) {
		if kind == ZoneAccount && t.Owner != account {
			continue
		}
		scope = append(scope, t)
	}
	fps := make([][32]byte, len(scope))
	var todo []int
	for i := range scope {
		fps[i] = c.fingerprint(&scope[i], zoneDigest)
		if e, ok := c.cache[kind+"\x00"+scope[i].ARN]; !ok || e.fp != fps[i] {
			todo = append(todo, i)
		}
	}
	results := make([][]Finding, len(scope))
	parallel(len(todo), func(j int) {
		t := &scope[todo[j]]
		z := Zone{Kind: kind, Account: t.Owner, Org: info}
		results[todo[j]] = Access(t, &z)
	})
	seen := make(map[string]bool, len(scope))
	var out []Finding
	for i := range scope {
		key := kind + "\x00" + scope[i].ARN
		seen[key] = true
		e := c.cache[key]
		if results[i] != nil || e == nil || e.fp != fps[i] {
			e = &cached{fp: fps[i], owner: scope[i].Owner, findings: results[i], policy: scope[i].Policy}
			c.cache[key] = e
		} else if e.policy != scope[i].Policy {
			e.findings = rebase(e.findings, &scope[i])
			e.policy = scope[i].Policy
		}
		out = append(out, e.findings...)
	}
	// Forget the targets of the scope that are gone.
	for key, e := range c.cache {
		if !seen[key] && key[:len(kind)+1] == kind+"\x00" && (kind == ZoneOrganization || e.owner == account) {
			delete(c.cache, key)
		}
	}
	stats := IncrementalStats{Targets: len(scope), Analyzed: len(todo)}
	if len(scope) > 0 {
		stats.Last = scope[len(scope)-1].ARN
	}
	return out, stats
}

// parallel runs fn(0..n-1) on up to GOMAXPROCS goroutines.
func parallel(n int, fn func(i int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				j := i
				i++
				next.Unlock()
				if j >= n {
					return
				}
				fn(j)
			}
		}()
	}
	wg.Wait()
}

// digestOrgInfo digests the zone kind and what the analysis knows of the
// organization.
func digestOrgInfo(kind string, info *OrgInfo) [32]byte {
	h := sha256.New()
	h.Write([]byte(kind + "\x00" + info.ID + "\x00"))
	ids := make([]string, 0, len(info.Paths))
	for id := range info.Paths {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		h.Write([]byte(id + "=" + info.Paths[id] + "\x00"))
	}
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// fingerprint digests everything Access reads of a target and its zone.
func (c *Incremental) fingerprint(t *Target, zone [32]byte) [32]byte {
	h := sha256.New()
	h.Write(zone[:])
	for _, s := range []string{t.ARN, t.Type, t.Owner, t.OrgID, t.OrgPath} {
		h.Write([]byte(s + "\x00"))
	}
	d := c.digest(t.Policy)
	h.Write(d[:])
	for _, l := range t.RCP {
		h.Write([]byte("rcp\x00" + l.Target + "\x00"))
		for _, p := range l.Policies {
			d := c.digest(p)
			h.Write(d[:])
		}
	}
	bpa, _ := json.Marshal(t.BPA)
	h.Write(bpa)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// digest digests a compiled policy: its name, type and every element of
// its document, not their positions (an edit elsewhere in a file, or in
// the stored state's one-line JSON, moves them without changing the
// policy).
func (c *Incremental) digest(p *policy.Policy) [32]byte {
	if p == nil {
		return [32]byte{}
	}
	if d, ok := c.digests[p]; ok {
		return d
	}
	h := sha256.New()
	w := func(ss ...string) {
		for _, s := range ss {
			h.Write([]byte(s))
			h.Write([]byte{0})
		}
	}
	strs := func(tag string, list []policy.Str) {
		w(tag, strconv.Itoa(len(list)))
		for _, s := range list {
			w(s.Value)
		}
	}
	d := p.Doc
	w(p.Name, fmt.Sprint(p.Type), d.Version, d.ID, strconv.Itoa(len(d.Statements)))
	for _, s := range d.Statements {
		w("stmt", strconv.Itoa(s.Index), s.Sid, s.Effect, fmt.Sprint(s.NotPrincipal, s.NotAction, s.NotResource, s.HasAction, s.HasResource, s.HasSid))
		if pr := s.Principal; pr != nil {
			w("principal", fmt.Sprint(pr.Wildcard, pr.Shorthand))
			strs("AWS", pr.AWS)
			strs("Service", pr.Service)
			strs("Federated", pr.Federated)
			strs("CanonicalUser", pr.CanonicalUser)
		}
		strs("Action", s.Action)
		strs("Resource", s.Resource)
		w("cond", strconv.Itoa(len(s.Condition)))
		for _, ce := range s.Condition {
			w(ce.Op, ce.Key, fmt.Sprint(ce.IsArray), strconv.Itoa(len(ce.Values)))
			w(ce.Values...)
		}
	}
	var out [32]byte
	h.Sum(out[:0])
	c.digests[p] = out
	return out
}
