// Package servertest starts a Warden server on loopback for tests: a fresh
// SQLite store seeded with the embedded SecureCart landing zone, the
// bootstrap administrator's credentials (warden-admin), an injected clock,
// and aws-sdk-go-v2 configurations pointed at it.
package servertest

import (
	"context"
	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/detect"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server"
	"github.com/securecart/warden/internal/services"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/sqlite"
	landingzones "github.com/securecart/warden/landing-zones"
)

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set sets the time.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Harness is a running server.
type Harness struct {
	URL         string
	Server      *server.Server
	Store       store.Store
	Clock       *Clock
	AdminKeyID  string
	AdminSecret string
	MasterKey   []byte
	Dir         string
	// Trail is the durable audit trail, when Options.TrailOwner asked for one.
	Trail *audit.Trail
	// DatabaseURL is the PostgreSQL database of PostgresReplicas' replicas
	// (for a command run with --database beside them).
	DatabaseURL string

	stop func() error
}

// Stop stops the server before the test ends, as a replica that shuts down
// (its requests finished, its Background tasks ended); the test's end then
// does nothing more to it.
func (h *Harness) Stop() error { return h.stop() }

// Options adjust the harness.
type Options struct {
	Store     store.Store // default: a new SQLite store in a temp dir
	MasterKey []byte      // default: a new key
	Audit     call.Auditor
	// TrailOwner, when set, opens a durable audit trail owned by that
	// account on the store, as `warden serve` does, and records to it
	// (Audit is then ignored).
	TrailOwner string
	// Services are the services the server hosts (default: Warden's,
	// services.All).
	Services []api.Factory
	// OIDCClient fetches OIDC providers' keys (for a test identity provider).
	OIDCClient *http.Client
	// OrgFS and OrgPath are the org files the store is seeded with
	// (default: the embedded SecureCart landing zone).
	OrgFS   fs.FS
	OrgPath string
	// Now is the clock's start (default: the wall clock's time, since real
	// clients sign with the wall clock).
	Now time.Time
	// Detections are the thresholds of the trail's threat detections
	// (default: detect.Defaults()).
	Detections detect.Config
	// LogLevel is the lowest level the server logs at (default: info, as
	// `warden serve`'s default; the load runs serve at warn, without the
	// request's log line, and so do the handler's benchmarks).
	LogLevel slog.Level
}

// Start starts a server with the options; it stops at the end of the test.
func Start(t testing.TB, opt Options) *Harness {
	t.Helper()
	h, err := build(t, opt)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// StartErr builds a server with the options and returns server.New's error,
// for tests of what stops a server from starting; a server that builds
// serves until the test ends.
func StartErr(t testing.TB, opt Options) error {
	t.Helper()
	_, err := build(t, opt)
	return err
}

func build(t testing.TB, opt Options) (*Harness, error) {
	t.Helper()
	ctx := context.Background()
	h := &Harness{Dir: t.TempDir(), Clock: &Clock{t: opt.Now}}
	if opt.Now.IsZero() {
		h.Clock.Set(time.Now().UTC().Truncate(time.Second))
	}
	st := opt.Store
	if st == nil {
		s, err := sqlite.Open(ctx, h.Dir)
		if err != nil {
			t.Fatal(err)
		}
		st = s
		t.Cleanup(func() { s.Close() })
	}
	h.Store = st
	h.MasterKey = opt.MasterKey
	if h.MasterKey == nil {
		h.MasterKey = creds.NewKey()
	}
	sealer, err := creds.NewSealer(h.MasterKey)
	if err != nil {
		t.Fatal(err)
	}
	if opt.TrailOwner != "" {
		trail, err := audit.Open(ctx, st, sealer, audit.Options{Owner: opt.TrailOwner})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { trail.Close() }) // after the server stops
		h.Trail, opt.Audit = trail, trail
	}
	orgFS, orgPath := opt.OrgFS, opt.OrgPath
	if orgFS == nil {
		orgFS, orgPath = landingzones.FS, landingzones.SecureCart
	}
	h.AdminKeyID, h.AdminSecret, err = server.Bootstrap(ctx, st, sealer, orgFS, orgPath, h.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	svcs := opt.Services
	if svcs == nil {
		svcs = services.All()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.URL = "http://" + l.Addr().String()
	srv, err := server.New(ctx, server.Config{Store: st, MasterKey: h.MasterKey, Clock: h.Clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: opt.LogLevel})), Audit: opt.Audit, OIDCClient: opt.OIDCClient, Services: svcs, PublicURL: h.URL,
		Detections: opt.Detections})
	if err != nil {
		l.Close()
		return nil, err
	}
	h.Server = srv
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx, l, "", "", 5*time.Second) }()
	h.stop = sync.OnceValue(func() error {
		cancel()
		return <-done
	})
	t.Cleanup(func() {
		if err := h.stop(); err != nil {
			t.Errorf("server: %v", err)
		}
	})
	// Wait until it answers.
	for i := 0; i < 100; i++ {
		if resp, err := http.Get(h.URL + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return h, nil
}
