package organizations

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

// The org format document is generic JSON: sections are lists of objects,
// and everything refers to everything by name.

// section returns a top-level list of the document.
func section(d *state.Doc, key string) []any {
	l, _ := d.Org[key].([]any)
	return l
}

// appendTo adds an entry to a top-level list.
func appendTo(d *state.Doc, key string, entry map[string]any) {
	d.Org[key] = append(section(d, key), entry)
}

// entry finds the object of a section whose fields match.
func entry(d *state.Doc, key string, match func(m map[string]any) bool) map[string]any {
	for _, e := range section(d, key) {
		if m, ok := e.(map[string]any); ok && match(m) {
			return m
		}
	}
	return nil
}

func field(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// accountEntry finds an account by name.
func accountEntry(d *state.Doc, name string) map[string]any {
	return entry(d, "accounts", func(m map[string]any) bool { return field(m, "name") == name })
}

// policyEntry finds an SCP or RCP by format type and name.
func policyEntry(d *state.Doc, typ, name string) map[string]any {
	return entry(d, "policies", func(m map[string]any) bool {
		return field(m, "type") == typ && field(m, "name") == name
	})
}

// removePolicy deletes a policy entry.
func removePolicy(d *state.Doc, typ, name string) bool {
	list := section(d, "policies")
	for i, e := range list {
		if m, ok := e.(map[string]any); ok && field(m, "type") == typ && field(m, "name") == name {
			d.Org["policies"] = append(list[:i:i], list[i+1:]...)
			return true
		}
	}
	return false
}

// attachList returns a policy entry's attach list.
func attachList(m map[string]any) []string {
	var out []string
	l, _ := m["attach"].([]any)
	for _, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// setAttach writes an attach list; an empty one is removed, since the format
// reads an empty list as a mistake and an absent one as "not attached".
func setAttach(m map[string]any, names []string) {
	if len(names) == 0 {
		delete(m, "attach")
		return
	}
	l := make([]any, len(names))
	for i, n := range names {
		l[i] = n
	}
	m["attach"] = l
}

// ensureFullAWSAccess attaches FullAWSAccess to a new OU or account, as AWS
// does while SCPs are enabled, creating the policy if the org lacks it.
func ensureFullAWSAccess(d *state.Doc, v view, name string) {
	if !v.scpEnabled() {
		return
	}
	m := policyEntry(d, org.TypeSCP, fullAWSAccess)
	if m == nil {
		m = map[string]any{"name": fullAWSAccess, "type": org.TypeSCP, "description": "Allows access to every operation",
			"document": fullAWSAccessContent}
		appendTo(d, "policies", m)
	}
	setAttach(m, append(attachList(m), name))
}

// content returns a policy's document as JSON text: the text as written
// when it was given as a string (CreatePolicy, UpdatePolicy), else the
// mapping written as JSON; account placeholders replaced by IDs.
func content(m map[string]any, o *org.Org) string {
	var text string
	switch doc := m["document"].(type) {
	case string:
		text = doc
	default:
		var b bytes.Buffer
		if err := writeOrdered(&b, doc, ""); err != nil {
			return ""
		}
		text = b.String()
	}
	if !strings.Contains(text, placeholderGuard) {
		return text
	}
	for _, a := range o.Accounts {
		text = strings.ReplaceAll(text, placeholderGuard+a.Name+"}", a.ID)
	}
	return text
}

// elementOrder is the order policy elements are written in, as IAM writes
// them; other keys follow in alphabetical order.
var elementOrder = []string{"Version", "Id", "Statement", "Sid", "Effect", "Principal", "NotPrincipal",
	"Action", "NotAction", "Resource", "NotResource", "Condition"}

// writeOrdered writes a document of the org file (a YAML mapping, held as
// generic JSON) as indented JSON with its elements in IAM's order.
func writeOrdered(b *bytes.Buffer, v any, indent string) error {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		rank := func(k string) int {
			if i := slices.Index(elementOrder, k); i >= 0 {
				return i
			}
			return len(elementOrder)
		}
		slices.SortFunc(keys, func(x, y string) int {
			if rx, ry := rank(x), rank(y); rx != ry {
				return rx - ry
			}
			return strings.Compare(x, y)
		})
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n" + indent + "  ")
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteString(": ")
			if err := writeOrdered(b, t[k], indent+"  "); err != nil {
				return err
			}
		}
		if len(keys) > 0 {
			b.WriteString("\n" + indent)
		}
		b.WriteString("}")
	case []any:
		b.WriteString("[")
		for i, e := range t {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n" + indent + "  ")
			if err := writeOrdered(b, e, indent+"  "); err != nil {
				return err
			}
		}
		if len(t) > 0 {
			b.WriteString("\n" + indent)
		}
		b.WriteString("]")
	default:
		enc, err := json.Marshal(t)
		if err != nil {
			return err
		}
		b.Write(enc)
	}
	return nil
}
