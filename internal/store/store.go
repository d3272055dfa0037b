// Package store defines Warden's persistence: one interface, implemented by
// an embedded SQLite database (store/sqlite, the default, for one machine)
// and PostgreSQL (store/postgres, for several replicas). Every
// implementation passes the same suite, store/storetest.
//
// What is stored:
//
//   - The organization's state: one document (the org in Warden's format,
//     as JSON) with a version. Writers use optimistic concurrency: PutState
//     succeeds only if the version is still the one read, so concurrent
//     writers never lose an update (the loser retries on ErrConflict).
//   - Long-term access keys: the key ID, its owner, and the secret sealed by
//     the caller (the store never sees a plaintext secret).
//   - Server keys: the keys that authenticate session tokens and seal
//     secrets, themselves sealed by the caller.
//   - MFA devices: a sealed TOTP seed and the last accepted time step, which
//     only moves forward (replay protection, RFC 6238 section 5.2).
//   - Identity Center sign-in (SignIn): registered clients, device
//     authorizations, hashed tokens, password hashes and rate limits.
//   - The audit trail: hash-chained records appended in order, stored as
//     one block per append (AuditBlock), and the signed digests that seal
//     them.
//   - Services' state beside the org document (Records): JSON documents by
//     namespace and key, versioned, with changes since a revision.
//
// Errors: ErrNotFound, ErrConflict and ErrExists are returned (possibly
// wrapped) for those conditions; anything else is an I/O failure.
package store

import (
	"context"
	"errors"
	"time"
)

var (
	ErrNotFound = errors.New("store: not found")
	ErrConflict = errors.New("store: version conflict")
	ErrExists   = errors.New("store: already exists")
)

// Store is the persistence of one Warden deployment. Implementations are
// safe for concurrent use by many goroutines and by several processes
// sharing one database.
type Store interface {
	SignIn
	Records

	// State returns the organization document and its version. A new store
	// has no state: ErrNotFound.
	State(ctx context.Context) (doc []byte, version int64, err error)
	// StateVersion returns the current version cheaply (0 for no state), so
	// that a replica can tell whether its cached copy is current.
	StateVersion(ctx context.Context) (int64, error)
	// PutState replaces the document if the stored version is still
	// expectVersion (0: no state yet) and returns the new version;
	// ErrConflict otherwise.
	PutState(ctx context.Context, doc []byte, expectVersion int64) (int64, error)

	// PutAccessKey stores a new access key; ErrExists if the ID is taken.
	PutAccessKey(ctx context.Context, k AccessKey) error
	// AccessKey returns a key by ID; ErrNotFound if there is none.
	AccessKey(ctx context.Context, id string) (AccessKey, error)
	// AccessKeys lists the keys of an owner (an IAM user's or a root ARN),
	// oldest first.
	AccessKeys(ctx context.Context, owner string) ([]AccessKey, error)
	// SetAccessKeyStatus sets a key Active or Inactive; ErrNotFound.
	SetAccessKeyStatus(ctx context.Context, id, status string) error
	// TouchAccessKey records the key's last use (best effort).
	TouchAccessKey(ctx context.Context, id string, at time.Time, service, region string) error
	// DeleteAccessKey deletes a key; ErrNotFound.
	DeleteAccessKey(ctx context.Context, id string) error

	// PutServerKey stores a server key; ErrExists if the ID is taken.
	PutServerKey(ctx context.Context, k ServerKey) error
	// ServerKeys lists every server key of a purpose, newest first.
	ServerKeys(ctx context.Context, purpose string) ([]ServerKey, error)
	// RetireServerKey marks a key as no longer used for new tokens (it still
	// verifies old ones until it is deleted).
	RetireServerKey(ctx context.Context, id string, at time.Time) error
	// DeleteServerKey deletes a key; ErrNotFound.
	DeleteServerKey(ctx context.Context, id string) error

	// PutMFADevice stores a virtual MFA device; ErrExists if its serial is
	// taken.
	PutMFADevice(ctx context.Context, d MFADevice) error
	// MFADevice returns a device by serial number; ErrNotFound.
	MFADevice(ctx context.Context, serial string) (MFADevice, error)
	// MFADevices lists the devices of an owner.
	MFADevices(ctx context.Context, owner string) ([]MFADevice, error)
	// AdvanceMFAStep records that a TOTP code of time step step was accepted.
	// It fails with ErrConflict unless step is greater than the stored last
	// step, atomically, so that a code is accepted once across all replicas.
	AdvanceMFAStep(ctx context.Context, serial string, step int64) error
	// DeleteMFADevice deletes a device; ErrNotFound.
	DeleteMFADevice(ctx context.Context, serial string) error

	// AppendAudit appends records to the trail atomically and in order, as
	// one AuditBlock (one row). The
	// store calls build with the sequence number and hash of the last stored
	// record (0 and nil for an empty trail) while holding the trail's lock, so
	// that concurrent appenders, in one process or several, chain one after
	// the other; build returns the records to store, whose Seq must continue
	// from last+1.
	AppendAudit(ctx context.Context, build func(lastSeq int64, lastHash []byte) ([]AuditRecord, error)) error
	// AuditRecords returns up to limit records with Seq >= fromSeq in order.
	AuditRecords(ctx context.Context, fromSeq int64, limit int) ([]AuditRecord, error)
	// AuditBlocks calls fn with each stored block whose FirstSeq column is
	// within fromSeq..toSeq (both included), in order of FirstSeq, passing
	// its columns as stored. The block and its Data are valid only until fn
	// returns: the store may reuse them. It stops at the first error fn
	// returns and returns it. Verification reads the trail through it, in
	// several ranges at once, so it copies as little as the database driver
	// allows.
	AuditBlocks(ctx context.Context, fromSeq, toSeq int64, fn func(b *AuditBlock) error) error
	// AuditTimes returns the earliest and the latest record time of the
	// blocks whose FirstSeq is within fromSeq..toSeq, from their columns
	// without reading their records (zero times when there is none), so
	// that a digest states the time range of what it seals cheaply.
	AuditTimes(ctx context.Context, fromSeq, toSeq int64) (earliest, latest time.Time, err error)
	// AuditRecordsByTime returns up to limit records with start <= Time < end,
	// newest first, skipping those with Seq >= beforeSeq when beforeSeq > 0
	// (for pagination).
	AuditRecordsByTime(ctx context.Context, start, end time.Time, beforeSeq int64, limit int) ([]AuditRecord, error)
	// LastAudit returns the last record's sequence number and hash (0, nil
	// when empty): the chain head, kept apart from the records. ErrNotFound
	// when the head itself is missing (the store was tampered with).
	LastAudit(ctx context.Context) (int64, []byte, error)
	// PutAuditDigest stores a digest; ErrExists if one numbered d.No exists,
	// and ErrConflict unless d.No is one more than the last stored digest's
	// number (1 for the first), so that replicas sealing at once never fork
	// the chain of digests.
	PutAuditDigest(ctx context.Context, d AuditDigest) error
	// AuditDigests returns every digest in order of number.
	AuditDigests(ctx context.Context) ([]AuditDigest, error)
	// LastAuditDigest returns the digest with the highest number;
	// ErrNotFound when there is none. (The trail reads it at each seal:
	// reading every digest there cost a seal time in proportion to the
	// trail's age.)
	LastAuditDigest(ctx context.Context) (AuditDigest, error)
	// DeleteAuditThrough deletes the blocks whose last record's Seq is <=
	// seq, which must be the last record of a digest (retention removes whole
	// digest periods; a digest always ends at a block's end, since the head
	// it seals is), and returns how many records they held; ErrConflict when
	// no digest ends at seq.
	DeleteAuditThrough(ctx context.Context, seq int64) (int64, error)

	// Close releases the store.
	Close() error
}

// AuditScanner is implemented by stores that can pass the trail's records
// to a reader without copying them, as AuditRecords does: Security Hub's
// detection reads every record of the trail as it grows.
type AuditScanner interface {
	// ScanAudit calls fn with the Seq and Data of up to limit records with
	// Seq >= fromSeq, in order; data is valid only until fn returns (the
	// store reuses it). It stops at fn's first error and returns it.
	ScanAudit(ctx context.Context, fromSeq int64, limit int, fn func(seq int64, data []byte) error) error
}

// Leaser is implemented by stores that several replicas share
// (PostgreSQL): a lease names work that one replica at a time does for all,
// such as an analysis whose results every replica reads from the store. A
// store without it has one process, whose work it always is.
type Leaser interface {
	// TryLease takes the lease name when no replica holds it, and reports
	// false when another does.
	TryLease(ctx context.Context, name string) (l Lease, ok bool, err error)
}

// Lease is a held lease. It ends with Release, or when its holder's
// connection to the store ends (the replica stopped or lost the database),
// so that another replica can take it.
type Lease interface {
	// Held reports whether the lease is still held (its connection alive).
	Held(ctx context.Context) bool
	// Release ends the lease.
	Release() error
}

// StateWatcher is implemented by stores that know the state's version
// without a query: both stores learn of the versions this process writes at
// once; the PostgreSQL store learns of other replicas' by notification
// (LISTEN/NOTIFY) and confirms the version on its listener's connection
// every half bound; the SQLite store rereads the file's version when its
// knowledge is older than the bound. Either way a version is reported as
// known only within the bound (250 ms) of its last confirmation.
type StateWatcher interface {
	// KnownStateVersion returns the newest version known and true while that
	// knowledge is within the store's bound; false when the caller must ask
	// StateVersion.
	KnownStateVersion() (int64, bool)
}

// AccessKey is a long-term access key (AKIA...).
type AccessKey struct {
	ID           string // AKIA + 16 characters
	Owner        string // the owning IAM user's ARN, or an account's root ARN
	Account      string
	SealedSecret []byte // sealed by the caller; never the plaintext
	Status       string // Active or Inactive
	Created      time.Time
	LastUsed     time.Time // zero when never used
	LastService  string
	LastRegion   string
}

// ServerKey is a key the server uses to authenticate session tokens or to
// seal secrets, sealed by the deployment's master key.
type ServerKey struct {
	ID      string
	Purpose string // "session-token", "audit-signing", ...
	Sealed  []byte
	Created time.Time
	Retired time.Time // zero while current
}

// MFADevice is a virtual (TOTP) MFA device.
type MFADevice struct {
	Serial     string // arn:aws:iam::ACCOUNT:mfa/NAME
	Owner      string // the ARN of the user it is assigned to
	SealedSeed []byte
	LastStep   int64 // the last accepted TOTP time step
	Created    time.Time
}

// AuditRecord is one stored record of the trail.
type AuditRecord struct {
	Seq      int64
	Time     time.Time
	EventID  string
	Account  string // recipientAccountId
	Data     []byte // the CloudTrail record, JSON
	PrevHash []byte
	Hash     []byte // SHA-256 over PrevHash and Data
}

// AuditDigest seals the records up to Seq. Digests are numbered from 1; a
// digest written when no record arrived since the one before covers no
// record and ends at the same Seq.
type AuditDigest struct {
	No    int64 // the digest's number
	Seq   int64 // the last record it covers (0: none yet)
	Time  time.Time
	Data  []byte // the digest document, JSON
	Sig   []byte
	KeyID string
}

// AuditPartReader is a Store whose trail lies in parts that can be read
// apart (the SQLite store's segment files): every stored block lies in
// exactly one part, and reading the parts in order, each in its own order,
// reads every block that AuditBlocks over all record numbers reads, as it
// reads them. Verification reads such a trail part by part, several at
// once: in ranges of record numbers, each range would step over every
// block of the parts before its own, which grows with the square of the
// trail.
type AuditPartReader interface {
	// AuditParts returns the trail's parts in order.
	AuditParts(ctx context.Context) ([]string, error)
	// AuditPartBlocks calls fn with each block of part as AuditBlocks
	// does, whatever its FirstSeq, and when rest with those of every part
	// after it too (the parts begun since AuditParts).
	AuditPartBlocks(ctx context.Context, part string, rest bool, fn func(b *AuditBlock) error) error
}
