package diff

import (
	"sort"
	"strings"

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
	for _, st := range analyze.StatementsOf(ps...) {
		k := stmtKey(st.Policy, st.S.Src)
		l[k] = append(l[k], st)
	}
	return l
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
}

func (d *delta) none() bool { return !d.all && len(d.changed) == 0 }

// compareLevels compares SCP or RCP levels level by level: a level that
// appears, disappears or becomes empty changes every action.
func compareLevels(a, b []eval.Level, d *delta) {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		d.all = true
		return
	}
	for i := range a {
		if (len(a[i].Policies) == 0) != (len(b[i].Policies) == 0) {
			d.all = true
			return
		}
		d.changed = changedStmts(layerOf(a[i].Policies...), layerOf(b[i].Policies...), d.changed)
	}
}

// compareOptional compares a layer that may be absent (a boundary, a
// resource's policy): presence changes every action.
func compareOptional(a, b []*policy.Policy, d *delta) {
	if (len(a) == 0) != (len(b) == 0) {
		d.all = true
		return
	}
	d.changed = changedStmts(layerOf(a...), layerOf(b...), d.changed)
}

// contextOf is a context as a sorted list of key=values, for comparison.
func contextOf(c condition.Context) string {
	var kv []string
	c.Each(func(k string, v []string) {
		kv = append(kv, strings.ToLower(k)+"="+strings.Join(v, "\x00"))
	})
	sort.Strings(kv)
	return strings.Join(kv, "\n")
}
