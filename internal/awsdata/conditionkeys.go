package awsdata

import (
	"sort"
	"strings"
	"sync"
)

// ConditionKey is a condition key of the global list or of a service.
type ConditionKey struct {
	// Key is AWS's spelling. A templated key keeps its placeholder, such as
	// aws:PrincipalTag/${TagKey} or s3:ExistingObjectTag/<key>.
	Key string
	// Type is one of String, ArrayOfString, ARN, ArrayOfARN, Bool,
	// ArrayOfBool, Numeric, Date and IPAddress.
	Type string
	// Global reports an aws: key or a key of AWS's global condition key list
	// (which also holds a few session keys such as ec2:SourceInstanceArn).
	Global bool
	// Category is principal, session, network, resource or request for a key
	// of the global list, and "" otherwise.
	Category string
}

type keyTable struct {
	exact     map[string]ConditionKey // lower-cased key -> key
	templates []keyTemplate           // most specific first
}

type keyTemplate struct {
	prefix  string // the literal text before the first placeholder
	pattern string // lower-cased, "?*" for each placeholder
	key     ConditionKey
}

var conditionKeys = sync.OnceValue(loadConditionKeys)

func loadConditionKeys() *keyTable {
	var wire struct {
		Keys []struct {
			Key      string `json:"k"`
			Type     string `json:"t"`
			Global   bool   `json:"g"`
			Category string `json:"c"`
			Match    string `json:"m"`
		} `json:"keys"`
	}
	decodeData("conditionkeys.json", conditionKeysJSON, &wire)
	t := &keyTable{exact: make(map[string]ConditionKey, len(wire.Keys))}
	for _, w := range wire.Keys {
		k := ConditionKey{Key: w.Key, Type: w.Type, Global: w.Global, Category: w.Category}
		t.exact[strings.ToLower(w.Key)] = k
		if w.Match != "" {
			prefix, _, _ := strings.Cut(w.Match, "?")
			t.templates = append(t.templates, keyTemplate{prefix: prefix, pattern: w.Match, key: k})
		}
	}
	// Prefer the template with the most literal text; ties by key, so the
	// choice does not depend on the file's order.
	sort.SliceStable(t.templates, func(i, j int) bool {
		a, b := t.templates[i], t.templates[j]
		la, lb := literalLen(a.pattern), literalLen(b.pattern)
		if la != lb {
			return la > lb
		}
		return a.pattern < b.pattern
	})
	return t
}

func literalLen(pattern string) int {
	return len(pattern) - strings.Count(pattern, "?") - strings.Count(pattern, "*")
}

// LookupConditionKey returns the condition key named key, ignoring case. A
// key that fills in a templated key's placeholder, such as aws:PrincipalTag/team,
// aws:RequestTag/cost-center or s3:ExistingObjectTag/owner, returns the
// templated key.
func LookupConditionKey(key string) (ConditionKey, bool) {
	t := conditionKeys()
	low := strings.ToLower(key)
	if k, ok := t.exact[low]; ok {
		return k, true
	}
	for _, tp := range t.templates {
		if strings.HasPrefix(low, tp.prefix) && wildcardMatch(tp.pattern, low) {
			return tp.key, true
		}
	}
	return ConditionKey{}, false
}
