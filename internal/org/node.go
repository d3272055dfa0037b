package org

import (
	"math"

	"go.yaml.in/yaml/v3"
)

// ynode is a node of an organization file as the loader keeps it while it
// reads the file: what the loader reads of the YAML library's yaml.Node
// (kind, resolved tag, value, line and column, children, alias), in 64
// bytes and four pointers instead of 152 bytes and nine. A large
// organization's files are a million nodes, alive until the build ends:
// their size is most of the load's memory and of the collector's work (and
// of the kernel's, which hands the process every page of them).
type ynode struct {
	Value   string
	Content []*ynode
	Alias   *ynode // an alias node's target
	Line    int32  // from 1 (pos32)
	Column  int32  // from 1, in characters (pos32)
	Kind    nodeKind
	tag     nodeTag
}

// pos32 is a line or column as a node keeps it: past 2^31-1 (a file of
// that many lines cannot be read into memory) it stays at the maximum
// instead of wrapping.
func pos32(n int) int32 {
	return int32(min(n, math.MaxInt32))
}

type nodeKind uint8

const (
	documentNode nodeKind = 1 << iota
	sequenceNode
	mappingNode
	scalarNode
	aliasNode
)

// nodeTag is a node's resolved tag, as the library's ShortTag gives it,
// among those the loader tells apart.
type nodeTag uint8

const (
	tagOther nodeTag = iota // any other tag: !!timestamp, !!binary, !custom ...
	tagStr
	tagNull
	tagBool
	tagInt
	tagFloat
	tagMap
	tagSeq
)

var tagNames = [...]string{tagOther: "!other", tagStr: "!!str", tagNull: "!!null", tagBool: "!!bool",
	tagInt: "!!int", tagFloat: "!!float", tagMap: "!!map", tagSeq: "!!seq"}

// ShortTag returns the node's resolved tag, as the library's ShortTag does
// for the tags the loader tells apart.
func (n *ynode) ShortTag() string { return tagNames[n.tag] }

// tagOf maps a resolved tag to the loader's.
func tagOf(short string) nodeTag {
	for t, name := range tagNames {
		if name == short {
			return nodeTag(t)
		}
	}
	return tagOther
}

var kindOf = map[yaml.Kind]nodeKind{yaml.DocumentNode: documentNode, yaml.SequenceNode: sequenceNode,
	yaml.MappingNode: mappingNode, yaml.ScalarNode: scalarNode, yaml.AliasNode: aliasNode}

// fromLibrary converts a tree the YAML library read. An alias keeps
// pointing at its anchor's node.
func fromLibrary(root *yaml.Node) *ynode {
	anchors := map[*yaml.Node]*ynode{}
	var conv func(n *yaml.Node) *ynode
	conv = func(n *yaml.Node) *ynode {
		if n == nil {
			return nil
		}
		if c, ok := anchors[n]; ok {
			return c
		}
		c := &ynode{Value: n.Value, Line: pos32(n.Line), Column: pos32(n.Column), Kind: kindOf[n.Kind], tag: tagOf(n.ShortTag())}
		if n.Anchor != "" {
			anchors[n] = c // before its children, which may name it
		}
		if n.Kind == yaml.AliasNode {
			c.tag = tagOther
			if n.Alias != nil {
				if a, ok := anchors[n.Alias]; ok {
					c.Alias = a
				} else {
					c.Alias = conv(n.Alias)
				}
			}
		}
		if len(n.Content) > 0 {
			c.Content = make([]*ynode, len(n.Content))
			for i, k := range n.Content {
				c.Content[i] = conv(k)
			}
		}
		return c
	}
	return conv(root)
}
