package awsdata

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// serviceTable is the index of the services: every prefix and name, each
// with its line of services.jsonl, decoded when the service is first used
// (Service.load). A command that looks up a few actions decodes their
// services only; one that lists every action decodes them all, once.
type serviceTable struct {
	list     []*Service          // sorted by prefix
	byPrefix map[string]*Service // prefix -> service
}

var services = sync.OnceValue(loadServices)

type serviceWire struct {
	Prefix  string `json:"p"`
	Name    string `json:"n"`
	Actions []struct {
		Name             string         `json:"n"`
		AccessLevels     []string       `json:"l"`
		ResourceTypes    []resourceWire `json:"r"`
		ConditionKeys    []string       `json:"c"`
		DependentActions []string       `json:"d"`
	} `json:"a"`
	ResourceTypes []struct {
		Name          string   `json:"n"`
		ARN           string   `json:"a"`
		ConditionKeys []string `json:"c"`
	} `json:"r"`
	ConditionKeys []string `json:"k"`
}

type resourceWire struct {
	Name             string   `json:"n"`
	Required         bool     `json:"q"`
	ConditionKeys    []string `json:"c"`
	DependentActions []string `json:"d"`
}

// loadServices reads serviceindex.json and cuts services.jsonl into its
// lines, one per service in the same order; it decodes no service.
func loadServices() *serviceTable {
	var index struct {
		Services []struct {
			Prefix string `json:"p"`
			Name   string `json:"n"`
		} `json:"services"`
	}
	decodeData("serviceindex.json", serviceIndexJSON, &index)
	t := &serviceTable{
		list:     make([]*Service, len(index.Services)),
		byPrefix: make(map[string]*Service, len(index.Services)),
	}
	all := make([]Service, len(index.Services))
	lines := servicesJSONL
	for i, w := range index.Services {
		line, rest, ok := strings.Cut(lines, "\n")
		if !ok {
			panic(corrupt("services.jsonl", fmt.Errorf("%d lines for %d services", i, len(index.Services))))
		}
		lines = rest
		s := &all[i]
		s.Prefix, s.Name, s.line = w.Prefix, w.Name, line
		t.list[i] = s
		t.byPrefix[s.Prefix] = s
	}
	if lines != "" {
		panic(corrupt("services.jsonl", fmt.Errorf("more lines than %d services", len(index.Services))))
	}
	return t
}

// load decodes the service's actions, resource types and condition keys
// from its line, once, and returns s.
func (s *Service) load() *Service {
	s.once.Do(s.decode)
	return s
}

func (s *Service) decode() {
	var w serviceWire
	decodeData("services.jsonl", s.line, &w)
	if w.Prefix != s.Prefix || w.Name != s.Name {
		panic(corrupt("services.jsonl", fmt.Errorf("the line of service %q holds %q", s.Prefix, w.Prefix)))
	}
	s.conditionKeys = w.ConditionKeys
	rts := make([]ResourceType, len(w.ResourceTypes))
	s.resourceTypes = make([]*ResourceType, len(rts))
	s.rtIndex = make(map[string]*ResourceType, len(rts))
	for j, r := range w.ResourceTypes {
		rts[j] = ResourceType{Name: r.Name, ARN: r.ARN, ConditionKeys: r.ConditionKeys}
		s.resourceTypes[j] = &rts[j]
		s.rtIndex[strings.ToLower(r.Name)] = &rts[j]
	}
	levels := map[string][]string{} // shares the few distinct level lists
	acts := make([]Action, len(w.Actions))
	s.actions = make([]*Action, len(acts))
	s.byName = make(map[string]*Action, len(acts))
	for j, a := range w.Actions {
		key := strings.Join(a.AccessLevels, ", ")
		if _, ok := levels[key]; !ok {
			levels[key] = a.AccessLevels
		}
		acts[j] = Action{
			Service: s.Prefix, Name: a.Name, AccessLevels: levels[key],
			ConditionKeys: a.ConditionKeys, DependentActions: a.DependentActions,
		}
		if len(a.ResourceTypes) > 0 {
			acts[j].ResourceTypes = make([]ActionResource, len(a.ResourceTypes))
			for k, r := range a.ResourceTypes {
				acts[j].ResourceTypes[k] = ActionResource(r)
			}
		}
		acts[j].key = actionKey(s.Prefix, a.Name)
		s.actions[j] = &acts[j]
		s.byName[acts[j].key[len(s.Prefix)+1:]] = &acts[j]
	}
	s.line = "" // decoded: the table no longer needs it
}

// actionKey returns the lower-cased "prefix:name" with a single allocation;
// prefix is lower case already.
func actionKey(prefix, name string) string {
	var b strings.Builder
	b.Grow(len(prefix) + 1 + len(name))
	b.WriteString(prefix)
	b.WriteByte(':')
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= utf8.RuneSelf {
			return prefix + ":" + strings.ToLower(name)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}
