package scim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

// Prefix is the SCIM endpoint's path (AWS: https://scim.REGION.amazonaws.com/TENANT/scim/v2).
const Prefix = "/scim/v2"

// EventSource is the trail's event source of SCIM calls (AWS's).
const EventSource = "identitystore-scim.amazonaws.com"

// MediaType is SCIM's (RFC 7644 section 8.1).
const MediaType = "application/scim+json"

// maxBody bounds a request body.
const maxBody = 1 << 20

// Handler serves the SCIM endpoint over the org's Identity Center
// directory.
type Handler struct {
	State  *state.Manager
	Store  store.Store
	Audit  call.Auditor // nil: no trail
	Clock  func() time.Time
	Logger *slog.Logger
	// Base is the endpoint's public URL (meta.location).
	Base string
}

// New builds the handler from the server's shared parts.
func New(d *api.Deps) *Handler {
	base := strings.TrimRight(d.PublicURL, "/") + Prefix
	return &Handler{State: d.State, Store: d.Store, Audit: d.Audit, Clock: d.Clock, Logger: d.Logger, Base: base}
}

// NewService declares the SCIM endpoint to the server: no AWS operations,
// only its pages under Prefix.
func NewService(d *api.Deps) *api.Descriptor {
	return &api.Descriptor{Name: "identitystore-scim", EventSource: EventSource, Protocol: api.RESTJSON, Pages: New(d).Pages()}
}

// Pages are the handler's http.ServeMux patterns.
func (h *Handler) Pages() map[string]http.Handler {
	return map[string]http.Handler{Prefix + "/": h, Prefix: h}
}

// request is one SCIM call.
type request struct {
	h    *Handler
	r    *http.Request
	now  time.Time
	body []byte
	c    *call.Call
	o    *org.Org
	// status is the success status (200, 201, 204).
	status int
}

func (h *Handler) now() time.Time {
	if h.Clock != nil {
		return h.Clock().UTC()
	}
	return time.Now().UTC()
}

// ServeHTTP authenticates, routes, answers and records the call.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := h.now()
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	rq := &request{h: h, r: r, now: now, status: http.StatusOK,
		c: &call.Call{Service: "identitystore-scim", Region: "us-east-1", RequestID: newRequestID(), Now: now, SourceIP: ip,
			UserAgent: r.UserAgent(), Secure: r.TLS != nil}}
	out, err := rq.serve(r.Context())
	w.Header().Set("Content-Type", MediaType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Amzn-RequestId", rq.c.RequestID)
	var se *Error
	if err != nil && !errors.As(err, &se) {
		h.log().Error("scim", "action", rq.c.Action, "error", err)
		se = &Error{Status: http.StatusInternalServerError, Detail: "Internal error (request " + rq.c.RequestID + ")."}
	}
	ev := &call.Event{Call: rq.c, EventSource: EventSource, RecipientAccount: rq.c.RecipientAccount}
	if se != nil {
		ev.ErrorCode, ev.ErrorMessage = se.Code(), se.Detail
	}
	if h.Audit != nil && rq.c.Action != "" {
		if aerr := h.Audit.Record(r.Context(), ev); aerr != nil {
			h.log().Error("scim: the trail refused the call's record", "action", rq.c.Action, "error", aerr)
			se, out = &Error{Status: http.StatusInternalServerError, Detail: "The call could not be recorded in the audit trail."}, nil
		}
	}
	if se != nil {
		w.WriteHeader(se.Status)
		body := map[string]any{"schemas": []string{ErrorSchema}, "status": strconv.Itoa(se.Status), "detail": se.Detail}
		if se.ScimType != "" {
			body["scimType"] = se.ScimType
		}
		json.NewEncoder(w).Encode(body)
		return
	}
	if rq.status == http.StatusCreated {
		if m, ok := out.(map[string]any); ok {
			if meta, ok := m["meta"].(map[string]any); ok {
				w.Header().Set("Location", meta["location"].(string))
			}
		}
	}
	w.WriteHeader(rq.status)
	if out != nil {
		json.NewEncoder(w).Encode(out)
	}
}

func (h *Handler) log() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	x := hex.EncodeToString(b[:])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// serve routes a request: GET, POST, PUT, PATCH, DELETE on /Users and
// /Groups, GET on the discovery endpoints.
func (rq *request) serve(ctx context.Context) (any, error) {
	rest := strings.Trim(strings.TrimPrefix(rq.r.URL.Path, Prefix), "/")
	res, id, _ := strings.Cut(rest, "/")
	m := rq.r.Method
	rq.c.Action = action(m, res, id)
	if rq.c.Action == "" {
		if res == "Users" || res == "Groups" || res == "ServiceProviderConfig" || res == "ResourceTypes" || res == "Schemas" {
			return nil, errf(http.StatusMethodNotAllowed, "", "%s is not supported on %s/%s.", m, Prefix, rest)
		}
		return nil, errf(http.StatusNotFound, "", "No SCIM endpoint at %s/%s: want Users, Groups, ServiceProviderConfig, ResourceTypes or Schemas.", Prefix, rest)
	}
	rq.c.RequestParameters = call.Fields{"path": Prefix + "/" + rest}
	// The state as stored now (one version check): an identity provider
	// reads what it wrote a moment before, maybe through another replica.
	o, err := rq.h.State.Fresh(ctx)
	if err != nil {
		return nil, err
	}
	if o.Management != nil {
		rq.c.RecipientAccount = o.Management.ID
	}
	if err := rq.authenticate(ctx); err != nil {
		return nil, err
	}
	if o.IdentityCenter == nil {
		return nil, errf(http.StatusForbidden, "", "The organization has no IAM Identity Center instance.")
	}
	rq.o = o
	if m == http.MethodPost || m == http.MethodPut || m == http.MethodPatch {
		b, err := io.ReadAll(io.LimitReader(rq.r.Body, maxBody+1))
		if err != nil {
			return nil, invalidSyntax("The request body could not be read: %v", err)
		}
		if len(b) > maxBody {
			return nil, errf(http.StatusRequestEntityTooLarge, "tooLarge", "The request body is larger than %d bytes.", maxBody)
		}
		rq.body = b
	}
	switch res {
	case "ServiceProviderConfig", "ResourceTypes", "Schemas":
		return rq.discovery(res, id)
	case "Users":
		return rq.users(ctx, id)
	}
	return rq.groups(ctx, id)
}

// action is the trail's event name of a request (AWS's SCIM event names),
// "" for a request no endpoint serves.
func action(method, res, id string) string {
	one := id != ""
	switch res {
	case "Users", "Groups":
		kind := strings.TrimSuffix(res, "s")
		switch {
		case method == http.MethodGet && one:
			return "Get" + kind
		case method == http.MethodGet:
			return "List" + res
		case method == http.MethodPost && !one:
			return "Create" + kind
		case method == http.MethodPut && one:
			return "Put" + kind
		case method == http.MethodPatch && one:
			return "Patch" + kind
		case method == http.MethodDelete && one:
			return "Delete" + kind
		}
	case "ServiceProviderConfig":
		if method == http.MethodGet && !one {
			return "GetServiceProviderConfig"
		}
	case "ResourceTypes":
		if method == http.MethodGet {
			return map[bool]string{true: "GetResourceType", false: "ListResourceTypes"}[one]
		}
	case "Schemas":
		if method == http.MethodGet {
			return map[bool]string{true: "GetSchema", false: "ListSchemas"}[one]
		}
	}
	return ""
}

// authenticate checks the request's bearer token.
func (rq *request) authenticate(ctx context.Context) error {
	auth := rq.r.Header.Get("Authorization")
	scheme, secret, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return errUnauthorized("The request has no bearer token: send Authorization: Bearer <SCIM access token>.")
	}
	t, err := authenticate(ctx, rq.h.Store, strings.TrimSpace(secret), rq.now)
	if err != nil {
		return err
	}
	rq.c.RequestParameters.(call.Fields)["accessTokenId"] = t.ID
	return nil
}

// mutate changes the org's Identity Center directory through the state's
// optimistic concurrency, and keeps the org it built.
func (rq *request) mutate(ctx context.Context, fn func(ic *org.IdentityCenterDef) error) error {
	o, err := rq.h.State.Mutate(ctx, func(d *state.Doc) error {
		if d.Org.IdentityCenter == nil {
			return errf(http.StatusForbidden, "", "The organization has no IAM Identity Center instance.")
		}
		return fn(d.Org.IdentityCenter)
	})
	if err != nil {
		return editErr(err)
	}
	rq.o = o
	return nil
}

// decodeBody decodes the JSON body into v.
func (rq *request) decodeBody(v any) error {
	if len(rq.body) == 0 {
		return invalidSyntax("The request has no body: want a JSON object.")
	}
	if err := json.Unmarshal(rq.body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return invalidSyntax("Attribute %s must be %s, not a JSON %s.", te.Field, te.Type.Kind(), te.Value)
		}
		return invalidSyntax("The request body is not valid JSON: %v", err)
	}
	return nil
}
