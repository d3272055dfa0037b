package api

import (
	"context"
	"github.com/securecart/warden/internal/detect"
	"log/slog"
	"net/http"
	"time"

	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

// Protocol is an AWS wire protocol, as botocore's service-2.json names it in
// metadata.protocol.
type Protocol string

// The protocols the server speaks.
const (
	// Query: form-encoded POST (or GET) with Action and Version; XML replies
	// (STS, IAM).
	Query Protocol = "query"
	// JSON: POST with X-Amz-Target: Prefix.Operation and
	// application/x-amz-json-1.x bodies (Organizations, CloudTrail, SSO admin,
	// Identity Store, Config).
	JSON Protocol = "json"
	// RESTJSON: the operation is the HTTP method and path; members bind to
	// path labels, the query string, headers and a JSON body (Access
	// Analyzer, Security Hub, SSO portal, SSO OIDC).
	RESTJSON Protocol = "rest-json"
	// RESTXML: as RESTJSON with an XML body (S3, Route 53, CloudFront).
	RESTXML Protocol = "rest-xml"
)

// Descriptor declares one AWS service to the server: everything the server
// needs to route a request to one of its handlers and to answer in the
// service's protocol. A service package exposes a Factory that returns it;
// internal/services lists the factories `warden serve` hosts.
type Descriptor struct {
	// Name is the service's name in Warden: the first label of the
	// CloudTrail event source and the metrics' service label ("sts",
	// "access-analyzer", "sso").
	Name string
	// SigningName is the service of the SigV4 credential scope
	// (metadata.signingName, else endpointPrefix); default Name.
	SigningName string
	// EventSource is the CloudTrail eventSource; default Name + ".amazonaws.com".
	EventSource string
	Protocol    Protocol
	// APIVersion is metadata.apiVersion ("2011-06-15"); query requests that
	// name another Version are refused.
	APIVersion string
	// XMLNamespace is the xmlns of query and REST-XML replies.
	XMLNamespace string
	// TargetPrefixes are the X-Amz-Target prefixes of a JSON service
	// (metadata.targetPrefix, and any short form clients send).
	TargetPrefixes []string
	// JSONVersion is metadata.jsonVersion of a JSON service: "1.0" or
	// "1.1" (default).
	JSONVersion string
	// Handlers are the operations by name.
	Handlers map[string]Handler
	// Routes are the HTTP bindings of a REST service's operations, by name:
	// every handler of a REST service has one.
	Routes map[string]Route
	// Unsigned names the operations callers make without AWS credentials
	// (STS AssumeRoleWithWebIdentity, SSO OIDC CreateToken). Every other
	// operation requires a valid SigV4 signature.
	Unsigned []string
	// Stateless names the operations that read nothing of the
	// organization's state, so they skip the per-request check that it is
	// current.
	Stateless []string
	// ErrorStatus gives the HTTP status of this service's errors where its
	// API reference differs from awsproto's table (Access Analyzer's
	// ResourceNotFoundException is 404, Organizations' is 400).
	ErrorStatus map[string]int
	// Pages are HTML pages the service serves beside its API, by
	// http.ServeMux pattern (SSO OIDC's device verification page, "/device").
	Pages map[string]http.Handler
	// Background, when set, runs while the server serves: Serve starts it
	// and cancels its context on shutdown, then waits for it to return
	// (Security Hub's detections on the trail).
	Background func(ctx context.Context)
}

// Route is one operation's HTTP binding, as botocore's service-2.json gives
// it: operation.http and the input members' location and locationName.
type Route struct {
	// Method is http.method ("GET").
	Method string
	// RequestURI is http.requestUri: a path template whose labels name
	// members ("/analyzer/{analyzerName}"; "{Key+}" takes the rest of the
	// path, slashes included), optionally followed by "?" and literal query
	// parameters the request must carry ("/{Bucket}?acl").
	RequestURI string
	// SuccessCode is http.responseCode (default 200).
	SuccessCode int
	// Bindings place input members in the URI, query string and headers.
	// A path label without a binding is the member of the same name.
	Bindings []Binding
}

// Location is where a REST input member travels (botocore's "location").
type Location string

// The input member locations.
const (
	InURI         Location = "uri"
	InQueryString Location = "querystring"
	InHeader      Location = "header"
)

// Binding places one input member.
type Binding struct {
	Member   string   // the input shape's member name ("analyzerName")
	Location Location // uri, querystring or header
	Name     string   // locationName: the label, query parameter or header name
	// Type is the member's shape type: string (default), integer, long,
	// boolean, timestamp (ISO 8601 in a query string or header), or list (of
	// strings: a repeated query parameter or a comma-separated header).
	Type string
}

// Deps are what the server shares with the services it hosts.
type Deps struct {
	State   *state.Manager
	Authz   *Authorizer
	Keyring *creds.Keyring // session tokens
	Store   store.Store
	Master  *creds.Sealer // secrets at rest
	// HTTPClient makes the server's outbound calls (OpenID Connect
	// discovery and keys).
	HTTPClient *http.Client
	// ForgetKey drops an access key from the server's key cache, so that a
	// key deactivated or deleted through this replica stops working at once.
	ForgetKey func(accessKeyID string)
	// Audit records events that no call carries (Access Analyzer's finding
	// changes); nil when the server keeps no trail.
	Audit call.Auditor
	// Clock is the server's clock; Logger its log.
	Clock  func() time.Time
	Logger *slog.Logger
	// PublicURL is the URL people and clients reach the server at (the
	// device verification page is under it).
	PublicURL string
	// Detections are the thresholds of the trail's threat detections
	// (zero: detect.Defaults()).
	Detections detect.Config
}

// Factory builds a service over the server's shared parts.
type Factory func(d *Deps) *Descriptor
