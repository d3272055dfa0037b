package postgres

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"sync"
	"time"

	"github.com/securecart/warden/internal/store"
)

// TryLease takes a session advisory lock named after the lease on a
// connection of its own (pg_try_advisory_lock: it does not wait). The lock
// is PostgreSQL's to release when the session ends, so a replica that
// stops, or loses its connection, leaves the lease to the others at once.
// The connection is taken from the store's pool for as long as the lease
// is held.
func (s *Store) TryLease(ctx context.Context, name string) (store.Lease, bool, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, err
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", leaseKey(name)).Scan(&ok); err != nil {
		return nil, false, errors.Join(err, discard(conn))
	}
	if !ok {
		return nil, false, conn.Close()
	}
	l := &lease{conn: conn, s: s, key: leaseKey(name)}
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	if s.leases == nil {
		s.leases = map[*lease]bool{}
	}
	s.leases[l] = true
	return l, true, nil
}

// releaseLeases ends the leases still held, as Close does: database/sql
// closes only idle connections.
func (s *Store) releaseLeases() error {
	s.leaseMu.Lock()
	held := s.leases
	s.leases = nil
	s.leaseMu.Unlock()
	var errs []error
	for l := range held {
		errs = append(errs, l.Release())
	}
	return errors.Join(errs...)
}

// leaseKey is the advisory lock key of a lease: 64 bits of the SHA-256 of
// its name, apart from the migrations' key.
func leaseKey(name string) int64 {
	sum := sha256.Sum256([]byte("warden lease\x00" + name))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

type lease struct {
	mu   sync.Mutex
	conn *sql.Conn
	s    *Store
	key  int64
}

// Held pings the lease's session: while it lives, the lock is its.
func (l *lease) Held(ctx context.Context) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conn != nil && l.conn.PingContext(ctx) == nil
}

// Release unlocks the lock, so that another replica can take it at once,
// and ends the session that held it rather than returning the connection
// to the pool (where a failed unlock would leave the lock held by a pooled
// connection; the session's end releases it in any case, as soon as
// PostgreSQL notices).
func (l *lease) Release() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l.conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", l.key) // the session's end unlocks it if this fails
	err := discard(l.conn)
	l.conn = nil
	l.s.leaseMu.Lock()
	delete(l.s.leases, l)
	l.s.leaseMu.Unlock()
	return err
}

// discard closes conn's session instead of returning it to the pool.
func discard(conn *sql.Conn) error {
	// Raw's function failing with ErrBadConn makes database/sql close the
	// session and the Conn.
	err := conn.Raw(func(any) error { return driver.ErrBadConn })
	if errors.Is(err, driver.ErrBadConn) {
		err = nil
	}
	if cerr := conn.Close(); !errors.Is(cerr, sql.ErrConnDone) {
		err = errors.Join(err, cerr)
	}
	return err
}
