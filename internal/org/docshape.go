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
	var h maphash.Hash
	h.SetSeed(seed)
	budget := maxShapeNodes
	if !hashShape(&h, n, &budget) {
		return 0, false
	}
	return h.Sum64(), true
}

func hashShape(h *maphash.Hash, n *ynode, budget *int) bool {
	n = resolve(n)
	if *budget--; *budget < 0 {
		return false
	}
	if n == nil {
		h.WriteByte(0)
		return true
	}
	h.WriteByte(byte(n.Kind))
	h.WriteByte(byte(n.tag))
	var lens [16]byte
	putUvarint(lens[:8], uint64(len(n.Value)))
	putUvarint(lens[8:], uint64(len(n.Content)))
	h.Write(lens[:])
	h.WriteString(n.Value)
	for _, c := range n.Content {
		if !hashShape(h, c, budget) {
			return false
		}
	}
	return true
}

// putUvarint writes v into b's 8 bytes, little-endian.
func putUvarint(b []byte, v uint64) {
	for i := range 8 {
		b[i] = byte(v >> (8 * i))
	}
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
