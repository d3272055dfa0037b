package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/storetest"
)

// openReplicas opens two stores on one fresh database at the same time, as
// two replicas starting together: both must apply (or find) the migrations.
func openReplicas(t *testing.T) [2]*Store {
	dsn := freshDatabase(t)
	var (
		stores [2]*Store
		errs   [2]error
		wg     sync.WaitGroup
	)
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = Open(t.Context(), dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open replica %d: %v", i, err)
		}
		t.Cleanup(func() {
			if err := stores[i].Close(); err != nil {
				t.Errorf("Close replica %d: %v", i, err)
			}
		})
	}
	return stores
}

func TestReplicasAppendAudit(t *testing.T) {
	replicas := openReplicas(t)
	const perReplica, appends, batch = 4, 25, 10
	var wg sync.WaitGroup
	for r, s := range replicas {
		for g := range perReplica {
			wg.Go(func() {
				for i := range appends {
					err := s.AppendAudit(t.Context(), func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) {
						data := make([][]byte, batch)
						for j := range data {
							data[j] = fmt.Appendf(nil, `{"replica":%d,"g":%d,"i":%d,"j":%d}`, r, g, i, j)
						}
						return storetest.Chain(lastSeq, lastHash, func(int64) time.Time { return time.Unix(1_800_000_000, 0) }, data...), nil
					})
					if err != nil {
						t.Errorf("replica %d: AppendAudit: %v", r, err)
						return
					}
				}
			})
		}
	}
	wg.Wait()

	want := len(replicas) * perReplica * appends * batch
	recs, err := replicas[1].AuditRecords(t.Context(), 1, want+1)
	if err != nil {
		t.Fatalf("AuditRecords: %v", err)
	}
	if len(recs) != want {
		t.Fatalf("%d records stored, want %d", len(recs), want)
	}
	if err := storetest.VerifyChain(0, nil, recs); err != nil {
		t.Errorf("chain across replicas: %v", err)
	}
	for _, s := range replicas {
		seq, _, err := s.LastAudit(t.Context())
		if err != nil || seq != int64(want) {
			t.Errorf("LastAudit = %d, %v; want %d", seq, err, want)
		}
	}
}

func TestReplicasPutState(t *testing.T) {
	replicas := openReplicas(t)
	const perReplica, increments = 4, 20
	type doc struct{ Count int }
	var wg sync.WaitGroup
	for _, s := range replicas {
		for range perReplica {
			wg.Go(func() {
				for range increments {
					for {
						var d doc
						raw, v, err := s.State(t.Context())
						if err != nil && !errors.Is(err, store.ErrNotFound) {
							t.Errorf("State: %v", err)
							return
						}
						if err == nil {
							if err := json.Unmarshal(raw, &d); err != nil {
								t.Errorf("stored document: %v", err)
								return
							}
						}
						d.Count++
						next, _ := json.Marshal(d)
						if _, err = s.PutState(t.Context(), next, v); errors.Is(err, store.ErrConflict) {
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
	}
	wg.Wait()
	raw, v, err := replicas[0].State(t.Context())
	if err != nil {
		t.Fatalf("State: %v", err)
	}
	var d doc
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("stored document: %v", err)
	}
	if want := len(replicas) * perReplica * increments; d.Count != want || v != int64(want) {
		t.Errorf("count %d, version %d; want %d and %d", d.Count, v, want, want)
	}
}

func TestReplicasAdvanceMFAStep(t *testing.T) {
	replicas := openReplicas(t)
	serial := "arn:aws:iam::111122223333:mfa/alice"
	err := replicas[0].PutMFADevice(t.Context(), store.MFADevice{
		Serial: serial, Owner: "arn:aws:iam::111122223333:user/alice", SealedSeed: []byte("seed"),
		LastStep: 100, Created: time.Unix(1_800_000_000, 0),
	})
	if err != nil {
		t.Fatalf("PutMFADevice: %v", err)
	}
	const perReplica = 8
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		accepted int
		start    = make(chan struct{})
	)
	for _, s := range replicas {
		for range perReplica {
			wg.Go(func() {
				<-start
				err := s.AdvanceMFAStep(t.Context(), serial, 101)
				if err != nil && !errors.Is(err, store.ErrConflict) {
					t.Errorf("AdvanceMFAStep: %v", err)
				}
				if err == nil {
					mu.Lock()
					accepted++
					mu.Unlock()
				}
			})
		}
	}
	close(start)
	wg.Wait()
	if accepted != 1 {
		t.Errorf("the same code presented %d times on two replicas was accepted %d times, want once", 2*perReplica, accepted)
	}
}
