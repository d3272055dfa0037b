// Package call holds the types every layer above the engine shares about one
// AWS API request: the authenticated caller (Identity), the request as
// handlers see it (Call), the finished call as the audit trail records it
// (Event) and the recorder (Auditor). It sits below internal/api so that the
// audit trail, the server and the handlers agree on them without the trail
// importing any handler code.
package call

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	mrand "math/rand/v2"
	"sync"
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
	Service   string // the service's name: "sts", "iam", "organizations", "cloudtrail"
	Action    string // "AssumeRole"
	Region    string
	RequestID string
	Now       time.Time
	Params    awsproto.Params // query protocol; REST-XML members bound to the URI, query string and headers
	Body      []byte          // JSON protocols (REST-JSON: the body with the URI, query and header members merged in)
	Identity  *Identity       // nil for unsigned calls (AssumeRoleWithWebIdentity, AssumeRoleWithSAML)
	// Person is the Identity Center user behind an unsigned call that
	// carries an SSO access token (the portal API).
	Person *creds.OnBehalfOf
	// CredentialID is the Identity Center credential a Person call
	// carries (the sign-in its SSO access token descends from, not the
	// token): the record's userIdentity is then IdentityCenterUser with
	// this credentialId, as CloudTrail records the portal API's calls.
	CredentialID string
	// SignedIn marks a Person call whose person is authenticated although
	// it carries no credential yet (a successful sign-in step of a user the
	// identity store knows, the management of a signed-in person's MFA
	// devices): the record's userIdentity is IdentityCenterUser without a
	// credentialId.
	SignedIn bool
	// RecipientAccount is the account that records an unsigned call, when
	// the handler knows it (the Identity Center instance's account).
	RecipientAccount string
	// InvokedBy is the service that makes a call by itself, with no
	// caller (a service event): the record's userIdentity is then the
	// RecipientAccount and invokedBy this service.
	InvokedBy string
	// Operator is the name an operator of Warden gave when acting on the
	// store itself with its keys, signed by no AWS credentials (warden
	// access revoke --store --operator NAME): the record's userIdentity is
	// Unknown in the RecipientAccount, with this userName.
	Operator string
	// Claimed is who a signed request that failed authentication claimed to
	// be, for the trail: the access key it named, with the key's owner when
	// the key is known. nil once the request is authenticated.
	Claimed *Identity
	// Federated is the identity a federation call presented (its token's
	// provider and subject), set as soon as the token is read, verified or
	// not, so that a failed call's record says whose token it was.
	Federated *Federated
	SourceIP  string
	UserAgent string
	Secure    bool // TLS, or a loopback peer
	// Host is the request's Host header and TLS whether it came over TLS:
	// where a browser that calls the API runs (the WebAuthn relying party
	// of a server without a public URL).
	Host string
	TLS  bool

	// Filled by handlers, for the audit trail.
	RequestParameters any
	ResponseElements  any
	// AdditionalEventData is CloudTrail's additionalEventData (nil for
	// none): for sign-in events, the credential type checked.
	AdditionalEventData any
	// EventType is the record's eventType ("" for AwsApiCall; sign-in
	// events are AwsServiceEvent), and ServiceEventDetails its
	// serviceEventDetails (nil for none).
	EventType           string
	ServiceEventDetails any
	Resources           []Resource
	ReadOnly            bool
	// SharedEventID links the records of one event in several accounts (a
	// cross-account AssumeRole is recorded in both).
	SharedEventID string
	// ExtraRecipients are other accounts that get a record of the call.
	ExtraRecipients []string
}

// Fields are a call's requestParameters or responseElements as CloudTrail
// records them: a JSON object in CloudTrail's lower-camel spelling.
type Fields map[string]any

// Federated is the identity of a web identity or SAML federation call.
type Federated struct {
	Type     string // "WebIdentityUser" or "SAMLUser", CloudTrail's userIdentity type
	Provider string // the IAM identity provider's ARN when known, else the token's issuer
	Subject  string // the token's subject: the user at the provider ("" when not read)
	Audience string // the token's audience: the application
	Account  string // the account of the role asked for
}

// Resource is a resource a call touched, for the trail.
type Resource struct {
	ARN, Type, Account string
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

// uuidRand holds ChaCha8 generators, each seeded from crypto/rand: a
// cryptographically strong stream (math/rand/v2's ChaCha8), a fifth of
// the cost of a crypto/rand read for each of the two IDs of every call.
var uuidRand = sync.Pool{New: func() any {
	var seed [32]byte
	rand.Read(seed[:])
	return mrand.NewChaCha8(seed)
}}

// NewUUID returns a random (version 4) UUID in its 8-4-4-4-12 form: request
// and event IDs. One allocation.
func NewUUID() string {
	var b [16]byte
	g := uuidRand.Get().(*mrand.ChaCha8)
	binary.LittleEndian.PutUint64(b[0:8], g.Uint64())
	binary.LittleEndian.PutUint64(b[8:16], g.Uint64())
	uuidRand.Put(g)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var h [36]byte
	hex.Encode(h[0:8], b[0:4])
	hex.Encode(h[9:13], b[4:6])
	hex.Encode(h[14:18], b[6:8])
	hex.Encode(h[19:23], b[8:10])
	hex.Encode(h[24:36], b[10:16])
	h[8], h[13], h[18], h[23] = '-', '-', '-', '-'
	return string(h[:])
}
