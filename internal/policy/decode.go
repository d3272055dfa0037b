package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// Parse decodes a policy document. file names the source in errors and may be
// empty. The error, when not nil, is an ErrorList naming every problem found
// with its JSON path and line:column.
func Parse(src []byte, file string) (*Document, error) {
	pos := NewSource(src)
	root, perr := parseTree(src, pos)
	if perr != nil {
		perr.File = file
		return nil, ErrorList{perr}
	}
	d := &decoder{pos: pos, file: file}
	doc := d.document(root)
	return doc, d.errs.Err()
}

type decoder struct {
	pos  *Source
	file string
	errs ErrorList
}

func (d *decoder) errorf(off int64, path, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Path: path, Pos: d.pos.at(off), Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) document(n *node) *Document {
	doc := &Document{Pos: d.pos.at(n.off)}
	if n.kind != '{' {
		d.errorf(n.off, "", "a policy document must be a JSON object, not %s", kindName(n.kind))
		return doc
	}
	hasStatement := false
	for _, m := range n.names {
		path := "/" + m.name
		switch m.name {
		case "Version":
			doc.VersionPos = d.pos.at(m.val.off)
			if m.val.kind != '"' {
				d.errorf(m.val.off, path, "Version must be a string, not %s", kindName(m.val.kind))
				continue
			}
			doc.Version = m.val.str
			if doc.Version != Version2012 && doc.Version != Version2008 {
				d.errorf(m.val.off, path, "unknown Version %q: want %q (or the older %q)", doc.Version, Version2012, Version2008)
			}
		case "Id":
			doc.HasID = true
			if m.val.kind != '"' {
				d.errorf(m.val.off, path, "Id must be a string, not %s", kindName(m.val.kind))
				continue
			}
			doc.ID = m.val.str
		case "Statement":
			hasStatement = true
			doc.StatementPos = d.pos.at(m.val.off)
			switch m.val.kind {
			case '{':
				doc.Statements = append(doc.Statements, d.statement(m.val, 0, "/Statement"))
			case '[':
				doc.StatementArray = true
				if len(m.val.items) == 0 {
					d.errorf(m.val.off, path, "Statement must not be empty")
				}
				for i, it := range m.val.items {
					p := "/Statement/" + strconv.Itoa(i)
					if it.kind != '{' {
						d.errorf(it.off, p, "a statement must be an object, not %s", kindName(it.kind))
						continue
					}
					doc.Statements = append(doc.Statements, d.statement(it, i, p))
				}
			default:
				d.errorf(m.val.off, path, "Statement must be an object or an array of objects, not %s", kindName(m.val.kind))
			}
		default:
			d.errorf(m.off, path, "unknown policy element %q%s: a policy has only Version, Id and Statement", m.name, suggest(m.name, "Version", "Id", "Statement"))
		}
	}
	if !hasStatement {
		d.errorf(n.off, "", "the policy has no Statement")
	}
	return doc
}

func (d *decoder) statement(n *node, index int, path string) *Statement {
	s := &Statement{Index: index, Path: path, Pos: d.pos.at(n.off)}
	seen := map[string]string{}
	exclusive := func(name, other string, off int64) bool {
		if _, ok := seen[other]; ok {
			d.errorf(off, path+"/"+name, "a statement cannot have both %s and %s", other, name)
			return false
		}
		return true
	}
	for _, m := range n.names {
		seen[m.name] = m.name
		mpath := path + "/" + m.name
		switch m.name {
		case "Sid":
			s.HasSid, s.SidPos = true, d.pos.at(m.val.off)
			if m.val.kind != '"' {
				d.errorf(m.val.off, mpath, "Sid must be a string, not %s", kindName(m.val.kind))
				continue
			}
			s.Sid = m.val.str
		case "Effect":
			s.EffectPos = d.pos.at(m.val.off)
			if m.val.kind != '"' {
				d.errorf(m.val.off, mpath, "Effect must be a string, not %s", kindName(m.val.kind))
				continue
			}
			s.Effect = m.val.str
			if s.Effect != "Allow" && s.Effect != "Deny" {
				d.errorf(m.val.off, mpath, "unknown Effect %q: want \"Allow\" or \"Deny\" (case-sensitive)", s.Effect)
			}
		case "Principal", "NotPrincipal":
			if !exclusive(m.name, map[string]string{"Principal": "NotPrincipal", "NotPrincipal": "Principal"}[m.name], m.off) {
				continue
			}
			s.NotPrincipal = m.name == "NotPrincipal"
			s.Principal = d.principal(m.val, mpath)
		case "Action", "NotAction":
			if !exclusive(m.name, map[string]string{"Action": "NotAction", "NotAction": "Action"}[m.name], m.off) {
				continue
			}
			s.HasAction, s.NotAction, s.ActionPos, s.ActionPath = true, m.name == "NotAction", d.pos.at(m.val.off), mpath
			s.Action = d.strings(m.val, mpath, m.name)
			for _, a := range s.Action {
				d.checkAction(a)
			}
		case "Resource", "NotResource":
			if !exclusive(m.name, map[string]string{"Resource": "NotResource", "NotResource": "Resource"}[m.name], m.off) {
				continue
			}
			s.HasResource, s.NotResource, s.ResourcePos, s.ResourcePath = true, m.name == "NotResource", d.pos.at(m.val.off), mpath
			s.Resource = d.strings(m.val, mpath, m.name)
			for _, r := range s.Resource {
				if r.Value == "" {
					d.errs = append(d.errs, &Error{File: d.file, Path: r.Path, Pos: r.Pos, Msg: m.name + " must not be an empty string"})
				}
			}
		case "Condition":
			s.HasCondition, s.ConditionPos = true, d.pos.at(m.val.off)
			s.Condition = d.condition(m.val, mpath)
		default:
			d.errorf(m.off, mpath, "unknown statement element %q%s", m.name,
				suggest(m.name, "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"))
		}
	}
	if _, ok := seen["Effect"]; !ok {
		d.errorf(n.off, path, "the statement has no Effect")
	}
	return s
}

// checkAction rejects an action that is neither "*" nor service:pattern. An
// action with white space is accepted as written and matches nothing, as in
// AWS, which compares it literally.
func (d *decoder) checkAction(a Str) {
	if a.Value == "*" {
		return
	}
	svc, _, ok := strings.Cut(a.Value, ":")
	if !ok || strings.TrimSpace(svc) == "" {
		d.errs = append(d.errs, &Error{File: d.file, Path: a.Path, Pos: a.Pos,
			Msg: fmt.Sprintf("malformed action %q: want service:Action, as in s3:GetObject, or *", a.Value)})
	}
}

// strings decodes a string or an array of strings.
func (d *decoder) strings(n *node, path, elem string) []Str {
	switch n.kind {
	case '"':
		return []Str{{Value: n.str, Pos: d.pos.at(n.off), Path: path}}
	case '[':
		if len(n.items) == 0 {
			d.errorf(n.off, path, "%s must not be an empty array", elem)
			return nil
		}
		out := make([]Str, 0, len(n.items))
		for i, it := range n.items {
			p := path + "/" + strconv.Itoa(i)
			if it.kind != '"' {
				d.errorf(it.off, p, "%s must be a string or an array of strings; found %s", elem, kindName(it.kind))
				continue
			}
			out = append(out, Str{Value: it.str, Pos: d.pos.at(it.off), Path: p})
		}
		return out
	}
	d.errorf(n.off, path, "%s must be a string or an array of strings, not %s", elem, kindName(n.kind))
	return nil
}

func (d *decoder) principal(n *node, path string) *Principal {
	p := &Principal{Pos: d.pos.at(n.off), Path: path}
	switch n.kind {
	case '"':
		if n.str == "*" {
			p.Wildcard = true
		} else {
			p.Shorthand = true
			p.AWS = []Str{{Value: n.str, Pos: p.Pos, Path: path}}
		}
		return p
	case '{':
	default:
		d.errorf(n.off, path, "a principal must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::111122223333:root\"}, not %s", kindName(n.kind))
		return p
	}
	if len(n.names) == 0 {
		d.errorf(n.off, path, "the principal object is empty")
	}
	for _, m := range n.names {
		mpath := path + "/" + m.name
		vals := d.strings(m.val, mpath, m.name)
		switch m.name {
		case "AWS":
			p.AWS = vals
		case "Service":
			p.Service = vals
		case "Federated":
			p.Federated = vals
		case "CanonicalUser":
			p.CanonicalUser = vals
		default:
			d.errorf(m.off, mpath, "unknown principal type %q%s: want AWS, Service, Federated or CanonicalUser", m.name,
				suggest(m.name, "AWS", "Service", "Federated", "CanonicalUser"))
		}
	}
	return p
}

func (d *decoder) condition(n *node, path string) []CondEntry {
	if n.kind != '{' {
		d.errorf(n.off, path, "Condition must be an object of operators, not %s", kindName(n.kind))
		return nil
	}
	var out []CondEntry
	for _, op := range n.names {
		opath := path + "/" + op.name
		if op.val.kind != '{' {
			d.errorf(op.val.off, opath, "condition operator %s must map condition keys to values; found %s", op.name, kindName(op.val.kind))
			continue
		}
		if len(op.val.names) == 0 {
			d.errorf(op.val.off, opath, "condition operator %s has no condition keys", op.name)
		}
		for _, k := range op.val.names {
			kpath := opath + "/" + k.name
			e := CondEntry{Op: op.name, OpPos: d.pos.at(op.off), Key: k.name, KeyPos: d.pos.at(k.off), Path: kpath}
			switch k.val.kind {
			case '"', '0', 't', 'f':
				e.Values = []string{k.val.str}
			case '[':
				e.IsArray = true
				if len(k.val.items) == 0 {
					d.errorf(k.val.off, kpath, "condition key %s has an empty list of values", k.name)
				}
				for i, it := range k.val.items {
					switch it.kind {
					case '"', '0', 't', 'f':
						e.Values = append(e.Values, it.str)
					default:
						d.errorf(it.off, kpath+"/"+strconv.Itoa(i), "a condition value must be a string, number or boolean, not %s", kindName(it.kind))
					}
				}
			default:
				d.errorf(k.val.off, kpath, "a condition value must be a string, number, boolean or an array of them, not %s", kindName(k.val.kind))
				continue
			}
			out = append(out, e)
		}
	}
	return out
}

// suggest returns ` (did you mean "X"?)` when name matches a known name but
// for case.
func suggest(name string, known ...string) string {
	for _, k := range known {
		if strings.EqualFold(name, k) {
			return fmt.Sprintf(" (did you mean %q? element names are case-sensitive)", k)
		}
	}
	return ""
}

// prefixPaths puts the document's element paths under prefix, so that later
// checks name them in the enclosing source.
func prefixPaths(doc *Document, prefix string) {
	if prefix == "" {
		return
	}
	doc.Path = prefix
	for _, s := range doc.Statements {
		s.Path = prefix + s.Path
		s.ActionPath = prefix + s.ActionPath
		s.ResourcePath = prefix + s.ResourcePath
		for i := range s.Action {
			s.Action[i].Path = prefix + s.Action[i].Path
		}
		for i := range s.Resource {
			s.Resource[i].Path = prefix + s.Resource[i].Path
		}
		if p := s.Principal; p != nil {
			p.Path = prefix + p.Path
			for _, l := range [][]Str{p.AWS, p.Service, p.Federated, p.CanonicalUser} {
				for i := range l {
					l[i].Path = prefix + l[i].Path
				}
			}
		}
		for i := range s.Condition {
			s.Condition[i].Path = prefix + s.Condition[i].Path
		}
	}
}
