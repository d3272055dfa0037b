package sigv4

import (
	"net/http"
	"time"
)

// Protocol constants.
const (
	// Algorithm is the only signing algorithm accepted.
	Algorithm = "AWS4-HMAC-SHA256"
	// Terminator ends every credential scope.
	Terminator = "aws4_request"
	// UnsignedPayload stands for the payload hash of a presigned request
	// whose body is not signed.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// MaxSkew is how far the request time may be from the server's clock.
	MaxSkew = 15 * time.Minute
	// MaxExpires is the longest X-Amz-Expires accepted (7 days).
	MaxExpires = 7 * 24 * time.Hour

	timeFormat = "20060102T150405Z" // ISO 8601 basic, as in X-Amz-Date
	dayFormat  = "20060102"
)

// Credentials are an access key pair, with the session token of temporary
// credentials. String redacts the secret, so printing Credentials is safe.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// String returns the access key ID only.
func (c Credentials) String() string { return c.AccessKeyID + " (secret redacted)" }

// GoString returns the access key ID only, for %#v.
func (c Credentials) GoString() string { return "sigv4.Credentials{" + c.String() + "}" }

// Scope is a credential scope: date/region/service/terminator.
type Scope struct {
	Date       string // yyyyMMdd as sent
	Region     string
	Service    string
	Terminator string // aws4_request when well formed
}

// String returns the scope as it appears in the credential and in the string
// to sign.
func (s Scope) String() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/" + s.Terminator
}

// Auth is the signature information a request claims, as returned by Parse.
// Nothing in it has been verified until Verify succeeds.
type Auth struct {
	AccessKeyID   string
	Scope         Scope
	Date          time.Time     // the request time (X-Amz-Date, or Date), UTC
	SignedHeaders []string      // lower-case, in the client's order
	Signature     string        // hex, as sent
	Presigned     bool          // query-string form
	Expires       time.Duration // X-Amz-Expires of a presigned request; 0 if absent

	// SecurityToken is X-Amz-Security-Token (header, or query when
	// presigned); "" if none. The signature covers it; whether it is the
	// live session token of AccessKeyID is for the server to check.
	SecurityToken string

	req     *http.Request // the request Parse read; Verify insists on the same one
	query   []queryParam  // its decoded query
	expires bool          // X-Amz-Expires was present
	// signedBuf holds SignedHeaders when they are few, as SDKs sign
	// (Parse's one allocation is then the Auth).
	signedBuf [8]string
}
