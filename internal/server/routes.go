package server

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/securecart/warden/internal/api"
)

// service is a hosted service with its descriptor's lists as sets.
type service struct {
	*api.Descriptor
	unsigned  map[string]bool
	stateless map[string]bool
}

// router is the routing the server builds from its services' descriptors.
type router struct {
	// query are the query-protocol services by signing name: a query request
	// names its service only in its credential scope.
	query map[string]*service
	// targets are the JSON services by X-Amz-Target prefix.
	targets map[string]*service
	// rest are the REST services' routes.
	rest []*restRoute
	// bySigning are all services by signing name.
	bySigning map[string]*service
	// queryNames lists the query services' signing names, for messages.
	queryNames string

	// namespace answers query-shaped requests whose service is not known:
	// the first query service's.
	namespace string
}

// newRouter checks the descriptors and builds the routing; a descriptor that
// contradicts itself or another is a programming error, reported at start.
func newRouter(descs []*api.Descriptor) (*router, error) {
	rt := &router{query: map[string]*service{}, targets: map[string]*service{}, bySigning: map[string]*service{}}
	names := map[string]bool{}
	for _, d := range descs {
		if d.Name == "" || names[d.Name] {
			return nil, fmt.Errorf("service descriptor: missing or repeated name %q", d.Name)
		}
		names[d.Name] = true
		if d.SigningName == "" {
			d.SigningName = d.Name
		}
		if d.EventSource == "" {
			d.EventSource = d.Name + ".amazonaws.com"
		}
		if rt.bySigning[d.SigningName] != nil {
			return nil, fmt.Errorf("service %s: signing name %q is also %s's", d.Name, d.SigningName, rt.bySigning[d.SigningName].Name)
		}
		svc := &service{Descriptor: d, unsigned: map[string]bool{}, stateless: map[string]bool{}}
		rt.bySigning[d.SigningName] = svc
		for _, list := range []struct {
			names []string
			set   map[string]bool
		}{{d.Unsigned, svc.unsigned}, {d.Stateless, svc.stateless}} {
			for _, op := range list.names {
				if d.Handlers[op] == nil {
					return nil, fmt.Errorf("service %s: %s is not one of its operations", d.Name, op)
				}
				list.set[op] = true
			}
		}
		switch d.Protocol {
		case api.Query:
			if d.APIVersion == "" || d.XMLNamespace == "" {
				return nil, fmt.Errorf("service %s: a query service needs its API version and XML namespace", d.Name)
			}
			rt.query[d.SigningName] = svc
			if rt.namespace == "" {
				rt.namespace = d.XMLNamespace
			}
			if rt.queryNames != "" {
				rt.queryNames += ", "
			}
			rt.queryNames += d.SigningName
		case api.JSON:
			if len(d.TargetPrefixes) == 0 {
				return nil, fmt.Errorf("service %s: a JSON service needs its X-Amz-Target prefix", d.Name)
			}
			for _, p := range d.TargetPrefixes {
				if rt.targets[p] != nil {
					return nil, fmt.Errorf("service %s: X-Amz-Target prefix %q is also %s's", d.Name, p, rt.targets[p].Name)
				}
				rt.targets[p] = svc
			}
		case api.RESTJSON, api.RESTXML:
			// In a fixed order, so that equally specific routes of several
			// services rank the same way on every start.
			for _, op := range slices.Sorted(maps.Keys(d.Handlers)) {
				route, ok := d.Routes[op]
				if !ok {
					return nil, fmt.Errorf("service %s: operation %s has no HTTP route", d.Name, op)
				}
				r, err := compileRoute(svc, op, route)
				if err != nil {
					return nil, fmt.Errorf("service %s: operation %s: %w", d.Name, op, err)
				}
				rt.rest = append(rt.rest, r)
			}
		default:
			return nil, fmt.Errorf("service %s: unknown protocol %q", d.Name, d.Protocol)
		}
		for op := range d.Routes {
			if d.Handlers[op] == nil {
				return nil, fmt.Errorf("service %s: route for %s, which is not one of its operations", d.Name, op)
			}
		}
	}
	return rt, nil
}

// jsonService finds a JSON service by X-Amz-Target: "Prefix.Operation",
// where a prefix may itself contain dots
// (com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents).
func (rt *router) jsonService(target string) (svc *service, op string) {
	i := strings.LastIndexByte(target, '.')
	if i <= 0 {
		return nil, target
	}
	return rt.targets[target[:i]], target[i+1:]
}

// unsignedQuery finds the query service that serves an unsigned operation
// (which names no service in a credential scope).
func (rt *router) unsignedQuery(action string) *service {
	for _, svc := range rt.query {
		if svc.unsigned[action] {
			return svc
		}
	}
	return nil
}

// queryVersion finds the query service of an API version (the Version
// parameter), nil when none has it.
func (rt *router) queryVersion(version string) *service {
	for _, svc := range rt.query {
		if version != "" && svc.APIVersion == version {
			return svc
		}
	}
	return nil
}

// restMatches returns the REST routes that match the request, most specific
// first.
func (rt *router) restMatches(r *http.Request) []*restMatch {
	var out []*restMatch
	segs := splitPath(r.URL.EscapedPath())
	for _, route := range rt.rest {
		if m, ok := route.match(r.Method, segs, r.URL.Query()); ok {
			out = append(out, m)
		}
	}
	sortMatches(out)
	return out
}
