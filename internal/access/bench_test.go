package access

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/postgres"
	"github.com/securecart/warden/internal/store/postgres/pgtest"
	"github.com/securecart/warden/internal/store/sqlite"
)

// BenchmarkGrantCheck is what each request of a grant's session adds on
// the server: Check reads the grant's record from the store (so that a
// revocation on any replica is enforced at once).
func BenchmarkGrantCheck(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		st, err := sqlite.Open(context.Background(), b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		benchCheck(b, st)
	})
	b.Run("postgres", func(b *testing.B) {
		st, err := postgres.Open(context.Background(), pgtest.FreshDatabase(b))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		benchCheck(b, st)
	})
}

func benchCheck(b *testing.B, st store.Store) {
	ctx := context.Background()
	now := time.Now().UTC()
	m := &Manager{Store: st, Clock: time.Now}
	// A thousand grants, one of them checked.
	var id string
	for i := range 1000 {
		r := Request{ID: newID(), Status: Active, ExpiresAt: now.Add(time.Hour), UserID: "u", AccountID: "1", PermissionSet: "P"}
		doc, _ := json.Marshal(r)
		if _, err := st.PutRecord(ctx, NSRequests, r.ID, doc, 0, now); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			id = r.ID
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if err := m.Check(ctx, id, now); err != nil {
			b.Fatal(err)
		}
	}
}
