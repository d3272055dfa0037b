package store

import (
	"context"
	"errors"
	"time"
)

// ErrStale is returned by RecordChanges when changes since the asked
// version are no longer all kept (deletions older than it were purged): the
// caller must reread the namespace whole (ListRecords) and continue from
// the revision it read before.
var ErrStale = errors.New("store: changes no longer kept")

// AnyVersion, as the expected version of a RecordOp, writes or deletes
// whatever version is stored (last writer wins).
const AnyVersion int64 = -1

// Records is the persistence of services' state that is not part of the
// organization document: Access Analyzer's analyzers and finding statuses,
// Identity Center's asynchronous request statuses, Security Hub's workflow,
// and the like. A record is a JSON document under a namespace and a key.
//
// Namespaces are named SERVICE/KIND (lower case letters, digits, '.', '-',
// segments separated by '/'), for example "accessanalyzer/analyzers"; each
// service owns its namespaces. Keys are any non-empty UTF-8 text of at most
// MaxRecordKey bytes, ordered byte by byte, so that a service can lay out
// keys for prefix listing (ACCOUNT/NAME, ANALYZER/FINDING...).
//
// Versions: every namespace has a revision, a counter that each write or
// deletion in it increments. A record's Version is the revision at which it
// was last written, so versions only grow, and a replica that remembers the
// revision it read can ask for what changed since (RecordChanges), deletions
// included (a deleted record is kept as a tombstone until
// PurgeRecordTombstones).
//
// Writes are optimistic, as PutState's: each op names the version it
// expects (0: the record must not exist; AnyVersion: whatever is stored),
// and ApplyRecords applies a batch atomically or not at all.
type Records interface {
	// Record returns a record; ErrNotFound if there is none (or it was
	// deleted).
	Record(ctx context.Context, ns, key string) (Record, error)
	// PutRecord stores doc under (ns, key) if the stored version is expect
	// and returns the new version. A mismatch is ErrConflict (which also
	// wraps ErrExists when expect is 0 and the record exists, and
	// ErrNotFound when expect is a version and there is no record).
	PutRecord(ctx context.Context, ns, key string, doc []byte, expect int64, at time.Time) (int64, error)
	// DeleteRecord deletes a record if its version is expect (or with
	// AnyVersion); ErrNotFound if there is none, ErrConflict on a mismatch.
	DeleteRecord(ctx context.Context, ns, key string, expect int64, at time.Time) error
	// ApplyRecords applies ops in one transaction, in order, and returns
	// the version each op wrote; on any error (as PutRecord's and
	// DeleteRecord's, naming the op) nothing is applied. Ops may span
	// namespaces; at most one op per (namespace, key).
	ApplyRecords(ctx context.Context, ops []RecordOp) ([]int64, error)
	// ListRecords returns up to q.Limit live records of ns whose key starts
	// with q.Prefix and comes after q.After (exclusive), by key. A limit
	// below 1 returns nothing. A page shorter than the limit is the last;
	// the next page starts After the last key returned.
	ListRecords(ctx context.Context, ns string, q RecordQuery) ([]Record, error)
	// RecordsRevision returns the namespace's revision cheaply (0 for a
	// namespace never written), so that a replica can tell whether its copy
	// is current.
	RecordsRevision(ctx context.Context, ns string) (int64, error)
	// RecordChanges returns up to limit records of ns written or deleted
	// after revision since, by version, deletions as records with Deleted
	// set and no Doc. ErrStale when tombstones newer than since were purged.
	RecordChanges(ctx context.Context, ns string, since int64, limit int) ([]Record, error)
	// PurgeRecordTombstones forgets deletions in ns made before before, and
	// returns how many it forgot; RecordChanges from an older revision is
	// ErrStale from then on.
	PurgeRecordTombstones(ctx context.Context, ns string, before time.Time) (int64, error)
}

// Record is one stored document.
type Record struct {
	Namespace string
	Key       string
	Doc       []byte // JSON; nil when Deleted
	Version   int64  // the namespace revision of its last write
	Updated   time.Time
	Deleted   bool // only in RecordChanges
}

// RecordOp is one write of ApplyRecords: Doc stored under (Namespace, Key),
// or the record deleted when Delete is set.
type RecordOp struct {
	Namespace string
	Key       string
	Doc       []byte // a JSON document; ignored when Delete
	Delete    bool
	Expect    int64     // 0: must not exist; AnyVersion; or the version read
	At        time.Time // the time of the write (required: the store has no clock)
}

// RecordQuery selects a page of ListRecords.
type RecordQuery struct {
	Prefix string // keys starting with Prefix ("" for all)
	After  string // keys after this one ("" to start at the first)
	Limit  int
}

// MaxRecordKey is the longest key, in bytes; MaxRecordNamespace the longest
// namespace.
const (
	MaxRecordKey       = 1024
	MaxRecordNamespace = 128
)

// RecordPage is how many records AllRecords reads per query.
const RecordPage = 1000

// AllRecords returns every live record of ns whose key starts with prefix,
// by key, reading them a page at a time.
func AllRecords(ctx context.Context, r Records, ns, prefix string) ([]Record, error) {
	var all []Record
	q := RecordQuery{Prefix: prefix, Limit: RecordPage}
	for {
		page, err := r.ListRecords(ctx, ns, q)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < q.Limit {
			return all, nil
		}
		q.After = page[len(page)-1].Key
	}
}
