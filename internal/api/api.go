// Package api holds what every AWS API handler shares: the handler
// signature, the service descriptor a service package declares (descriptor.go)
// and the server reads to route requests, and authorization of a call by the
// engine with the caller's whole situation (authorize.go). The call, identity
// and event types live below, in internal/call; api names them for handlers.
package api

import (
	"context"
	"time"

	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/call"
)

// The request types of internal/call, under the names handlers use.
type (
	Identity  = call.Identity
	Call      = call.Call
	Resource  = call.Resource
	Event     = call.Event
	Federated = call.Federated
	Auditor   = call.Auditor
)

// Handler serves one action. It returns the result to encode (a struct with
// xml tags for query services, json tags for JSON services) or an error; an
// *awsproto.Error is shown to the client, any other error is a 500.
type Handler func(ctx context.Context, c *Call) (any, error)

// Clock tells the time; servers and tests inject it.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now() }

// InvalidParameter is AWS's error for a malformed parameter value.
func InvalidParameter(format string, args ...any) error {
	return awsproto.Errorf("ValidationError", format, args...)
}
