package org

import (
	"hash/maphash"
)

// A generated or templated organization repeats the same policy document
// thousands of times (a role defined for every account, a bucket policy
// per account that differs only by name). Converting a YAML document to
// JSON costs as much as compiling it, so precompile converts only the
// first document of each shape: the documents whose trees, aliases
// resolved, have the same kinds, resolved tags and values in the same
// order. The conversion reads nothing else of a node (not its position,
// not how its scalars were quoted beyond the tag they resolve to), and
// placeholders are replaced the same way throughout a load, so documents
// of one shape convert to the same JSON text and compile to the same
// policy. Shapes are found by a hash and confirmed by comparing the trees:
// a hash collision never shares a policy.

// maxShapeNodes bounds the nodes a shape walks: a document larger than the
// conversion allows (maxDocNodes, aliases expanded) has no shape and is
// converted, and refused, on its own.
const maxShapeNodes = maxDocNodes

// shapeHash hashes the shape of the document at n; ok is false when the
// document has more nodes than maxShapeNodes once aliases are expanded.
func shapeHash(seed maphash.Seed, n *ynode) (sum uint64, ok bool) {
	budget := maxShapeNodes
	return hashShape(seed, n, 0, &budget)
}

// hashShape mixes the shape of the tree at n into h. Each value is hashed
// by maphash, one call per node; the tree's structure is mixed in with the
// kinds, tags and numbers of children.
func hashShape(seed maphash.Seed, n *ynode, h uint64, budget *int) (uint64, bool) {
	n = resolve(n)
	if *budget--; *budget < 0 {
		return 0, false
	}
	if n == nil {
		return mix(h, 0), true
	}
	h = mix(h, uint64(n.Kind)|uint64(n.tag)<<8|uint64(len(n.Content))<<16)
	h = mix(h, maphash.String(seed, n.Value))
	for _, c := range n.Content {
		var ok bool
		if h, ok = hashShape(seed, c, h, budget); !ok {
			return 0, false
		}
	}
	return h, true
}

// mix combines h with v (the 64-bit finalizer of MurmurHash3 over their
// sum with h rotated, so that the order of the values counts).
func mix(h, v uint64) uint64 {
	h = (h<<31 | h>>33) + v + 0x9e3779b97f4a7c15
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// sameShape reports whether the documents at a and b have the same shape.
func sameShape(a, b *ynode) bool {
	budget := maxShapeNodes
	return sameShapeIn(a, b, &budget)
}

func sameShapeIn(a, b *ynode, budget *int) bool {
	a, b = resolve(a), resolve(b)
	if *budget--; *budget < 0 {
		return false
	}
	if a == b {
		return true // the same node, or an alias to it
	}
	if a == nil || b == nil || a.Kind != b.Kind || a.tag != b.tag || a.Value != b.Value || len(a.Content) != len(b.Content) {
		return false
	}
	for i := range a.Content {
		if !sameShapeIn(a.Content[i], b.Content[i], budget) {
			return false
		}
	}
	return true
}
