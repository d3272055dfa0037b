package sqlite

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/storetest"
)

// TestSharedFile opens one database twice at the same moment, as two
// processes sharing a file would, and appends from both: the chain must
// stay gapless, since each handle's writer takes SQLite's write lock
// (BEGIN IMMEDIATE) before it reads the chain head.
func TestSharedFile(t *testing.T) {
	dir := t.TempDir()
	var (
		handles [2]*Store
		errs    [2]error
		wg      sync.WaitGroup
	)
	for i := range handles {
		wg.Go(func() { handles[i], errs[i] = Open(t.Context(), dir) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open handle %d: %v", i, err)
		}
		defer handles[i].Close()
	}

	const perHandle, appends, batch = 3, 30, 10
	for h, s := range handles {
		for g := range perHandle {
			wg.Go(func() {
				for i := range appends {
					err := s.AppendAudit(t.Context(), func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) {
						data := make([][]byte, batch)
						for j := range data {
							data[j] = fmt.Appendf(nil, `{"h":%d,"g":%d,"i":%d,"j":%d}`, h, g, i, j)
						}
						return storetest.Chain(lastSeq, lastHash, func(int64) time.Time { return time.Unix(1_800_000_000, 0) }, data...), nil
					})
					if err != nil {
						t.Errorf("handle %d: AppendAudit: %v", h, err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	want := len(handles) * perHandle * appends * batch
	recs, err := handles[0].AuditRecords(t.Context(), 1, want+1)
	if err != nil {
		t.Fatalf("AuditRecords: %v", err)
	}
	if len(recs) != want {
		t.Errorf("%d records stored, want %d", len(recs), want)
	}
	if err := storetest.VerifyChain(0, nil, recs); err != nil {
		t.Errorf("chain across handles: %v", err)
	}
}
