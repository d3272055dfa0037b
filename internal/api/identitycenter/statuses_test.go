package identitycenter

import (
	"testing"
	"time"

	"github.com/securecart/warden/internal/store/sqlite"
)

// The statuses of asynchronous requests are kept StatusRetention (AWS keeps
// them for a limited time too; sso-admin's List...Status calls list the
// recent requests), then purged by the replica that records a request, at
// most once an hour.
func TestStatusRetentionPurge(t *testing.T) {
	st, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := &Service{Store: st}
	ctx := t.Context()
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	add := func(kind string, at time.Time) operationStatus {
		t.Helper()
		out, err := s.addStatus(ctx, kind, operationStatus{Status: "SUCCEEDED", PermissionSetARN: "arn:aws:sso:::permissionSet/ssoins-1/ps-1"}, at)
		if err != nil {
			t.Fatalf("addStatus at %v: %v", at, err)
		}
		return out
	}
	exists := func(kind string, o operationStatus) bool {
		t.Helper()
		_, ok, err := s.status(ctx, kind, o.RequestID)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	old := add(kindProvision, t0)
	oldCreate := add(kindCreate, t0.Add(time.Minute))
	edge := add(kindDelete, t0.Add(2*time.Hour+31*time.Minute)) // exactly StatusRetention old at the purge below
	recent := add(kindProvision, t0.Add(10*24*time.Hour))

	// Within the hour after a purge, no other purge runs: even a status
	// past its retention stays until the next one.
	s.purged = t0.Add(StatusRetention + 2*time.Hour - 30*time.Minute)
	add(kindCreate, t0.Add(StatusRetention+2*time.Hour))
	if !exists(kindProvision, old) {
		t.Fatal("a purge ran within the hour after the last one")
	}

	// The next purge deletes the statuses older than StatusRetention, of
	// every kind, and keeps the others.
	at := t0.Add(StatusRetention + 2*time.Hour + 31*time.Minute)
	newest := add(kindProvision, at)
	if exists(kindProvision, old) || exists(kindCreate, oldCreate) {
		t.Errorf("statuses older than %v were kept", StatusRetention)
	}
	if !exists(kindDelete, edge) || !exists(kindProvision, recent) || !exists(kindProvision, newest) {
		t.Errorf("statuses within %v were purged", StatusRetention)
	}
	list, err := s.statuses(ctx, kindProvision, "")
	if err != nil || len(list) != 2 || list[0].RequestID != newest.RequestID || list[1].RequestID != recent.RequestID {
		t.Errorf("provisioning statuses after the purge = %+v, %v; want the newest then the 10-day-old one", list, err)
	}
	// The purge leaves tombstones that RecordChanges reports, so replicas
	// following the namespace see the deletions.
	changes, err := st.RecordChanges(ctx, statusNamespace, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	deleted := 0
	for _, r := range changes {
		if r.Deleted {
			deleted++
		}
	}
	if deleted != 2 {
		t.Errorf("%d deletions recorded in %s; want 2", deleted, statusNamespace)
	}
}
