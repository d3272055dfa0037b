package analyze

import (
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Class is one class of a condition key's values: every request whose value
// of the key is in the class gets the same answer from every test the
// policies make of the key. Values is the representative the engine is run
// on; nil means the key is absent from the request.
type Class struct {
	Values []string
}

// KeyClasses are the classes of one key. Exact is false when the partition
// may miss a class (a policy variable in a value, operators of several
// families on one key, a multi-valued key with too many classes, or a bound
// reached): an analysis must then report "unsure", never "no access".
type KeyClasses struct {
	Key     string // lower-cased
	Classes []Class
	Exact   bool
}

// maxSetReps is the most single-value representatives whose subsets are
// enumerated for a multi-valued key (2^6-1 = 63 sets).
const maxSetReps = 6

// classesOf partitions a key's values by the tests in uses. multi says the
// key may carry several values in one request.
func classesOf(key string, uses []use, multi bool) KeyClasses {
	kc := KeyClasses{Key: key, Exact: true}
	fams := map[family]bool{}
	var strUses []use
	for _, u := range uses {
		if u.dynamic {
			kc.Exact = false
		}
		if u.set {
			multi = true
		}
		if u.fam != famNull {
			fams[u.fam] = true
		}
		if u.fam == famString || u.fam == famARN {
			strUses = append(strUses, u)
		}
	}
	if len(fams) > 1 && !(len(fams) == 2 && fams[famString] && fams[famARN]) {
		kc.Exact = false
	}
	var reps []string
	add := func(vs []string, ok bool) {
		reps = append(reps, vs...)
		if !ok {
			kc.Exact = false
		}
	}
	if len(strUses) > 0 {
		add(stringReps(strUses))
	}
	for _, u := range uses {
		switch u.fam {
		case famNumeric:
			add(numericReps(u.values))
		case famDate:
			add(dateReps(u.values))
		case famIP:
			add(ipReps(u.values))
		case famBool:
			reps = append(reps, "true", "false", "x")
		case famBinary:
			reps = append(reps, u.values...)
			reps = append(reps, "eA==")
		}
	}
	if len(reps) == 0 {
		reps = []string{"x"} // only Null tests: present or absent
	}
	reps = dedupe(reps)
	kc.Classes = append(kc.Classes, Class{}) // absent
	if !multi {
		for _, r := range reps {
			kc.Classes = append(kc.Classes, Class{Values: []string{r}})
		}
		return kc
	}
	if len(reps) > maxSetReps {
		kc.Exact = false
		for _, r := range reps {
			kc.Classes = append(kc.Classes, Class{Values: []string{r}})
		}
		kc.Classes = append(kc.Classes, Class{Values: reps})
		return kc
	}
	for m := 1; m < 1<<len(reps); m++ {
		var vs []string
		for i, r := range reps {
			if m&(1<<i) != 0 {
				vs = append(vs, r)
			}
		}
		kc.Classes = append(kc.Classes, Class{Values: vs})
	}
	return kc
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// stringReps partitions string values by string and ARN tests. ARN tests
// compare ARN-shaped values part by part and other values as a whole, so the
// two shapes are partitioned separately, each with its own semantics.
func stringReps(uses []use) ([]string, bool) {
	var plain, asARN, asGlob []pattern
	hasARN := false
	for _, u := range uses {
		if u.dynamic {
			continue
		}
		for _, v := range u.values {
			switch {
			case u.fam == famARN:
				hasARN = true
				asARN = append(asARN, arnPattern(v))
				asGlob = append(asGlob, globPattern(v))
				continue
			case u.like:
				plain = append(plain, globPattern(v))
			case u.fold:
				plain = append(plain, foldPattern(v))
			default:
				plain = append(plain, literalPattern(v))
			}
		}
	}
	if !hasARN {
		return repsOf(plain, -1)
	}
	a, okA := repsOf(append(append(append([]pattern(nil), plain...), asARN...), arnShape()), 1)
	b, okB := repsOf(append(append(append([]pattern(nil), plain...), asGlob...), arnShape()), 0)
	return append(a, b...), okA && okB
}

// repsOf returns the representatives of the cells of pats; with shape 1 or 0
// only those inside (1) or outside (0) the last pattern, which is a shape.
func repsOf(pats []pattern, shape int) ([]string, bool) {
	rs, ok := regions(pats, freshByte(pats))
	var out []string
	for _, r := range rs {
		if shape >= 0 && r.matches[len(pats)-1] != (shape == 1) {
			continue
		}
		out = append(out, r.rep)
	}
	return out, ok
}

// numericReps: each literal, a number between each two neighbours, one below
// the least and one above the greatest, and a value that is not a number.
func numericReps(values []string) ([]string, bool) {
	var xs []float64
	for _, v := range values {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(f, 0) {
			return []string{"x"}, false
		}
		xs = append(xs, f)
	}
	sort.Float64s(xs)
	out := []string{"x"}
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	out = append(out, values...)
	for i, x := range xs {
		if i == 0 {
			out = append(out, num(x-1))
		}
		if i+1 < len(xs) && xs[i+1] != x {
			out = append(out, num(x+(xs[i+1]-x)/2))
		}
		if i == len(xs)-1 {
			out = append(out, num(x+1))
		}
	}
	return out, true
}

// dateReps: each literal instant as epoch seconds, a second before and a
// second after, and a value that is not a date.
func dateReps(values []string) ([]string, bool) {
	out := []string{"x"}
	ok := true
	for _, v := range values {
		t, good := parseDateLiteral(v)
		if !good {
			ok = false
			continue
		}
		for _, d := range []int64{-1, 0, 1} {
			out = append(out, strconv.FormatInt(t+d, 10))
		}
	}
	return out, ok
}

func parseDateLiteral(v string) (int64, bool) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			if t.Nanosecond() != 0 {
				return 0, false // sub-second literals: seconds do not separate them
			}
			return t.Unix(), true
		}
	}
	return 0, false
}

// ipReps: the membership of an address in a list of CIDR blocks changes only
// at each block's first address and just after its last, so those points,
// the first address of each family and a value that is not an address
// represent every class.
func ipReps(values []string) ([]string, bool) {
	out := []string{"0.0.0.0", "::", "x"}
	ok := true
	for _, v := range values {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, err2 := netip.ParseAddr(v)
			if err2 != nil {
				ok = false
				continue
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		p = p.Masked()
		out = append(out, p.Addr().String())
		if next := lastAddr(p).Next(); next.IsValid() {
			out = append(out, next.String())
		}
	}
	return out, ok
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - uint(i)%8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func ipIn(v, block string) bool {
	a, err := netip.ParseAddr(v)
	if err != nil {
		return false
	}
	if p, err := netip.ParsePrefix(block); err == nil {
		return p.Contains(a)
	}
	b, err := netip.ParseAddr(block)
	return err == nil && b == a
}

// isARNShaped reports whether package arn treats v as an ARN.
func isARNShaped(v string) bool {
	return strings.HasPrefix(v, "arn:") && strings.Count(v, ":") >= 5
}

// ValueClasses partitions one value that statements test under several
// keys: a source identity, tested as sts:SourceIdentity by the request that
// sets it and as aws:SourceIdentity by every later one; a session tag,
// tested as aws:RequestTag/k where it is passed and as aws:PrincipalTag/k
// after. The classes are those of the union of the keys' tests (Key is the
// first key, lower-cased).
func ValueClasses(stmts []Stmt, keys ...string) KeyClasses {
	want := make(map[string]bool, len(keys))
	for _, k := range keys {
		want[strings.ToLower(k)] = true
	}
	var uses []use
	for _, st := range stmts {
		for _, u := range usesOf(st.S.Src, st.Policy.Doc.Vars()) {
			if want[u.key] {
				uses = append(uses, u)
			}
		}
	}
	key := ""
	if len(keys) > 0 {
		key = strings.ToLower(keys[0])
	}
	if len(uses) == 0 {
		return KeyClasses{Key: key, Classes: []Class{{}}, Exact: true}
	}
	return classesOf(key, uses, false)
}

// ConditionKey returns the key as the statements' conditions spell it
// (condition keys match without regard to case), and whether any of them
// tests it.
func ConditionKey(stmts []Stmt, key string) (spelled string, ok bool) {
	for _, st := range stmts {
		for _, c := range st.S.Src.Condition {
			if strings.EqualFold(c.Key, key) {
				return c.Key, true
			}
		}
	}
	return "", false
}

// TestsKey reports whether a statement tests the key in a condition.
func TestsKey(stmts []Stmt, key string) bool {
	_, ok := ConditionKey(stmts, key)
	return ok
}
