package iam

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/securecart/warden/internal/state"
)

// model is the org document (Warden's org format as generic JSON) with the
// lookups the IAM actions need. Its maps are the document's own: changing
// them changes the document.
type model struct {
	d        *state.Doc
	idByName map[string]string // account name -> ID
	nameByID map[string]string // account ID -> name
	mgmt     string            // the management account's name
	members  []string          // member account names, in document order
}

func newModel(d *state.Doc) *model {
	if d.Org == nil {
		d.Org = map[string]any{}
	}
	m := &model{d: d, idByName: map[string]string{}, nameByID: map[string]string{}}
	if info, ok := d.Org["organization"].(map[string]any); ok {
		m.mgmt = str(info["managementAccount"])
	}
	for _, a := range m.entries("accounts") {
		name, id := str(a["name"]), str(a["id"])
		if name == "" {
			continue
		}
		m.idByName[name], m.nameByID[id] = id, name
		if name != m.mgmt {
			m.members = append(m.members, name)
		}
	}
	return m
}

// str returns a document value as a string: strings as they are, numbers
// and booleans as YAML would have written them.
func str(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case float64:
		if t == float64(int64(t)) {
			return fmt.Sprint(int64(t))
		}
		return fmt.Sprint(t)
	default:
		return fmt.Sprint(t)
	}
}

// raw returns a top-level list of the document.
func (m *model) raw(section string) []any {
	l, _ := m.d.Org[section].([]any)
	return l
}

// entries returns the mappings of a top-level list.
func (m *model) entries(section string) []map[string]any {
	var out []map[string]any
	for _, e := range m.raw(section) {
		if mp, ok := e.(map[string]any); ok {
			out = append(out, mp)
		}
	}
	return out
}

// insert puts e into a top-level list at index i (at the end for i < 0).
func (m *model) insert(section string, i int, e map[string]any) {
	l := m.raw(section)
	if i < 0 || i > len(l) {
		i = len(l)
	}
	l = append(l, nil)
	copy(l[i+1:], l[i:])
	l[i] = e
	m.d.Org[section] = l
}

// remove deletes index i of a top-level list.
func (m *model) remove(section string, i int) {
	l := m.raw(section)
	if i < 0 || i >= len(l) {
		return
	}
	m.d.Org[section] = append(l[:i:i], l[i+1:]...)
}

// accountNames returns the account names an accounts field lists, with "*"
// expanded to every member account.
func (m *model) accountNames(v any) []string {
	list, _ := v.([]any)
	var out []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, e := range list {
		n := str(e)
		if n == "*" {
			for _, mn := range m.members {
				add(mn)
			}
			continue
		}
		add(n)
	}
	return out
}

// holds reports whether an accounts field includes the account.
func (m *model) holds(v any, acctName string) bool {
	list, _ := v.([]any)
	for _, e := range list {
		n := str(e)
		if n == acctName || (n == "*" && acctName != m.mgmt && acctName != "") {
			return true
		}
	}
	return false
}

// roleDef finds the definition of a role (names ignore case, as IAM's do)
// that provisions it into the account; idx is its index in roles.
func (m *model) roleDef(acctID, name string) (def map[string]any, idx int) {
	acct := m.nameByID[acctID]
	for i, e := range m.raw("roles") {
		mp, ok := e.(map[string]any)
		if ok && strings.EqualFold(str(mp["name"]), name) && m.holds(mp["accounts"], acct) {
			return mp, i
		}
	}
	return nil, -1
}

// ownRole returns the definition of a role for the account alone: a
// definition shared with other accounts is split in two, the copy for this
// account placed after the original, so that a change touches only it.
func (m *model) ownRole(acctID, name string) map[string]any {
	def, i := m.roleDef(acctID, name)
	if def == nil {
		return nil
	}
	acct := m.nameByID[acctID]
	names := m.accountNames(def["accounts"])
	if len(names) <= 1 {
		def["accounts"] = []any{acct}
		return def
	}
	rest := make([]any, 0, len(names)-1)
	for _, n := range names {
		if n != acct {
			rest = append(rest, n)
		}
	}
	cp := deepCopy(def).(map[string]any)
	cp["accounts"] = []any{acct}
	def["accounts"] = rest
	m.insert("roles", i+1, cp)
	return cp
}

// userDef finds an IAM user of the account by name (ignoring case).
func (m *model) userDef(acctID, name string) (def map[string]any, idx int) {
	acct := m.nameByID[acctID]
	for i, e := range m.raw("users") {
		mp, ok := e.(map[string]any)
		if ok && strings.EqualFold(str(mp["name"]), name) && str(mp["account"]) == acct {
			return mp, i
		}
	}
	return nil, -1
}

// managedDef finds a customer managed policy's definition by name (ignoring
// case), whichever accounts hold it.
func (m *model) managedDef(name string) (def map[string]any, idx int) {
	for i, e := range m.raw("policies") {
		mp, ok := e.(map[string]any)
		if ok && str(mp["type"]) == "managed" && strings.EqualFold(str(mp["name"]), name) {
			return mp, i
		}
	}
	return nil, -1
}

// pathOf returns an entity's path, "/" when the definition gives none.
func pathOf(def map[string]any) string {
	if p := str(def["path"]); p != "" {
		return p
	}
	return "/"
}

func policyARN(acctID string, def map[string]any) string {
	return "arn:aws:iam::" + acctID + ":policy" + pathOf(def) + str(def["name"])
}

func roleARN(acctID, path, name string) string {
	return "arn:aws:iam::" + acctID + ":role" + path + name
}

func userARN(acctID, path, name string) string {
	return "arn:aws:iam::" + acctID + ":user" + path + name
}

// managedByARN finds the customer managed policy an ARN names in the
// account: the account's own copy, at the ARN's path.
func (m *model) managedByARN(acctID, arnStr string) (def map[string]any, idx int) {
	rest, ok := strings.CutPrefix(arnStr, "arn:aws:iam::"+acctID+":policy/")
	if !ok {
		return nil, -1
	}
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	path := "/" + rest[:len(rest)-len(name)]
	def, idx = m.managedDef(name)
	if def == nil || pathOf(def) != path || str(def["name"]) != name || !m.holds(def["accounts"], m.nameByID[acctID]) {
		return nil, -1
	}
	return def, idx
}

// refARN returns the ARN of a policy reference as the format writes it: an
// AWS managed policy's ARN, or a customer managed policy's name, whose copy
// in the account it names.
func (m *model) refARN(acctID, ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		return ref
	}
	if def, _ := m.managedDef(ref); def != nil {
		return policyARN(acctID, def)
	}
	return "arn:aws:iam::" + acctID + ":policy/" + ref
}

// refList returns a list field's strings.
func refList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		out = append(out, str(e))
	}
	return out
}

func toAny(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

// tagsOf returns a tags field.
func tagsOf(v any) map[string]string {
	mp, _ := v.(map[string]any)
	out := make(map[string]string, len(mp))
	for k, val := range mp {
		out[k] = str(val)
	}
	return out
}

// tagList returns tags sorted by key.
func tagList(tags map[string]string) []Tag {
	out := make([]Tag, 0, len(tags))
	for k, v := range tags {
		out = append(out, Tag{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func tagField(tags map[string]string) map[string]any {
	out := make(map[string]any, len(tags))
	for k, v := range tags {
		out[k] = v
	}
	return out
}

// inlineNames returns the names of an inlinePolicies field, sorted.
func inlineNames(v any) []string {
	mp, _ := v.(map[string]any)
	out := make([]string, 0, len(mp))
	for k := range mp {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// inlineDoc finds an inline policy by name (names ignore case).
func inlineDoc(v any, name string) (string, any, bool) {
	mp, _ := v.(map[string]any)
	if d, ok := mp[name]; ok {
		return name, d, true
	}
	for k, d := range mp {
		if strings.EqualFold(k, name) {
			return k, d, true
		}
	}
	return "", nil, false
}

// deepCopy copies a JSON value.
func deepCopy(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		panic("iam: copying a document value: " + err.Error())
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		panic("iam: copying a document value: " + err.Error())
	}
	return out
}
