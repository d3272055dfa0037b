package access

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/sqlite"
)

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"PT2H": 2 * time.Hour, "PT1H30M": 90 * time.Minute, "PT45S": 45 * time.Second,
		"2h": 2 * time.Hour, "30m": 30 * time.Minute} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "PT", "P1D", "PT2X", "PT-1H", "PTH", "two hours", "PT1M2H"} {
		if d, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, d)
		}
	}
}

// TestFinishRacingAnotherReplica: a revocation on one replica and the
// sweep of another both finish the ended grant (remove its assignment and
// record that). The one that records second must not report the grant as
// "already revoked": its own revocation succeeded (TestRevokeAcrossReplicas
// failed so once in CI).
func TestFinishRacingAnotherReplica(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC().Truncate(time.Second)
	m := &Manager{Store: st, Clock: func() time.Time { return now }}
	put := func(r Request) {
		t.Helper()
		doc, _ := json.Marshal(r)
		if _, err := st.PutRecord(ctx, NSRequests, r.ID, doc, store.AnyVersion, now); err != nil {
			t.Fatal(err)
		}
	}
	for _, otherRecorded := range []bool{true, false} {
		id := newID()
		put(Request{ID: id, Status: Revoked, UserID: "u", AccountID: "1", PermissionSet: "P", EndedAt: now})
		mine, err := m.Get(ctx, id) // this replica, just after its revocation
		if err != nil {
			t.Fatal(err)
		}
		// The other replica writes first: the removal, or some other
		// change of the ended record.
		other, _ := m.Get(ctx, id)
		other.AssignmentRemoved = otherRecorded
		other.EndReason = "seen by the other replica"
		put(*other)

		if err := m.markRemoved(ctx, mine, now); err != nil {
			t.Fatalf("otherRecorded=%v: %v", otherRecorded, err)
		}
		got, _ := m.Get(ctx, id)
		if !got.AssignmentRemoved || got.Status != Revoked || !mine.AssignmentRemoved || mine.Status != Revoked {
			t.Errorf("otherRecorded=%v: stored %+v, returned %+v", otherRecorded, got, mine)
		}
	}
}
