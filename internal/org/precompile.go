package org

import (
	"hash/maphash"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/securecart/warden/internal/policy"
)

// Converting and compiling the policy documents written in YAML is most of
// the build of a large organization, and each document is compiled on its
// own: precompile does it on every core before the build, which then takes
// each document's result in its own order. The result is the one the build
// would compute alone: a text is compiled from the first document, in the
// build's order, that has it (the compiled positions are that document's),
// and a document with any problem (a placeholder, a syntax or grammar
// error) is left to the build, which reports it as before.

// precompiled is one YAML document's result.
type precompiled struct {
	text string         // its JSON text, placeholders replaced
	p    *policy.Policy // compiled from this document: the first with its text (unnamed)
	slot *textSlot      // shared by the documents of this text and type
}

// textSlot remembers the policy the build took for a text and type (the
// loader's cache entry), so that the documents after the first find it
// without looking their text up.
type textSlot struct {
	taken *policy.Policy
}

type docKey struct {
	doc *rawDoc
	t   policy.Type
}

// preJob is a document to precompile, in the build's order.
type preJob struct {
	docKey
	order int
}

// precompileMin is the number of documents below which precompiling on
// several cores is not worth starting goroutines.
var precompileMin = 256

// precompile converts and compiles the organization's YAML documents on
// every core, into l.pre. A document of the same shape and type as an
// earlier one (docshape.go) takes that one's text instead of being
// converted again.
func (l *loader) precompile(r *raw) {
	jobs := l.preJobs(r)
	workers := min(runtime.GOMAXPROCS(0), len(jobs)/precompileMin)
	if workers < 2 {
		return
	}
	// Phase 1, on every core: each document's shape hash.
	seed := maphash.MakeSeed()
	sums := make([]uint64, len(jobs))
	hashed := make([]bool, len(jobs))
	parallelChunks(workers, len(jobs), func(start, end int) {
		for i := start; i < end; i++ {
			sums[i], hashed[i] = shapeHash(seed, jobs[i].doc.node)
		}
	})
	// Then, in the build's order, the first document of each shape and
	// type: the one converted. rep[i] is the index of job i's.
	type shapeKey struct {
		sum uint64
		t   policy.Type
	}
	firstOf := map[shapeKey][]int{} // the first documents of the shapes with this hash
	rep := make([]int, len(jobs))
	weight := make([]int, len(jobs)) // the documents a first one stands for, for progress
	var reps []int
	for i, j := range jobs {
		rep[i] = i
		if hashed[i] {
			k := shapeKey{sums[i], j.t}
			for _, f := range firstOf[k] {
				if sameShape(jobs[f].doc.node, j.doc.node) {
					rep[i] = f
					break
				}
			}
			if rep[i] == i {
				firstOf[k] = append(firstOf[k], i)
			}
		}
		weight[rep[i]]++
		if rep[i] == i {
			reps = append(reps, i)
		}
	}

	// Phase 2, on every core: convert and compile the first documents.
	results := make([]*precompiled, len(jobs))
	type textKey struct {
		text string
		t    policy.Type
	}
	type firstDoc struct {
		order int // of the first document with the text, so far
		slot  *textSlot
	}
	var mu sync.Mutex
	first := map[textKey]*firstDoc{}
	done := 0 // documents done, for opt.Progress
	type worker struct {
		decs map[*source]*decoder
		toks []policy.Token
	}
	parallelChunksWith(workers, len(reps), func() *worker { return &worker{decs: map[*source]*decoder{}} }, func(w *worker, start, end int) {
		n := 0
		for _, i := range reps[start:end] {
			j := jobs[i]
			n += weight[i]
			d := w.decs[j.doc.src]
			if d == nil {
				d = &decoder{src: j.doc.src, errs: &errorSet{}, ph: l.ph, quiet: true}
				w.decs[j.doc.src] = d
			}
			pr, ok := prepareYAMLWith(d, j.doc, w.toks)
			w.toks = pr.toks
			if !ok || len(d.errs.list) > 0 {
				d.errs.list = d.errs.list[:0]
				continue // the build reports it
			}
			res := &precompiled{text: string(pr.text)}
			mu.Lock()
			f := first[textKey{res.text, j.t}]
			isFirst := f == nil || j.order < f.order
			if f == nil {
				f = &firstDoc{order: j.order, slot: &textSlot{}}
				first[textKey{res.text, j.t}] = f
			} else if isFirst {
				f.order = j.order
			}
			res.slot = f.slot
			mu.Unlock()
			if isFirst {
				res.p = compileText(pr, j.t)
			}
			results[i] = res
		}
		if l.opt.Progress != nil {
			mu.Lock()
			done += n
			l.opt.Progress(done, len(jobs))
			mu.Unlock()
		}
	})
	for i, j := range jobs {
		if rep[i] != i {
			// The text of the first document of its shape; the policy is
			// that document's, which the build takes first.
			if fr := results[rep[i]]; fr != nil {
				j.doc.pre, j.doc.preType = &precompiled{text: fr.text, slot: fr.slot}, j.t
			}
			continue
		}
		res := results[i]
		if res == nil {
			continue
		}
		if f := first[textKey{res.text, j.t}]; f.order != i {
			// A later document compiled while an earlier one with the same
			// text was still being converted: the earlier one's counts.
			res.p = nil
			if fr := results[f.order]; fr != nil {
				res.text = fr.text // one copy of the text
			}
		}
		j.doc.pre, j.doc.preType = res, j.t
	}
}

// parallelChunks runs f over [0, n) in chunks on workers goroutines.
func parallelChunks(workers, n int, f func(start, end int)) {
	parallelChunksWith(workers, n, func() struct{} { return struct{}{} }, func(_ struct{}, start, end int) { f(start, end) })
}

// parallelChunksWith is parallelChunks with a state per worker, made by
// newState.
func parallelChunksWith[S any](workers, n int, newState func() S, f func(s S, start, end int)) {
	const chunk = 32
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newState()
			for {
				start := int(next.Add(chunk)) - chunk
				if start >= n {
					return
				}
				f(s, start, min(start+chunk, n))
			}
		}()
	}
	wg.Wait()
}

// compileText parses, checks and compiles a prepared text, nil when it has
// problems (the build compiles it again to report them).
func compileText(pr prepared, t policy.Type) *policy.Policy {
	doc, err := policy.ParseTokens(pr.text, pr.toks, "")
	if err != nil || len(policy.Check(doc, t, "")) > 0 {
		return nil
	}
	p, err := policy.Compile(doc, t, "")
	if err != nil {
		return nil
	}
	if pr.fix != nil {
		reposition(doc, pr.fix)
	}
	return p
}

// preJobs lists the YAML documents the build compiles, in its order.
func (l *loader) preJobs(r *raw) []preJob {
	var jobs []preJob
	add := func(d *rawDoc, t policy.Type) {
		if d != nil && d.kind == docYAML {
			jobs = append(jobs, preJob{docKey{d, t}, len(jobs)})
		}
	}
	perms := func(p rawPerms) {
		for _, in := range p.inline {
			add(in.doc, policy.Identity)
		}
	}
	for _, p := range r.policies {
		if t, ok := policyType[p.typ.V]; ok {
			add(p.doc, t)
		}
	}
	for _, g := range r.groups {
		perms(g.perms)
	}
	for _, u := range r.users {
		perms(u.perms)
	}
	for _, ro := range r.roles {
		add(ro.trust, policy.Trust)
		perms(ro.perms)
	}
	if r.ic != nil {
		for _, ps := range r.ic.permSets {
			add(ps.inline, policy.Identity)
		}
	}
	for _, res := range r.resources {
		add(res.doc, policy.Resource)
	}
	return jobs
}

// precompiled returns what precompile found for a document: its compiled
// policy, under name, when this document is the first with its text and
// no identical document was compiled before it; ok is false when the
// build must compile it itself.
func (l *loader) fromPrecompiled(r *rawDoc, t policy.Type, name string) (*policy.Policy, bool) {
	res := r.pre
	if res == nil || r.preType != t {
		return nil, false
	}
	if p := res.slot.taken; p != nil {
		return renamed(p, name), true
	}
	if p, ok := l.cache[t][res.text]; ok {
		res.slot.taken = p
		return renamed(p, name), true
	}
	if res.p == nil {
		return nil, false
	}
	p := renamed(res.p, name)
	if l.cache[t] == nil {
		l.cache[t] = map[string]*policy.Policy{}
	}
	l.cache[t][res.text] = p
	res.slot.taken = p
	return p, true
}
