package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/securecart/warden/internal/store"
)

func fmtMFA(d store.MFADevice) string {
	return fmt.Sprintf("{Serial:%s Owner:%s SealedSeed:%x LastStep:%d Created:%s}", d.Serial, d.Owner, d.SealedSeed, d.LastStep, ts(d.Created))
}

func mfaDevice(name, owner string, sec int64) store.MFADevice {
	return store.MFADevice{
		Serial: "arn:aws:iam::111122223333:mfa/" + name, Owner: owner,
		SealedSeed: []byte("seed:" + name), LastStep: 1000 + sec, Created: at(sec),
	}
}

func testMFADevices(t *testing.T, s store.Store) {
	ctx := t.Context()
	d2 := mfaDevice("alice-phone", alice, 20)
	d1 := mfaDevice("alice-key", alice, 10)
	d3 := mfaDevice("bob-phone", bob, 5)
	for _, d := range []store.MFADevice{d2, d1, d3} {
		if err := s.PutMFADevice(ctx, d); err != nil {
			t.Fatalf("PutMFADevice(%s): %v", d.Serial, err)
		}
	}
	if err := s.PutMFADevice(ctx, mfaDevice("alice-key", bob, 99)); !errors.Is(err, store.ErrExists) {
		t.Errorf("PutMFADevice(existing serial): got %v, want ErrExists", err)
	}
	got, err := s.MFADevice(ctx, d1.Serial)
	if err != nil || fmtMFA(got) != fmtMFA(d1) {
		t.Errorf("MFADevice(%s) = %s, %v\nwant %s", d1.Serial, fmtMFA(got), err, fmtMFA(d1))
	}
	if _, err := s.MFADevice(ctx, "arn:aws:iam::111122223333:mfa/none"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MFADevice(unknown): got %v, want ErrNotFound", err)
	}
	list, err := s.MFADevices(ctx, alice)
	if err != nil {
		t.Fatalf("MFADevices: %v", err)
	}
	if g, w := fmtAll(list, fmtMFA), fmtAll([]store.MFADevice{d1, d2}, fmtMFA); g != w {
		t.Errorf("MFADevices(alice)\ngot\n%swant\n%s", g, w)
	}
	if err := s.DeleteMFADevice(ctx, d1.Serial); err != nil {
		t.Fatalf("DeleteMFADevice: %v", err)
	}
	if _, err := s.MFADevice(ctx, d1.Serial); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MFADevice after delete: got %v, want ErrNotFound", err)
	}
	if err := s.DeleteMFADevice(ctx, d1.Serial); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteMFADevice twice: got %v, want ErrNotFound", err)
	}
}

func testMFAAdvance(t *testing.T, s store.Store) {
	ctx := t.Context()
	d := mfaDevice("alice-phone", alice, 0) // LastStep 1000
	if err := s.PutMFADevice(ctx, d); err != nil {
		t.Fatalf("PutMFADevice: %v", err)
	}
	for _, tc := range []struct {
		step     int64
		wantErr  error
		wantLast int64
	}{
		{1000, store.ErrConflict, 1000}, // the stored step itself: replay
		{999, store.ErrConflict, 1000},
		{1001, nil, 1001},
		{1001, store.ErrConflict, 1001},
		{1005, nil, 1005},
		{1003, store.ErrConflict, 1005}, // backwards
	} {
		err := s.AdvanceMFAStep(ctx, d.Serial, tc.step)
		if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
			t.Errorf("AdvanceMFAStep(%d): got %v, want %v", tc.step, err, tc.wantErr)
		}
		got, err := s.MFADevice(ctx, d.Serial)
		if err != nil || got.LastStep != tc.wantLast {
			t.Errorf("LastStep after AdvanceMFAStep(%d) = %d, %v; want %d", tc.step, got.LastStep, err, tc.wantLast)
		}
	}
	if err := s.AdvanceMFAStep(ctx, "arn:aws:iam::111122223333:mfa/none", 5000); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AdvanceMFAStep(unknown): got %v, want ErrNotFound", err)
	}
}

// testMFAAdvanceConcurrent has many goroutines present the same code (time
// step) at once, several rounds: each round exactly one may succeed.
func testMFAAdvanceConcurrent(t *testing.T, s store.Store) {
	const goroutines, rounds = 16, 5
	ctx := t.Context()
	d := mfaDevice("alice-phone", alice, 0)
	if err := s.PutMFADevice(ctx, d); err != nil {
		t.Fatalf("PutMFADevice: %v", err)
	}
	for round := range rounds {
		step := d.LastStep + 1 + int64(round)
		var (
			wg              sync.WaitGroup
			mu              sync.Mutex
			ok, conflict    int
			start           = make(chan struct{})
			unexpectedError error
		)
		for range goroutines {
			wg.Go(func() {
				<-start
				err := s.AdvanceMFAStep(ctx, d.Serial, step)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, store.ErrConflict):
					conflict++
				default:
					unexpectedError = err
				}
			})
		}
		close(start)
		wg.Wait()
		if unexpectedError != nil {
			t.Fatalf("AdvanceMFAStep: %v", unexpectedError)
		}
		if ok != 1 || conflict != goroutines-1 {
			t.Errorf("round %d: %d concurrent AdvanceMFAStep(%d): %d succeeded, %d conflicts; want 1 and %d", round, goroutines, step, ok, conflict, goroutines-1)
		}
		got, err := s.MFADevice(ctx, d.Serial)
		if err != nil || got.LastStep != step {
			t.Errorf("round %d: LastStep = %d, %v; want %d", round, got.LastStep, err, step)
		}
	}
}
