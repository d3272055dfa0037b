package state

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store/sqlite"
)

// A document stored before the org was typed (generic JSON: documents as
// mappings and as strings, numbers, tags, Identity Center) still loads, and
// a change through the typed editor keeps the rest of the org as it was.
func TestStoredDocumentsKeepLoading(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	old, err := os.ReadFile("testdata/stored-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutState(ctx, old, 0); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	m := New(st, func() time.Time { return now })
	o, err := m.Org(ctx)
	if err != nil {
		t.Fatalf("the stored document does not load: %v", err)
	}
	if r, ok := o.Role("222222222222", "Deployer"); !ok || r.MaxSessionDuration != 7200 || len(r.Policies) != 3 {
		t.Fatalf("role Deployer in Dev: %+v", r)
	}

	if _, err := m.Mutate(ctx, func(d *Doc) error {
		d.Org.Account("Dev").Tags["owner"] = "platform"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	stored, _, err := st.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var before, after map[string]any
	if err := json.Unmarshal(old, &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(stored, &after); err != nil {
		t.Fatal(err)
	}
	tags := after["org"].(map[string]any)["accounts"].([]any)[1].(map[string]any)["tags"].(map[string]any)
	if tags["owner"] != "platform" {
		t.Fatalf("the change was not stored: tags %v", tags)
	}
	delete(tags, "owner")
	// The format reads an empty description as none: the typed document
	// leaves it out.
	delete(before["org"].(map[string]any)["policies"].([]any)[1].(map[string]any), "description")
	if !reflect.DeepEqual(before["org"], after["org"]) {
		b, _ := json.MarshalIndent(before["org"], "", " ")
		a, _ := json.MarshalIndent(after["org"], "", " ")
		t.Errorf("the change altered the rest of the org:\nbefore %s\nafter %s", b, a)
	}
	if meta := after["meta"].(map[string]any); meta["seq"] != float64(3) || meta["created"] == nil {
		t.Errorf("the metadata was not kept: %v", meta)
	}
}
