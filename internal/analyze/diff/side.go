package diff

import (
	"sort"
	"strings"
	"sync"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/condition"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// stmtKey is a statement's content, without positions, Sid or policy
// name: two statements with one key match the same requests alike.
func stmtKey(p *policy.Policy, s *policy.Statement) string {
	var b strings.Builder
	b.WriteString(s.Effect)
	if p.Doc.Vars() {
		b.WriteString("|v")
	}
	if pr := s.Principal; pr != nil {
		b.WriteString("|P")
		if s.NotPrincipal {
			b.WriteString("!")
		}
		if pr.Wildcard {
			b.WriteString("*")
		}
		for i, l := range [][]policy.Str{pr.AWS, pr.Service, pr.Federated, pr.CanonicalUser} {
			b.WriteByte(byte('0' + i))
			writeSorted(&b, l, false)
		}
	}
	b.WriteString("|A")
	if s.NotAction {
		b.WriteString("!")
	}
	writeSorted(&b, s.Action, true)
	b.WriteString("|R")
	if !s.HasResource {
		b.WriteString("-")
	}
	if s.NotResource {
		b.WriteString("!")
	}
	writeSorted(&b, s.Resource, false)
	conds := make([]string, 0, len(s.Condition))
	for _, c := range s.Condition {
		vs := append([]string(nil), c.Values...)
		sort.Strings(vs)
		conds = append(conds, c.Op+"\x01"+strings.ToLower(c.Key)+"\x01"+strings.Join(vs, "\x02"))
	}
	sort.Strings(conds)
	b.WriteString("|C")
	b.WriteString(strings.Join(conds, "\x03"))
	return b.String()
}

func writeSorted(b *strings.Builder, l []policy.Str, fold bool) {
	vs := make([]string, len(l))
	for i, v := range l {
		vs[i] = v.Value
		if fold {
			vs[i] = strings.ToLower(v.Value)
		}
	}
	sort.Strings(vs)
	for _, v := range vs {
		b.WriteString(v)
		b.WriteByte('\x00')
	}
}

// layer is the statements of one layer (or one SCP or RCP level) by key.
type layer map[string][]analyze.Stmt

func layerOf(ps ...*policy.Policy) layer {
	l := layer{}
	for _, p := range ps {
		sts := analyze.StatementsOf(p)
		keys := policyKeys(p, sts)
		for i, st := range sts {
			l[keys[i]] = append(l[keys[i]], st)
		}
	}
	return l
}

// keyCache holds each compiled policy's statement keys: policies are
// shared by many principals (SCPs, managed policies) and never change.
var keyCache sync.Map // *policy.Policy -> []string

func policyKeys(p *policy.Policy, sts []analyze.Stmt) []string {
	if v, ok := keyCache.Load(p); ok {
		return v.([]string)
	}
	keys := make([]string, len(sts))
	for i, st := range sts {
		keys[i] = stmtKey(st.Policy, st.S.Src)
	}
	keyCache.Store(p, keys)
	return keys
}

// changedStmts adds to out the statements of a and b whose keys the two
// layers hold a different number of times.
func changedStmts(a, b layer, out []analyze.Stmt) []analyze.Stmt {
	for k, sa := range a {
		if len(b[k]) != len(sa) {
			out = append(out, sa...)
			out = append(out, b[k]...)
		}
	}
	for k, sb := range b {
		if _, ok := a[k]; !ok {
			out = append(out, sb...)
		}
	}
	return out
}

// delta is how one side (a principal's or a resource's) differs between
// the organizations: not at all, on the actions that the changed
// statements match, or on every action.
type delta struct {
	all     bool
	changed []analyze.Stmt
	// keys are context keys AWS sets whose values differ: the statements
	// that read them change too (stmtsUsing).
	keys []string
}

func (d *delta) none() bool { return !d.all && len(d.changed) == 0 && len(d.keys) == 0 }

// compareLevels compares SCP or RCP levels level by level: a level that
// appears, disappears or becomes empty changes every action.
func compareLevels(c *contents, a, b []eval.Level, d *delta) {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		d.all = true
		return
	}
	for i := range a {
		if (len(a[i].Policies) == 0) != (len(b[i].Policies) == 0) {
			d.all = true
			return
		}
		if !c.same(a[i].Policies, b[i].Policies) {
			d.changed = changedStmts(layerOf(a[i].Policies...), layerOf(b[i].Policies...), d.changed)
		}
	}
}

// compareRCPLevels compares RCP levels: RCPFullAWSAccess allows at every
// level and only denies matter, so the levels' statements are compared as
// one layer; RCPs applying or not changes every action.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
func compareRCPLevels(c *contents, a, b []eval.Level, d *delta) {
	if (a == nil) != (b == nil) {
		d.all = true
		return
	}
	var pa, pb []*policy.Policy
	for _, l := range a {
		pa = append(pa, l.Policies...)
	}
	for _, l := range b {
		pb = append(pb, l.Policies...)
	}
	if !c.same(pa, pb) {
		d.changed = changedStmts(layerOf(pa...), layerOf(pb...), d.changed)
	}
}

// compareOptional compares a layer that may be absent (a boundary, a
// resource's policy): presence changes every action.
func compareOptional(c *contents, a, b []*policy.Policy, d *delta) {
	if (len(a) == 0) != (len(b) == 0) {
		d.all = true
		return
	}
	if c.same(a, b) {
		return
	}
	d.changed = changedStmts(layerOf(a...), layerOf(b...), d.changed)
}

// diffKeys lists the keys (lower-cased) whose values differ between two
// contexts, or that one of them lacks.
func diffKeys(a, b condition.Context) []string {
	vals := func(c condition.Context) map[string]string {
		m := map[string]string{}
		c.Each(func(k string, v []string) { m[strings.ToLower(k)] = strings.Join(v, "\x00") })
		return m
	}
	va, vb := vals(a), vals(b)
	var out []string
	for k, v := range va {
		if w, ok := vb[k]; !ok || w != v {
			out = append(out, k)
		}
	}
	for k := range vb {
		if _, ok := va[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// stmtsUsing lists the statements that read one of the keys: in a
// Condition element, or as a policy variable in a Resource or condition
// value. A request's context reaches the decision only through them.
func stmtsUsing(stmts []analyze.Stmt, keys []string) []analyze.Stmt {
	if len(keys) == 0 {
		return nil
	}
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
	}
	var out []analyze.Stmt
	for _, st := range stmts {
		if reads(st.S.Src, want) {
			out = append(out, st)
		}
	}
	return out
}

// reads reports whether a statement reads one of the keys.
func reads(src *policy.Statement, keys map[string]bool) bool {
	for _, c := range src.Condition {
		if keys[strings.ToLower(c.Key)] {
			return true
		}
		for _, v := range c.Values {
			if readsVar(v, keys) {
				return true
			}
		}
	}
	for _, r := range src.Resource {
		if readsVar(r.Value, keys) {
			return true
		}
	}
	return false
}

// readsVar reports whether a value holds a policy variable of one of the
// keys.
func readsVar(v string, keys map[string]bool) bool {
	for _, n := range varNames(v) {
		if keys[n] {
			return true
		}
	}
	return false
}

// shapeKey is what splitting requests reads of a statement: its actions,
// its resources (and whether they take policy variables), the keys its
// conditions test and the variables their values read. Statements of one
// shape split actions, resources and the keys read alike (their principals
// and condition values are read only when a request is decided, from the
// policies the request meets).
func shapeKey(st analyze.Stmt) string {
	src := st.S.Src
	var b strings.Builder
	if st.Policy.Doc.Vars() {
		b.WriteString("v")
	}
	if src.NotAction {
		b.WriteString("!")
	}
	writeSorted(&b, src.Action, true)
	b.WriteString("|")
	if src.NotResource {
		b.WriteString("!")
	}
	writeSorted(&b, src.Resource, false)
	b.WriteString("|")
	var keys []string
	for _, c := range src.Condition {
		keys = append(keys, strings.ToLower(c.Key))
		for _, v := range c.Values {
			for _, m := range varNames(v) {
				keys = append(keys, "$"+m)
			}
		}
	}
	sort.Strings(keys)
	b.WriteString(strings.Join(keys, ","))
	return b.String()
}

// varNames lists the keys of the policy variables of a value, lower-cased.
func varNames(v string) []string {
	var out []string
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			return out
		}
		v = v[i+2:]
		j := strings.IndexByte(v, '}')
		if j < 0 {
			return out
		}
		name, _, _ := strings.Cut(v[:j], ",")
		out = append(out, strings.ToLower(strings.TrimSpace(name)))
		v = v[j+1:]
	}
}
