package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/securecart/warden/internal/store"
)

// Column lists of the sign-in tables.
const (
	SSOClientCols  = `id, secret_hash, name, type, scopes, created, expires`
	DeviceAuthCols = `code_hash, user_code, client_id, scopes, created, expires, poll_interval, last_poll, status, user_id, auth_time`
	SSOTokenCols   = `hash, kind, grant_id, client_id, user_id, created, expires, auth_time, revoked`
	PasswordCols   = `user_id, hash, must_change, updated`
)

// SignInQueries is the SQL text of the sign-in statements, written once
// for both databases (numbered parameters, ON CONFLICT, RETURNING).
type SignInQueries struct {
	ClientInsert, Client                                   string
	DeviceInsert, DeviceByUser, DeviceByCode, DeviceDecide string
	DevicePoll, DeviceSlowDown, DeviceConsume              string
	TokenInsert, Token, TokenRevoke, GrantRevoke           string
	PasswordInsert, PasswordUpdate, Password               string
	RateHit, RateGet, RateReset                            string
	ExpireClients, ExpireDevices, ExpireTokens             string
	UseOnce, ExpireOnce                                    string
}

// SignInSQL returns the sign-in statements with parameters written $1, $2
// ... (PostgreSQL: mark '$') or ?1, ?2 ... (SQLite: mark '?').
func SignInSQL(mark byte) SignInQueries {
	q := SignInQueries{
		ClientInsert: `INSERT INTO sso_clients (` + SSOClientCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		Client:       `SELECT ` + SSOClientCols + ` FROM sso_clients WHERE id = $1`,

		DeviceInsert: `INSERT INTO sso_device_auths (` + DeviceAuthCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
		DeviceByUser: `SELECT ` + DeviceAuthCols + ` FROM sso_device_auths WHERE user_code = $1`,
		DeviceByCode: `SELECT ` + DeviceAuthCols + ` FROM sso_device_auths WHERE code_hash = $1`,
		DeviceDecide: `UPDATE sso_device_auths SET status = $1, user_id = $2, auth_time = $3 WHERE user_code = $4 AND status = 'pending'`,
		DevicePoll: `UPDATE sso_device_auths SET last_poll = $1 WHERE code_hash = $2
			AND (last_poll IS NULL OR last_poll + poll_interval * CAST(1000000000 AS BIGINT) <= $1)`,
		DeviceSlowDown: `UPDATE sso_device_auths SET last_poll = $1, poll_interval = poll_interval + 5 WHERE code_hash = $2`,
		DeviceConsume:  `UPDATE sso_device_auths SET status = 'used' WHERE code_hash = $1 AND status = 'approved'`,

		TokenInsert: `INSERT INTO sso_tokens (` + SSOTokenCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
		Token:       `SELECT ` + SSOTokenCols + ` FROM sso_tokens WHERE hash = $1`,
		TokenRevoke: `UPDATE sso_tokens SET revoked = $1 WHERE hash = $2 AND revoked IS NULL`,
		GrantRevoke: `UPDATE sso_tokens SET revoked = $1 WHERE grant_id = $2 AND revoked IS NULL`,

		PasswordInsert: `INSERT INTO sso_passwords (` + PasswordCols + `) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		PasswordUpdate: `UPDATE sso_passwords SET hash = $1, must_change = $2, updated = $3 WHERE user_id = $4`,
		Password:       `SELECT ` + PasswordCols + ` FROM sso_passwords WHERE user_id = $1`,

		// A window that ended ($3 is now minus the window) starts again at 1.
		RateHit: `INSERT INTO rate_limits (limit_key, window_start, hits) VALUES ($1, $2, 1)
			ON CONFLICT (limit_key) DO UPDATE SET
				hits = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.hits + 1 END,
				window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END
			RETURNING hits`,
		RateGet:   `SELECT hits FROM rate_limits WHERE limit_key = $1 AND window_start > $2`,
		RateReset: `DELETE FROM rate_limits WHERE limit_key = $1`,

		ExpireClients: `DELETE FROM sso_clients WHERE expires < $1`,
		ExpireDevices: `DELETE FROM sso_device_auths WHERE expires < $1`,
		ExpireTokens:  `DELETE FROM sso_tokens WHERE expires < $1`,

		// A key is taken when it is new or its record expired ($3 is now):
		// one statement, so that of concurrent uses exactly one changes a row.
		UseOnce: `INSERT INTO used_once (once_key, expires) VALUES ($1, $2)
			ON CONFLICT (once_key) DO UPDATE SET expires = $2 WHERE used_once.expires <= $3`,
		ExpireOnce: `DELETE FROM used_once WHERE expires < $1`,
	}
	if mark == '$' {
		return q
	}
	for _, p := range []*string{&q.ClientInsert, &q.Client, &q.DeviceInsert, &q.DeviceByUser, &q.DeviceByCode,
		&q.DeviceDecide, &q.DevicePoll, &q.DeviceSlowDown, &q.DeviceConsume, &q.TokenInsert, &q.Token,
		&q.TokenRevoke, &q.GrantRevoke, &q.PasswordInsert, &q.PasswordUpdate, &q.Password, &q.RateHit,
		&q.RateGet, &q.RateReset, &q.ExpireClients, &q.ExpireDevices, &q.ExpireTokens, &q.UseOnce, &q.ExpireOnce} {
		*p = strings.ReplaceAll(*p, "$", string(mark))
	}
	return q
}

// PutSSOClient implements store.SignIn.
func (c *Core) PutSSOClient(ctx context.Context, cl store.SSOClient) error {
	if cl.ID == "" || cl.Created.IsZero() || cl.Expires.IsZero() || len(cl.SecretHash) == 0 {
		return fmt.Errorf("store: SSO client %q needs an ID, a secret hash, a creation and an expiry time", cl.ID)
	}
	n, err := affected(c.w.ExecContext(ctx, c.signIn.ClientInsert, cl.ID, cl.SecretHash, cl.Name, cl.Type, cl.Scopes, Nanos(cl.Created), Nanos(cl.Expires)))
	if err != nil {
		return fmt.Errorf("put SSO client %s: %w", cl.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("SSO client %s: %w", cl.ID, store.ErrExists)
	}
	return nil
}

// SSOClient implements store.SignIn.
func (c *Core) SSOClient(ctx context.Context, id string) (store.SSOClient, error) {
	var cl store.SSOClient
	var created, expires sql.NullInt64
	err := c.r.QueryRowContext(ctx, c.signIn.Client, id).Scan(&cl.ID, &cl.SecretHash, &cl.Name, &cl.Type, &cl.Scopes, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return store.SSOClient{}, notFound("SSO client", id)
	}
	if err != nil {
		return store.SSOClient{}, fmt.Errorf("SSO client %s: %w", id, err)
	}
	cl.SecretHash = Bytes(cl.SecretHash)
	cl.Created, cl.Expires = Time(created), Time(expires)
	return cl, nil
}

// PutDeviceAuth implements store.SignIn.
func (c *Core) PutDeviceAuth(ctx context.Context, d store.DeviceAuth) error {
	if len(d.CodeHash) == 0 || d.UserCode == "" || d.Created.IsZero() || d.Expires.IsZero() {
		return fmt.Errorf("store: device authorization %q needs a code hash, a user code, a creation and an expiry time", d.UserCode)
	}
	if d.Status == "" {
		d.Status = store.DevicePending
	}
	n, err := affected(c.w.ExecContext(ctx, c.signIn.DeviceInsert, d.CodeHash, d.UserCode, d.ClientID, d.Scopes,
		Nanos(d.Created), Nanos(d.Expires), d.Interval, Nanos(d.LastPoll), d.Status, d.UserID, Nanos(d.AuthTime)))
	if err != nil {
		return fmt.Errorf("put device authorization %s: %w", d.UserCode, err)
	}
	if n == 0 {
		return fmt.Errorf("device authorization %s: %w", d.UserCode, store.ErrExists)
	}
	return nil
}

func scanDeviceAuth(s Scanner) (store.DeviceAuth, error) {
	var d store.DeviceAuth
	var created, expires, lastPoll, authTime sql.NullInt64
	err := s.Scan(&d.CodeHash, &d.UserCode, &d.ClientID, &d.Scopes, &created, &expires, &d.Interval, &lastPoll, &d.Status, &d.UserID, &authTime)
	d.CodeHash = Bytes(d.CodeHash)
	d.Created, d.Expires, d.LastPoll, d.AuthTime = Time(created), Time(expires), Time(lastPoll), Time(authTime)
	return d, err
}

// DeviceAuthByUserCode implements store.SignIn.
func (c *Core) DeviceAuthByUserCode(ctx context.Context, userCode string) (store.DeviceAuth, error) {
	d, err := scanDeviceAuth(c.w.QueryRowContext(ctx, c.signIn.DeviceByUser, userCode))
	if errors.Is(err, sql.ErrNoRows) {
		return store.DeviceAuth{}, notFound("device authorization", userCode)
	}
	if err != nil {
		return store.DeviceAuth{}, fmt.Errorf("device authorization %s: %w", userCode, err)
	}
	return d, nil
}

func (c *Core) deviceByCode(ctx context.Context, codeHash []byte) (store.DeviceAuth, error) {
	d, err := scanDeviceAuth(c.w.QueryRowContext(ctx, c.signIn.DeviceByCode, codeHash))
	if errors.Is(err, sql.ErrNoRows) {
		return store.DeviceAuth{}, notFound("device authorization", fmt.Sprintf("%.8x", codeHash))
	}
	if err != nil {
		return store.DeviceAuth{}, fmt.Errorf("device authorization: %w", err)
	}
	return d, nil
}

// DecideDeviceAuth implements store.SignIn.
func (c *Core) DecideDeviceAuth(ctx context.Context, userCode, status, userID string, authTime time.Time) error {
	if status != store.DeviceApproved && status != store.DeviceDenied {
		return fmt.Errorf("store: device authorization decision %q: want approved or denied", status)
	}
	n, err := affected(c.w.ExecContext(ctx, c.signIn.DeviceDecide, status, userID, Nanos(authTime), userCode))
	if err != nil {
		return fmt.Errorf("decide device authorization %s: %w", userCode, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := c.DeviceAuthByUserCode(ctx, userCode); err != nil {
		return err
	}
	return fmt.Errorf("device authorization %s is no longer pending: %w", userCode, store.ErrConflict)
}

// PollDeviceAuth implements store.SignIn.
func (c *Core) PollDeviceAuth(ctx context.Context, codeHash []byte, now time.Time) (store.DeviceAuth, error) {
	n, err := affected(c.w.ExecContext(ctx, c.signIn.DevicePoll, Nanos(now), codeHash))
	if err != nil {
		return store.DeviceAuth{}, fmt.Errorf("poll device authorization: %w", err)
	}
	if n == 0 {
		if _, err := c.w.ExecContext(ctx, c.signIn.DeviceSlowDown, Nanos(now), codeHash); err != nil {
			return store.DeviceAuth{}, fmt.Errorf("poll device authorization: %w", err)
		}
	}
	d, err := c.deviceByCode(ctx, codeHash)
	if err != nil {
		return d, err
	}
	if n == 0 {
		return d, fmt.Errorf("device authorization %s polled too often: %w", d.UserCode, store.ErrConflict)
	}
	return d, nil
}

// ConsumeDeviceAuth implements store.SignIn.
func (c *Core) ConsumeDeviceAuth(ctx context.Context, codeHash []byte) error {
	n, err := affected(c.w.ExecContext(ctx, c.signIn.DeviceConsume, codeHash))
	if err != nil {
		return fmt.Errorf("consume device authorization: %w", err)
	}
	if n > 0 {
		return nil
	}
	d, err := c.deviceByCode(ctx, codeHash)
	if err != nil {
		return err
	}
	return fmt.Errorf("device authorization %s is %s, not approved: %w", d.UserCode, d.Status, store.ErrConflict)
}

// PutSSOToken implements store.SignIn.
func (c *Core) PutSSOToken(ctx context.Context, t store.SSOToken) error {
	if len(t.Hash) == 0 || (t.Kind != "access" && t.Kind != "refresh") || t.Created.IsZero() || t.Expires.IsZero() {
		return fmt.Errorf("store: SSO token needs a hash, a kind (access or refresh), a creation and an expiry time")
	}
	n, err := affected(c.w.ExecContext(ctx, c.signIn.TokenInsert, t.Hash, t.Kind, t.GrantID, t.ClientID, t.UserID,
		Nanos(t.Created), Nanos(t.Expires), Nanos(t.AuthTime), Nanos(t.Revoked)))
	if err != nil {
		return fmt.Errorf("put SSO token: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("SSO token: %w", store.ErrExists)
	}
	return nil
}

// SSOToken implements store.SignIn.
func (c *Core) SSOToken(ctx context.Context, hash []byte) (store.SSOToken, error) {
	var t store.SSOToken
	var created, expires, authTime, revoked sql.NullInt64
	err := c.r.QueryRowContext(ctx, c.signIn.Token, hash).Scan(&t.Hash, &t.Kind, &t.GrantID, &t.ClientID, &t.UserID, &created, &expires, &authTime, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return store.SSOToken{}, notFound("SSO token", fmt.Sprintf("%.8x", hash))
	}
	if err != nil {
		return store.SSOToken{}, fmt.Errorf("SSO token: %w", err)
	}
	t.Hash = Bytes(t.Hash)
	t.Created, t.Expires, t.AuthTime, t.Revoked = Time(created), Time(expires), Time(authTime), Time(revoked)
	return t, nil
}

// RevokeSSOToken implements store.SignIn.
func (c *Core) RevokeSSOToken(ctx context.Context, hash []byte, at time.Time) error {
	n, err := affected(c.w.ExecContext(ctx, c.signIn.TokenRevoke, Nanos(at), hash))
	if err != nil {
		return fmt.Errorf("revoke SSO token: %w", err)
	}
	if n > 0 {
		return nil
	}
	if _, err := c.SSOToken(ctx, hash); err != nil {
		return err
	}
	return fmt.Errorf("SSO token already revoked: %w", store.ErrConflict)
}

// RevokeSSOGrant implements store.SignIn.
func (c *Core) RevokeSSOGrant(ctx context.Context, grantID string, at time.Time) (int64, error) {
	n, err := affected(c.w.ExecContext(ctx, c.signIn.GrantRevoke, Nanos(at), grantID))
	if err != nil {
		return 0, fmt.Errorf("revoke SSO sign-in %s: %w", grantID, err)
	}
	return n, nil
}

// AddSSOPassword implements store.SignIn.
func (c *Core) AddSSOPassword(ctx context.Context, p store.SSOPassword) error {
	if p.UserID == "" || p.Hash == "" || p.Updated.IsZero() {
		return fmt.Errorf("store: password of %q needs a user, a hash and a time", p.UserID)
	}
	n, err := affected(c.w.ExecContext(ctx, c.signIn.PasswordInsert, p.UserID, p.Hash, boolInt(p.MustChange), Nanos(p.Updated)))
	if err != nil {
		return fmt.Errorf("add password of %s: %w", p.UserID, err)
	}
	if n == 0 {
		return fmt.Errorf("password of %s: %w", p.UserID, store.ErrExists)
	}
	return nil
}

// SetSSOPassword implements store.SignIn.
func (c *Core) SetSSOPassword(ctx context.Context, p store.SSOPassword) error {
	if p.Hash == "" || p.Updated.IsZero() {
		return fmt.Errorf("store: password of %q needs a hash and a time", p.UserID)
	}
	n, err := affected(c.w.ExecContext(ctx, c.signIn.PasswordUpdate, p.Hash, boolInt(p.MustChange), Nanos(p.Updated), p.UserID))
	if err != nil {
		return fmt.Errorf("set password of %s: %w", p.UserID, err)
	}
	if n == 0 {
		return notFound("password of user", p.UserID)
	}
	return nil
}

// SSOPassword implements store.SignIn.
func (c *Core) SSOPassword(ctx context.Context, userID string) (store.SSOPassword, error) {
	var p store.SSOPassword
	var must int64
	var updated sql.NullInt64
	err := c.w.QueryRowContext(ctx, c.signIn.Password, userID).Scan(&p.UserID, &p.Hash, &must, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return store.SSOPassword{}, notFound("password of user", userID)
	}
	if err != nil {
		return store.SSOPassword{}, fmt.Errorf("password of %s: %w", userID, err)
	}
	p.MustChange, p.Updated = must != 0, Time(updated)
	return p, nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// HitRateLimit implements store.SignIn with one upsert, so that concurrent
// hits on every replica are all counted.
func (c *Core) HitRateLimit(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	var n int
	err := c.w.QueryRowContext(ctx, c.signIn.RateHit, key, now.UnixNano(), now.Add(-window).UnixNano()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("rate limit %s: %w", key, err)
	}
	return n, nil
}

// RateLimitCount implements store.SignIn.
func (c *Core) RateLimitCount(ctx context.Context, key string, now time.Time, window time.Duration) (int, error) {
	var n int
	err := c.w.QueryRowContext(ctx, c.signIn.RateGet, key, now.Add(-window).UnixNano()).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("rate limit %s: %w", key, err)
	}
	return n, nil
}

// ResetRateLimit implements store.SignIn.
func (c *Core) ResetRateLimit(ctx context.Context, key string) error {
	if _, err := c.w.ExecContext(ctx, c.signIn.RateReset, key); err != nil {
		return fmt.Errorf("reset rate limit %s: %w", key, err)
	}
	return nil
}

// UseOnce implements store.SignIn with one upsert: a row changes only for
// a new key or an expired one.
func (c *Core) UseOnce(ctx context.Context, key string, now, expires time.Time) error {
	n, err := affected(c.w.ExecContext(ctx, c.signIn.UseOnce, key, expires.UnixNano(), now.UnixNano()))
	if err != nil {
		return fmt.Errorf("use once %s: %w", key, err)
	}
	if n == 0 {
		return fmt.Errorf("use once %s: %w", key, store.ErrExists)
	}
	return nil
}

// DeleteExpiredSignIn implements store.SignIn.
func (c *Core) DeleteExpiredSignIn(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for _, q := range []string{c.signIn.ExpireClients, c.signIn.ExpireDevices, c.signIn.ExpireTokens, c.signIn.ExpireOnce} {
		n, err := affected(c.w.ExecContext(ctx, q, before.UnixNano()))
		if err != nil {
			return total, fmt.Errorf("delete expired sign-in state: %w", err)
		}
		total += n
	}
	return total, nil
}
