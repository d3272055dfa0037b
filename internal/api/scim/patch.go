package scim

import (
	"encoding/json"
	"strings"
)

// PATCH (RFC 7644 section 3.5.2), as Okta and Microsoft Entra ID send it:
// operations add, replace and remove (any case: Entra sends "Replace"),
// with a path (attr, attr.sub, attr[sub eq "v"], attr[sub eq "v"].sub,
// optionally prefixed by the resource's schema URN) or, for add and
// replace, without one and with an object of attributes as the value
// (Okta's {"op":"replace","value":{"active":false}}). remove of a
// multi-valued attribute with a value (Entra's {"op":"Remove",
// "path":"members","value":[{"value":"ID"}]}) removes the listed values.
// An operation applies to the resource's SCIM shape; the result is then
// stored as a PUT would store it, all operations or none.

type patchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value"`
}

type patchRequest struct {
	Schemas    []string  `json:"schemas"`
	Operations []patchOp `json:"Operations"`
}

// readPatch decodes a PATCH body.
func (rq *request) readPatch() ([]patchOp, error) {
	var p patchRequest
	if err := rq.decodeBody(&p); err != nil {
		return nil, err
	}
	if len(p.Schemas) > 0 && !hasFold(p.Schemas, PatchSchema) {
		return nil, invalidSyntax("A PATCH request's schemas must be [%q].", PatchSchema)
	}
	if len(p.Operations) == 0 {
		return nil, invalidSyntax("A PATCH request needs Operations.")
	}
	return p.Operations, nil
}

func hasFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// patch applies the operations to a resource's SCIM shape. schema is the
// resource's core schema URN (a path may start with it); paths under
// another schema (the enterprise extension) are not stored and skipped.
func patch(res map[string]any, ops []patchOp, schema string) error {
	for i, op := range ops {
		kind := strings.ToLower(op.Op)
		if kind != "add" && kind != "replace" && kind != "remove" {
			return invalidSyntax("Operations[%d]: op %q: want add, replace or remove.", i, op.Op)
		}
		var val any
		if len(op.Value) > 0 {
			if err := json.Unmarshal(op.Value, &val); err != nil {
				return invalidSyntax("Operations[%d]: the value is not JSON: %v", i, err)
			}
		}
		if op.Path == "" {
			obj, ok := val.(map[string]any)
			if kind == "remove" || !ok {
				return errf(400, "noTarget", "Operations[%d]: %s without a path needs an object of attributes as its value.", i, op.Op)
			}
			for k, v := range obj {
				if err := patchPath(res, kind, k, v, schema); err != nil {
					return prefix(i, err)
				}
			}
			continue
		}
		if kind != "remove" && len(op.Value) == 0 {
			return invalidValue("Operations[%d]: %s of %s needs a value.", i, op.Op, op.Path)
		}
		if err := patchPath(res, kind, op.Path, val, schema); err != nil {
			return prefix(i, err)
		}
	}
	return nil
}

func prefix(i int, err error) error {
	if se, ok := err.(*Error); ok {
		return &Error{Status: se.Status, ScimType: se.ScimType, Detail: "Operations[" + itoa(i) + "]: " + se.Detail}
	}
	return err
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// key finds a map's key for a name, ignoring case (SCIM's attribute names
// are case-insensitive); the name itself when there is none.
func key(m map[string]any, name string) string {
	for k := range m {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

// patchPath applies one operation at a path.
func patchPath(res map[string]any, kind, path string, val any, schema string) error {
	p := path
	if strings.HasPrefix(strings.ToLower(p), "urn:") {
		lower := strings.ToLower(p)
		if !strings.HasPrefix(lower, strings.ToLower(schema)+":") {
			return nil // an extension Warden does not store
		}
		p = p[len(schema)+1:]
	}
	attr, filter, sub := p, "", ""
	if i := strings.IndexByte(p, '['); i >= 0 {
		j := strings.IndexByte(p, ']')
		if j < i {
			return invalidPath("Path %q: [ is not closed.", path)
		}
		attr, filter = p[:i], p[i+1:j]
		sub = strings.TrimPrefix(p[j+1:], ".")
		if p[j+1:] != "" && !strings.HasPrefix(p[j+1:], ".") {
			return invalidPath("Path %q: want .attribute after ].", path)
		}
	} else if a, s, ok := strings.Cut(p, "."); ok {
		attr, sub = a, s
	}
	if attr == "" || strings.ContainsAny(attr, " \"") {
		return invalidPath("Path %q is not an attribute path.", path)
	}
	k := key(res, attr)
	if filter == "" {
		if sub == "" {
			return setAttr(res, kind, k, val)
		}
		obj, _ := res[k].(map[string]any)
		if obj == nil {
			if kind == "remove" {
				return nil
			}
			obj = map[string]any{}
			res[k] = obj
		}
		return setAttr(obj, kind, key(obj, sub), val)
	}
	toks, err := tokens(filter)
	if err != nil || len(toks) != 3 || toks[0].quoted || !strings.EqualFold(toks[1].text, "eq") {
		return invalidPath("Path %q: the value filter must be attribute eq \"value\".", path)
	}
	fattr, fval := toks[0].text, toks[2].text
	list, _ := res[k].([]any)
	match := func(e any) bool {
		m, ok := e.(map[string]any)
		if !ok {
			return false
		}
		v, ok := m[key(m, fattr)]
		s, isStr := v.(string)
		return ok && ((isStr && strings.EqualFold(s, fval)) || (!isStr && toString(v) == fval))
	}
	found := false
	var kept []any
	for _, e := range list {
		if !match(e) {
			kept = append(kept, e)
			continue
		}
		found = true
		m := e.(map[string]any)
		switch {
		case kind == "remove" && sub == "":
			continue // the element goes
		case sub == "":
			obj, ok := val.(map[string]any)
			if !ok {
				return invalidValue("Path %q: the value must be an object.", path)
			}
			for vk, vv := range obj {
				m[key(m, vk)] = vv
			}
		default:
			if err := setAttr(m, kind, key(m, sub), val); err != nil {
				return err
			}
		}
		kept = append(kept, m)
	}
	if !found && kind != "remove" {
		// Entra adds emails[type eq "work"].value to a user without one.
		m := map[string]any{fattr: fval}
		if sub == "" {
			obj, ok := val.(map[string]any)
			if !ok {
				return invalidValue("Path %q: the value must be an object.", path)
			}
			for vk, vv := range obj {
				m[vk] = vv
			}
		} else {
			m[sub] = val
		}
		kept = append(kept, m)
	}
	res[k] = kept
	if kept == nil {
		delete(res, k)
	}
	return nil
}

// setAttr adds, replaces or removes one attribute of an object. add to a
// multi-valued attribute appends; remove with a value of a multi-valued
// attribute removes the listed values.
func setAttr(obj map[string]any, kind, k string, val any) error {
	cur, exists := obj[k]
	list, multi := cur.([]any)
	switch kind {
	case "remove":
		if vals, ok := val.([]any); ok && multi && len(vals) > 0 {
			var kept []any
			for _, e := range list {
				if !containsValue(vals, e) {
					kept = append(kept, e)
				}
			}
			obj[k] = kept
			if kept == nil {
				delete(obj, k)
			}
			return nil
		}
		delete(obj, k)
	case "add":
		if vals, ok := val.([]any); ok && (multi || !exists) {
			for _, v := range vals {
				if !containsValue(list, v) {
					list = append(list, v)
				}
			}
			obj[k] = list
			return nil
		}
		if m, ok := val.(map[string]any); ok {
			if curObj, ok := cur.(map[string]any); ok {
				for vk, vv := range m {
					curObj[key(curObj, vk)] = vv
				}
				return nil
			}
		}
		obj[k] = val
	default:
		if val == nil {
			delete(obj, k)
			return nil
		}
		obj[k] = val
	}
	return nil
}

// containsValue reports whether list has v, comparing the "value" of
// multi-valued elements (members' {"value": ID}) or the whole element.
func containsValue(list []any, v any) bool {
	want := valueOf(v)
	for _, e := range list {
		if valueOf(e) == want {
			return true
		}
	}
	return false
}

func valueOf(v any) string {
	if m, ok := v.(map[string]any); ok {
		if x, ok := m[key(m, "value")]; ok {
			return toString(x)
		}
	}
	return toString(v)
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// asMap is a value's JSON object; asAny its JSON value.
func asMap(v any) map[string]any {
	m, _ := asAny(v).(map[string]any)
	return m
}

func asAny(v any) any {
	b, _ := json.Marshal(v) // org values always marshal
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// patchUser applies a PATCH to a user's SCIM shape and reads the result.
func (rq *request) patchUser(cur map[string]any) (userIn, error) {
	var in userIn
	ops, err := rq.readPatch()
	if err != nil {
		return in, err
	}
	if err := patch(cur, ops, UserSchema); err != nil {
		return in, err
	}
	b, _ := json.Marshal(cur)
	if err := json.Unmarshal(b, &in); err != nil {
		if se, ok := err.(*Error); ok {
			return in, se
		}
		return in, invalidValue("The patched user is not valid: %v", err)
	}
	return in, nil
}
