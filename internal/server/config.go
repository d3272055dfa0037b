package server

import (
	"github.com/securecart/warden/internal/detect"
	"log/slog"
	"net/http"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/store"
)

// Config configures a server.
type Config struct {
	Store     store.Store
	MasterKey []byte // 32 bytes: seals secrets and server keys at rest
	Clock     func() time.Time
	Logger    *slog.Logger
	// Audit makes every call durable in the trail before it is answered;
	// nil records nothing (tests of other parts).
	Audit call.Auditor
	// Services are the AWS services the server hosts (internal/services
	// lists Warden's); it routes requests from their descriptors.
	Services []api.Factory
	// MaxBody caps request bodies (default 1 MiB).
	MaxBody int64
	// OIDCClient fetches OpenID Connect providers' discovery documents and
	// keys for AssumeRoleWithWebIdentity (default: 10-second timeout over the
	// system's roots).
	OIDCClient *http.Client
	// PublicURL is the URL people and clients reach the server at
	// (http://127.0.0.1:4566): the device verification page is under it.
	PublicURL string
	// Detections are the thresholds of the trail's threat detections
	// (zero: detect.Defaults()).
	Detections detect.Config
}
