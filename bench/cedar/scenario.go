// Package cedarbench is cedar-go's side of Warden's benchmark comparison: the
// IAM scenarios of testdata/bench translated to Cedar by bench/gen, and the
// IAM layer logic around cedar-go's authorizer. README.md documents the
// mapping. It is its own module so that cedar-go never enters Warden's
// go.mod.
package cedarbench

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	cedar "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
)

// Decision is the three-valued IAM decision.
type Decision string

const (
	Allow        Decision = "Allow"
	ExplicitDeny Decision = "ExplicitDeny"
	ImplicitDeny Decision = "ImplicitDeny"
)

// PolicySets holds one Cedar policy set per IAM layer. A nil set is an
// absent layer (no boundary, no session policy, no resource policy); SCP nil
// means the account is not under SCPs.
type PolicySets struct {
	SCP      []*cedar.PolicySet // one per level, root first
	Identity *cedar.PolicySet
	Boundary *cedar.PolicySet
	Session  *cedar.PolicySet
	Resource *cedar.PolicySet
}

// Observer, when not nil, sees each layer's cedar-go result.
type Observer func(layer string, level int, d cedar.Decision, diag cedar.Diagnostic)

// Decide evaluates the request as IAM does, one cedar-go authorization per
// layer; every layer is evaluated because an explicit deny anywhere decides:
//
//   - a forbid that is satisfied in any layer: ExplicitDeny;
//   - otherwise every SCP level must permit;
//   - then (same account) the resource policy permits, or the identity
//     policies permit and so do the boundary and the session policy when
//     present: Allow; else ImplicitDeny.
func (s *PolicySets) Decide(entities types.EntityGetter, req cedar.Request, observe Observer) Decision {
	e := layerEval{entities: entities, req: req, observe: observe}
	scpAllows := true
	for i, ps := range s.SCP {
		if !e.allows("scp", i, ps) {
			scpAllows = false
		}
	}
	identity := e.allows("identity", 0, s.Identity)
	principal := identity
	if s.Boundary != nil && !e.allows("boundary", 0, s.Boundary) {
		principal = false
	}
	if s.Session != nil && !e.allows("session", 0, s.Session) {
		principal = false
	}
	resource := s.Resource != nil && e.allows("resource", 0, s.Resource)
	switch {
	case e.explicitDeny:
		return ExplicitDeny
	case scpAllows && (principal || resource):
		return Allow
	}
	return ImplicitDeny
}

type layerEval struct {
	entities     types.EntityGetter
	req          cedar.Request
	observe      Observer
	explicitDeny bool
}

// allows runs one layer. cedar-go returns Deny both when a forbid is
// satisfied (the reasons name the forbids) and when no permit is (no
// reasons); the first is IAM's explicit deny.
func (e *layerEval) allows(layer string, level int, ps *cedar.PolicySet) bool {
	d, diag := ps.IsAuthorized(e.entities, e.req)
	if e.observe != nil {
		e.observe(layer, level, d, diag)
	}
	if d == cedar.Deny && len(diag.Reasons) > 0 {
		e.explicitDeny = true
	}
	return d == cedar.Allow
}

// Case is one request of a scenario with its entities and expected decision.
type Case struct {
	Name     string
	Expect   Decision
	Request  cedar.Request
	Entities types.EntityMap
}

// Scenario is a translated scenario: its policy sets and its requests, the
// benchmarked request first.
type Scenario struct {
	Sets  PolicySets
	Cases []Case
	// Files maps each policy set to its file name, for messages.
	Files map[*cedar.PolicySet]string
}

type manifest struct {
	SCP      []string `json:"scp"`
	Identity string   `json:"identity"`
	Boundary string   `json:"boundary"`
	Session  string   `json:"session"`
	Resource string   `json:"resource"`
}

type requestJSON struct {
	Name      string          `json:"name"`
	Expect    Decision        `json:"expect"`
	Principal types.EntityUID `json:"principal"`
	Action    types.EntityUID `json:"action"`
	Resource  types.EntityUID `json:"resource"`
	Context   types.Record    `json:"context"`
	Entities  types.EntityMap `json:"entities"`
}

// Load parses a scenario directory written by bench/gen.
func Load(dir string) (*Scenario, error) {
	var m manifest
	if err := readJSON(filepath.Join(dir, "manifest.json"), &m); err != nil {
		return nil, err
	}
	sc := &Scenario{Files: map[*cedar.PolicySet]string{}}
	load := func(name string) (*cedar.PolicySet, error) {
		if name == "" {
			return nil, nil
		}
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		ps, err := cedar.NewPolicySetFromBytes(path, b)
		if err != nil {
			return nil, err
		}
		sc.Files[ps] = name
		return ps, nil
	}
	var err error
	for _, name := range m.SCP {
		ps, err := load(name)
		if err != nil {
			return nil, err
		}
		sc.Sets.SCP = append(sc.Sets.SCP, ps)
	}
	if m.Identity == "" {
		return nil, fmt.Errorf("%s: manifest names no identity policy set", dir)
	}
	if sc.Sets.Identity, err = load(m.Identity); err != nil {
		return nil, err
	}
	if sc.Sets.Boundary, err = load(m.Boundary); err != nil {
		return nil, err
	}
	if sc.Sets.Session, err = load(m.Session); err != nil {
		return nil, err
	}
	if sc.Sets.Resource, err = load(m.Resource); err != nil {
		return nil, err
	}

	var reqs []requestJSON
	if err := readJSON(filepath.Join(dir, "requests.json"), &reqs); err != nil {
		return nil, err
	}
	if len(reqs) == 0 {
		return nil, fmt.Errorf("%s: no requests", dir)
	}
	for _, r := range reqs {
		sc.Cases = append(sc.Cases, Case{
			Name:   r.Name,
			Expect: r.Expect,
			Request: cedar.Request{
				Principal: r.Principal,
				Action:    r.Action,
				Resource:  r.Resource,
				Context:   r.Context,
			},
			Entities: r.Entities,
		})
	}
	return sc, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
