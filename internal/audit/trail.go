package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store"
)

// Options tune a trail.
type Options struct {
	// Owner is the account that owns the trail (SecureCart's Security account).
	Owner string
	// Name names the trail in digests.
	Name string
	// DigestEvery seals after this many records (default 1,000).
	DigestEvery int64
	// DigestInterval seals at least this often while records arrive
	// (default 1 minute).
	DigestInterval time.Duration
	// MaxBatch caps a group commit (default 2,000 records).
	MaxBatch int
	// Linger is how long a commit may wait for more records when calls are
	// arriving faster than commits finish (default 250µs; negative: never).
	Linger time.Duration
	// Retention, when positive, deletes the records of every whole digest
	// period whose last record is older than Retention (see Retain), once
	// when the trail opens and then every RetentionEvery (default 1 hour).
	// 0 keeps every record.
	Retention      time.Duration
	RetentionEvery time.Duration
	// Logger reports what retention deleted and its failures (default:
	// nowhere).
	Logger *slog.Logger
	Clock  func() time.Time
}

// Trail appends records with group commit and seals them with digests. It
// implements call.Auditor.
// lingerThreshold is the batch size from which the trail is considered
// busy enough to linger.
const lingerThreshold = 8

type Trail struct {
	lastBatch int // records in the last commit (the committer's own)

	st    store.Store
	opt   Options
	key   *SigningKey
	in    chan *pending
	done  chan struct{}
	close sync.Once

	stopRetention chan struct{}
	retention     sync.WaitGroup

	mu         sync.Mutex
	lastDigest *digestState // the last digest stored
	unsealed   int64        // records since it
	firstTime  time.Time    // time of the first unsealed record
}

type digestState struct {
	seq  int64
	sig  []byte
	hash string
}

type pending struct {
	recs []*Record
	err  chan error
}

// Open starts a trail over st, creating its signing key on first use.
func Open(ctx context.Context, st store.Store, master *creds.Sealer, opt Options) (*Trail, error) {
	if opt.DigestEvery <= 0 {
		opt.DigestEvery = 1000
	}
	if opt.DigestInterval <= 0 {
		opt.DigestInterval = time.Minute
	}
	if opt.MaxBatch <= 0 {
		opt.MaxBatch = 2000
	}
	if opt.Linger == 0 {
		opt.Linger = 250 * time.Microsecond
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.Name == "" {
		opt.Name = "organization-trail"
	}
	if opt.RetentionEvery <= 0 {
		opt.RetentionEvery = time.Hour
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	keys, err := LoadKeys(ctx, st, master, true, opt.Clock())
	if err != nil {
		return nil, err
	}
	t := &Trail{st: st, opt: opt, key: keys[0], in: make(chan *pending, 4096), done: make(chan struct{}), stopRetention: make(chan struct{})}
	if err := t.loadDigestState(ctx); err != nil {
		return nil, err
	}
	go t.run()
	if opt.Retention > 0 {
		t.retention.Go(t.retain)
	}
	return t, nil
}

func (t *Trail) loadDigestState(ctx context.Context) error {
	ds, err := t.st.AuditDigests(ctx)
	if err != nil {
		return err
	}
	if len(ds) > 0 {
		last := ds[len(ds)-1]
		t.lastDigest = &digestState{seq: last.Seq, sig: last.Sig, hash: digestHash(last.Data)}
	}
	lastSeq, _, err := t.st.LastAudit(ctx)
	if err != nil {
		return err
	}
	var sealed int64
	if t.lastDigest != nil {
		sealed = t.lastDigest.seq
	}
	t.unsealed = lastSeq - sealed
	if t.unsealed > 0 {
		t.firstTime = t.opt.Clock()
	}
	return nil
}

// Record stores the event's records durably; it returns when they are
// committed.
func (t *Trail) Record(ctx context.Context, e *call.Event) error {
	p := &pending{recs: Records(e), err: make(chan error, 1)}
	select {
	case t.in <- p:
	case <-t.done:
		return errors.New("audit: the trail is closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-p.err:
		return err
	case <-ctx.Done():
		// The batch may still commit; the caller does not answer the request.
		return ctx.Err()
	}
}

// Append stores records directly (imports, tests, benchmarks).
func (t *Trail) Append(ctx context.Context, recs []*Record) error {
	p := &pending{recs: recs, err: make(chan error, 1)}
	select {
	case t.in <- p:
	case <-t.done:
		return errors.New("audit: the trail is closed")
	}
	return <-p.err
}

// Close commits what is queued, seals it with a last digest and stops.
func (t *Trail) Close() error {
	var err error
	t.close.Do(func() {
		close(t.stopRetention)
		t.retention.Wait()
		close(t.in)
		<-t.done
		err = t.Seal(context.Background())
	})
	return err
}

func (t *Trail) run() {
	defer close(t.done)
	ticker := time.NewTicker(t.opt.DigestInterval / 4)
	defer ticker.Stop()
	for {
		var first *pending
		select {
		case p, ok := <-t.in:
			if !ok {
				return
			}
			first = p
		case <-ticker.C:
			t.maybeSeal()
			continue
		}
		batch := []*pending{first}
		n := len(first.recs)
		// Take what is queued; when that is little while others are busy,
		// linger a moment for more, so that one commit (and its sync) serves
		// more calls. The wait is bounded by Linger and only happens under
		// load, when the previous batch was not small.
		var linger <-chan time.Time
		if t.opt.Linger > 0 && t.lastBatch >= lingerThreshold {
			linger = time.After(t.opt.Linger)
		}
	drain:
		for n < t.opt.MaxBatch {
			select {
			case p, ok := <-t.in:
				if !ok {
					break drain
				}
				batch = append(batch, p)
				n += len(p.recs)
				continue
			default:
			}
			if linger == nil || n >= lingerThreshold*4 {
				break
			}
			select {
			case p, ok := <-t.in:
				if !ok {
					break drain
				}
				batch = append(batch, p)
				n += len(p.recs)
			case <-linger:
				break drain
			}
		}
		t.lastBatch = n
		err := t.commit(batch)
		for _, p := range batch {
			p.err <- err
		}
		if err == nil {
			t.maybeSeal()
		}
	}
}

// commit writes a batch in one transaction, chaining each record to the one
// before.
func (t *Trail) commit(batch []*pending) error {
	var recs []*Record
	for _, p := range batch {
		recs = append(recs, p.recs...)
	}
	datas := make([][]byte, len(recs))
	for i, r := range recs {
		d, err := json.Marshal(r)
		if err != nil {
			return err
		}
		datas[i] = d
	}
	err := t.st.AppendAudit(context.Background(), func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) {
		prev := lastHash // nil before the first record
		rows := make([]store.AuditRecord, len(recs))
		for i, r := range recs {
			tm, _ := time.Parse("2006-01-02T15:04:05Z", r.EventTime)
			h := ChainHash(prev, datas[i])
			rows[i] = store.AuditRecord{Seq: lastSeq + int64(i) + 1, Time: tm, EventID: r.EventID, Account: r.RecipientAccountID,
				Data: datas[i], PrevHash: prev, Hash: h}
			prev = h
		}
		return rows, nil
	})
	if err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	t.mu.Lock()
	if t.unsealed == 0 {
		t.firstTime = t.opt.Clock()
	}
	t.unsealed += int64(len(recs))
	t.mu.Unlock()
	return nil
}

// ChainHash is SHA-256(prev || data): a record's hash.
func ChainHash(prev, data []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(data)
	return h.Sum(nil)
}

func (t *Trail) maybeSeal() {
	t.mu.Lock()
	due := t.unsealed >= t.opt.DigestEvery || (t.unsealed > 0 && t.opt.Clock().Sub(t.firstTime) >= t.opt.DigestInterval)
	t.mu.Unlock()
	if due {
		t.Seal(context.Background())
	}
}

// Seal writes a digest over every record not yet sealed.
func (t *Trail) Seal(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	// Another replica may have sealed since: start from the stored state.
	if err := t.reloadDigestLocked(ctx); err != nil {
		return err
	}
	lastSeq, lastHash, err := t.st.LastAudit(ctx)
	if err != nil {
		return err
	}
	var prevSeq int64
	doc := DigestDoc{Version: digestVersion, Trail: t.opt.Name, OwnerAccountID: t.opt.Owner, Created: t.opt.Clock().UTC().Format(time.RFC3339Nano)}
	if t.lastDigest != nil {
		prevSeq = t.lastDigest.seq
		doc.PreviousSig = hex.EncodeToString(t.lastDigest.sig)
		doc.PreviousHash = t.lastDigest.hash
	}
	if lastSeq <= prevSeq {
		t.unsealed = 0
		return nil
	}
	first, err := t.st.AuditRecords(ctx, prevSeq+1, 1)
	if err != nil || len(first) == 0 {
		return fmt.Errorf("audit: seal: reading record %d: %v", prevSeq+1, err)
	}
	last, err := t.st.AuditRecords(ctx, lastSeq, 1)
	if err != nil || len(last) == 0 {
		return fmt.Errorf("audit: seal: reading record %d: %v", lastSeq, err)
	}
	doc.FirstSeq, doc.LastSeq, doc.PreviousSeq = prevSeq+1, lastSeq, prevSeq
	doc.StartTime, doc.EndTime = first[0].Time.UTC().Format(time.RFC3339), last[0].Time.UTC().Format(time.RFC3339)
	doc.Records = lastSeq - prevSeq
	doc.LastRecordHash = hex.EncodeToString(lastHash)
	data, sig, err := signDigest(t.key, &doc)
	if err != nil {
		return err
	}
	err = t.st.PutAuditDigest(ctx, store.AuditDigest{Seq: lastSeq, PrevSeq: prevSeq, Time: t.opt.Clock().UTC(), Data: data, Sig: sig, KeyID: t.key.ID})
	if errors.Is(err, store.ErrExists) || errors.Is(err, store.ErrConflict) {
		return t.reloadDigestLocked(ctx) // another replica sealed it
	}
	if err != nil {
		return err
	}
	t.lastDigest = &digestState{seq: lastSeq, sig: sig, hash: digestHash(data)}
	t.unsealed = 0
	return nil
}

func (t *Trail) reloadDigestLocked(ctx context.Context) error {
	ds, err := t.st.AuditDigests(ctx)
	if err != nil {
		return err
	}
	if len(ds) > 0 {
		last := ds[len(ds)-1]
		t.lastDigest = &digestState{seq: last.Seq, sig: last.Sig, hash: digestHash(last.Data)}
	}
	return nil
}

// Retain deletes the records of the oldest digest periods, whole periods
// only: every period, from the oldest on, whose last record is older than
// before, stopping at the first that is not. It returns how many records it
// deleted. Records not yet sealed by a digest are never deleted, and the
// digests are kept, so that Verify starts from the last removed period's
// digest and still checks every record that is left.
func (t *Trail) Retain(ctx context.Context, before time.Time) (int64, error) {
	ds, err := t.st.AuditDigests(ctx)
	if err != nil {
		return 0, fmt.Errorf("audit: retention: %w", err)
	}
	var through int64
	for _, d := range ds {
		var doc DigestDoc
		if json.Unmarshal(d.Data, &doc) != nil || doc.LastSeq != d.Seq {
			break // not a digest this trail wrote: keep it and what follows
		}
		end, err := time.Parse(time.RFC3339, doc.EndTime)
		if err != nil || !end.Before(before) {
			break
		}
		through = d.Seq
	}
	if through == 0 {
		return 0, nil
	}
	first, err := t.st.AuditRecords(ctx, 0, 1)
	if err != nil {
		return 0, fmt.Errorf("audit: retention: %w", err)
	}
	if len(first) == 0 || first[0].Seq > through {
		return 0, nil // already deleted
	}
	n, err := t.st.DeleteAuditThrough(ctx, through)
	if err != nil {
		return n, fmt.Errorf("audit: retention: %w", err)
	}
	return n, nil
}

// retain applies Options.Retention until the trail closes.
func (t *Trail) retain() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-t.stopRetention
		cancel()
	}()
	ticker := time.NewTicker(t.opt.RetentionEvery)
	defer ticker.Stop()
	for {
		before := t.opt.Clock().Add(-t.opt.Retention)
		n, err := t.Retain(ctx, before)
		switch {
		case err != nil && ctx.Err() == nil:
			t.opt.Logger.Error("audit retention failed", "before", before.UTC().Format(time.RFC3339), "error", err.Error())
		case n > 0:
			t.opt.Logger.Info("audit retention: deleted records", "records", n, "before", before.UTC().Format(time.RFC3339))
		}
		select {
		case <-t.stopRetention:
			return
		case <-ticker.C:
		}
	}
}

// PublicKeys returns the trail's public keys.
func PublicKeys(ctx context.Context, st store.Store, master *creds.Sealer) ([]*SigningKey, error) {
	return LoadKeys(ctx, st, master, false, time.Time{})
}
