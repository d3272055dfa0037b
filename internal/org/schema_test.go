package org

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// TestSchemaMatchesLoader checks that docs/org.schema.json describes the
// mappings the loader reads: the same fields, the same required ones, and no
// others.
func TestSchemaMatchesLoader(t *testing.T) {
	data, err := os.ReadFile("../../docs/org.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	type object struct {
		Schema               string                     `json:"$schema"`
		Properties           map[string]json.RawMessage `json:"properties"`
		Required             []string                   `json:"required"`
		AdditionalProperties json.RawMessage            `json:"additionalProperties"`
	}
	var root struct {
		object
		Defs map[string]object `json:"$defs"`
	}
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatalf("the schema is not JSON: %v", err)
	}
	if got, want := root.Schema, "https://json-schema.org/draft/2020-12/schema"; got != want {
		t.Errorf("$schema = %q, want %q", got, want)
	}
	for name, fields := range fieldsOf {
		def, ok := root.Defs[name]
		if name == "file" {
			def, ok = root.object, true
		}
		if !ok {
			t.Errorf("the schema has no definition %q", name)
			continue
		}
		var props []string
		for p := range def.Properties {
			props = append(props, p)
		}
		slices.Sort(props)
		want := slices.Sorted(slices.Values(fields))
		if !slices.Equal(props, want) {
			t.Errorf("%s: the schema's properties are %v, the loader's fields %v", name, props, want)
		}
		if string(def.AdditionalProperties) != "false" {
			t.Errorf("%s: the schema allows other properties; the loader rejects them", name)
		}
		gotReq := slices.Sorted(slices.Values(def.Required))
		wantReq := slices.Sorted(slices.Values(requiredOf[name]))
		if !slices.Equal(gotReq, wantReq) {
			t.Errorf("%s: the schema requires %v, the loader %v", name, gotReq, wantReq)
		}
	}
}
