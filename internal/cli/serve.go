package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/securecart/warden/internal/api/cloudtrail"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server"
	"github.com/securecart/warden/internal/services"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/postgres"
	"github.com/securecart/warden/internal/store/sqlite"
	landingzones "github.com/securecart/warden/landing-zones"
)

type serveFlags struct {
	org, data, database, listen, tlsCert, tlsKey, masterKeyFile, logFormat, logLevel string
	publicURL                                                                        string
	grace, auditRetention                                                            time.Duration
	trail                                                                            trailFlags
	safety                                                                           safetyFlags
	replaceOrg                                                                       bool
	detect                                                                           detectFlags
}

func newServe(env Env) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve [--org PATH] [--data DIR | --database postgres://...] [--listen ADDR]",
		Short: "Serve the AWS-compatible STS, IAM, Organizations, CloudTrail and Identity Center endpoint",
		Long: `Serve AWS's STS, IAM, Organizations and CloudTrail APIs, and IAM Identity Center's (identitystore,
sso-admin, SSO OIDC and the portal), over HTTP (HTTPS with --tls-cert and --tls-key) on --listen,
for any AWS client pointed at it with --endpoint-url. Every signed call (SigV4) is decided by the
engine with the caller's identity policies, boundary, session policy and SCPs, and every call is
recorded in the audit trail before it is answered (written to the trail's file, synced to disk
within --audit-sync; "ack" answers only after the sync). People sign in at /device (warden login).

State lives in --data (an embedded SQLite database, the default) or in PostgreSQL (--database),
which several replicas can share (they must share the master key: --master-key-file or
WARDEN_MASTER_KEY). A new store is seeded from --org (default: the embedded SecureCart landing
zone); an existing store keeps its own state. --org on an existing store with other files than
the ones it was seeded with, which describe another organization than the store's, is refused with
the list of differences; --replace-org applies them, logging each one.

On the first start with a new store, Warden writes DIR/credentials (mode 0600), an AWS shared
credentials file with profile warden-admin: a long-term access key of the IAM user warden-admin,
the management account's administrator (AdministratorAccess; exempt from SCPs, as the management
account is in AWS), which can assume OrganizationAccountAccessRole in every member account. It
never prints or logs the secret. It also writes DIR/identity-center-passwords (mode 0600): one-time
passwords of the org's Identity Center users, which each person changes at the first sign-in; it
never logs them. With an external identity provider as identity source it writes none: people
sign in at the provider.

GET /healthz answers 200 once ready; GET /metrics serves Prometheus metrics. SIGTERM or SIGINT
stops accepting, finishes requests in flight and exits 0.`,
		Example: `  warden serve
  AWS_SHARED_CREDENTIALS_FILE=~/.local/share/warden/credentials AWS_PROFILE=warden-admin \
    AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 aws --endpoint-url http://127.0.0.1:4566 sts get-caller-identity`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return runServe(ctx, env, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.org, "org", "", "organization file or directory to seed a new store (default: the embedded SecureCart landing zone); other files than an existing store's, describing another organization, are refused unless --replace-org")
	fl.BoolVar(&f.replaceOrg, "replace-org", false, "replace an existing store's organization with --org's, logging each change (keys, sessions and the audit trail stay)")
	fl.StringVar(&f.data, "data", defaultDataDir(), "data directory: the SQLite store, the master key and the credentials file")
	fl.StringVar(&f.database, "database", "", "PostgreSQL URL (postgres://...) instead of the SQLite store; the data directory still holds the credentials file")
	fl.StringVar(&f.listen, "listen", "127.0.0.1:4566", "address to listen on")
	fl.StringVar(&f.publicURL, "public-url", "", "the URL people and clients reach the server at, behind a proxy or load balancer (default: http(s)://the listen address); the device page and Identity Center's SAML service provider (/saml/metadata, /saml/acs) are named by it")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate file (PEM); serve HTTPS")
	fl.StringVar(&f.tlsKey, "tls-key", "", "TLS private key file (PEM)")
	fl.StringVar(&f.masterKeyFile, "master-key-file", "", "file holding the master key (base64, 32 bytes); default DATA/master.key, created on first start; or set WARDEN_MASTER_KEY")
	fl.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fl.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fl.DurationVar(&f.grace, "shutdown-grace", 30*time.Second, "how long to wait for requests in flight on shutdown")
	fl.DurationVar(&f.auditRetention, "audit-retention", 0, "delete audit records older than this (e.g. 2160h for 90 days), whole digest periods at a time, checking every hour; 0 keeps every record")
	f.trail.add(fl)
	f.safety.add(fl)
	f.detect.add(fl, "detect-")
	return cmd
}

// defaultDataDir is the per-user data directory.
func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "warden")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "warden")
	}
	return "warden-data"
}

func newLogger(env Env, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(env.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(env.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

func runServe(ctx context.Context, env Env, f serveFlags) error {
	log, err := newLogger(env, f.logFormat, f.logLevel)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	if err := f.detect.check(); err != nil {
		return err
	}
	if f.auditRetention < 0 {
		return &ExitError{Code: 2, Err: fmt.Errorf("--audit-retention %v: want a positive duration, or 0 to keep every record", f.auditRetention)}
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return &ExitError{Code: 2, Err: errors.New("--tls-cert and --tls-key go together")}
	}
	if u, err := url.Parse(f.publicURL); f.publicURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "") {
		return &ExitError{Code: 2, Err: fmt.Errorf("--public-url %q: want http:// or https:// and a host, without a path, as in https://warden.securecart.example", f.publicURL)}
	}
	tuneGC()
	// Listen first: a busy or malformed address fails before anything is
	// created on disk.
	l, err := net.Listen("tcp", f.listen)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	defer l.Close()
	if f.org != "" {
		// A malformed org fails before anything is created on disk.
		if _, err := loadOrg(f.org); err != nil {
			return &ExitError{Code: 2, Err: err}
		}
	}
	if err := os.MkdirAll(f.data, 0o700); err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	master, err := masterKey(f)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	if err := f.safety.checkSecretFiles(f, log); err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	sealer, err := creds.NewSealer(master)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	syncDelay, err := f.trail.syncDelay(f.database != "")
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	var st store.Store
	if f.database != "" {
		st, err = postgres.Open(ctx, f.database)
	} else {
		var lite *sqlite.Store
		if lite, err = sqlite.Open(ctx, f.data); err == nil {
			lite.SetAuditSyncDelay(syncDelay)
			st = lite
		}
	}
	if err != nil {
		return &ExitError{Code: 2, Err: fmt.Errorf("opening the store: %w", err)}
	}
	defer st.Close()

	var orgFS fs.FS = landingzones.FS
	orgPath := landingzones.SecureCart
	if f.org != "" {
		abs, err := filepath.Abs(f.org)
		if err != nil {
			return &ExitError{Code: 2, Err: err}
		}
		orgFS, orgPath = os.DirFS(filepath.Dir(abs)), filepath.Base(abs)
	}
	if f.replaceOrg && f.org == "" {
		return &ExitError{Code: 2, Err: errors.New("--replace-org needs --org: the organization to replace the store's with")}
	}
	if f.org != "" {
		if err := checkOrg(ctx, st, orgFS, orgPath, f, env, log); err != nil {
			return err
		}
	}
	// A signal while starting stops Warden as cleanly as one while serving.
	startErr := func(err error) error {
		if ctx.Err() != nil {
			log.Info("stopped while starting")
			return nil
		}
		return &ExitError{Code: 2, Err: err}
	}
	keyID, secret, err := server.Bootstrap(ctx, st, sealer, orgFS, orgPath, env.Now())
	if err != nil {
		return startErr(fmt.Errorf("seeding the store: %w", err))
	}
	if keyID != "" {
		path := filepath.Join(f.data, "credentials")
		if err := server.WriteCredentials(path, server.AdminProfile, keyID, secret); err != nil {
			return &ExitError{Code: 2, Err: fmt.Errorf("writing %s: %w", path, err)}
		}
		log.Info("new store: wrote the administrator's credentials", "file", path, "profile", server.AdminProfile, "access_key_id", keyID)
		pwPath := filepath.Join(f.data, server.PasswordsFile)
		n, err := server.WriteInitialPasswords(ctx, st, sealer, pwPath, publicURL(f, l)+"/device", env.Now)
		if err != nil {
			return &ExitError{Code: 2, Err: fmt.Errorf("writing %s: %w", pwPath, err)}
		}
		if n > 0 {
			log.Info("new store: wrote one-time passwords of the Identity Center users", "file", pwPath, "users", n)
		}
	}
	owner, err := auditOwner(ctx, st, env)
	if err != nil {
		return startErr(err)
	}
	topt, anchors, err := f.trail.options(f.data, log)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	if anchors != nil {
		defer anchors.Close()
	}
	topt.Owner, topt.Clock, topt.Retention, topt.Logger = owner, env.Now, f.auditRetention, log
	// No commit waits for a digest to be written.
	topt.SealApart = true
	if syncDelay > 0 {
		// A commit waits for no sync: lingering for a larger group would
		// only keep the callers (and the cores) waiting.
		topt.Linger = -1
	}
	trail, err := audit.Open(ctx, st, sealer, topt)
	if err != nil {
		return startErr(fmt.Errorf("opening the audit trail: %w", err))
	}
	defer trail.Close()
	srv, err := server.New(ctx, server.Config{Store: st, MasterKey: master, Clock: env.Now, Logger: log, Audit: trail, Services: services.All(), PublicURL: publicURL(f, l),
		Detections: f.detect.cfg})
	if err != nil {
		return startErr(err)
	}
	scheme := "http"
	if f.tlsCert != "" {
		scheme = "https"
	}
	warnPlainListener(log, l.Addr(), f.tlsCert != "")
	go sweepSignIn(ctx, st, env.Now, log)
	log.Info("serving", "url", scheme+"://"+l.Addr().String(), "store", storeName(f))
	if err := srv.Serve(ctx, l, f.tlsCert, f.tlsKey, f.grace); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// publicURL is the URL the server is reached at: its listen address, with
// https when it serves TLS.
func publicURL(f serveFlags, l net.Listener) string {
	if f.publicURL != "" {
		return strings.TrimSuffix(f.publicURL, "/")
	}
	scheme := "http"
	if f.tlsCert != "" {
		scheme = "https"
	}
	return scheme + "://" + l.Addr().String()
}

// checkOrg compares --org with the organization of an existing store: the
// files it was seeded with (a restart: it keeps what the APIs changed) or
// the same organization serve on; another is replaced with --replace-org
// (each change logged), or refused with the differences and what to do.
func checkOrg(ctx context.Context, st store.Store, orgFS fs.FS, orgPath string, f serveFlags, env Env, log *slog.Logger) error {
	v, err := st.StateVersion(ctx)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	if v == 0 {
		return nil // a new store: Bootstrap seeds it from --org
	}
	changes, source, err := server.ReplaceOrg(ctx, st, orgFS, orgPath, env.Now(), f.replaceOrg)
	if err != nil {
		return &ExitError{Code: 2, Err: fmt.Errorf("--org %s: %w", f.org, err)}
	}
	where := "the data directory " + f.data
	if f.database != "" {
		where = "the database"
	}
	switch {
	case len(changes) == 0:
		log.Info("the store holds the organization of --org", "org", f.org)
	case source && !f.replaceOrg:
		// The same files as before: a restart. The store keeps what the
		// APIs changed since.
		log.Info("--org is the organization the store was seeded with; the store keeps the changes made through the APIs since",
			"org", f.org, "changes", len(changes))
	case f.replaceOrg:
		for _, c := range changes {
			log.Info("replaced the organization", "org", f.org, "change", c)
		}
	default:
		return &ExitError{Code: 2, Err: fmt.Errorf(`--org %s: %s already holds an organization, which differs from these files:
  %s
Warden keeps the organization a store holds (the APIs change it). To replace it with these files,
run again with --replace-org (keys, sessions and the audit trail stay); or serve them from a new
--data directory; or leave out --org to serve the store as it is`, f.org, where, strings.Join(changes, "\n  "))}
	}
	return nil
}

func storeName(f serveFlags) string {
	if f.database != "" {
		return "postgres"
	}
	return "sqlite:" + filepath.Join(f.data, "warden.db")
}

func masterKey(f serveFlags) ([]byte, error) {
	if v := os.Getenv("WARDEN_MASTER_KEY"); v != "" {
		return creds.ParseMasterKey(v)
	}
	path := f.masterKeyFile
	if path == "" {
		path = filepath.Join(f.data, "master.key")
	}
	return creds.LoadOrCreateMasterKey(path)
}

// auditOwner is the account that owns the trail (see cloudtrail.TrailOwner).
func auditOwner(ctx context.Context, st store.Store, env Env) (string, error) {
	m := state.New(st, env.Now)
	o, err := m.Org(ctx)
	if err != nil {
		return "", err
	}
	return cloudtrail.TrailOwner(o), nil
}

// sweepSignIn deletes the Identity Center sign-in state (client
// registrations, device authorizations, tokens) that expired more than an
// hour ago, at start and then every hour, until ctx ends.
func sweepSignIn(ctx context.Context, st store.Store, now func() time.Time, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		n, err := st.DeleteExpiredSignIn(ctx, now().Add(-time.Hour))
		if err != nil && ctx.Err() == nil {
			log.Warn("deleting expired sign-in state", "error", err.Error())
		} else if n > 0 {
			log.Info("deleted expired sign-in state", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
