package sqlite

import (
	"testing"
	"time"
)

// The state version is known without a query: at once for this handle's
// writes, and for another process's (here another handle's) once the bound
// has passed and the version was read again.
func TestKnownStateVersion(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, known := a.KnownStateVersion(); known {
		t.Fatal("a version is known before any was read or written")
	}
	v1, err := a.PutState(t.Context(), []byte(`{}`), 0)
	if err != nil {
		t.Fatal(err)
	}
	if v, known := a.KnownStateVersion(); !known || v != v1 {
		t.Fatalf("after its own write: %d, %v; want %d, known", v, known, v1)
	}
	v2, err := b.PutState(t.Context(), []byte(`{"b":1}`), v1)
	if err != nil {
		t.Fatal(err)
	}
	if v, known := a.KnownStateVersion(); known && v != v1 {
		t.Fatalf("another handle's write is known without a read: %d", v)
	}
	time.Sleep(VersionBound)
	if _, known := a.KnownStateVersion(); known {
		t.Fatal("the version is still taken as known after the bound")
	}
	if v, err := a.StateVersion(t.Context()); err != nil || v != v2 {
		t.Fatalf("StateVersion = %d, %v; want %d", v, err, v2)
	}
	if v, known := a.KnownStateVersion(); !known || v != v2 {
		t.Fatalf("after reading it: %d, %v; want %d, known", v, known, v2)
	}
}
