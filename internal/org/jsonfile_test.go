package org

import (
	"bytes"
	"encoding/json"
	"testing"
	"testing/fstest"

	"go.yaml.in/yaml/v3"
)

// generatedJSON is org.Generate's organization written as JSON, in the
// order written.
func generatedJSON(t testing.TB, accounts, roles int) []byte {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal(Generate(accounts, roles, 1), &n); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	writeJSON(t, &b, n.Content[0], "\n")
	return b.Bytes()
}

func writeJSON(t testing.TB, b *bytes.Buffer, n *yaml.Node, indent string) {
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		open, end := "[", "]"
		if n.Kind == yaml.MappingNode {
			open, end = "{", "}"
		}
		b.WriteString(open)
		for i, c := range n.Content {
			switch {
			case n.Kind == yaml.MappingNode && i%2 == 1:
				b.WriteString(": ")
			case i > 0:
				b.WriteString(",")
				fallthrough
			default:
				b.WriteString(indent + " ")
			}
			writeJSON(t, b, c, indent+" ")
		}
		b.WriteString(indent + end)
	case yaml.ScalarNode:
		if n.ShortTag() == "!!str" {
			q, err := json.Marshal(n.Value)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(q)
			return
		}
		b.WriteString(n.Value)
	default:
		t.Fatalf("unexpected YAML node %v", n.Kind)
	}
}

// TestLoadGeneratedJSON checks that the JSON reader of *.json files gives
// the organization the YAML reader gives for the same content.
func TestLoadGeneratedJSON(t *testing.T) {
	y := loadGenerated(t, Generate(30, 6, 1))
	j, err := LoadFS(fstest.MapFS{"org.json": {Data: generatedJSON(t, 30, 6)}}, "org.json")
	if err != nil {
		t.Fatalf("the generated organization, as JSON, does not load:\n%.2000v", err)
	}
	if got, want := describe(j), describe(y); got != want {
		t.Errorf("the JSON org differs from the YAML one:\n--- json\n%s\n--- yaml\n%s", got, want)
	}
}

// BenchmarkLoadLargeJSON is BenchmarkLoadLarge with the organization
// written as JSON (read by the JSON reader).
func BenchmarkLoadLargeJSON(b *testing.B) {
	data := generatedJSON(b, 1000, 20)
	load := func() {
		if _, err := LoadFS(fstest.MapFS{"org.json": {Data: data}}, "org.json"); err != nil {
			b.Fatalf("%.2000v", err)
		}
	}
	load()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		load()
	}
}
