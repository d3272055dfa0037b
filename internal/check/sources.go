package check

import (
	"slices"
	"strings"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// Sources says where the statements of an organization's compiled policies
// are written, so that explanations name them as file:line:column. The
// loader repositions a document written as a YAML mapping onto its YAML
// nodes; the file is that of the definition that holds the document: the
// policy's, role's, user's, group's, permission set's or resource's entry.
//
// Identical documents of one type are compiled once and share their
// positions, which are those of the first one compiled; Sources walks the
// organization in the loader's order (policies, groups, users, roles,
// service-linked roles, Identity Center, resources) and keeps the first
// definition for each document, so the file is the one the positions are in.
//
// The organization model does not say how a document was written. A
// statement position that falls outside its definition's entry (the lines
// from the entry to the next entry of the file) is not a YAML position: the
// document is a JSON string or a {file: ...} document, whose positions are
// in the JSON text. Such a statement is named by its definition's position
// instead. So is every statement of a document the loader writes itself (an
// Identity Center role's or a service-linked role's trust policy). AWS
// managed policies, which are not written in the organization, have no
// position.
type Sources struct {
	docs    map[*policy.Document]origin
	managed map[string]*org.Policy // customer managed policies by name
	starts  map[string][]int       // file -> the sorted first lines of its entries
}

// origin is the definition that holds a document.
type origin struct {
	at    org.Pos
	fixed bool // a document the loader wrote: always at the definition
}

// NewSources indexes the policies of o.
func NewSources(o *org.Org) *Sources {
	s := &Sources{docs: map[*policy.Document]origin{}, managed: map[string]*org.Policy{}, starts: map[string][]int{}}
	for _, p := range o.Policies {
		s.entry(p.Pos)
		if p.Compiled != nil {
			s.add(p.Compiled, p.Pos, false)
		}
		if p.Type == org.TypeManaged {
			s.managed[p.Name] = p
		}
	}
	for _, g := range o.Groups {
		s.entry(g.Pos)
		s.owned(g.Policies, g.Pos)
	}
	for _, u := range o.Users {
		s.entry(u.Pos)
		s.owned(u.Policies, u.Pos)
		s.owned([]*policy.Policy{u.Boundary}, u.Pos)
	}
	for _, r := range o.Roles {
		s.entry(r.Pos)
		if r.Trust != nil {
			s.add(r.Trust, r.Pos, r.ServiceLinked || r.PermissionSet != "")
		}
		s.owned(r.Policies, r.Pos)
		s.owned([]*policy.Policy{r.Boundary}, r.Pos)
	}
	if ic := o.IdentityCenter; ic != nil {
		s.entry(ic.Pos)
		for _, ps := range ic.PermissionSets {
			s.entry(ps.Pos)
			if ps.Inline != nil {
				s.add(ps.Inline, ps.Pos, false)
			}
		}
		for _, u := range ic.Users {
			s.entry(u.Pos)
		}
		for _, g := range ic.Groups {
			s.entry(g.Pos)
		}
		for _, a := range ic.Assignments {
			s.entry(a.Pos)
		}
	}
	for _, r := range o.Resources {
		s.entry(r.Pos)
		if r.Policy != nil {
			s.add(r.Policy, r.Pos, false)
		}
	}
	for _, ou := range o.OUs {
		s.entry(ou.Pos)
	}
	for _, a := range o.Accounts {
		s.entry(a.Pos)
	}
	for _, p := range o.Providers {
		s.entry(p.Pos)
	}
	for f, l := range s.starts {
		slices.Sort(l)
		s.starts[f] = slices.Compact(l)
	}
	return s
}

// entry records where an entry of a file starts.
func (s *Sources) entry(p org.Pos) {
	if p.File != "" && p.Line > 0 {
		s.starts[p.File] = append(s.starts[p.File], p.Line)
	}
}

func (s *Sources) add(p *policy.Policy, at org.Pos, fixed bool) {
	if p == nil || p.Doc == nil || at.File == "" {
		return
	}
	if _, ok := s.docs[p.Doc]; !ok {
		s.docs[p.Doc] = origin{at: at, fixed: fixed}
	}
}

// owned records the policies of a principal defined at at: its inline
// policies are written there; a customer managed policy (named by its ARN in
// an account) or a boundary compiled from one is written where that policy
// is; an AWS managed policy nowhere in the organization.
func (s *Sources) owned(ps []*policy.Policy, at org.Pos) {
	for _, p := range ps {
		if p == nil || p.Doc == nil {
			continue
		}
		if _, ok := s.docs[p.Doc]; ok {
			continue
		}
		rest, isARN := strings.CutPrefix(p.Name, "arn:aws:iam::")
		switch {
		case !isARN:
			s.add(p, at, false)
		case strings.HasPrefix(rest, "aws:"):
			// AWS managed: not written in the organization.
		default:
			name := rest[strings.LastIndexByte(rest, '/')+1:]
			if mp, ok := s.managed[name]; ok {
				s.add(p, mp.Pos, false)
			}
		}
	}
}

// Position returns where statement st of the compiled policy p is written,
// as file:line:column, or "" when it is not written in the organization.
func (s *Sources) Position(p *policy.Policy, st *policy.Statement) string {
	if s == nil || p == nil || st == nil {
		return ""
	}
	o, ok := s.docs[p.Doc]
	if !ok {
		return ""
	}
	if o.fixed || !st.Pos.IsValid() || !s.within(o.at, st.Pos.Line) {
		return o.at.String()
	}
	return o.at.File + ":" + st.Pos.String()
}

// within reports whether line lies in the entry that starts at at: from its
// line to the next entry's of the same file.
func (s *Sources) within(at org.Pos, line int) bool {
	if line < at.Line {
		return false
	}
	starts := s.starts[at.File]
	i, _ := slices.BinarySearch(starts, at.Line+1)
	return i == len(starts) || line < starts[i]
}
