package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/securecart/warden/internal/store"
)

func testStateRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, _, err := s.State(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("State of a new store: got error %v, want ErrNotFound", err)
	}
	if v, err := s.StateVersion(ctx); err != nil || v != 0 {
		t.Fatalf("StateVersion of a new store = %d, %v; want 0, nil", v, err)
	}

	docs := [][]byte{
		[]byte(`{"org":"first"}`),
		bytes.Repeat([]byte(`{"big":"x"}`), 100_000), // about 1 MB
		[]byte(`{"org":"third"}`),
	}
	for i, doc := range docs {
		want := int64(i + 1)
		got, err := s.PutState(ctx, doc, int64(i))
		if err != nil || got != want {
			t.Fatalf("PutState(doc %d, %d) = %d, %v; want %d, nil", i, i, got, err, want)
		}
		gotDoc, gotV, err := s.State(ctx)
		if err != nil || gotV != want || !bytes.Equal(gotDoc, doc) {
			t.Fatalf("State after put %d = %d bytes, version %d, %v; want %d bytes, version %d", i, len(gotDoc), gotV, err, len(doc), want)
		}
		if v, err := s.StateVersion(ctx); err != nil || v != want {
			t.Fatalf("StateVersion after put %d = %d, %v; want %d", i, v, err, want)
		}
	}
}

func testStateVersionConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.PutState(ctx, []byte(`{"v":1}`), 1); !errors.Is(err, store.ErrConflict) {
		t.Errorf("PutState(expect 1) on an empty store: got %v, want ErrConflict", err)
	}
	if v, err := s.PutState(ctx, []byte(`{"v":1}`), 0); err != nil || v != 1 {
		t.Fatalf("PutState(expect 0) = %d, %v; want 1, nil", v, err)
	}
	for _, expect := range []int64{0, 2, 7, -1} {
		if _, err := s.PutState(ctx, []byte(`{"v":"lost"}`), expect); !errors.Is(err, store.ErrConflict) {
			t.Errorf("PutState(expect %d) at version 1: got %v, want ErrConflict", expect, err)
		}
	}
	doc, v, err := s.State(ctx)
	if err != nil || v != 1 || string(doc) != `{"v":1}` {
		t.Errorf("State after refused puts = %q, %d, %v; want {\"v\":1}, 1, nil", doc, v, err)
	}
}

// testStateConcurrentWriters runs writers that each increment a counter in
// the document several times, retrying on ErrConflict: no increment may be
// lost, and every successful put bumps the version by one.
func testStateConcurrentWriters(t *testing.T, s store.Store) {
	const writers, increments = 8, 25
	ctx := t.Context()
	type doc struct{ Count int }
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for range increments {
				for {
					var d doc
					raw, v, err := s.State(ctx)
					switch {
					case errors.Is(err, store.ErrNotFound):
						v = 0
					case err != nil:
						t.Errorf("State: %v", err)
						return
					default:
						if err := json.Unmarshal(raw, &d); err != nil {
							t.Errorf("stored document %q: %v", raw, err)
							return
						}
					}
					d.Count++
					next, _ := json.Marshal(d)
					_, err = s.PutState(ctx, next, v)
					if errors.Is(err, store.ErrConflict) {
						continue
					}
					if err != nil {
						t.Errorf("PutState: %v", err)
						return
					}
					break
				}
			}
		})
	}
	wg.Wait()
	raw, v, err := s.State(ctx)
	if err != nil {
		t.Fatalf("State: %v", err)
	}
	var d doc
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("stored document %q: %v", raw, err)
	}
	if want := writers * increments; d.Count != want || v != int64(want) {
		t.Errorf("after %d writers x %d increments: count %d, version %d; want %d and %d", writers, increments, d.Count, v, want, want)
	}
}
