package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/securecart/warden/internal/store"
)

// Queries is a database's SQL text for each operation. Parameters are listed
// in the order Core passes them; writes run on the writer pool, reads on the
// reader pool.
type Queries struct {
	// Writes.
	StateInsert string // (doc): insert version 1 unless a state exists
	StateUpdate string // (doc, expect): bump the version if it is expect

	KeyInsert string // (AccessKeyCols...): insert unless the ID exists
	KeyStatus string // (status, id)
	KeyTouch  string // (lastUsed, service, region, id): only if newer than the stored last use
	KeyExists string // (id) -> 1
	KeyDelete string // (id)

	ServerKeyInsert string // (ServerKeyCols...): insert unless the ID exists
	ServerKeyRetire string // (at, id): set retired unless already set
	ServerKeyDelete string // (id)

	MFAInsert  string // (MFACols...): insert unless the serial exists
	MFAAdvance string // (step, serial): only if last_step < step
	MFAExists  string // (serial) -> 1
	MFADelete  string // (serial)

	AuditLock          string // () -> seq, hash of the chain head, locked until commit
	AuditInsert        string // (AuditBlockCols...)
	AuditSetHead       string // (seq, hash)
	AuditDeleteThrough string // (seq, limit): delete up to limit blocks with last_seq <= seq -> each one's record count
	DigestExists       string // (seq) -> 1 when a digest ends at record seq
	DigestNoExists     string // (no) -> 1 when a digest numbered no exists
	DigestInsert       string // (DigestCols...): insert when no is the last number + 1 and is free

	// Reads.
	State        string // () -> doc, version
	StateVersion string // () -> version
	AccessKey    string // (id) -> AccessKeyCols
	AccessKeys   string // (owner) -> AccessKeyCols, oldest first
	ServerKeys   string // (purpose) -> ServerKeyCols, newest first
	MFADevice    string // (serial) -> MFACols
	MFADevices   string // (owner) -> MFACols
	AuditFrom    string // (fromSeq, after, limit) -> AuditBlockCols of the blocks from the one holding fromSeq on, with first_seq > after, by first_seq
	AuditBlocks  string // (fromSeq, toSeq) -> AuditBlockCols with fromSeq <= first_seq <= toSeq, by first_seq
	AuditByTime  string // (start, end, beforeSeq, limit) -> AuditBlockCols meeting [start, end) with first_seq < beforeSeq, first_seq descending
	AuditTimes   string // (fromSeq, toSeq) -> min(min_time), max(max_time) of the blocks with fromSeq <= first_seq <= toSeq (NULL when none)
	AuditHead    string // () -> seq, hash
	Digests      string // () -> DigestCols, by number
	LastDigest   string // () -> DigestCols, the highest number

	// SignIn is the text of the sign-in statements (see SignInSQL).
	SignIn SignInQueries
	// Records is the text of the records statements (see RecordsSQL).
	Records RecordsQueries
}

// Core implements store.Store (all but Close, which the database's Store
// wraps) on prepared statements. Create it with New.
type Core struct {
	w, r *sql.DB

	stateInsert, stateUpdate, stateGet, stateVersion        *sql.Stmt
	keyInsert, keyStatus, keyTouch, keyExists, keyDelete    *sql.Stmt
	keyGet, keyList                                         *sql.Stmt
	serverKeyInsert, serverKeyRetire, serverKeyDelete       *sql.Stmt
	serverKeyList                                           *sql.Stmt
	mfaInsert, mfaAdvance, mfaExists, mfaDelete             *sql.Stmt
	mfaGet, mfaList                                         *sql.Stmt
	auditLock, auditInsert, auditSetHead                    *sql.Stmt
	auditDeleteThrough, digestExists, digestNoExists        *sql.Stmt
	auditFrom, auditByTime, auditHead, digestInsert, digest *sql.Stmt
	auditBlocks, auditTimes, lastDigest                     *sql.Stmt
	all                                                     []*sql.Stmt
	signIn                                                  SignInQueries
	records                                                 RecordsQueries
}

// New prepares q's statements, writes on w and reads on r (which may be the
// same pool). The pools stay the caller's until Close.
func New(ctx context.Context, w, r *sql.DB, q Queries) (*Core, error) {
	c := &Core{w: w, r: r, signIn: q.SignIn, records: q.Records}
	for _, s := range []struct {
		dst **sql.Stmt
		db  *sql.DB
		sql string
	}{
		{&c.stateInsert, w, q.StateInsert},
		{&c.stateUpdate, w, q.StateUpdate},
		{&c.keyInsert, w, q.KeyInsert},
		{&c.keyStatus, w, q.KeyStatus},
		{&c.keyTouch, w, q.KeyTouch},
		{&c.keyExists, w, q.KeyExists},
		{&c.keyDelete, w, q.KeyDelete},
		{&c.serverKeyInsert, w, q.ServerKeyInsert},
		{&c.serverKeyRetire, w, q.ServerKeyRetire},
		{&c.serverKeyDelete, w, q.ServerKeyDelete},
		{&c.mfaInsert, w, q.MFAInsert},
		{&c.mfaAdvance, w, q.MFAAdvance},
		{&c.mfaExists, w, q.MFAExists},
		{&c.mfaDelete, w, q.MFADelete},
		{&c.auditLock, w, q.AuditLock},
		{&c.auditInsert, w, q.AuditInsert},
		{&c.auditSetHead, w, q.AuditSetHead},
		{&c.auditDeleteThrough, w, q.AuditDeleteThrough},
		{&c.digestExists, w, q.DigestExists},
		{&c.digestNoExists, w, q.DigestNoExists},
		{&c.digestInsert, w, q.DigestInsert},

		{&c.stateGet, r, q.State},
		{&c.stateVersion, r, q.StateVersion},
		{&c.keyGet, r, q.AccessKey},
		{&c.keyList, r, q.AccessKeys},
		{&c.serverKeyList, r, q.ServerKeys},
		{&c.mfaGet, r, q.MFADevice},
		{&c.mfaList, r, q.MFADevices},
		{&c.auditFrom, r, q.AuditFrom},
		{&c.auditBlocks, r, q.AuditBlocks},
		{&c.auditTimes, r, q.AuditTimes},
		{&c.auditByTime, r, q.AuditByTime},
		{&c.auditHead, r, q.AuditHead},
		{&c.digest, r, q.Digests},
		{&c.lastDigest, r, q.LastDigest},
	} {
		st, err := s.db.PrepareContext(ctx, s.sql)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("prepare %q: %w", s.sql, err), c.closeStmts())
		}
		*s.dst = st
		c.all = append(c.all, st)
	}
	return c, nil
}

// Close closes the statements and then the pools.
func (c *Core) Close() error {
	errs := []error{c.closeStmts(), c.w.Close()}
	if c.r != c.w {
		errs = append(errs, c.r.Close())
	}
	return errors.Join(errs...)
}

func (c *Core) closeStmts() error {
	var errs []error
	for _, st := range c.all {
		errs = append(errs, st.Close())
	}
	c.all = nil
	return errors.Join(errs...)
}

// affected returns the rows an Exec changed.
func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// exists reports whether query (on the writer) returns a row.
func exists(ctx context.Context, st *sql.Stmt, arg any) (bool, error) {
	var one int
	err := st.QueryRowContext(ctx, arg).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// notFound wraps store.ErrNotFound with what was missing.
func notFound(what, id string) error {
	return fmt.Errorf("%s %q: %w", what, id, store.ErrNotFound)
}
