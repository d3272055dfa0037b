package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/api/sts"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/identity"
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

	// services maps a service to its actions.
	services map[string]map[string]api.Handler
	metrics  *metrics
	keys     keyCache
	orgSync  stateSync
	ready    bool
}

// New builds a server over a store that already holds the org's state (see
// Bootstrap).
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
	stsSvc := &sts.Service{Orgs: s.State, Authz: s.authz, Keyring: kr, Store: cfg.Store, Master: master,
		OIDC: &identity.OIDC{Client: cfg.OIDCClient}}
	s.services = map[string]map[string]api.Handler{
		"sts": stsSvc.Handlers(),
	}
	s.metrics = newMetrics()
	s.ready = true
	return s, nil
}

// Register adds a service's handlers (IAM, Organizations, CloudTrail).
func (s *Server) Register(service string, handlers map[string]api.Handler) {
	s.services[service] = handlers
}

// Authorizer returns the server's authorizer, for the services it hosts.
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
	mux.HandleFunc("/", s.serveAWS)
	return mux
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// serveAWS handles one AWS API request.
func (s *Server) serveAWS(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := newRequestID()
	c := &api.Call{RequestID: reqID, Now: s.clock().UTC(), SourceIP: sourceIP(r), UserAgent: r.UserAgent(), Secure: secure(r)}
	json := r.Header.Get("X-Amz-Target") != ""
	err := s.handle(r, c)
	var result any
	if err == nil {
		result, err = s.invoke(r.Context(), c)
	}
	var ae *awsproto.Error
	if err != nil {
		var known bool
		ae, known = awsproto.As(err)
		if !known {
			s.log.Error("internal failure", "request_id", reqID, "service", c.Service, "action", c.Action, "error", err.Error())
		}
	}
	if c.Service != "" && c.Action != "" && s.cfg.Audit != nil {
		ev := &api.Event{Call: c, EventSource: c.Service + ".amazonaws.com"}
		if ae != nil {
			ev.ErrorCode, ev.ErrorMessage = ae.Code, ae.Message
			if json {
				ev.ErrorCode = awsproto.JSONCode(ae.Code)
			}
		}
		if aerr := s.cfg.Audit.Record(r.Context(), ev); aerr != nil {
			s.log.Error("audit write failed: the call is not answered", "request_id", reqID, "error", aerr.Error())
			ae, result = &awsproto.Error{Code: "ServiceUnavailable", Message: "The service is unavailable: the audit trail could not record the request.", Status: 503}, nil
		}
	}
	code := "OK"
	if ae != nil {
		code = ae.Code
		if json {
			awsproto.WriteJSONError(w, reqID, ae)
		} else {
			awsproto.WriteQueryError(w, c.Service, reqID, ae)
		}
	} else if json {
		awsproto.WriteJSONResult(w, reqID, result)
	} else {
		awsproto.WriteQueryResult(w, c.Service, c.Action, reqID, result)
	}
	d := time.Since(start)
	s.metrics.observe(c.Service, c.Action, code, d)
	principal := ""
	if c.Identity != nil {
		principal = c.Identity.ARN
	}
	s.log.Info("request", "request_id", reqID, "service", c.Service, "action", c.Action, "principal", principal,
		"source_ip", c.SourceIP, "code", code, "duration_ms", float64(d.Microseconds())/1000)
}

// stateless are the actions that read nothing of the organization's state,
// so they skip the per-request check that it is current.
var stateless = map[string]bool{"sts:GetCallerIdentity": true, "sts:GetAccessKeyInfo": true}

// invoke runs the handler.
func (s *Server) invoke(ctx context.Context, c *api.Call) (any, error) {
	if !stateless[c.Service+":"+c.Action] {
		if err := s.syncState(ctx); err != nil {
			return nil, err
		}
	}
	h := s.services[c.Service][c.Action]
	return h(ctx, c)
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
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
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

var _ = strings.TrimSpace
var _ = prometheus.NewRegistry
