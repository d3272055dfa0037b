package sso

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/securecart/warden/internal/store"
)

// Recovery codes: RecoveryCodeCount single-use codes a person keeps on
// paper for the day their authenticators are lost. Each is 16 characters
// of a 32-letter alphabet (80 random bits), shown once when made, stored
// only as its SHA-256 (80 bits are beyond guessing, as the directory's
// tokens are), and compared in constant time against every stored code.
// Making a new set replaces the old one whole. A used code is marked used
// with the record's version, so that of two uses at once on any replicas
// only one succeeds. Wrong codes count towards the rate limits as wrong
// TOTP codes do.
const (
	RecoveryCodeCount = 10
	recoveryNS        = "sso/recovery"
	recoveryAlphabet  = "abcdefghjkmnpqrstuvwxyz023456789" // 32 symbols: no i, l, o or 1
)

// recoverySet is a person's codes as stored.
type recoverySet struct {
	Hashes  [][]byte  `json:"hashes"` // SHA-256 of each normalized code
	Used    []bool    `json:"used"`
	Created time.Time `json:"created"`
}

// normalizeRecoveryCode drops spaces and dashes and lowers the case.
func normalizeRecoveryCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, code)
}

func newRecoveryCode() string {
	var b strings.Builder
	for i := 0; i < 16; i++ {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(recoveryAlphabet[randIndex(len(recoveryAlphabet))])
	}
	return b.String()
}

// NewRecoveryCodes makes a new set of codes for a person, replacing any
// set they had, and returns the codes: the only time they are seen.
func (a *Authenticator) NewRecoveryCodes(ctx context.Context, userID string) ([]string, error) {
	set := recoverySet{Created: a.Clock().UTC(), Used: make([]bool, RecoveryCodeCount)}
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
		h := sha256.Sum256([]byte(normalizeRecoveryCode(codes[i])))
		set.Hashes = append(set.Hashes, h[:])
	}
	doc, err := json.Marshal(set)
	if err != nil {
		return nil, err
	}
	if _, err := a.Store.PutRecord(ctx, recoveryNS, userID, doc, store.AnyVersion, set.Created); err != nil {
		return nil, err
	}
	return codes, nil
}

// RecoveryCodesLeft returns how many unused codes a person has (0 with no
// set).
func (a *Authenticator) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	set, _, err := a.recoverySet(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, u := range set.Used {
		if !u {
			n++
		}
	}
	return n, nil
}

func (a *Authenticator) recoverySet(ctx context.Context, userID string) (recoverySet, int64, error) {
	rec, err := a.Store.Record(ctx, recoveryNS, userID)
	if err != nil {
		return recoverySet{}, 0, err
	}
	var set recoverySet
	if err := json.Unmarshal(rec.Doc, &set); err != nil {
		return recoverySet{}, 0, err
	}
	if len(set.Used) != len(set.Hashes) {
		return recoverySet{}, 0, errors.New("the stored recovery codes are malformed")
	}
	return set, rec.Version, nil
}

// UseRecoveryCode accepts one of u's unused recovery codes once, and
// returns how many are left.
func (a *Authenticator) UseRecoveryCode(ctx context.Context, u User, code, addr string) (int, error) {
	now := a.Clock()
	key := "user:" + u.ID
	if t, err := a.throttled(ctx, key, addr, now); err != nil || t {
		if err == nil {
			err = ErrThrottled
		}
		return 0, err
	}
	h := sha256.Sum256([]byte(normalizeRecoveryCode(code)))
	for attempt := 0; attempt < 3; attempt++ {
		set, version, err := a.recoverySet(ctx, u.ID)
		if errors.Is(err, store.ErrNotFound) {
			return 0, a.failWith(ctx, key, addr, now, "no recovery codes")
		}
		if err != nil {
			return 0, err
		}
		match := -1
		for i, stored := range set.Hashes {
			// Every code is compared, used or not, so that time does not
			// tell which matched.
			if subtle.ConstantTimeCompare(stored, h[:]) == 1 && !set.Used[i] {
				match = i
			}
		}
		if match < 0 {
			return 0, a.failWith(ctx, key, addr, now, "wrong or already used recovery code")
		}
		set.Used[match] = true
		doc, err := json.Marshal(set)
		if err != nil {
			return 0, err
		}
		_, err = a.Store.PutRecord(ctx, recoveryNS, u.ID, doc, version, now.UTC())
		if errors.Is(err, store.ErrConflict) {
			continue // used or replaced at once elsewhere: read again
		}
		if err != nil {
			return 0, err
		}
		left := 0
		for _, used := range set.Used {
			if !used {
				left++
			}
		}
		return left, a.Store.ResetRateLimit(ctx, key)
	}
	return 0, a.failWith(ctx, key, addr, now, "the recovery codes changed while the code was checked")
}

// DeleteRecoveryCodes removes a person's codes (an administrator's MFA
// reset).
func (a *Authenticator) DeleteRecoveryCodes(ctx context.Context, userID string) error {
	err := a.Store.DeleteRecord(ctx, recoveryNS, userID, store.AnyVersion, a.Clock().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
