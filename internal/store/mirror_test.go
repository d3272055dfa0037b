package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/sqlite"
)

// Two mirrors of one namespace (two replicas) see each other's writes and
// deletions after Sync, and a write made with a stale version conflicts.
func TestMirror(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	type doc struct{ N int }
	a, b := store.NewMirror[doc](st, "test/docs"), store.NewMirror[doc](st, "test/docs")
	at := time.Unix(1, 0)
	put := func(m *store.Mirror[doc], key string, n int, expect int64) error {
		op, err := m.Op(key, doc{n}, expect, at)
		if err != nil {
			t.Fatal(err)
		}
		_, err = st.ApplyRecords(ctx, []store.RecordOp{op})
		return err
	}
	if err := a.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := put(a, "k1", 1, 0); err != nil {
		t.Fatal(err)
	}
	if err := put(a, "k2", 2, 0); err != nil {
		t.Fatal(err)
	}
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	got, ok := b.Get("k1")
	if !ok || got.Value.N != 1 || len(b.All()) != 2 {
		t.Fatalf("b after a's writes: %+v %v %v", got, ok, b.All())
	}
	if err := put(b, "k1", 10, got.Version); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteRecord(ctx, "test/docs", "k2", store.AnyVersion, at); err != nil {
		t.Fatal(err)
	}
	stale, _ := a.Get("k1")
	if err := a.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if v, _ := a.Get("k1"); v.Value.N != 10 {
		t.Errorf("a after b's write: %+v", v)
	}
	if _, ok := a.Get("k2"); ok {
		t.Error("a still has the deleted k2")
	}
	if err := put(a, "k1", 11, stale.Version); err == nil {
		t.Error("a write with a stale version succeeded")
	}
}
