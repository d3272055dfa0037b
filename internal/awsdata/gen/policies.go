package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

const policyARNPrefix = "arn:aws:iam::aws:policy/"

// policySource is one line of managed-policies/aws-managed-policies.jsonl.
type policySource struct {
	Name       string          `json:"name"`
	ARN        *string         `json:"arn"`
	Path       *string         `json:"path"` // absent in the current data; used when present
	Version    *string         `json:"version"`
	Deprecated *bool           `json:"deprecated"`
	Document   json.RawMessage `json:"document"`
	Partial    json.RawMessage `json:"partial"`
}

// policyOut is the embedded form of one managed policy. Its document goes
// to a separate JSON Lines file, so that loading needs no JSON decoding of
// the documents themselves.
type policyOut struct {
	Name       string          `json:"n"`
	ARN        string          `json:"a,omitempty"`
	Version    string          `json:"v,omitempty"`
	Deprecated bool            `json:"x,omitempty"`
	Partial    bool            `json:"p,omitempty"`
	Document   json.RawMessage `json:"-"`
}

type policiesOut struct {
	Policies []policyOut `json:"policies"`
}

// documents returns the policies' documents in JSON Lines form: line i holds
// the compact document of policy i, or null when it has none.
func (p *policiesOut) documents() []byte {
	var b bytes.Buffer
	for _, pol := range p.Policies {
		if pol.Document == nil {
			b.WriteString("null")
		}
		b.Write(pol.Document)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// buildPolicies reads the managed-policy corpus, sorted by name.
func buildPolicies(shared string) (*policiesOut, error) {
	path := filepath.Join(shared, "managed-policies", "aws-managed-policies.jsonl")
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out policiesOut
	names, arns := map[string]bool{}, map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var src policySource
		if err := json.Unmarshal(sc.Bytes(), &src); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		p, err := convertPolicy(src)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if key := strings.ToLower(p.Name); names[key] {
			return nil, fmt.Errorf("%s:%d: duplicate policy name %q", path, line, p.Name)
		} else {
			names[key] = true
		}
		if key := strings.ToLower(p.ARN); p.ARN != "" && arns[key] {
			return nil, fmt.Errorf("%s:%d: duplicate policy ARN %q", path, line, p.ARN)
		} else {
			arns[key] = true
		}
		out.Policies = append(out.Policies, p)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	sort.Slice(out.Policies, func(i, j int) bool { return out.Policies[i].Name < out.Policies[j].Name })
	return &out, nil
}

func convertPolicy(src policySource) (policyOut, error) {
	if src.Name == "" {
		return policyOut{}, fmt.Errorf("policy without a name")
	}
	p := policyOut{Name: src.Name, Partial: len(src.Partial) > 0 && string(src.Partial) != "null"}
	if src.Version != nil {
		p.Version = *src.Version
	}
	if src.Deprecated != nil {
		p.Deprecated = *src.Deprecated
	}
	switch {
	case src.ARN != nil:
		p.ARN = *src.ARN
		if !strings.HasPrefix(p.ARN, policyARNPrefix) || !strings.HasSuffix(p.ARN, "/"+p.Name) {
			return policyOut{}, fmt.Errorf("policy %s: unexpected ARN %q", p.Name, p.ARN)
		}
	case src.Path != nil:
		// The ARN of an AWS managed policy is its path followed by its name.
		p.ARN = policyARNPrefix + strings.TrimPrefix(*src.Path, "/") + p.Name
	}
	// Without an ARN or a path the policy is kept by name only: guessing the
	// path (service-role/, aws-service-role/, job-function/...) would invent facts.
	if len(src.Document) > 0 && string(src.Document) != "null" {
		var doc bytes.Buffer
		if err := json.Compact(&doc, src.Document); err != nil {
			return policyOut{}, fmt.Errorf("policy %s: %w", p.Name, err)
		}
		if bytes.IndexByte(doc.Bytes(), '\n') >= 0 {
			return policyOut{}, fmt.Errorf("policy %s: compact document holds a newline", p.Name)
		}
		p.Document = doc.Bytes()
	}
	return p, nil
}
