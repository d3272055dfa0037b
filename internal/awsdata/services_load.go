package awsdata

import (
	"strings"
	"sync"
	"unicode/utf8"
)

type serviceTable struct {
	list     []*Service          // sorted by prefix
	byPrefix map[string]*Service // prefix -> service
	actions  map[string]*Action  // lower-cased "prefix:name" -> action
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

func loadServices() *serviceTable {
	var wire struct {
		Services []serviceWire `json:"services"`
	}
	decodeData("services.json.gz", &wire)
	n := 0
	for _, w := range wire.Services {
		n += len(w.Actions)
	}
	t := &serviceTable{
		list:     make([]*Service, len(wire.Services)),
		byPrefix: make(map[string]*Service, len(wire.Services)),
		actions:  make(map[string]*Action, n),
	}
	levels := map[string][]string{} // shares the few distinct level lists
	for i, w := range wire.Services {
		s := &Service{Prefix: w.Prefix, Name: w.Name, conditionKeys: w.ConditionKeys}
		rts := make([]ResourceType, len(w.ResourceTypes))
		s.resourceTypes = make([]*ResourceType, len(rts))
		s.rtIndex = make(map[string]*ResourceType, len(rts))
		for j, r := range w.ResourceTypes {
			rts[j] = ResourceType{Name: r.Name, ARN: r.ARN, ConditionKeys: r.ConditionKeys}
			s.resourceTypes[j] = &rts[j]
			s.rtIndex[strings.ToLower(r.Name)] = &rts[j]
		}
		acts := make([]Action, len(w.Actions))
		s.actions = make([]*Action, len(acts))
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
			t.actions[acts[j].key] = &acts[j]
		}
		t.list[i] = s
		t.byPrefix[s.Prefix] = s
	}
	return t
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
