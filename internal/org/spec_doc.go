package org

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
)

// PolicyDoc is a policy document as a Spec holds it: a JSON string holding
// the text as it was given (what the APIs store, so that it is returned as
// written), or a JSON object, a mapping written like IAM JSON (what org
// files usually hold). The zero PolicyDoc is no document.
type PolicyDoc []byte

// TextDoc returns a document holding text as it is.
func TextDoc(text string) PolicyDoc {
	data, _ := json.Marshal(text) // a string always marshals
	return data
}

// IsZero reports whether there is no document.
func (d PolicyDoc) IsZero() bool { return len(d) == 0 || string(d) == "null" }

// MarshalJSON writes the document as it is held.
func (d PolicyDoc) MarshalJSON() ([]byte, error) {
	if len(d) == 0 {
		return []byte("null"), nil
	}
	return d, nil
}

// UnmarshalJSON keeps a copy of the JSON value, which must be a string or
// an object (or null: no document).
func (d *PolicyDoc) UnmarshalJSON(data []byte) error {
	t := bytes.TrimSpace(data)
	if len(t) == 0 || (t[0] != '"' && t[0] != '{' && string(t) != "null") {
		return errors.New("a policy document must be a JSON object or a string holding JSON")
	}
	if string(t) == "null" {
		*d = nil
		return nil
	}
	*d = append((*d)[:0], t...)
	return nil
}

// raw returns the document's text as written: a string's content, or the
// object written out with the elements in IAM's order, each level indented
// by indent.
func (d PolicyDoc) raw(indent string) string {
	if d.IsZero() {
		return ""
	}
	var s string
	if json.Unmarshal(d, &s) == nil {
		return s
	}
	var v any
	if err := json.Unmarshal(d, &v); err != nil {
		return string(d)
	}
	var b bytes.Buffer
	writeOrdered(&b, v, "", indent)
	return b.String()
}

// Text returns a document's text as IAM and Organizations show it: a text
// as given, or a mapping written as JSON indented by indent, with the
// policy elements in IAM's order; account placeholders (${account:Name})
// replaced by the accounts' IDs, as the loader replaces them.
func (s *Spec) Text(d PolicyDoc, indent string) string {
	return s.Expand(d.raw(indent))
}

// Expand replaces the account placeholders of a string by the accounts' IDs.
func (s *Spec) Expand(text string) string {
	if !strings.Contains(text, placeholderPrefix) {
		return text
	}
	for _, a := range s.Accounts {
		text = strings.ReplaceAll(text, placeholderPrefix+a.Name+"}", a.ID)
	}
	return text
}

// placeholderPrefix starts an account placeholder.
const placeholderPrefix = "${account:"

// HasPlaceholder reports whether a string holds what the format reads as an
// account placeholder: the APIs refuse such names.
func HasPlaceholder(s string) bool { return strings.Contains(s, placeholderPrefix) }

// elementOrder is the order IAM writes policy elements in; other keys follow
// in alphabetical order.
var elementOrder = []string{"Version", "Id", "Statement", "Sid", "Effect", "Principal", "NotPrincipal",
	"Action", "NotAction", "Resource", "NotResource", "Condition"}

func elementRank(k string) int {
	if i := slices.Index(elementOrder, k); i >= 0 {
		return i
	}
	return len(elementOrder)
}

// writeOrdered writes a JSON value indented by unit per level, the keys of
// objects in elementOrder, empty objects and arrays as {} and [].
func writeOrdered(b *bytes.Buffer, v any, indent, unit string) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			b.WriteString("{}")
			return
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(x, y string) int {
			if rx, ry := elementRank(x), elementRank(y); rx != ry {
				return rx - ry
			}
			return strings.Compare(x, y)
		})
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n" + indent + unit)
			writeScalar(b, k)
			b.WriteString(": ")
			writeOrdered(b, t[k], indent+unit, unit)
		}
		b.WriteString("\n" + indent + "}")
	case []any:
		if len(t) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[")
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n" + indent + unit)
			writeOrdered(b, e, indent+unit, unit)
		}
		b.WriteString("\n" + indent + "]")
	default:
		writeScalar(b, t)
	}
}

// writeScalar writes a JSON scalar without HTML escapes, as AWS writes
// documents.
func writeScalar(b *bytes.Buffer, v any) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		b.WriteString("null")
		return
	}
	b.Truncate(b.Len() - 1) // the encoder's newline
}
