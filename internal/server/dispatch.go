package server

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/policy"
	"github.com/securecart/warden/internal/sigv4"
)

// exchange is what the server knows of a request while it answers it.
type exchange struct {
	// proto is the protocol of the answer: the addressed service's, else the
	// one the request's shape shows (X-Amz-Target: JSON; a form or an
	// Action parameter: query; any other path: REST).
	proto api.Protocol
	// jsonCT is the Content-Type of a JSON answer.
	jsonCT string
	// ct is the request's media type (Content-Type without parameters).
	ct           string
	method, path string   // the request's, for messages
	host         string   // its Host header, for messages (see where)
	svc          *service // the service addressed, once known
	op           string   // the operation the request names, known or not
	known        bool     // op is one of svc's operations
	// matches are the REST routes the request's method and path match.
	matches []*restMatch
	route   *restMatch      // the one chosen
	params  awsproto.Params // query: the parameters, once read
	// s3 answers in Amazon S3's error format (an unwrapped Error element):
	// the credential scope (or for an unsigned call its Host or path)
	// names S3, which Warden does not serve.
	s3 bool
	// queryShaped: a form body or an Action parameter, not only the path /.
	queryShaped bool
}

// Routing reads the request in this order (AWS's: the signature before
// anything that decides what runs):
//
//  1. the body, up to MaxBody;
//  2. the request's shape, only to know how to answer;
//  3. an unsigned request may name only an operation its service declares
//     unsigned; anything else is MissingAuthenticationToken;
//  4. a signed request's signature is verified (key, session token, time,
//     signature over the whole request) before anything it says is used;
//  5. then the credential scope: a real region, and the service the request
//     addresses (its X-Amz-Target prefix, its REST route, or for the query
//     protocol the scope itself);
//  6. then the operation, which must be one the service declares;
//  7. then the protocol's parameters.
func (s *Server) handle(r *http.Request, c *call.Call, ex *exchange) error {
	body, berr := readBody(r, s.cfg.MaxBody)
	// The body is read: what follows takes it from here (handlers from
	// the call), not from r.Body.
	s.classify(r, ex)
	if berr != nil {
		// Not verified (the body is not all there): recorded with the key
		// and the service its signature claims, an unknown caller.
		if signed(r) {
			if auth, err := sigv4.Parse(r); err == nil {
				c.Claimed = &call.Identity{AccessKeyID: auth.AccessKeyID}
				s.nameRefused(r, c, ex, []byte{}, auth.Scope.Service)
			}
		}
		var mbe *http.MaxBytesError
		if errors.As(berr, &mbe) {
			return awsproto.Errorf("InvalidParameterValue", "The request body is larger than %d bytes.", s.cfg.MaxBody)
		}
		return awsproto.Errorf("InvalidParameterValue", "The request body could not be read.")
	}
	if !signed(r) {
		return s.handleUnsigned(r, c, ex, body)
	}
	auth, err := sigv4.Parse(r)
	if err != nil {
		s.nameRefused(r, c, ex, body, "")
		return sigError(err)
	}
	if err := s.verify(r, c, auth, body); err != nil {
		s.nameRefused(r, c, ex, body, auth.Scope.Service)
		return err
	}
	region, scoped := auth.Scope.Region, auth.Scope.Service
	c.Region = region
	if !validRegion(region) {
		return awsproto.Errorf("SignatureDoesNotMatch", "Credential should be scoped to a valid region, not '%s'.", region)
	}
	if err := s.resolve(r, c, ex, body, scoped); err != nil {
		return err
	}
	if scoped != ex.svc.SigningName {
		return awsproto.Errorf("SignatureDoesNotMatch", "Credential should be scoped to correct service: '%s'.", ex.svc.SigningName)
	}
	if !ex.known {
		return s.unknownOperation(ex, scoped)
	}
	return s.decode(r, c, ex, body)
}

// readBody reads the request's body, at most max bytes: in one read of
// its declared length when it has one (io.ReadAll grows its buffer from
// 512 bytes, copying as it goes). net/http's body reader stops at the
// declared length, so such a body needs no other limit.
func readBody(r *http.Request, max int64) ([]byte, error) {
	if n := r.ContentLength; n > 0 && n <= max {
		body := make([]byte, n)
		_, err := io.ReadFull(r.Body, body)
		return body, err
	}
	if r.ContentLength == 0 {
		return []byte{}, nil
	}
	return io.ReadAll(http.MaxBytesReader(nil, r.Body, max))
}

// handleUnsigned lets through only the operations declared unsigned.
func (s *Server) handleUnsigned(r *http.Request, c *call.Call, ex *exchange, body []byte) error {
	if len(ex.matches) == 0 && ex.proto != api.JSON && !ex.queryShaped {
		// No route of Warden's and no query or JSON shape: a REST call to
		// a service or an operation Warden does not serve, named by its
		// Host or its path (guessAWS). S3 serves anonymous calls: what it
		// would answer is that Warden does not serve it. Any other service
		// wants a signature first.
		if g := guessAWS(r, s.cfg.PublicURL); g != nil {
			ex.proto, ex.op, ex.s3 = g.svc.proto, g.op, g.svc.name == "s3"
			c.Service, c.Action = g.svc.signingName, g.op
			if ex.s3 {
				return &awsproto.Error{Code: "NotImplemented", Status: http.StatusNotImplemented, Sender: true,
					Message: "Warden does not serve the service \"s3\" that this unsigned request addresses (" + g.op + ": " + ex.where(s.cfg.PublicURL) + ")."}
			}
			_, err := sigv4.Parse(r) // MissingAuthenticationToken
			return sigError(err)
		}
	}
	if ex.proto == api.Query {
		params, err := ex.queryParams(r, body)
		if err != nil {
			return err
		}
		ex.op = params.Get("Action")
		ex.svc = s.routes.unsignedQuery(ex.op)
	} else if len(ex.matches) > 0 {
		// The most specific route that is unsigned, else the most specific.
		m := ex.matches[0]
		for _, cand := range ex.matches {
			if cand.svc.unsigned[cand.op] {
				m = cand
				break
			}
		}
		s.chooseRoute(ex, m)
	}
	if ex.svc != nil {
		ex.known = ex.svc.Handlers[ex.op] != nil
		if ex.known && ex.svc.unsigned[ex.op] {
			c.Service, c.Action = ex.svc.Name, ex.op
			return s.decode(r, c, ex, body)
		}
	}
	s.nameRefused(r, c, ex, body, "")
	_, err := sigv4.Parse(r) // MissingAuthenticationToken
	return sigError(err)
}

// nameRefused fills in, for the record of a request refused before it was
// routed (unsigned, malformed or not authenticated), the service and the
// operation it names, CloudTrail's eventSource and eventName, as far as the
// request shows them: its X-Amz-Target or REST route; for the query
// protocol the credential scope's service, else the service whose API
// version the Version parameter names. Nothing it reads is trusted: it only
// says what the request asked for.
func (s *Server) nameRefused(r *http.Request, c *call.Call, ex *exchange, body []byte, scoped string) {
	restProto, restScoped := awsRESTProtocol(scoped)
	switch {
	case restScoped && ex.svc == nil && len(ex.matches) == 0 && !ex.queryShaped && ex.proto != api.JSON && s.routes.bySigning[scoped] == nil:
		// A REST service Warden does not serve: answered in its protocol
		// (S3's errors unwrapped), named by its routes.
		m := awsRouteOf(scoped, r, s.cfg.PublicURL)
		ex.proto, ex.s3 = restProto, s3Errors(scoped, m)
		if m != nil {
			ex.op = m.op
		}
	case ex.proto == api.Query:
		params, err := ex.queryParams(r, body)
		if err != nil {
			break
		}
		ex.op = params.Get("Action")
		if svc := s.routes.query[scoped]; svc != nil {
			ex.svc = svc
		} else if ex.svc == nil && scoped == "" {
			ex.svc = s.routes.queryVersion(params.Get("Version"))
		}
	case ex.svc == nil && len(ex.matches) > 0:
		s.chooseScoped(ex, scoped)
	}
	c.Service, c.Action = scoped, ex.op
	if ex.svc != nil {
		ex.known = ex.svc.Handlers[ex.op] != nil
		c.Service = ex.svc.Name
	}
}

// classify reads the request's shape, to know the protocol of the answer.
func (s *Server) classify(r *http.Request, ex *exchange) {
	ct := mediaType(headerValue(r.Header, "Content-Type"))
	ex.ct, ex.method, ex.path, ex.host = ct, r.Method, r.URL.Path, r.Host
	ex.jsonCT = awsproto.JSONContentType
	if ct == awsproto.JSONContentTypeOf("1.0") {
		ex.jsonCT = ct
	}
	if target := headerValue(r.Header, "X-Amz-Target"); target != "" {
		ex.proto = api.JSON
		ex.svc, ex.op = s.routes.jsonService(target)
		if ex.svc != nil {
			ex.jsonCT = awsproto.JSONContentTypeOf(ex.svc.JSONVersion)
			ex.known = ex.svc.Handlers[ex.op] != nil
		}
		return
	}
	if ct == "application/x-www-form-urlencoded" || (r.URL.RawQuery != "" && r.URL.Query().Has("Action")) {
		ex.proto, ex.queryShaped = api.Query, true
		return
	}
	if ex.matches = s.routes.restMatches(r); len(ex.matches) > 0 {
		ex.proto = ex.matches[0].svc.Protocol
		return
	}
	switch {
	case r.URL.Path == "/":
		ex.proto = api.Query
	case ct == "application/xml" || ct == "text/xml":
		ex.proto = api.RESTXML
	default:
		ex.proto = api.RESTJSON
	}
}

// mediaType is a Content-Type's media type, lower case, without its
// parameters ("" when the value is malformed), as mime.ParseMediaType
// reads it. The values SDKs send (a lower-case type, alone or with
// "; charset=utf-8") are read without it (it builds a map of the
// parameters).
func mediaType(v string) string {
	t, params, _ := strings.Cut(v, ";")
	if params == "" || params == " charset=utf-8" || params == " charset=UTF-8" {
		if plainMediaType(t) {
			return t
		}
	}
	ct, _, _ := mime.ParseMediaType(v)
	return ct
}

// plainMediaType reports whether t is type/subtype in lower-case letters,
// digits and the punctuation media types use.
func plainMediaType(t string) bool {
	slash := strings.IndexByte(t, '/')
	if slash <= 0 || slash == len(t)-1 {
		return false
	}
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '+':
		case c == '/' && i == slash:
		default:
			return false
		}
	}
	return true
}

// resolve finds the service and operation of a verified request.
func (s *Server) resolve(r *http.Request, c *call.Call, ex *exchange, body []byte, scoped string) error {
	c.Service = scoped // until the service is known: the record's event source
	if s.routes.bySigning[scoped] == nil && ex.proto != api.JSON {
		if p, ok := awsRESTProtocol(scoped); ok && p == api.RESTXML {
			return s.unservedRESTXML(r, c, ex, body, scoped)
		}
	}
	switch ex.proto {
	case api.JSON:
		if ex.svc == nil {
			c.Action = ex.op
			return s.unknownOperation(ex, scoped)
		}
	case api.Query:
		params, err := ex.queryParams(r, body)
		if err != nil {
			return err
		}
		ex.op = params.Get("Action")
		c.Action = ex.op
		if ex.op == "" {
			return awsproto.Errorf("MissingAction", "Missing Action")
		}
		if ex.svc = s.routes.query[scoped]; ex.svc == nil {
			return awsproto.Errorf("InvalidAction", "Warden does not serve the service %q that the credential scope names over the query protocol (it serves %s).", scoped, s.routes.queryNames)
		}
		ex.known = ex.svc.Handlers[ex.op] != nil
	default:
		if len(ex.matches) == 0 {
			ex.op = awsOperation(scoped, r, s.cfg.PublicURL)
			c.Action = ex.op
			return s.unknownOperation(ex, scoped)
		}
		s.chooseScoped(ex, scoped)
	}
	c.Service, c.Action = ex.svc.Name, ex.op
	return nil
}

// unservedRESTXML answers a request for a REST-XML service Warden does not
// serve (botocore's service models: s3 and s3control sign as s3, route53,
// cloudfront), in XML whatever its path, so that the client can read the
// answer: for S3 as S3 answers what it does not implement (NotImplemented,
// 501, an unwrapped Error element), for the others (S3 Control's routes
// too) as a REST-XML service answers an unknown operation, in an
// ErrorResponse. The operation is the one the service's routes name.
func (s *Server) unservedRESTXML(r *http.Request, c *call.Call, ex *exchange, body []byte, scoped string) error {
	ex.proto, ex.svc, ex.matches, ex.s3 = api.RESTXML, nil, nil, scoped == "s3"
	if ct := ex.ct; ct == "application/x-www-form-urlencoded" || r.URL.Query().Has("Action") {
		if params, err := ex.queryParams(r, body); err == nil {
			ex.op = params.Get("Action")
		}
	}
	m := awsRouteOf(scoped, r, s.cfg.PublicURL)
	if ex.op == "" && m != nil {
		ex.op = m.op
	}
	ex.s3 = s3Errors(scoped, m)
	c.Action = ex.op
	msg := unservedService(scoped, ex, s.cfg.PublicURL)
	if ex.s3 {
		return &awsproto.Error{Code: "NotImplemented", Status: http.StatusNotImplemented, Sender: true, Message: msg}
	}
	return &awsproto.Error{Code: "UnknownOperationException", Status: http.StatusNotFound, Sender: true, Message: msg}
}

// chooseScoped chooses, of the routes the request matches, the one of the
// service its credential scope names, else the most specific.
func (s *Server) chooseScoped(ex *exchange, scoped string) {
	m := ex.matches[0]
	for _, cand := range ex.matches {
		if cand.svc.SigningName == scoped {
			m = cand
			break
		}
	}
	s.chooseRoute(ex, m)
}

func (s *Server) chooseRoute(ex *exchange, m *restMatch) {
	ex.route, ex.svc, ex.op, ex.known, ex.proto = m, m.svc, m.op, true, m.svc.Protocol
}

// unknownOperation answers a request for an operation or a service Warden
// does not serve, in the protocol's own terms.
func (s *Server) unknownOperation(ex *exchange, scoped string) error {
	unserved := ex.svc == nil && s.routes.bySigning[scoped] == nil
	switch {
	case ex.proto == api.Query:
		return awsproto.Errorf("InvalidAction", "Could not find operation %s for version %s: Warden does not serve it.", ex.op, ex.svc.APIVersion)
	case ex.proto == api.JSON && unserved:
		return awsproto.Errorf("UnknownOperationException", "%s", unservedService(scoped, ex, s.cfg.PublicURL))
	case ex.proto == api.JSON && ex.svc == nil:
		return awsproto.Errorf("UnknownOperationException", "Warden does not serve the operation %s: no service it hosts has that X-Amz-Target prefix.", ex.op)
	case ex.proto == api.JSON:
		return awsproto.Errorf("UnknownOperationException", "Warden does not serve the operation %s of %s.", ex.op, ex.svc.Name)
	}
	msg := "Warden does not serve " + ex.where(s.cfg.PublicURL) + ": no service it hosts has a route for that method and path."
	if unserved {
		msg = unservedService(scoped, ex, s.cfg.PublicURL)
	}
	return &awsproto.Error{Code: "UnknownOperationException", Status: http.StatusNotFound, Sender: true, Message: msg}
}

// unservedService is the message for a request whose credential scope names
// a service Warden does not serve: the service, and the operation or the
// method and path the request names.
func unservedService(scoped string, ex *exchange, publicURL string) string {
	what := ex.where(publicURL)
	switch {
	case ex.op != "" && (ex.proto == api.RESTJSON || ex.proto == api.RESTXML):
		what = ex.op + ": " + what
	case ex.op != "":
		what = ex.op
	}
	return "Warden does not serve the service \"" + scoped + "\" that the credential scope names (" + what + ")."
}

// where is the request's method and path for a message, with what the
// Host names in front of the server's (virtual-hosted S3: the bucket, as
// in the path-style path; S3 Control: the account).
func (ex *exchange) where(publicURL string) string {
	switch p := virtualPrefix(ex.host, publicURL); {
	case p == "":
		return ex.method + " " + ex.path
	case policy.IsAccountID(p):
		return ex.method + " " + ex.path + " of account " + p
	default:
		return ex.method + " /" + p + ex.path
	}
}

// decode reads the operation's parameters as its protocol carries them.
func (s *Server) decode(r *http.Request, c *call.Call, ex *exchange, body []byte) error {
	switch ex.proto {
	case api.Query:
		params, err := ex.queryParams(r, body)
		if err != nil {
			return err
		}
		if v := params.Get("Version"); v != "" && v != ex.svc.APIVersion {
			return awsproto.Errorf("InvalidAction", "Could not find operation %s for version %s", ex.op, v)
		}
		c.Params = params
	case api.JSON:
		ct := ex.ct
		if r.Method != http.MethodPost {
			return awsproto.Errorf("UnknownOperationException", "Warden does not serve %s %s: JSON operations are POST requests.", r.Method, r.URL.Path)
		}
		if ct != awsproto.JSONContentTypeOf("1.0") && ct != awsproto.JSONContentType {
			return awsproto.Errorf("SerializationException", "Content-Type must be %s for X-Amz-Target requests", ex.jsonCT)
		}
		c.Body = body
	case api.RESTJSON:
		in, err := ex.route.restInput(r, true)
		if err != nil {
			return err
		}
		if c.Body, err = restJSONBody(body, in); err != nil {
			return err
		}
	case api.RESTXML:
		in, err := ex.route.restInput(r, false)
		if err != nil {
			return err
		}
		c.Params = awsproto.Params{}
		for k, v := range in {
			switch t := v.(type) {
			case []string:
				c.Params[k] = t
			case string:
				c.Params[k] = []string{t}
			}
		}
		c.Body = body
	}
	return nil
}

// queryParams are a query-protocol request's parameters: the URL's and, for
// a POST, the form body's, without the signature parameters of a presigned
// URL.
func (ex *exchange) queryParams(r *http.Request, body []byte) (awsproto.Params, error) {
	if ex.params != nil {
		return ex.params, nil
	}
	// The URL's parameters, then the form's (a POST's URL seldom has any:
	// the form is then the parameters, not copied).
	var params url.Values
	if r.URL.RawQuery != "" {
		params = r.URL.Query()
	}
	if r.Method == http.MethodPost {
		if ex.ct != "application/x-www-form-urlencoded" {
			return nil, awsproto.Errorf("InvalidAction", "Unsupported request: a query-protocol request is a form-encoded POST (application/x-www-form-urlencoded) or a GET; a JSON request names its operation in X-Amz-Target")
		}
		form, err := parseForm(string(body))
		if err != nil {
			return nil, awsproto.Errorf("MalformedQueryString", "The request body is not a valid form-encoded query string.")
		}
		if params == nil {
			params = form
		} else {
			for k, v := range form {
				params[k] = append(params[k], v...)
			}
		}
	} else if r.Method != http.MethodGet {
		return nil, awsproto.Errorf("InvalidAction", "Unsupported HTTP method %s", r.Method)
	}
	if params == nil {
		params = url.Values{}
	}
	for k := range params {
		if strings.HasPrefix(k, "X-Amz-") {
			delete(params, k)
		}
	}
	ex.params = awsproto.Params(params)
	return ex.params, nil
}

// parseForm reads a form body as url.ParseQuery does, its values in one
// backing array (each key's slice capped at its length, so that an append
// copies) instead of one slice per key. A body url.ParseQuery would
// refuse, or that repeats a key, is left to it.
func parseForm(body string) (url.Values, error) {
	n := strings.Count(body, "&") + 1
	vals := make([]string, 0, n)
	form := make(url.Values, n)
	for rest := body; rest != ""; {
		var kv string
		kv, rest, _ = strings.Cut(rest, "&")
		if strings.Contains(kv, ";") {
			return url.ParseQuery(body)
		}
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if _, seen := form[k]; seen || err1 != nil || err2 != nil {
			return url.ParseQuery(body)
		}
		vals = append(vals, v)
		form[k] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
	return form, nil
}

func signed(r *http.Request) bool {
	return headerValue(r.Header, "Authorization") != "" || (r.URL.RawQuery != "" && r.URL.Query().Get("X-Amz-Signature") != "")
}

func sigError(err error) error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return awsproto.Errorf(se.Code, "%s", se.Message)
	}
	return err
}

// headerValue is h.Get(key) for a key in canonical form, as net/http's
// server stores them: without CanonicalMIMEHeaderKey's pass over the name
// at each lookup.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
