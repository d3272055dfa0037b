package org

import (
	"maps"
	"slices"
	"strings"
)

// Policy and tag edits that roles and users share (Entity). Inline policy
// names ignore case, as IAM's do; references are kept as the format writes
// them (see Spec.RefARN).

// Inline finds an inline policy by name, ignoring case: the name as held,
// and its document.
func (e *Entity) Inline(name string) (string, PolicyDoc, bool) {
	if d, ok := e.InlinePolicies[name]; ok {
		return name, d, true
	}
	for k, d := range e.InlinePolicies {
		if strings.EqualFold(k, name) {
			return k, d, true
		}
	}
	return "", nil, false
}

// InlineNames returns the names of the inline policies, sorted.
func (e *Entity) InlineNames() []string {
	return slices.Sorted(maps.Keys(e.InlinePolicies))
}

// PutInline adds or replaces an inline policy; a policy of the same name in
// another case is replaced, keeping its name.
func (e *Entity) PutInline(name string, doc PolicyDoc) {
	if held, _, ok := e.Inline(name); ok {
		name = held
	}
	if e.InlinePolicies == nil {
		e.InlinePolicies = map[string]PolicyDoc{}
	}
	e.InlinePolicies[name] = doc
}

// DeleteInline deletes an inline policy; it reports whether there was one.
func (e *Entity) DeleteInline(name string) bool {
	held, _, ok := e.Inline(name)
	if !ok {
		return false
	}
	delete(e.InlinePolicies, held)
	if len(e.InlinePolicies) == 0 {
		e.InlinePolicies = nil
	}
	return true
}

// SetTags replaces the tags (none: nil).
func (e *Entity) SetTags(tags map[string]string) {
	if len(tags) == 0 {
		e.Tags = nil
		return
	}
	e.Tags = maps.Clone(tags)
}

// HasPolicies reports whether the entity holds a managed or inline policy
// (IAM refuses to delete it then).
func (e *Entity) HasPolicies() (managed, inline bool) {
	return len(e.ManagedPolicies) > 0, len(e.InlinePolicies) > 0
}
