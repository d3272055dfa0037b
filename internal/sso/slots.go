package sso

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/securecart/warden/internal/store"
)

// The MFA device limits (MaxTOTPDevices, MaxWebAuthnCredentials,
// MaxMFADevices) hold when enrollments race, on one replica or several:
// a person's devices are also listed in one record of the store (namespace
// sso/mfa-slots, key USER), written at its version (compare-and-swap), so
// that of two enrollments that read the same list only one writes it.
//
//   - An enrollment first writes the list with its new device in it (a
//     slot), having counted the person's stored devices and the slots
//     still reserved, and refuses past a limit; only then does it store
//     the device. A security key's slot is written in the same
//     transaction as the key; an authenticator app's (stored in the MFA
//     device table) just before it, and released if storing it fails.
//   - The list is rebuilt at each write from the devices stored: a slot
//     whose device is stored counts as that device; a slot without one
//     counts while it is younger than slotTTL (an enrollment between its
//     two writes), and is then forgotten (an enrollment that crashed in
//     between, or a device removed elsewhere). A removal releases its
//     slot at once.
//   - People enrolled before the list existed have none: it is made from
//     their devices at their next enrollment.
const (
	slotsNS = "sso/mfa-slots"
	slotTTL = 2 * time.Minute
	// Slot kinds.
	slotTOTP     = "totp"
	slotWebAuthn = "webauthn"
	slotRetries  = 20
)

// slot is one device in a person's list.
type slot struct {
	Kind     string    `json:"kind"`
	Reserved time.Time `json:"reserved"`
}

type slotList struct {
	Slots map[string]slot `json:"slots"` // by KIND:ID (an app's serial, a key's credential ID)
}

func slotKey(kind, id string) string { return kind + ":" + id }

// reserveSlot returns the write of u's list with a new device's slot, at
// the version read, or ErrTooManyTOTP, ErrTooManyCredentials or
// ErrTooManyMFADevices.
func (a *Authenticator) reserveSlot(ctx context.Context, userID, kind, id string, now time.Time) (store.RecordOp, error) {
	var list slotList
	var version int64
	rec, err := a.Store.Record(ctx, slotsNS, userID)
	switch {
	case err == nil:
		if err := json.Unmarshal(rec.Doc, &list); err != nil {
			return store.RecordOp{}, fmt.Errorf("the MFA device list of %s: %w", userID, err)
		}
		version = rec.Version
	case !errors.Is(err, store.ErrNotFound):
		return store.RecordOp{}, err
	}
	apps, err := a.TOTPDevices(ctx, userID)
	if err != nil {
		return store.RecordOp{}, err
	}
	keys, err := a.WebAuthnCredentials(ctx, userID)
	if err != nil {
		return store.RecordOp{}, err
	}
	next := slotList{Slots: map[string]slot{}}
	for _, d := range apps {
		s, ok := list.Slots[slotKey(slotTOTP, d.Serial)]
		if !ok {
			s = slot{Kind: slotTOTP, Reserved: d.Created}
		}
		next.Slots[slotKey(slotTOTP, d.Serial)] = s
	}
	for _, c := range keys {
		s, ok := list.Slots[slotKey(slotWebAuthn, c.ID())]
		if !ok {
			s = slot{Kind: slotWebAuthn, Reserved: c.Created}
		}
		next.Slots[slotKey(slotWebAuthn, c.ID())] = s
	}
	for k, s := range list.Slots {
		if _, stored := next.Slots[k]; !stored && now.Sub(s.Reserved) < slotTTL {
			next.Slots[k] = s
		}
	}
	k := slotKey(kind, id)
	if _, taken := next.Slots[k]; !taken {
		n := 0
		for _, s := range next.Slots {
			if s.Kind == kind {
				n++
			}
		}
		switch {
		case kind == slotTOTP && n >= MaxTOTPDevices:
			return store.RecordOp{}, ErrTooManyTOTP
		case kind == slotWebAuthn && n >= MaxWebAuthnCredentials:
			return store.RecordOp{}, ErrTooManyCredentials
		case len(next.Slots) >= MaxMFADevices:
			return store.RecordOp{}, ErrTooManyMFADevices
		}
	}
	next.Slots[k] = slot{Kind: kind, Reserved: now.UTC()}
	doc, err := json.Marshal(next)
	if err != nil {
		return store.RecordOp{}, err
	}
	return store.RecordOp{Namespace: slotsNS, Key: userID, Doc: doc, Expect: version, At: now}, nil
}

// withSlot reserves a device's slot and stores the device: write gets the
// reservation's op to apply with its own (or alone) and returns what it
// stored's error. A lost race on the list is retried.
func (a *Authenticator) withSlot(ctx context.Context, userID, kind, id string, write func(op store.RecordOp) error) error {
	for range slotRetries {
		op, err := a.reserveSlot(ctx, userID, kind, id, a.Clock())
		if err != nil {
			return err
		}
		err = write(op)
		if !errors.Is(err, errSlotRace) {
			return err
		}
	}
	return fmt.Errorf("the MFA devices of %s changed too often meanwhile: try again", userID)
}

// errSlotRace is a write of the list that another enrollment's beat.
var errSlotRace = errors.New("sso: the MFA device list changed meanwhile")

// applySlot applies the list's write (with more writes in the same
// transaction), as errSlotRace when another write came first.
func (a *Authenticator) applySlot(ctx context.Context, op store.RecordOp, more ...store.RecordOp) error {
	_, err := a.Store.ApplyRecords(ctx, append([]store.RecordOp{op}, more...))
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrExists) || errors.Is(err, store.ErrNotFound) {
		return errSlotRace
	}
	return err
}

// releaseSlot drops a device's slot (after its removal, or a failed
// enrollment); a slot it cannot drop is forgotten after slotTTL.
func (a *Authenticator) releaseSlot(ctx context.Context, userID, kind, id string) error {
	for range slotRetries {
		rec, err := a.Store.Record(ctx, slotsNS, userID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var list slotList
		if err := json.Unmarshal(rec.Doc, &list); err != nil {
			return fmt.Errorf("the MFA device list of %s: %w", userID, err)
		}
		if _, ok := list.Slots[slotKey(kind, id)]; !ok {
			return nil
		}
		delete(list.Slots, slotKey(kind, id))
		doc, err := json.Marshal(list)
		if err != nil {
			return err
		}
		_, err = a.Store.PutRecord(ctx, slotsNS, userID, doc, rec.Version, a.Clock())
		if !errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}
