package policy

import (
	"fmt"
	"strings"
)

// Type is a kind of policy, which fixes its grammar and how the engine uses it.
type Type uint8

const (
	Identity Type = iota + 1
	Resource
	Trust
	SCP
	RCP
	Boundary
	Session
	Endpoint
)

var typeNames = map[Type]string{
	Identity: "identity", Resource: "resource", Trust: "trust", SCP: "scp",
	RCP: "rcp", Boundary: "boundary", Session: "session", Endpoint: "endpoint",
}

func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("Type(%d)", t)
}

// ParseType parses a type name as written on the command line.
func ParseType(s string) (Type, error) {
	for t, n := range typeNames {
		if strings.EqualFold(s, n) {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown policy type %q: want identity, resource, trust, scp, rcp, boundary, session or endpoint", s)
}

// Check reports what the document's type does not allow
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html,
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html,
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html):
//
//   - identity, permissions boundary and session policies: no Principal or
//     NotPrincipal; Action (or NotAction) and Resource (or NotResource) required.
//   - resource policies: Principal (or NotPrincipal), Action (or NotAction)
//     and Resource (or NotResource) required.
//   - role trust policies: Principal (or NotPrincipal) and Action required; no
//     Resource or NotResource; only sts: actions.
//   - SCPs: no Principal or NotPrincipal; Action (or NotAction) and Resource
//     (or NotResource) required; Version 2012-10-17.
//   - RCPs: Principal must be "*"; no NotPrincipal; Deny statements use Action,
//     not NotAction; Allow only as in RCPFullAWSAccess ("*" on "*" without
//     conditions); Version 2012-10-17.
//   - VPC endpoint policies: Action (or NotAction) and Resource (or
//     NotResource) required; Principal optional (absent means everyone).
//
// In every type: Sids are unique within the policy, and a principal is "*" or
// a map (a bare ARN string is not allowed).
func Check(doc *Document, t Type, file string) ErrorList {
	c := check(doc, t, file)
	return append(c.errs, c.lenient...).Sorted()
}

// CheckLenient is Check that returns as warnings the findings of rules that
// AWS enforces when it stores a policy but that evaluation can do without: a
// resource policy statement without a principal (it then names no one), a bare
// principal string in place of {"AWS": ...} (read as an AWS principal), a
// Principal in a policy attached to a principal (ignored), a Resource in a
// trust policy (matched as written), a NotPrincipal in a trust policy, a
// resource that is not an ARN and a principal with a wildcard in it (all
// evaluated as written). The simulate command uses it so that
// hand-written cases evaluate as their authors meant, with a warning.
func CheckLenient(doc *Document, t Type, file string) (errs, warnings ErrorList) {
	c := check(doc, t, file)
	return c.errs.Sorted(), c.lenient.Sorted()
}

func check(doc *Document, t Type, file string) *checker {
	c := &checker{file: file}
	sids := map[string]bool{}
	if (t == SCP || t == RCP) && doc.Version != Version2012 {
		pos, path := doc.VersionPos, doc.Path+"/Version"
		if !pos.IsValid() {
			// No Version element: the document itself lacks it.
			pos, path = doc.Pos, doc.Path
		}
		c.add(pos, path, "%s policies must have \"Version\": %q", strings.ToUpper(t.String()), Version2012)
	}
	for _, s := range doc.Statements {
		if s.HasSid && s.Sid != "" {
			if sids[s.Sid] {
				c.add(s.SidPos, s.Path+"/Sid", "duplicate Sid %q: statement IDs must be unique within a policy", s.Sid)
			}
			sids[s.Sid] = true
		}
		c.statement(s, t)
	}
	return c
}

type checker struct {
	file    string
	errs    ErrorList
	lenient ErrorList // findings that CheckLenient reports as warnings
}

func (c *checker) add(p Pos, path, format string, args ...any) {
	c.errs = append(c.errs, &Error{File: c.file, Path: path, Pos: p, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) addLenient(p Pos, path, format string, args ...any) {
	c.lenient = append(c.lenient, &Error{File: c.file, Path: path, Pos: p, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) statement(s *Statement, t Type) {
	pname := "Principal"
	if s.NotPrincipal {
		pname = "NotPrincipal"
	}
	if !s.HasAction {
		c.add(s.Pos, s.Path, "the statement has no Action or NotAction")
	}
	switch t {
	case Identity, Boundary, Session, SCP:
		if s.Principal != nil {
			c.addLenient(s.Principal.Pos, s.Principal.Path, "%s is not allowed in %s policies: they apply to the principal they are attached to", pname, t)
		}
		if !s.HasResource {
			c.add(s.Pos, s.Path, "the statement has no Resource or NotResource")
		}
	case Resource:
		if s.Principal == nil {
			c.addLenient(s.Pos, s.Path, "a resource-based policy statement must have a Principal or NotPrincipal")
		}
		if !s.HasResource {
			c.add(s.Pos, s.Path, "the statement has no Resource or NotResource")
		}
	case Trust:
		if s.Principal == nil {
			c.add(s.Pos, s.Path, "a trust policy statement must have a Principal or NotPrincipal")
		} else if s.NotPrincipal {
			// "You cannot use the NotPrincipal element in an IAM identity-based
			// policy nor in an IAM role trust policy"
			// (reference_policies_elements_notprincipal.html).
			c.addLenient(s.Principal.Pos, s.Principal.Path, "NotPrincipal is not allowed in a role trust policy: name the principals, or deny with a condition on aws:PrincipalArn")
		}
		if s.HasResource {
			c.addLenient(s.ResourcePos, s.ResourcePath, "Resource is not allowed in a role trust policy: the resource is the role itself")
		}
		if s.NotAction {
			c.add(s.ActionPos, s.ActionPath, "NotAction is not allowed in a role trust policy")
		}
		for _, a := range s.Action {
			if a.Value != "*" && !strings.HasPrefix(strings.ToLower(a.Value), "sts:") {
				c.add(a.Pos, a.Path, "a trust policy grants only sts: actions (sts:AssumeRole, sts:TagSession, ...), not %q", a.Value)
			}
		}
	case RCP:
		c.rcp(s)
	case Endpoint:
		if !s.HasResource {
			c.add(s.Pos, s.Path, "the statement has no Resource or NotResource")
		}
	}
	for _, r := range s.Resource {
		if r.Value != "*" && !strings.HasPrefix(r.Value, "arn:") {
			// IAM answers MalformedPolicyDocument: "Resource must be in ARN
			// format or "*"" (reference_policies_elements_resource.html).
			c.addLenient(r.Pos, r.Path, "resource %q is not an ARN: want \"*\" or an ARN such as arn:aws:s3:::bucket/*", r.Value)
		}
	}
	if p := s.Principal; p != nil {
		for _, list := range [][]Str{p.AWS, p.Service, p.Federated} {
			for _, v := range list {
				if v.Value != "*" && strings.ContainsAny(v.Value, "*?") {
					// "You cannot use a wildcard to match part of a principal
					// name or ARN" (reference_policies_elements_principal.html):
					// AWS rejects the policy (Invalid principal in policy).
					c.addLenient(v.Pos, v.Path, "principal %q has a wildcard: a principal is \"*\" or names one principal exactly; match patterns with a condition on aws:PrincipalArn instead", v.Value)
				}
			}
		}
		if p.Shorthand {
			c.addLenient(p.Pos, p.Path, "a principal must be \"*\" or an object such as {\"AWS\": %q}", p.AWS[0].Value)
		}
		for _, list := range [][]Str{p.AWS, p.Service, p.Federated, p.CanonicalUser} {
			for _, v := range list {
				if v.Value == "" {
					c.add(v.Pos, v.Path, "a principal must not be an empty string")
				}
			}
		}
	}
}

func (c *checker) rcp(s *Statement) {
	if s.NotPrincipal {
		c.add(s.Principal.Pos, s.Principal.Path, "NotPrincipal is not allowed in RCPs")
	} else if s.Principal == nil || !(s.Principal.Wildcard || (len(s.Principal.AWS) == 1 && s.Principal.AWS[0].Value == "*" &&
		len(s.Principal.Service)+len(s.Principal.Federated)+len(s.Principal.CanonicalUser) == 0)) {
		pos, path := s.Pos, s.Path
		if s.Principal != nil {
			pos, path = s.Principal.Pos, s.Principal.Path
		}
		c.add(pos, path, "an RCP statement must have \"Principal\": \"*\" (use conditions to narrow it)")
	}
	if !s.HasResource {
		c.add(s.Pos, s.Path, "the statement has no Resource or NotResource")
	}
	if s.Effect == "Allow" {
		full := !s.NotAction && !s.NotResource && len(s.Action) == 1 && s.Action[0].Value == "*" &&
			len(s.Resource) == 1 && s.Resource[0].Value == "*" && !s.HasCondition
		if !full {
			c.add(s.EffectPos, s.Path+"/Effect", "an RCP may Allow only \"*\" on \"*\" without conditions, as RCPFullAWSAccess does: RCPs restrict, they never grant")
		}
	}
	if s.Effect == "Deny" && s.NotAction {
		c.add(s.ActionPos, s.ActionPath, "NotAction is not allowed in RCPs")
	}
}
