package validate

import (
	"sort"
	"strings"
	"sync"

	"github.com/securecart/warden/internal/awsdata"
)

func lookupService(prefix string) (*awsdata.Service, bool) { return awsdata.LookupService(prefix) }

// closestGlobalKey suggests a global key near name.
func closestGlobalKey(name string) string {
	return closest(name, globalKeys())
}

// closestServiceKey suggests a key of the service near name.
func closestServiceKey(s *awsdata.Service, name string) string {
	return closest(name, s.ConditionKeys())
}

func closest(name string, known []string) string {
	low := strings.ToLower(name)
	best, bestD := "", len(low)/4+1
	for _, k := range known {
		if d := editDistance(low, strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

var globalKeys = sync.OnceValue(func() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range awsdata.Services() {
		s, _ := awsdata.LookupService(p)
		for _, k := range s.ConditionKeys() {
			if strings.HasPrefix(strings.ToLower(k), "aws:") && !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
})

// supportedKeys returns the condition keys an action supports: its own and
// those of the resource types it applies to, lower-cased in their templated
// form (aws:resourcetag/${tagkey}).
func supportedKeys(a *awsdata.Action) map[string]bool {
	t := actionKeys()
	t.mu.Lock()
	defer t.mu.Unlock()
	if m, ok := t.byAction[a]; ok {
		return m
	}
	m := map[string]bool{}
	for _, k := range a.ConditionKeys {
		m[strings.ToLower(k)] = true
	}
	s, _ := awsdata.LookupService(a.Service)
	for _, r := range a.ResourceTypes {
		for _, k := range r.ConditionKeys {
			m[strings.ToLower(k)] = true
		}
		if rt, ok := s.ResourceType(r.Name); ok {
			for _, k := range rt.ConditionKeys {
				m[strings.ToLower(k)] = true
			}
		}
	}
	t.byAction[a] = m
	return m
}

type actionKeyTable struct {
	mu       sync.Mutex
	byAction map[*awsdata.Action]map[string]bool
}

var actionKeys = sync.OnceValue(func() *actionKeyTable {
	return &actionKeyTable{byAction: map[*awsdata.Action]map[string]bool{}}
})

// keyActionSupport reports, for each service-specific condition key, the
// actions of the Action element that never set it: for them the condition
// is not evaluated as written (a missing key fails every operator but the
// negated and IfExists ones).
func (v *validator) keyActionSupport(s *statement) {
	if s.notAction || len(s.actions) == 0 {
		return
	}
	for _, c := range s.conds {
		if !c.known || c.info.Global || strings.HasPrefix(c.lower(), "aws:") {
			continue
		}
		key := strings.ToLower(c.info.Key)
		var bad []*node
		for _, a := range s.actions {
			matched := actionsOf(a.str)
			if len(matched) == 0 {
				continue
			}
			supported := false
			for _, m := range matched {
				if supportedKeys(m)[key] {
					supported = true
					break
				}
			}
			if !supported {
				bad = append(bad, a)
			}
		}
		if len(bad) == 0 {
			continue
		}
		names := make([]string, len(bad))
		locs := make([]Location, 0, len(bad)+1)
		for i, a := range bad {
			names[i] = a.str
			locs = append(locs, v.at(a))
		}
		locs = append(locs, v.at(c.key.val))
		v.addAt("UNSUPPORTED_ACTION_FOR_CONDITION_KEY", locs, "The following actions: "+strings.Join(names, ", ")+" are not supported by the condition key "+c.name()+". The condition will not be evaluated for these actions. We recommend that you move these actions to a different statement without this condition key.")
	}
}

// actionsOf returns the known actions an action pattern matches; "*" and
// patterns with a wildcard service match too many to say anything and
// return none.
func actionsOf(pattern string) []*awsdata.Action {
	svc, _, ok := strings.Cut(pattern, ":")
	if !ok || strings.ContainsAny(svc, "*?") {
		return nil
	}
	return awsdata.MatchActions(pattern)
}

// isTagKey reports the tag condition keys whose support varies by service.
func isTagKey(low string) bool {
	return strings.HasPrefix(low, "aws:resourcetag/") || strings.HasPrefix(low, "aws:requesttag/") || low == "aws:tagkeys"
}

// serviceSupportsKey reports whether any action of the service supports the
// (templated, lower-cased) key.
func serviceSupportsKey(prefix, key string) bool {
	s, ok := awsdata.LookupService(prefix)
	if !ok {
		return true // unknown services are reported elsewhere
	}
	t := serviceTagKeys()
	t.mu.Lock()
	m, ok := t.byService[s.Prefix]
	t.mu.Unlock()
	if !ok {
		m = map[string]bool{}
		for _, a := range s.Actions() {
			for k := range supportedKeys(a) {
				m[k] = true
			}
		}
		t.mu.Lock()
		t.byService[s.Prefix] = m
		t.mu.Unlock()
	}
	return m[key]
}

type serviceKeyTable struct {
	mu        sync.Mutex
	byService map[string]map[string]bool
}

var serviceTagKeys = sync.OnceValue(func() *serviceKeyTable {
	return &serviceKeyTable{byService: map[string]map[string]bool{}}
})

// tagKeySupport reports tag condition keys (aws:ResourceTag/..., aws:RequestTag/...,
// aws:TagKeys) used with actions of services that do not support them
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-security-warning-deny-with-unsupported-tag-condition-key-for-service).
// In a Deny statement those actions are never denied; in an Allow statement
// they are never allowed.
func (v *validator) tagKeySupport(s *statement) {
	if s.effect == "" || s.action == nil {
		return
	}
	for _, c := range s.conds {
		if !c.known || !isTagKey(c.lower()) {
			continue
		}
		key := strings.ToLower(c.info.Key)
		loc := v.at(c.key.val)
		if s.notAction {
			if s.effect == "Deny" {
				v.add("DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", loc, "Using the effect Deny with NotAction and the tag condition key %s can be overly permissive because some service actions are not denied by this statement: the services that do not support the key are never denied. We recommend that you use the Action element and list the actions to deny.", c.name())
			} else {
				v.add("ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", loc, "Using the effect Allow with NotAction and the tag condition key %s allows only service actions that support the condition key. The condition key doesn't apply to some service actions. We recommend that you use Action instead of NotAction.", c.name())
			}
			continue
		}
		var bad []string
		seen := map[string]bool{}
		for _, a := range s.actions {
			svc, _, ok := strings.Cut(strings.ToLower(a.str), ":")
			if !ok || strings.ContainsAny(svc, "*?") || seen[svc] {
				continue
			}
			seen[svc] = true
			if !serviceSupportsKey(svc, key) {
				bad = append(bad, svc)
			}
		}
		if len(bad) == 0 {
			continue
		}
		if s.effect == "Deny" {
			v.add("DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", loc, "Using the effect Deny with the tag condition key %s and actions for services with the following prefixes can be overly permissive: %s. Actions for the listed services are not denied by this statement. We recommend that you move these actions to a different statement without this condition key.", c.name(), strings.Join(bad, ", "))
		} else {
			v.add("ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", loc, "Using the effect Allow with the tag condition key %s and actions for services with the following prefixes does not affect the policy: %s. Actions for the listed services are not allowed by this statement. We recommend that you move these actions to a different statement without this condition key.", c.name(), strings.Join(bad, ", "))
		}
	}
}

// pairedKeys reports aws:VpcSourceIp without aws:SourceVpc or
// aws:SourceVpce beside it: the same private address exists in every VPC.
func (v *validator) pairedKeys(s *statement) {
	if s.effect != "Allow" {
		return
	}
	has := map[string]bool{}
	for _, c := range s.conds {
		has[c.lower()] = true
	}
	for _, c := range s.conds {
		if c.lower() == "aws:vpcsourceip" && !has["aws:sourcevpc"] && !has["aws:sourcevpce"] {
			v.add("MISSING_PAIRED_CONDITION_KEYS", v.atKey(c.key), "Using the condition key %s can be overly permissive without also using the following condition keys: aws:SourceVpc, aws:SourceVpce. Condition keys like this one are more secure when paired with a related key: the same private address exists in every VPC. We recommend that you add the related condition keys to the same condition block.", c.name())
		}
	}
}
