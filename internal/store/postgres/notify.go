package postgres

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// VersionBound is how stale KnownStateVersion may be about a change another
// replica made: the same bound as the SQLite store's for other processes.
// Changes made through this Store are known at once, and other replicas'
// normally within the time PostgreSQL takes to deliver a notification.
const VersionBound = 250 * time.Millisecond

// stateChannel is the channel PutState announces each new version on (the
// payload is the version in decimal), in the transaction that writes it:
// PostgreSQL delivers the notification when, and only if, it commits.
const stateChannel = "warden_state"

// listenerName is the listener connection's application_name, so that an
// operator can tell it apart in pg_stat_activity.
const listenerName = "warden-state-listener"

// KnownStateVersion implements store.StateWatcher: the newest version known
// without a query, while it was confirmed against the database less than
// the bound ago. The listener confirms it every half bound on its own
// connection and raises it on every notification, so the request path does
// not query; when the listener's connection is down, the caller reads the
// version (StateVersion), which confirms it for another bound.
func (s *Store) KnownStateVersion() (int64, bool) {
	return s.Versions.Known(s.bound)
}

// listen keeps a connection LISTENing on stateChannel until ctx ends,
// reconnecting after a failure with a growing pause (up to the bound).
func (s *Store) listen(ctx context.Context, cfg *pgx.ConnConfig) {
	defer close(s.listenDone)
	pause := 20 * time.Millisecond
	for ctx.Err() == nil {
		if s.listenOnce(ctx, cfg) {
			pause = 20 * time.Millisecond // it was up: retry soon
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, s.bound)
	}
}

// listenOnce connects, LISTENs, then reads the version and waits for
// notifications in turn, reading it again every half bound, until the
// connection fails or ctx ends. It reports whether it got as far as
// listening.
func (s *Store) listenOnce(ctx context.Context, cfg *pgx.ConnConfig) bool {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+stateChannel); err != nil {
		return false
	}
	for {
		// Read after LISTEN: a change committed before the read is in it,
		// one committed after is notified.
		asked := time.Now()
		var v int64
		if err := conn.QueryRow(ctx, `SELECT coalesce((SELECT version FROM state WHERE id = 1), 0)`).Scan(&v); err != nil {
			return true
		}
		s.Versions.Saw(v, asked)
		s.listening.Store(true)
		next := asked.Add(s.bound / 2)
		for {
			wait, cancel := context.WithDeadline(ctx, next)
			n, err := conn.WaitForNotification(wait)
			cancel()
			if err != nil {
				if ctx.Err() == nil && errors.Is(wait.Err(), context.DeadlineExceeded) {
					break // time to confirm the version again
				}
				s.listening.Store(false)
				return true
			}
			if v, err := strconv.ParseInt(n.Payload, 10, 64); err == nil {
				s.Versions.Raise(v)
			}
		}
	}
}
