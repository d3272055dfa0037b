package analyze

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"sync"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// Incremental analyzes an organization again and again as it changes,
// reusing each target's findings from the previous analysis when nothing
// they depend on changed: the target's ARN, type and owner, its policy (as
// written, with its name and positions, which findings cite), the RCPs of
// its account, its organization and path, its Block Public Access settings,
// and the zone of trust with the organization's accounts and their paths.
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
	unique   uint64
}

type cached struct {
	fp       [32]byte
	owner    string
	findings []Finding
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
	if c.digestOf != o {
		c.digests, c.digestOf = map[*policy.Policy][32]byte{}, o
	}
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
		if results[i] != nil || c.cache[key] == nil || c.cache[key].fp != fps[i] {
			c.cache[key] = &cached{fp: fps[i], owner: scope[i].Owner, findings: results[i]}
		}
		out = append(out, c.cache[key].findings...)
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

// digest digests a compiled policy: its name, type and document (positions
// included: findings cite them).
func (c *Incremental) digest(p *policy.Policy) [32]byte {
	if p == nil {
		return [32]byte{}
	}
	if d, ok := c.digests[p]; ok {
		return d
	}
	doc, err := json.Marshal(p.Doc)
	if err != nil {
		// Never reuse what cannot be digested: a value no other call
		// gives, so that the target is analyzed again.
		c.unique++
		return sha256.Sum256(fmt.Appendf(nil, "undigestible %d %p", c.unique, p))
	}
	d := sha256.Sum256(append([]byte(p.Name+"\x00"+fmt.Sprint(p.Type)+"\x00"), doc...))
	c.digests[p] = d
	return d
}
