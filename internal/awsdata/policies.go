package awsdata

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
)

// ManagedPolicy is an AWS managed policy.
type ManagedPolicy struct {
	Name string
	// ARN is "" for the few policies (mostly deprecated) whose source gives
	// no ARN and no path; they can be found by name only.
	ARN        string
	VersionID  string // such as "v3"; "" when the source does not say
	Deprecated bool
	// Partial reports that the source record was rebuilt from an older copy
	// or lost its document (see data/NOTICE); its document may be out of date.
	Partial bool
	// Document is the policy document as compact JSON, nil if unknown.
	Document []byte
}

type policyWire struct {
	Name       string `json:"n"`
	ARN        string `json:"a"`
	Version    string `json:"v"`
	Deprecated bool   `json:"x"`
	Partial    bool   `json:"p"`
}

type policyTable struct {
	list   []ManagedPolicy // sorted by name
	byName map[string]int  // lower-cased name -> index in list
	byARN  map[string]int  // lower-cased ARN -> index in list
}

var policies = sync.OnceValue(loadPolicies)

// Preload decodes the index of the services and the AWS managed policies
// now, once per process: a command that will need them calls it on a
// goroutine of its own, so that they are decoded on another core while it
// reads its input. The services themselves are decoded as they are used.
func Preload() {
	services()
	policies()
}

func loadPolicies() *policyTable {
	var wire struct {
		Policies []policyWire `json:"policies"`
	}
	decodeData("policies.json", policiesJSON, &wire)
	// Line i of policydocs.jsonl holds the compact document of policy i, or
	// null; the documents share one buffer (a copy of the embedded file, so
	// that they can be handed out as bytes), each capped at its own end.
	docs := []byte(policyDocsJSONL)
	t := &policyTable{
		list:   make([]ManagedPolicy, len(wire.Policies)),
		byName: make(map[string]int, len(wire.Policies)),
		byARN:  make(map[string]int, len(wire.Policies)),
	}
	for i, w := range wire.Policies {
		line, rest, ok := bytes.Cut(docs, []byte{'\n'})
		if !ok {
			panic(corrupt("policydocs.jsonl", fmt.Errorf("%d documents for %d policies", i, len(wire.Policies))))
		}
		docs = rest
		if string(line) == "null" {
			line = nil
		}
		t.list[i] = ManagedPolicy{
			Name: w.Name, ARN: w.ARN, VersionID: w.Version,
			Deprecated: w.Deprecated, Partial: w.Partial, Document: line[:len(line):len(line)],
		}
		t.byName[strings.ToLower(w.Name)] = i
		if w.ARN != "" {
			t.byARN[strings.ToLower(w.ARN)] = i
		}
	}
	if len(docs) > 0 {
		panic(corrupt("policydocs.jsonl", fmt.Errorf("more documents than %d policies", len(wire.Policies))))
	}
	return t
}

// ManagedPolicyByARN returns the AWS managed policy with the given ARN, such
// as arn:aws:iam::aws:policy/ReadOnlyAccess, ignoring case.
func ManagedPolicyByARN(arn string) (ManagedPolicy, bool) {
	t := policies()
	i, ok := t.byARN[strings.ToLower(arn)]
	if !ok {
		return ManagedPolicy{}, false
	}
	return t.list[i], true
}

// ManagedPolicyByName returns the AWS managed policy with the given name,
// such as ReadOnlyAccess, ignoring case.
func ManagedPolicyByName(name string) (ManagedPolicy, bool) {
	t := policies()
	i, ok := t.byName[strings.ToLower(name)]
	if !ok {
		return ManagedPolicy{}, false
	}
	return t.list[i], true
}

// ManagedPolicies returns every AWS managed policy, sorted by name.
func ManagedPolicies() []ManagedPolicy {
	return append([]ManagedPolicy(nil), policies().list...)
}
