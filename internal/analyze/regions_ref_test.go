package analyze

import (
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/policy"
)

// computeRegionsReference is computeRegions as it was before the pattern
// automata were made deterministic: the product explored over the sets of
// token positions themselves. The optimized one must give the same cells,
// representatives, order and bound.
func computeRegionsReference(pats []pattern, letters []byte) (out []region, ok bool) {
	nfas := make([]*nfa, len(pats))
	for i := range pats {
		nfas[i] = newNFA(&pats[i])
	}
	type state struct {
		sets []bits
		s    string
	}
	key := func(sets []bits) string {
		var sb strings.Builder
		for _, b := range sets {
			for _, w := range b {
				for k := 0; k < 8; k++ {
					sb.WriteByte(byte(w >> (8 * k)))
				}
			}
		}
		return sb.String()
	}
	start := state{sets: make([]bits, len(pats))}
	for i, n := range nfas {
		start.sets[i] = n.start()
	}
	seen := map[string]bool{key(start.sets): true}
	cells := map[string]bool{}
	queue := []state{start}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		acc := make([]bool, len(pats))
		var sig strings.Builder
		for i, n := range nfas {
			acc[i] = n.accepts(st.sets[i])
			if acc[i] {
				sig.WriteByte('1')
			} else {
				sig.WriteByte('0')
			}
		}
		if !cells[sig.String()] {
			cells[sig.String()] = true
			out = append(out, region{rep: st.s, matches: acc})
		}
		for _, c := range letters {
			next := make([]bits, len(pats))
			for i, n := range nfas {
				next[i] = n.step(st.sets[i], c)
			}
			k := key(next)
			if seen[k] {
				continue
			}
			if len(seen) >= maxRegionStates {
				return out, false
			}
			seen[k] = true
			queue = append(queue, state{sets: next, s: st.s + string(c)})
		}
	}
	return out, true
}

// resourceClassesReference is ResourceClasses before repeated patterns were
// dropped, over computeRegionsReference.
func resourceClassesReference(globs, splits []string, stmts []Stmt, vars Vars) (reps []string, exact bool) {
	exact = true
	var pats []pattern
	for _, st := range stmts {
		for _, r := range st.S.Src.Resource {
			vals := []string{r.Value}
			if st.Policy.Doc.Vars() && strings.Contains(r.Value, "${") {
				var ok bool
				if vals, ok = vars.expand(r.Value); !ok {
					exact = false
					continue
				}
			}
			for _, v := range vals {
				pats = append(pats, withParents(v)...)
			}
		}
	}
	pats = append(pats, arnShape())
	for _, l := range splits {
		pats = append(pats, arnPattern(l))
	}
	first := len(pats)
	for _, g := range globs {
		pats = append(pats, arnPattern(g))
	}
	fresh := freshByte(pats)
	alpha := map[byte]bool{fresh: true}
	for i := range pats {
		for _, t := range pats[i].toks {
			if t.wild != 0 {
				if t.noColon {
					alpha[':'] = true
				}
				continue
			}
			alpha[t.ch] = true
			if t.fold {
				alpha[lowerASCII(t.ch)] = true
				alpha[upperASCII(t.ch)] = true
			}
		}
	}
	letters := []byte{fresh}
	for c := 0; c < 256; c++ {
		if alpha[byte(c)] && byte(c) != fresh {
			letters = append(letters, byte(c))
		}
	}
	rs, ok := computeRegionsReference(pats, letters)
	for _, r := range rs {
		for i := first; i < len(pats); i++ {
			if r.matches[i] {
				reps = append(reps, r.rep)
				break
			}
		}
	}
	sort.SliceStable(reps, func(i, j int) bool {
		return strings.HasPrefix(reps[i], "arn:") && !strings.HasPrefix(reps[j], "arn:")
	})
	return reps, exact && ok
}

// randomResource is a Resource element of the shapes policies use: ARNs
// with wildcards in any part, parents and children, repeats.
func randomResource(r *rand.Rand) string {
	parts := []string{"arn", []string{"aws", "*"}[r.Intn(2)], []string{"s3", "iam", "apigateway", "*", "ec2"}[r.Intn(5)],
		[]string{"", "*", "us-east-1", "eu-*"}[r.Intn(4)], []string{"", "*", "111122223333", "4444????6666"}[r.Intn(4)]}
	res := []string{"*", "role/*", "role/Admin*", "/apis/*/stages", "/apis/*", "bucket/*/x?", "instance/i-*", "user/${aws:username}"}[r.Intn(8)]
	if r.Intn(6) == 0 {
		return "*"
	}
	return strings.Join(parts, ":") + ":" + res
}

// The deterministic product gives exactly the reference's partition
// (cells, representatives in order, ok) on random pattern lists with
// repeats.
func TestComputeRegionsEqualsReference(t *testing.T) {
	r := rand.New(rand.NewSource(16))
	for n := 0; n < 150; n++ {
		var pats []pattern
		for k := 1 + r.Intn(8); k > 0; k-- {
			v := randomResource(r)
			pats = append(pats, withParents(v)...)
			if r.Intn(3) == 0 {
				pats = append(pats, arnPattern(v)) // a repeat
			}
		}
		pats = append(pats, arnShape())
		fresh := freshByte(pats)
		letters := []byte{fresh}
		for _, c := range []byte("arn:aws*s3iam/1234-") {
			if !slices.Contains(letters, c) {
				letters = append(letters, c)
			}
		}
		got, gotOK := computeRegions(pats, letters)
		want, wantOK := computeRegionsReference(pats, letters)
		if gotOK != wantOK || !reflect.DeepEqual(got, want) {
			t.Fatalf("%d patterns: got %d regions (ok %v), reference %d (ok %v)", len(pats), len(got), gotOK, len(want), wantOK)
		}
	}
}

// ResourceClasses without repeated patterns gives the reference's classes,
// in the reference's order, over statements that repeat Resource elements
// (as broad read-only policies do, "*" in every statement), with splits and
// policy variables.
func TestResourceClassesEqualsReference(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	vars := Vars(func(k string) ([]string, bool) {
		if k == "aws:username" {
			return []string{"alice"}, true
		}
		return nil, false
	})
	for n := 0; n < 60; n++ {
		var stmts []string
		for k := 1 + r.Intn(5); k > 0; k-- {
			var rs []string
			for j := 1 + r.Intn(3); j > 0; j-- {
				rs = append(rs, fmt.Sprintf("%q", randomResource(r)))
			}
			stmts = append(stmts, `{"Effect":"Allow","Action":"s3:GetObject","Resource":[`+strings.Join(rs, ",")+`]}`)
		}
		st := statementsOf(compile(t, policy.Identity, `{"Version":"2012-10-17","Statement":[`+strings.Join(stmts, ",")+`]}`))
		splits := []string{"arn:aws:iam::111122223333:role/Admin", "arn:*:*:*:111122223333:*"}
		globs := [][]string{{"*"}, {"arn:aws:s3:::*"}, {"arn:aws:iam::*:role/*", "*"}}[n%3]
		got, gotExact := ResourceClasses(globs, splits, st, vars)
		want, wantExact := resourceClassesReference(globs, splits, st, vars)
		if gotExact != wantExact || !slices.Equal(got, want) {
			t.Fatalf("%v on %s:\n got %q (%v)\nwant %q (%v)", globs, stmts, got, gotExact, want, wantExact)
		}
	}
}

// Leaving literals out of the product (computeRegionsLiterals) gives
// computeRegions' partition: the same cells, representatives and order,
// on random patterns with many literal ARNs, some of them a wildcard
// pattern's shortest string, others outside the alphabet.
func TestComputeRegionsLiteralsEqualsProduct(t *testing.T) {
	r := rand.New(rand.NewSource(17))
	lit := func() string {
		switch r.Intn(4) {
		case 0:
			return fmt.Sprintf("arn:aws:s3:::b%d", r.Intn(30))
		case 1:
			return fmt.Sprintf("arn:aws:iam::1111222233%d:role/r%d", r.Intn(3), r.Intn(5))
		case 2:
			return "arn:aws:s3:::" // the shortest string of arn:aws:s3:::*
		default:
			return fmt.Sprintf("arn:aws:sqs:us-east-1:4444555566%d:q-%d", r.Intn(3), r.Intn(9))
		}
	}
	for n := 0; n < 150; n++ {
		var pats []pattern
		for k := 1 + r.Intn(5); k > 0; k-- {
			pats = append(pats, withParents(randomResource(r))...)
		}
		for k := r.Intn(12); k > 0; k-- {
			pats = append(pats, arnPattern(lit()))
		}
		if r.Intn(4) == 0 {
			pats = append(pats, literalPattern("not-an-arn~"))
		}
		pats = append(pats, arnShape())
		pats, _ = uniquePatterns(pats)
		letters := []byte{freshByte(pats)}
		for _, c := range []byte("arn:aws*s3iam/1234-bqsuole") {
			if !slices.Contains(letters, c) {
				letters = append(letters, c)
			}
		}
		got, gotOK := computeRegionsLiterals(pats, letters)
		want, wantOK := computeRegions(pats, letters)
		if !wantOK {
			continue
		}
		if !gotOK || !reflect.DeepEqual(got, want) {
			t.Fatalf("%d patterns: got %d regions (ok %v), product %d (ok %v)", len(pats), len(got), gotOK, len(want), wantOK)
		}
	}
}
