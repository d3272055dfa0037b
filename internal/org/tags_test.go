package org

import (
	"reflect"
	"testing"
)

// TestTagSetsShared: the roles of a large org that carry the same tags
// share one map (a loaded Org is read-only), and different tags stay apart.
func TestTagSetsShared(t *testing.T) {
	o := loadGenerated(t, Generate(12, 6, 3))
	ptr := func(m map[string]string) uintptr { return reflect.ValueOf(m).Pointer() }
	byTags := map[string]uintptr{}
	for _, r := range o.Roles {
		team, ok := r.Tags["team"]
		if !ok {
			continue
		}
		if len(r.Tags) != 1 {
			t.Fatalf("%s: tags %v", r.ARN, r.Tags)
		}
		if p, seen := byTags[team]; seen && p != ptr(r.Tags) {
			t.Errorf("%s: its tags {team: %s} are a copy, not the shared set", r.ARN, team)
		}
		byTags[team] = ptr(r.Tags)
	}
	if len(byTags) < 2 {
		t.Fatalf("want roles of several teams: %v", byTags)
	}
	seen := map[uintptr]string{}
	for team, p := range byTags {
		if other, dup := seen[p]; dup {
			t.Errorf("teams %s and %s share one map", team, other)
		}
		seen[p] = team
	}
}
