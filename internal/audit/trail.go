package audit

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
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
	// SealWithin is the longest a record waits for its digest (default 1
	// minute).
	SealWithin time.Duration
	// DigestInterval is the cadence of digests: one is written at least this
	// often, also when no record arrived since the one before, as CloudTrail
	// delivers a digest file every hour (default 1 hour). Each digest says
	// when the next is due, so that verification reports a trail whose
	// newest digest is overdue: one cut back to an earlier digest.
	DigestInterval time.Duration
	// MaxBatch caps a group commit (default 2,000 records).
	MaxBatch int
	// SealApart writes the digests on a goroutine of their own instead of
	// on the committer's between two commits, so that no commit waits for
	// a digest (its store write, and the syncs before it). The records
	// committed while a digest is written stay for the next.
	SealApart bool
	// Linger is how long a commit may wait under load for as many records
	// as the larger of the two commits before it had (default 1ms;
	// negative: never; see run).
	Linger time.Duration
	// Retention, when positive, deletes the records of every whole digest
	// period whose last record is older than Retention (see Retain), once
	// when the trail opens and then every RetentionEvery (default 1 hour).
	// 0 keeps every record.
	Retention      time.Duration
	RetentionEvery time.Duration
	// Anchor, when set, is given the newest digest when the trail opens and
	// after each digest is stored, to keep outside the database (see
	// Publisher). It must not block.
	Anchor func(Anchor)
	// Logger reports what retention deleted and its failures (default:
	// nowhere).
	Logger *slog.Logger
	Clock  func() time.Time
}

// lingerThreshold is the batch size from which the trail is considered
// busy enough to linger.
const lingerThreshold = 8

// Trail appends records with group commit and seals them with digests. It
// implements call.Auditor.
type Trail struct {
	lastBatch int // records in the last commit (the committer's own)
	prevBatch int // records in the commit before it

	st    store.Store
	opt   Options
	key   *SigningKey
	in    chan *pending
	done  chan struct{}
	close sync.Once

	stopRetention chan struct{}
	retention     sync.WaitGroup

	smu        sync.Mutex // one seal at a time; lastDigest
	opened     time.Time
	lastDigest *digestState // the last digest stored

	mu           sync.Mutex
	unsealed     int64     // records since it
	firstTime    time.Time // when the first unsealed record was committed
	committedSeq int64     // the last record this trail committed

	sealKick chan struct{} // SealApart: wakes the sealer
	sealStop chan struct{}
	sealDone chan struct{}
}

type digestState struct {
	no      int64
	seq     int64
	sig     []byte
	hash    string
	created time.Time
}

func newDigestState(d *store.AuditDigest) *digestState {
	return &digestState{no: d.No, seq: d.Seq, sig: d.Sig, hash: digestHash(d.Data), created: d.Time}
}

// pending is one caller's records, encoded by the caller.
type pending struct {
	datas []*bytes.Buffer
	recs  []*Record
	err   chan error
}

// Open starts a trail over st, creating its signing key on first use.
func Open(ctx context.Context, st store.Store, master *creds.Sealer, opt Options) (*Trail, error) {
	if opt.DigestEvery <= 0 {
		opt.DigestEvery = 1000
	}
	if opt.SealWithin <= 0 {
		opt.SealWithin = time.Minute
	}
	if opt.DigestInterval <= 0 {
		opt.DigestInterval = time.Hour
	}
	if opt.MaxBatch <= 0 {
		opt.MaxBatch = 2000
	}
	if opt.Linger == 0 {
		opt.Linger = time.Millisecond
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
	t := &Trail{st: st, opt: opt, key: keys[0], in: make(chan *pending, 4096), done: make(chan struct{}), stopRetention: make(chan struct{}), opened: opt.Clock()}
	if err := t.loadDigestState(ctx); err != nil {
		return nil, err
	}
	if opt.SealApart {
		t.sealKick, t.sealStop, t.sealDone = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
		go t.sealer()
	}
	go t.run()
	if opt.Retention > 0 {
		t.retention.Go(t.retain)
	}
	return t, nil
}

func (t *Trail) loadDigestState(ctx context.Context) error {
	last, err := t.st.LastAuditDigest(ctx)
	switch {
	case err == nil:
		t.lastDigest = newDigestState(&last)
		t.publish(&last)
	case !errors.Is(err, store.ErrNotFound):
		return err
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

// publish gives the anchor a stored digest.
func (t *Trail) publish(d *store.AuditDigest) {
	if t.opt.Anchor != nil {
		t.opt.Anchor(Anchor{Trail: t.opt.Name, Number: d.No, Hash: digestHash(d.Data), Time: d.Time.UTC(), LastSeq: d.Seq})
	}
}

// Record stores the event's records durably; it returns when they are
// committed.
func (t *Trail) Record(ctx context.Context, e *call.Event) error {
	if e.RecipientAccount == "" {
		// A call that names no account (unsigned, or with an unknown key)
		// is recorded in the trail owner's account.
		e.RecipientAccount = t.opt.Owner
	}
	p, err := newPending(Records(e))
	if err != nil {
		return err
	}
	select {
	case t.in <- p: // the queue has room: no need to watch ctx and done
	default:
		select {
		case t.in <- p:
		case <-t.done:
			p.discard()
			return errors.New("audit: the trail is closed")
		case <-ctx.Done():
			p.discard()
			return ctx.Err()
		}
	}
	// The wait is for the commit alone, not also for ctx: every queued
	// pending gets its outcome (a commit ends, committed or failed, and
	// Close commits what is queued), so the wait is bounded by the
	// group's commit whatever the client does. Watching ctx as well made
	// each call a two-channel select, which parks on both channels, and
	// made net/http create and close the request context's Done channel.
	err = <-p.err
	p.reuse()
	return err
}

// Append stores records directly (imports, tests, benchmarks).
func (t *Trail) Append(ctx context.Context, recs []*Record) error {
	p, err := newPending(recs)
	if err != nil {
		return err
	}
	select {
	case t.in <- p:
	case <-t.done:
		p.discard()
		return errors.New("audit: the trail is closed")
	}
	err = <-p.err
	p.reuse()
	return err
}

// encodeBufs holds the buffers records are encoded into; a buffer returns
// to it once its record is committed.
var encodeBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// pendings are reused, with their channel and their slice of buffers: a
// caller gives its pending back once it has received the commit's outcome,
// when the committer is done with it.
var pendings = sync.Pool{New: func() any { return &pending{err: make(chan error, 1)} }}

// newPending encodes recs in the caller's goroutine, so that callers encode
// in parallel and the committer only chains and stores.
func newPending(recs []*Record) (*pending, error) {
	p := pendings.Get().(*pending)
	p.recs = recs
	p.datas = slices.Grow(p.datas[:0], len(recs))[:len(recs)]
	for i, r := range recs {
		b := encodeBufs.Get().(*bytes.Buffer)
		b.Reset()
		p.datas[i] = b
		data, err := appendRecord(b.AvailableBuffer(), r)
		if err != nil {
			p.discard()
			return nil, fmt.Errorf("audit: encoding a record: %w", err)
		}
		b.Write(data)
	}
	return p, nil
}

// release returns the encoding buffers.
func (p *pending) release() {
	for i, b := range p.datas {
		if b != nil && b.Cap() <= 64<<10 {
			encodeBufs.Put(b)
		}
		p.datas[i] = nil
	}
}

// reuse gives p back to pendings, once its caller has received the
// outcome the committer sent (the committer released its buffers).
func (p *pending) reuse() {
	p.recs = nil
	pendings.Put(p)
}

// discard releases the buffers of a pending the committer never got and
// gives it back to pendings.
func (p *pending) discard() {
	p.release()
	p.reuse()
}

// Close commits what is queued, seals it with a last digest that says the
// trail stopped, and stops.
func (t *Trail) Close() error {
	var err error
	t.close.Do(func() {
		close(t.stopRetention)
		t.retention.Wait()
		close(t.in)
		<-t.done
		if t.sealStop != nil {
			close(t.sealStop)
			<-t.sealDone
		}
		err = t.seal(context.Background(), true)
	})
	return err
}

func (t *Trail) run() {
	defer close(t.done)
	tick := min(t.opt.SealWithin, t.opt.DigestInterval) / 4
	ticker := time.NewTicker(max(tick, 5*time.Millisecond))
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
			if t.sealKick != nil {
				t.kickSealer(true)
			} else {
				t.maybeSeal()
			}
			continue
		}
		batch := []*pending{first}
		n := len(first.recs)
		// Take what is queued; then, under load (when one of the two
		// commits before was not small), linger a moment until as many
		// records have come as the larger of those two commits had, so that
		// one commit (and its sync) serves more calls. Clients that send
		// their next call when the last is answered come back in groups:
		// without waiting for them, they settle into two groups that take
		// turns, each committed (and synced) while the other's callers are
		// away, twice the commits for the same calls. The wait is bounded
		// by Linger, and the target follows the load down within two
		// commits.
		target := max(t.lastBatch, t.prevBatch)
		var linger <-chan time.Time
		if t.opt.Linger > 0 && target >= lingerThreshold {
			linger = time.After(t.opt.Linger)
		}
		yielded := false
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
			if !yielded {
				// Before committing a group, let the goroutines that can
				// run go first: under load they are handlers about to
				// queue their records, which then share this commit (and
				// its write) instead of each waiting for one of their own.
				// With nothing else to run it returns at once: no core
				// waits idle, as it does for a linger.
				yielded = true
				runtime.Gosched()
				continue
			}
			if linger == nil || n >= target {
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
		t.prevBatch, t.lastBatch = t.lastBatch, n
		err := t.commit(batch, n)
		for _, p := range batch {
			p.release()
			p.err <- err
		}
		if err == nil {
			t.sealIfDue()
		}
	}
}

// sealIfDue seals when a digest is due (maybeSeal), on the committer's
// goroutine or, with SealApart, by waking the sealer.
func (t *Trail) sealIfDue() {
	if t.sealKick == nil {
		t.maybeSeal()
		return
	}
	t.kickSealer(false)
}

// kickSealer wakes the sealer: at the committer's ticks (tick: the cadence,
// which only the sealer can judge, may call for a digest), else only when
// enough records wait or the oldest has waited SealWithin, not after every
// commit.
func (t *Trail) kickSealer(tick bool) {
	if !tick {
		t.mu.Lock()
		due := t.unsealed >= t.opt.DigestEvery || (t.unsealed > 0 && t.opt.Clock().Sub(t.firstTime) >= t.opt.SealWithin)
		t.mu.Unlock()
		if !due {
			return
		}
	}
	select {
	case t.sealKick <- struct{}{}:
	default: // woken already
	}
}

// sealer writes the digests that are due, when the committer wakes it
// (after each commit and at its ticks), until Close.
func (t *Trail) sealer() {
	defer close(t.sealDone)
	for {
		select {
		case <-t.sealStop:
			return
		case <-t.sealKick:
			t.maybeSeal()
		}
	}
}

// commit writes a batch of n records in one transaction, chaining each
// record to the one before.
func (t *Trail) commit(batch []*pending, n int) error {
	var last int64
	err := t.st.AppendAudit(context.Background(), func(lastSeq int64, lastHash []byte) ([]store.AuditRecord, error) {
		h := newHasher()
		prev := lastHash // nil before the first record
		rows := make([]store.AuditRecord, 0, n)
		for _, p := range batch {
			for i, r := range p.recs {
				tm, _ := parseISOTime(r.EventTime)
				row := store.AuditRecord{Seq: lastSeq + int64(len(rows)) + 1, Time: tm, EventID: r.EventID, Account: r.RecipientAccountID,
					Data: p.datas[i].Bytes(), PrevHash: prev}
				row.Hash = bytes.Clone(h.row(prev, row.Seq, tm.UnixNano(), []byte(row.EventID), []byte(row.Account), row.Data))
				prev = row.Hash
				rows = append(rows, row)
			}
		}
		last = lastSeq + int64(len(rows))
		return rows, nil
	})
	if err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	t.mu.Lock()
	if t.unsealed == 0 {
		t.firstTime = t.opt.Clock()
	}
	t.unsealed += int64(n)
	t.committedSeq = last
	t.mu.Unlock()
	return nil
}

// maybeSeal seals when enough records wait, when the oldest has waited
// SealWithin, or when the cadence calls for a digest.
func (t *Trail) maybeSeal() {
	t.smu.Lock()
	defer t.smu.Unlock()
	now := t.opt.Clock()
	t.mu.Lock()
	due := t.unsealed >= t.opt.DigestEvery || (t.unsealed > 0 && now.Sub(t.firstTime) >= t.opt.SealWithin)
	t.mu.Unlock()
	if due || t.cadenceDueLocked(now) {
		if err := t.sealLocked(context.Background(), false); err != nil {
			t.opt.Logger.Error("audit: writing a digest failed", "error", err.Error())
		}
	}
}

// sealedThrough counts as sealed the records up to seq, the last a digest
// covers: those committed after it (while the digest was written, with
// SealApart) wait for the next, as if just committed.
func (t *Trail) sealedThrough(seq int64) {
	t.mu.Lock()
	t.unsealed = max(0, t.committedSeq-seq)
	if t.unsealed > 0 {
		t.firstTime = t.opt.Clock()
	}
	t.mu.Unlock()
}

// cadenceDueLocked reports whether DigestInterval has passed since the last
// digest (or since the trail opened, when there is none). The caller holds
// smu.
func (t *Trail) cadenceDueLocked(now time.Time) bool {
	since := t.opened
	if t.lastDigest != nil && t.lastDigest.created.After(since) {
		since = t.lastDigest.created
	}
	return now.Sub(since) >= t.opt.DigestInterval
}

// Seal writes a digest over every record not yet sealed; with none, it
// writes one only when the cadence calls for it.
func (t *Trail) Seal(ctx context.Context) error { return t.seal(ctx, false) }

// seal writes a digest; stop marks the trail's last digest before it
// stops, written even when no record arrived since the one before.
func (t *Trail) seal(ctx context.Context, stop bool) error {
	t.smu.Lock()
	defer t.smu.Unlock()
	return t.sealLocked(ctx, stop)
}

func (t *Trail) sealLocked(ctx context.Context, stop bool) error {
	// Another replica may have sealed since: start from the stored state.
	if err := t.reloadDigestLocked(ctx); err != nil {
		return err
	}
	lastSeq, lastHash, err := t.st.LastAudit(ctx)
	if err != nil {
		return err
	}
	now := t.opt.Clock().UTC()
	var prevSeq, prevNo int64
	doc := DigestDoc{Version: digestVersion, Trail: t.opt.Name, OwnerAccountID: t.opt.Owner, RecordHash: recordHashVersion,
		Created: now.Format(time.RFC3339Nano), NextBy: now.Add(t.opt.DigestInterval).Format(time.RFC3339Nano), Stopped: stop}
	if t.lastDigest != nil {
		prevSeq, prevNo = t.lastDigest.seq, t.lastDigest.no
		doc.PreviousSig = hex.EncodeToString(t.lastDigest.sig)
		doc.PreviousHash = t.lastDigest.hash
	}
	if lastSeq < prevSeq {
		return fmt.Errorf("audit: seal: the chain head (record %d) is before the last digest's last record (%d): the trail was tampered with", lastSeq, prevSeq)
	}
	if lastSeq == prevSeq && !stop && !t.cadenceDueLocked(now) {
		t.sealedThrough(lastSeq)
		return nil
	}
	doc.Number, doc.FirstSeq, doc.LastSeq, doc.PreviousSeq = prevNo+1, prevSeq+1, lastSeq, prevSeq
	doc.Records = lastSeq - prevSeq
	doc.LastRecordHash = hex.EncodeToString(lastHash)
	if doc.Records > 0 {
		// A digest ends where a block ends (it seals the head): the
		// blocks from prevSeq+1 on are those it seals.
		first, last, err := t.st.AuditTimes(ctx, prevSeq+1, lastSeq)
		if err != nil || first.IsZero() {
			return fmt.Errorf("audit: seal: the time range of records %d-%d: %v", prevSeq+1, lastSeq, err)
		}
		doc.StartTime, doc.EndTime = first.UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339)
	}
	data, sig, err := signDigest(t.key, &doc)
	if err != nil {
		return err
	}
	d := store.AuditDigest{No: doc.Number, Seq: lastSeq, Time: now, Data: data, Sig: sig, KeyID: t.key.ID}
	err = t.st.PutAuditDigest(ctx, d)
	if errors.Is(err, store.ErrExists) || errors.Is(err, store.ErrConflict) {
		return t.reloadDigestLocked(ctx) // another replica sealed it
	}
	if err != nil {
		return err
	}
	t.lastDigest = newDigestState(&d)
	t.sealedThrough(lastSeq)
	t.publish(&d)
	return nil
}

func (t *Trail) reloadDigestLocked(ctx context.Context) error {
	last, err := t.st.LastAuditDigest(ctx)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err != nil {
		if t.lastDigest != nil {
			t.opt.Logger.Error("audit: every digest was removed from the store: the trail was tampered with", "last_digest_written", t.lastDigest.no)
		}
		t.lastDigest = nil
		return nil
	}
	if t.lastDigest != nil && last.No < t.lastDigest.no {
		t.opt.Logger.Error("audit: the stored digests end before the last one written: digests were removed (the trail was cut back)",
			"stored_last_digest", last.No, "last_digest_written", t.lastDigest.no)
	}
	t.lastDigest = newDigestState(&last)
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
		if doc.Records == 0 {
			continue // covers no record: nothing to delete or keep
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
