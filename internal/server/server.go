package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/securecart/warden/internal/access"
	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

// Server is the AWS-compatible endpoint.
type Server struct {
	cfg     Config
	st      store.Store
	master  *creds.Sealer
	keyring *creds.Keyring
	State   *state.Manager
	authz   *api.Authorizer
	log     *slog.Logger
	clock   func() time.Time
	// background are the services' Background tasks, run while serving.
	background []func(ctx context.Context)

	// routes are built from the services' descriptors.
	routes  *router
	metrics *metrics
	keys    keyCache
	orgSync stateSync
	// grants checks the sessions of time-boxed access grants.
	grants *access.Manager
	ready  bool
	// pages are the HTML pages services serve beside their APIs.
	pages map[string]http.Handler
}

// New builds a server over a store that already holds the org's state (see
// Bootstrap), hosting the services of cfg.Services.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 1 << 20
	}
	master, err := creds.NewSealer(cfg.MasterKey)
	if err != nil {
		return nil, err
	}
	kr, err := creds.NewKeyring(ctx, cfg.Store, master, creds.PurposeSessionToken, cfg.Clock())
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, st: cfg.Store, master: master, keyring: kr, log: cfg.Logger, clock: cfg.Clock}
	s.State = state.New(cfg.Store, cfg.Clock)
	if _, err := s.State.Org(ctx); err != nil {
		return nil, err
	}
	s.authz = &api.Authorizer{Orgs: s.State, Keyring: kr}
	s.grants = &access.Manager{Store: cfg.Store, State: s.State, Clock: cfg.Clock}
	deps := &api.Deps{State: s.State, Authz: s.authz, Keyring: kr, Store: cfg.Store, Master: master,
		HTTPClient: cfg.OIDCClient, ForgetKey: s.ForgetKey, Audit: cfg.Audit, Clock: cfg.Clock, Logger: cfg.Logger, PublicURL: cfg.PublicURL,
		Detections: cfg.Detections}
	descs := make([]*api.Descriptor, 0, len(cfg.Services))
	for _, f := range cfg.Services {
		d := f(deps)
		descs = append(descs, d)
		if d.Background != nil {
			s.background = append(s.background, d.Background)
		}
		for pattern, h := range d.Pages {
			if s.pages == nil {
				s.pages = map[string]http.Handler{}
			}
			s.pages[pattern] = h
		}
	}
	if s.routes, err = newRouter(descs); err != nil {
		return nil, err
	}
	s.metrics = newMetrics()
	s.ready = true
	return s, nil
}

// Authorizer returns the server's authorizer.
func (s *Server) Authorizer() *api.Authorizer { return s.authz }

// Keyring returns the session-token keyring.
func (s *Server) Keyring() *creds.Keyring { return s.keyring }

// Master returns the sealer of secrets at rest.
func (s *Server) Master() *creds.Sealer { return s.master }

// Handler returns the HTTP handler: /healthz, /metrics, and the AWS APIs on
// every other path.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if !s.ready {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	for pattern, h := range s.pages {
		mux.Handle(pattern, h)
	}
	mux.HandleFunc("/", s.serveAWS)
	return mux
}

// newRequestID returns a request ID: a random UUID, as AWS's
// x-amzn-RequestId.
func newRequestID() string { return call.NewUUID() }

// serveAWS handles one AWS API request. Every request reaches the audit
// trail, whatever its fate: unsigned, malformed, refused, or for an
// operation Warden does not serve.
func (s *Server) serveAWS(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := newRequestID()
	// The call, the exchange and the trail's event, in one allocation.
	st := &struct {
		c  call.Call
		ex exchange
		ev call.Event
	}{}
	c, ex := &st.c, &st.ex
	*c = call.Call{RequestID: reqID, Now: s.clock().UTC(), SourceIP: sourceIP(r), UserAgent: r.UserAgent(), Secure: secure(r),
		Host: r.Host, TLS: r.TLS != nil}
	ex.proto = api.Query
	err := s.handle(r, c, ex)
	var result any
	if err == nil {
		result, err = s.invoke(r.Context(), c, ex)
	}
	var ae *awsproto.Error
	if err != nil {
		var known bool
		ae, known = awsproto.As(err)
		if !known {
			s.log.Error("internal failure", "request_id", reqID, "service", c.Service, "action", c.Action, "error", err.Error())
		}
	}
	if s.cfg.Audit != nil {
		ev := &st.ev
		*ev = call.Event{Call: c, RecipientAccount: c.RecipientAccount}
		if ex.svc != nil {
			ev.EventSource = ex.svc.EventSource
		} else if c.Service != "" {
			ev.EventSource = c.Service + ".amazonaws.com"
		}
		if ae != nil {
			ev.ErrorCode, ev.ErrorMessage = ex.errorCode(ae), ae.Message
		}
		if aerr := s.cfg.Audit.Record(r.Context(), ev); aerr != nil {
			s.log.Error("audit write failed: the call is not answered", "request_id", reqID, "error", aerr.Error())
			ae, result = &awsproto.Error{Code: "ServiceUnavailable", Message: "The service is unavailable: the audit trail could not record the request.", Status: 503}, nil
		}
	}
	code := "OK"
	if ae != nil {
		code = ex.errorCode(ae)
	}
	s.respond(w, ex, reqID, c.Action, result, ae)
	d := time.Since(start)
	// Metrics label only what Warden serves: names a client makes up stay
	// out of the label space.
	svcLabel, opLabel := "unknown", "unknown"
	if ex.svc != nil {
		svcLabel = ex.svc.Name
		if ex.known {
			opLabel = ex.op
		}
	}
	s.metrics.observe(svcLabel, opLabel, code, d)
	// The request's log line, when it is written: its attributes are not
	// built otherwise (boxing them cost every request allocations).
	if s.log.Enabled(r.Context(), slog.LevelInfo) {
		principal := ""
		if c.Identity != nil {
			principal = c.Identity.ARN
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("request_id", reqID), slog.String("service", c.Service),
			slog.String("action", c.Action), slog.String("principal", principal), slog.String("source_ip", c.SourceIP),
			slog.String("code", code), slog.Float64("duration_ms", float64(d.Microseconds())/1000))
	}
}

// invoke runs the operation's handler.
func (s *Server) invoke(ctx context.Context, c *call.Call, ex *exchange) (any, error) {
	if !ex.svc.stateless[ex.op] {
		if err := s.syncState(ctx); err != nil {
			return nil, err
		}
	}
	return ex.svc.Handlers[ex.op](ctx, c)
}

// secure reports whether the request came over TLS or over loopback: a
// connection that never leaves the machine is as private as TLS, so
// aws:SecureTransport is true for it, and policies that require TLS (as
// SecureCart's do) work with a local `warden serve` over plain HTTP.
func secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Zone() == "" && ip.IsLoopback()
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Serve serves on l until ctx ends, then stops accepting, finishes the
// requests in flight (up to grace) and returns.
func (s *Server) Serve(ctx context.Context, l net.Listener, tlsCert, tlsKey string, grace time.Duration) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	bctx, stop := context.WithCancel(ctx)
	var background sync.WaitGroup
	for _, f := range s.background {
		background.Go(func() { f(bctx) })
	}
	defer func() {
		stop()
		background.Wait()
	}()
	errc := make(chan error, 1)
	go func() {
		if tlsCert != "" {
			errc <- hs.ServeTLS(l, tlsCert, tlsKey)
		} else {
			errc <- hs.Serve(l)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := hs.Shutdown(sctx)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}
