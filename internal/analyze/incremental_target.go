package analyze

import (
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// Target returns the findings of one target t of o in a zone of kind
// (ZoneAccount: the target's owner's zone; ZoneOrganization: o's), as
// Access gives them, reusing the findings of the last analysis of the same
// target and kind when nothing they depend on changed (the same
// fingerprint as Analyze). A caller that walks an org target by target
// (a Config rule over its S3 buckets) pays the analysis of the targets a
// change touched only. An entry not used while a whole org was walked is
// forgotten on the org after it. The findings are shared with the cache:
// callers must not modify them. Safe for concurrent use.
func (c *Incremental) Target(o *org.Org, t *Target, kind string) []Finding {
	c.mu.Lock()
	c.switchOrg(o)
	if c.info == nil {
		info := OrgInfoOf(o)
		c.info = &info
	}
	zd, ok := c.zones[kind]
	if !ok {
		zd = digestOrgInfo(kind, c.info)
		c.zones[kind] = zd
	}
	info, gen := c.info, c.gen
	fp := c.fingerprint(t, zd)
	key := "target\x00" + kind + "\x00" + t.ARN
	if e := c.cache[key]; e != nil && e.fp == fp {
		if e.policy != t.Policy {
			e.findings, e.policy = rebase(e.findings, t), t.Policy
		}
		e.gen = gen
		c.mu.Unlock()
		return e.findings
	}
	c.mu.Unlock()
	z := Zone{Kind: kind, Account: t.Owner, Org: *info}
	found := Access(t, &z)
	c.mu.Lock()
	c.cache[key] = &cached{fp: fp, owner: t.Owner, findings: found, policy: t.Policy, byTarget: true, gen: gen}
	c.mu.Unlock()
	return found
}

// switchOrg starts the caches that hold for one org when o is not the org
// last seen, and forgets Target's entries that the org before last used
// and the last one did not. The caller holds c.mu.
func (c *Incremental) switchOrg(o *org.Org) {
	if c.digestOf == o {
		return
	}
	c.digestOf, c.digests, c.info, c.zones = o, map[*policy.Policy][32]byte{}, nil, map[string][32]byte{}
	for key, e := range c.cache {
		if e.byTarget && e.gen < c.gen {
			delete(c.cache, key)
		}
	}
	c.gen++
}
