package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/securecart/warden/internal/arn"
	"github.com/securecart/warden/internal/condition"
)

// Effect is a statement's effect.
type Effect uint8

const (
	Allow Effect = iota + 1
	Deny
)

func (e Effect) String() string {
	switch e {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "?"
}

// Policy is a compiled policy document: immutable and safe for concurrent use.
type Policy struct {
	Name       string // how explanations name it: a file, an ARN, an index
	Type       Type
	Doc        *Document
	Statements []*CompiledStatement
	byEffect   [2]effectIndex // Allow, Deny
}

// CompiledStatement is a statement ready for matching.
type CompiledStatement struct {
	Src    *Statement
	Effect Effect

	actions   []actionPattern
	notAction bool
	// services lists the service prefixes the Action patterns name, when
	// none has a wildcard in its prefix, and serviceMask is a 64-bit filter
	// of them: a request for another service is rejected without looking at
	// the patterns, most often by one AND.
	services    []string
	serviceMask uint64
	// The patterns grouped for matching: those naming every service, and
	// the others by service, so that a request looks only at its service's.
	wildActions []actionPattern
	groups      []serviceGroup

	resources   []resourcePattern
	notResource bool
	anyResource bool // no Resource element: a trust policy's resource is its role

	Principal    *PrincipalSet // nil when the statement has no principal element
	NotPrincipal bool

	conds []*condition.Condition
}

type actionPattern struct {
	svcBit   uint64 // ServiceBit(svc)
	nameHash uint64 // nameHashOf(name), for literal names
	any      bool   // "*"
	full     string // lower-cased pattern
	svc      string // lower-cased service prefix
	name     string // lower-cased action name pattern
	svcWild  bool
	nameWild bool
}

type resourcePattern struct {
	pat  arn.Pattern
	tmpl *condition.Template // set when the pattern holds policy variables
}

// Compile compiles a document that Parse decoded. It does not apply the
// type's grammar (see Check), but it rejects what cannot be evaluated: unknown
// condition operators, values an operator cannot compare, malformed policy
// variables.
func Compile(doc *Document, t Type, name string) (*Policy, error) {
	p := &Policy{Name: name, Type: t, Doc: doc}
	var errs ErrorList
	vars := doc.Vars()
	for _, s := range doc.Statements {
		cs := &CompiledStatement{Src: s, NotPrincipal: s.NotPrincipal, notAction: s.NotAction, notResource: s.NotResource}
		switch s.Effect {
		case "Allow":
			cs.Effect = Allow
		case "Deny":
			cs.Effect = Deny
		default:
			errs = append(errs, &Error{Path: s.Path, Pos: s.Pos, Msg: "the statement has no valid Effect"})
		}
		for _, a := range s.Action {
			cs.actions = append(cs.actions, compileAction(a.Value))
		}
		cs.services = actionServices(cs.actions)
		cs.wildActions, cs.groups = groupActions(cs.actions)
		for _, svc := range cs.services {
			cs.serviceMask |= ServiceBit(svc)
		}
		if !s.HasResource {
			cs.anyResource = true
		}
		for _, r := range s.Resource {
			rp := resourcePattern{pat: arn.CompilePattern(r.Value)}
			t, err := condition.ParseTemplate(r.Value, vars)
			if err != nil {
				errs = append(errs, &Error{Path: r.Path, Pos: r.Pos, Msg: err.Error()})
				continue
			}
			if t.HasVars() {
				rp.tmpl = &t
			}
			cs.resources = append(cs.resources, rp)
		}
		if s.Principal != nil {
			cs.Principal = compilePrincipal(s.Principal)
		}
		for _, e := range s.Condition {
			op, err := condition.ParseOp(e.Op)
			if err != nil {
				errs = append(errs, &Error{Path: e.Path, Pos: e.OpPos, Msg: err.Error()})
				continue
			}
			c, err := condition.Compile(op, e.Key, e.Values, vars)
			if err != nil {
				errs = append(errs, &Error{Path: e.Path, Pos: e.KeyPos, Msg: err.Error()})
				continue
			}
			cs.conds = append(cs.conds, c)
		}
		p.Statements = append(p.Statements, cs)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	p.buildIndexes()
	return p, nil
}

// ParseAndCompile decodes, checks and compiles one policy document: the
// common path for callers that hold a document of a known type.
func ParseAndCompile(src []byte, file string, t Type, name string) (*Policy, error) {
	doc, err := Parse(src, file)
	if err != nil {
		return nil, err
	}
	errs := Check(doc, t, file)
	p, err := Compile(doc, t, name)
	if err != nil {
		errs = append(errs, withFile(err, file).(ErrorList)...)
	}
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	return p, nil
}

func withFile(err error, file string) error {
	if l, ok := err.(ErrorList); ok {
		for _, e := range l {
			e.File = file
		}
	}
	return err
}

func compileAction(a string) actionPattern {
	if a == "*" {
		return actionPattern{any: true, full: "*"}
	}
	l := strings.ToLower(a)
	ap := actionPattern{full: l}
	svc, name, _ := strings.Cut(l, ":")
	ap.svc, ap.name = svc, name
	ap.svcWild = arn.HasWildcard(svc)
	ap.nameWild = arn.HasWildcard(name)
	if name == "*" && !ap.svcWild {
		ap.nameWild = true
	}
	ap.svcBit = ServiceBit(svc)
	ap.nameHash = nameHashOf(name)
	return ap
}

// Action is a request's action, lower-cased and split once per request.
type Action struct {
	Full       string // "s3:getobject"
	Service    string // "s3"
	Name       string // "getobject"
	serviceBit uint64
	nameHash   uint64
}

// NewAction prepares an action name for matching.
func NewAction(a string) Action {
	l := strings.ToLower(a)
	svc, name, _ := strings.Cut(l, ":")
	return Action{Full: l, Service: svc, Name: name, serviceBit: ServiceBit(svc), nameHash: nameHashOf(name)}
}

// nameHashOf is FNV-1a of an action name, compared before the name itself.
func nameHashOf(name string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	return h
}

// ServiceBit is a service prefix's bit in a 64-bit filter (FNV-1a mod 64).
func ServiceBit(svc string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(svc); i++ {
		h ^= uint64(svc[i])
		h *= 1099511628211
	}
	return 1 << (h & 63)
}

func (ap *actionPattern) match(a *Action) bool {
	switch {
	case ap.any:
		return true
	case ap.svcWild:
		return arn.Match(ap.full, a.Full)
	case ap.svcBit != a.serviceBit || ap.svc != a.Service:
		return false
	case ap.nameWild:
		return ap.name == "*" || arn.Match(ap.name, a.Name)
	}
	return ap.nameHash == a.nameHash && ap.name == a.Name
}

// matchName matches the name part for a pattern whose service is known to
// be the request's.
func (ap *actionPattern) matchName(a *Action) bool {
	if ap.nameWild {
		return ap.name == "*" || arn.Match(ap.name, a.Name)
	}
	return ap.nameHash == a.nameHash && ap.name == a.Name
}

// actionServices returns the distinct services of patterns, or nil when any
// pattern covers every service.
func actionServices(ps []actionPattern) []string {
	var out []string
	for _, p := range ps {
		if p.any || p.svcWild {
			return nil
		}
		if !slices.Contains(out, p.svc) {
			out = append(out, p.svc)
		}
	}
	return out
}

// serviceGroup is a statement's action patterns for one service.
type serviceGroup struct {
	bit  uint64
	svc  string
	pats []actionPattern
}

func groupActions(ps []actionPattern) (wild []actionPattern, groups []serviceGroup) {
	for _, p := range ps {
		if p.any || p.svcWild {
			wild = append(wild, p)
			continue
		}
		i := slices.IndexFunc(groups, func(g serviceGroup) bool { return g.svc == p.svc })
		if i < 0 {
			groups = append(groups, serviceGroup{bit: p.svcBit, svc: p.svc})
			i = len(groups) - 1
		}
		groups[i].pats = append(groups[i].pats, p)
	}
	return wild, groups
}

// MatchesAction reports whether the statement's Action or NotAction element
// covers the action.
func (s *CompiledStatement) MatchesAction(a *Action) bool {
	if s.services != nil && s.serviceMask&a.serviceBit == 0 {
		return s.notAction
	}
	for i := range s.wildActions {
		if s.wildActions[i].match(a) {
			return !s.notAction
		}
	}
	for i := range s.groups {
		g := &s.groups[i]
		if g.bit != a.serviceBit || g.svc != a.Service {
			continue
		}
		for j := range g.pats {
			if g.pats[j].matchName(a) {
				return !s.notAction
			}
		}
		break
	}
	return s.notAction
}

// MatchesResource reports whether the statement's Resource or NotResource
// element covers the resource.
func (s *CompiledStatement) MatchesResource(r *arn.Value, ctx condition.Context) bool {
	if s.anyResource {
		return true
	}
	for i := range s.resources {
		rp := &s.resources[i]
		var ok bool
		if rp.tmpl == nil {
			ok = rp.pat.MatchValue(r)
		} else if pat, resolved := rp.tmpl.ResolvePattern(ctx); resolved {
			cp := arn.CompileEscapedPattern(pat)
			ok = cp.MatchValue(r)
		}
		if ok {
			return !s.notResource
		}
	}
	return s.notResource
}

// MatchesConditions reports whether every condition holds.
func (s *CompiledStatement) MatchesConditions(ctx condition.Context) bool {
	for _, c := range s.conds {
		if !c.Eval(ctx) {
			return false
		}
	}
	return true
}

// Matches reports whether the statement applies to the action, resource and
// context, leaving the principal to the caller.
func (s *CompiledStatement) Matches(a *Action, r *arn.Value, ctx condition.Context) bool {
	return s.MatchesAction(a) && s.MatchesResource(r, ctx) && s.MatchesConditions(ctx)
}

// String names the statement for people.
func (s *CompiledStatement) String() string {
	return fmt.Sprintf("statement %s (%s)", s.Src.Label(), s.Effect)
}
