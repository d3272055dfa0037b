// Package api holds what every AWS API handler shares: the call (who, what,
// when), the handler signature, and authorization of a call by the engine
// with the caller's whole situation.
package api

import (
	"context"
	"time"

	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/policy"
)

// Identity is the authenticated caller of a signed request.
type Identity struct {
	ARN         string // the principal: root, user or session ARN
	Account     string
	UserID      string // aws:userid
	Kind        policy.CallerKind
	AccessKeyID string
	// Session is set for temporary credentials (ASIA...).
	Session *creds.Session
}

// Call is one API request as handlers see it.
type Call struct {
	Service   string // "sts", "iam", "organizations", "cloudtrail"
	Action    string // "AssumeRole"
	Region    string
	RequestID string
	Now       time.Time
	Params    awsproto.Params // query protocol
	Body      []byte          // JSON protocol
	Identity  *Identity       // nil for unsigned calls (AssumeRoleWithWebIdentity, AssumeRoleWithSAML)
	SourceIP  string
	UserAgent string
	Secure    bool // TLS

	// Filled by handlers, for the audit trail.
	RequestParameters any
	ResponseElements  any
	Resources         []Resource
	ReadOnly          bool
	// SharedEventID links the records of one event in several accounts (a
	// cross-account AssumeRole is recorded in both).
	SharedEventID string
	// ExtraRecipients are other accounts that get a record of the call.
	ExtraRecipients []string
}

// Resource is a resource a call touched, for the trail.
type Resource struct {
	ARN, Type, Account string
}

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

// Event is a finished call, as the audit trail records it.
type Event struct {
	Call         *Call
	EventSource  string // "sts.amazonaws.com"
	ErrorCode    string // "" on success
	ErrorMessage string
	// Anonymous identity for unsigned calls: the account the call targeted.
	RecipientAccount string
}

// Auditor records events. Record must make the record durable before it
// returns: the server answers only after it does.
type Auditor interface {
	Record(ctx context.Context, e *Event) error
}
