package server

import (
	_ "embed"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/policy"
)

// restOperationsTxt are the HTTP routes of every operation of AWS's REST
// services (rest-json and rest-xml), generated from botocore's service
// models by scripts/gen-rest-operations.py, with botocore's license notice.
//
//go:embed restoperations.txt
var restOperationsTxt string

// awsService is one of AWS's REST services as botocore models it: what
// Warden knows of a service it may not serve, to name the operation a call
// asks for (CloudTrail's eventName) and to answer in its protocol.
type awsService struct {
	name, signingName, endpointPrefix string
	proto                             api.Protocol
}

// awsRoute is one operation's route of an awsService.
type awsRoute struct {
	*restRoute
	svc *awsService
	// headers are the headers the operation requires (its required query
	// parameters are among the route's literals).
	headers []string
}

// matches reports whether the request carries the route's required
// headers.
func (rt *awsRoute) matches(r *http.Request) bool {
	for _, h := range rt.headers {
		if r.Header.Get(h) == "" {
			return false
		}
	}
	return true
}

// specificity ranks routes matching one request: more literal segments,
// then no greedy label, then more required query parameters and headers.
func (rt *awsRoute) specificity() (literal int, greedy bool, required int) {
	for _, s := range rt.segments {
		if s.label == "" {
			literal++
		}
	}
	return literal, rt.greedy, len(rt.literals) + len(rt.headers)
}

// awsREST is the table, read once when first needed (only calls Warden
// does not route need it).
var awsREST = sync.OnceValue(func() []awsRoute {
	routes, err := parseRESTOperations(restOperationsTxt)
	if err != nil {
		panic("server: the embedded restoperations.txt is corrupt (run scripts/gen-rest-operations.py): " + err.Error())
	}
	return routes
})

// parseRESTOperations reads the table's format (see its header).
func parseRESTOperations(txt string) ([]awsRoute, error) {
	var out []awsRoute
	var cur *awsService
	for i, line := range strings.Split(txt, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			return nil, fmt.Errorf("line %d: %d fields", i+1, len(f))
		}
		if !strings.HasPrefix(line, " ") {
			if len(f) != 4 || (f[1] != "rest-json" && f[1] != "rest-xml") {
				return nil, fmt.Errorf("line %d: a service is NAME rest-json|rest-xml SIGNING-NAME ENDPOINT-PREFIX", i+1)
			}
			proto := api.RESTJSON
			if f[1] == "rest-xml" {
				proto = api.RESTXML
			}
			cur = &awsService{name: f[0], proto: proto, signingName: f[2], endpointPrefix: f[3]}
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("line %d: a route is METHOD REQUEST-URI OPERATION after its service", i+1)
		}
		// A greedy label before the path's end (S3 Control's
		// /v20180820/mrap/instances/{name+}/policy) is matched as one
		// segment: Warden's routes take a greedy label only at the end.
		uri := f[1]
		path, query := uri, ""
		if i := strings.IndexByte(uri, '?'); i >= 0 {
			path, query = uri[:i], uri[i:]
		}
		if len(path) > 1 {
			// Matched without a trailing slash, as the request's path is
			// (trimPath): botocore's Lambda routes end in one
			// (/2015-03-31/functions/), SDKs send them without.
			path = strings.TrimSuffix(path, "/")
		}
		if head, ok := strings.CutSuffix(path, "+}"); ok {
			uri = strings.ReplaceAll(head, "+}", "}") + "+}" + query
		} else {
			uri = strings.ReplaceAll(path, "+}", "}") + query
		}
		rt, err := compileRoute(nil, f[2], api.Route{Method: f[0], RequestURI: uri})
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		route := awsRoute{restRoute: rt, svc: cur}
		for _, x := range f[3:] {
			switch {
			case strings.HasPrefix(x, "h:") && len(x) > 2:
				route.headers = append(route.headers, x[2:])
			case strings.HasPrefix(x, "q:") && len(x) > 2:
				if _, ok := rt.literals[x[2:]]; !ok {
					rt.literals[x[2:]] = ""
				}
			default:
				return nil, fmt.Errorf("line %d: %q is neither h:HEADER nor q:QUERY-PARAMETER", i+1, x)
			}
		}
		out = append(out, route)
	}
	return out, nil
}

// awsProtocols are the protocols of AWS's REST services by signing name.
var awsProtocols = sync.OnceValue(func() map[string]api.Protocol {
	out := map[string]api.Protocol{}
	for _, rt := range awsREST() {
		out[rt.svc.signingName] = rt.svc.proto
	}
	return out
})

// awsRESTProtocol is the protocol of AWS's REST services that sign as
// signingName (S3 and S3 Control sign as s3, both REST-XML), and false when
// there is none.
func awsRESTProtocol(signingName string) (api.Protocol, bool) {
	p, ok := awsProtocols()[signingName]
	return p, ok
}

// awsOperation names the operation of AWS's REST services that sign as
// signingName whose route the request's method and path match, the most
// specific; "" when none does.
// A call signed for s3 to a virtual host of the server's (virtualPrefix)
// is named as guessAWS names an unsigned one.
func awsOperation(signingName string, r *http.Request, publicURL string) string {
	if m := awsRouteOf(signingName, r, publicURL); m != nil {
		return m.op
	}
	return ""
}

// awsRouteOf is the route awsOperation names the operation by, nil when
// none matches.
func awsRouteOf(signingName string, r *http.Request, publicURL string) *awsRoute {
	if signingName == "s3" {
		if m := virtualS3(r, virtualPrefix(r.Host, publicURL)); m != nil {
			return m
		}
	}
	return matchAWS(r, r.URL.EscapedPath(), func(s *awsService) bool { return s.signingName == signingName })
}

// s3Errors reports whether a call signed for signingName that route m
// names (nil: none) is answered in S3's error format (an unwrapped Error
// element): S3's calls are, S3 Control's are not (they sign as s3 too, but
// its errors are wrapped in ErrorResponse, which the Go SDK's S3 Control
// client reads).
func s3Errors(signingName string, m *awsRoute) bool {
	return signingName == "s3" && (m == nil || m.svc.name != "s3control")
}

// virtualPrefix is what a client addressing the server virtual-hosted
// style put in front of the server's host name: SDKs prepend a bucket
// (S3's virtual-hosted addressing) or S3 Control's account ID (the
// {AccountId}. host prefix of botocore's S3 Control model) to the host of
// the endpoint URL they are given, so that BUCKET.localhost:4566 or
// 111122223333.127.0.0.1:4566 reach a server listening on localhost or
// 127.0.0.1. The server's names are "localhost", an IPv4 address, and the
// host of its public URL. "" when the Host is one of them or none.
func virtualPrefix(hostHeader, publicURL string) string {
	host := strings.ToLower(hostOnly(hostHeader))
	if u, err := url.Parse(publicURL); err == nil && u.Hostname() != "" {
		public := strings.ToLower(u.Hostname())
		if host == public {
			return "" // warden.localhost itself
		}
		if p, ok := strings.CutSuffix(host, "."+public); ok {
			return p
		}
	}
	if p, ok := strings.CutSuffix(host, ".localhost"); ok {
		return p
	}
	labels := strings.Split(host, ".")
	if n := len(labels); n > 4 {
		if ip := net.ParseIP(strings.Join(labels[n-4:], ".")); ip != nil && ip.To4() != nil {
			return strings.Join(labels[:n-4], ".")
		}
	}
	return ""
}

// virtualS3 names a call addressed to a virtual host of the server's
// (prefix: virtualPrefix): with a 12-digit prefix and a route of S3
// Control's (its paths begin with /v20180820), S3 Control's operation;
// else S3's, the prefix a bucket whose name is the path's first segment,
// as path-style requests carry it. nil when prefix is "" or no route
// matches.
func virtualS3(r *http.Request, prefix string) *awsRoute {
	if prefix == "" {
		return nil
	}
	path := r.URL.EscapedPath()
	if policy.IsAccountID(prefix) {
		if m := matchAWS(r, path, func(s *awsService) bool { return s.name == "s3control" }); m != nil {
			return m
		}
	}
	return matchAWS(r, "/"+prefix+strings.TrimSuffix(path, "/"), func(s *awsService) bool { return s.name == "s3" })
}

// matchAWS returns the most specific of the routes of the services keep
// accepts that the request's method and path match, nil when none does.
func matchAWS(r *http.Request, path string, keep func(*awsService) bool) *awsRoute {
	segs := splitPath(trimPath(path))
	q := r.URL.Query()
	var best *awsRoute
	routes := awsREST()
	for i := range routes {
		rt := &routes[i]
		if !keep(rt.svc) {
			continue
		}
		if _, ok := rt.match(r.Method, segs, q); !ok || !rt.matches(r) {
			continue
		}
		if best == nil || moreSpecific(rt, best) {
			best = rt
		}
	}
	return best
}

// moreSpecific reports whether a ranks before b (the first of equals, in
// the table's order, stays).
func moreSpecific(a, b *awsRoute) bool {
	la, ga, ra := a.specificity()
	lb, gb, rb := b.specificity()
	if la != lb {
		return la > lb
	}
	if ga != gb {
		return !ga
	}
	return ra > rb
}

// guessAWS finds the service and operation of an unsigned call that no
// route of Warden's matches, which no credential scope names: the service
// its Host names when it is AWS's (SERVICE.REGION.amazonaws.com, an S3
// bucket's virtual host BUCKET.s3.REGION.amazonaws.com); else the one
// service whose routes that begin with a fixed segment match its method
// and path (most REST services' paths begin with their API version or a
// resource name: /2015-03-31/functions for Lambda); else Amazon S3's when
// its routes match (S3's paths begin with the bucket, path-style, as SDKs
// send them to an endpoint URL: /BUCKET/KEY; S3 is the REST service that
// answers anonymous calls). A call addressed to a virtual host of the
// server's (BUCKET.localhost:PORT, ACCOUNT.127.0.0.1:PORT: virtualPrefix)
// is S3's or S3 Control's (virtualS3). nil when none of these tells.
func guessAWS(r *http.Request, publicURL string) *awsRoute {
	path := r.URL.EscapedPath()
	if m := virtualS3(r, virtualPrefix(r.Host, publicURL)); m != nil {
		return m
	}
	if host := strings.ToLower(hostOnly(r.Host)); strings.HasSuffix(host, ".amazonaws.com") || strings.HasSuffix(host, ".amazonaws.com.cn") {
		labels := strings.Split(host, ".")
		for i, l := range labels {
			prefix := l
			if strings.HasPrefix(l, "s3-") || l == "s3" {
				prefix = "s3"
				if i > 0 {
					// A virtual-hosted bucket: its name is the path's first
					// segment, as path-style requests carry it.
					path = "/" + strings.Join(labels[:i], ".") + strings.TrimSuffix(path, "/")
				}
			}
			if m := matchAWS(r, path, func(s *awsService) bool { return s.endpointPrefix == prefix }); m != nil {
				return m
			}
		}
	}
	fixed := func(s *awsService, rt *restRoute) bool { return len(rt.segments) > 0 && rt.segments[0].label == "" }
	var found *awsRoute
	segs := splitPath(trimPath(path))
	q := r.URL.Query()
	routes := awsREST()
	for i := range routes {
		rt := &routes[i]
		if !fixed(rt.svc, rt.restRoute) {
			continue
		}
		if _, ok := rt.match(r.Method, segs, q); ok && rt.matches(r) {
			if found != nil && found.svc != rt.svc {
				return nil // several services: none is named
			}
			found = rt
		}
	}
	if found != nil {
		return matchAWS(r, path, func(s *awsService) bool { return s == found.svc })
	}
	return matchAWS(r, path, func(s *awsService) bool { return s.name == "s3" })
}

// hostOnly is a Host header without its port.
func hostOnly(h string) string {
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		return h[:i]
	}
	return h
}

// trimPath is a path without its trailing slash, as the table's routes are.
func trimPath(p string) string {
	if len(p) > 1 {
		return strings.TrimSuffix(p, "/")
	}
	return p
}
