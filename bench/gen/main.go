// Command gen writes the benchmark scenarios and their Cedar translation.
//
// Run from the repository root:
//
//	go run ./bench/gen
//
// It reads testdata/bench/securecart.json (scenario (a), written by hand),
// generates testdata/bench/large.json (scenario (b), deterministic), writes
// testdata/bench/securecart-variants.json (scenario (a) with changed requests
// and their expected decisions), and translates both scenarios into
// bench/cedar/testdata/{securecart,large}: one .cedar policy set per IAM
// layer, a manifest naming them, and requests.json (the benchmarked request
// first, then the variants, each with its entities and expected decision).
// The output depends only on the inputs; running it twice changes nothing.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// variant is the benchmarked request with some parts changed.
type variant struct {
	name    string
	action  string                // "" keeps the action
	context map[string]contextVal // keys replaced in the context
	expect  string
}

var securecartVariants = []variant{
	{name: "delete object: the bucket policy denies", action: "s3:DeleteObject", expect: "ExplicitDeny"},
	{name: "put object without SSE-KMS: the identity policy denies", action: "s3:PutObject", expect: "ExplicitDeny"},
	{name: "get object ACL: nothing allows", action: "s3:GetObjectAcl", expect: "ImplicitDeny"},
	{name: "region outside the workloads OU's list: the SCP denies", context: map[string]contextVal{"aws:RequestedRegion": str("us-west-2")}, expect: "ExplicitDeny"},
	{name: "plain HTTP: the bucket policy denies", context: map[string]contextVal{"aws:SecureTransport": str("false")}, expect: "ExplicitDeny"},
	{name: "no MFA: the identity policy denies", context: map[string]contextVal{"aws:MultiFactorAuthPresent": str("false")}, expect: "ExplicitDeny"},
	{name: "team the identity policy does not name: the bucket policy alone allows (same account)", context: map[string]contextVal{"aws:PrincipalTag/team": str("marketing")}, expect: "Allow"},
}

var largeVariants = []variant{
	{name: "delete queue: a Deny statement names it", action: "sqs:DeleteQueue", expect: "ExplicitDeny"},
	{name: "source address outside the allowing statement's ranges", context: map[string]contextVal{"aws:SourceIp": str("198.51.100.9")}, expect: "ImplicitDeny"},
	{name: "region outside the list: the NotAction deny applies", context: map[string]contextVal{"aws:RequestedRegion": str("ap-southeast-2")}, expect: "ExplicitDeny"},
}

func main() {
	root := flag.String("root", ".", "repository root")
	flag.Parse()
	if err := run(*root); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(root string) error {
	iamDir := filepath.Join(root, "testdata", "bench")
	cedarDir := filepath.Join(root, "bench", "cedar", "testdata")

	raw, err := os.ReadFile(filepath.Join(iamDir, "securecart.json"))
	if err != nil {
		return err
	}
	var securecart iamCase
	if err := strictUnmarshal(raw, &securecart); err != nil {
		return fmt.Errorf("securecart.json: %w", err)
	}
	cases := make([]iamCase, 0, len(securecartVariants))
	for _, v := range securecartVariants {
		cases = append(cases, applyVariant(securecart, v))
	}
	if err := writeJSON(filepath.Join(iamDir, "securecart-variants.json"), cases); err != nil {
		return err
	}
	if err := translate(securecart, securecartVariants, filepath.Join(cedarDir, "securecart")); err != nil {
		return fmt.Errorf("securecart: %w", err)
	}

	large, err := largeCase()
	if err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(iamDir, "large.json"), large); err != nil {
		return err
	}
	if err := translate(large, largeVariants, filepath.Join(cedarDir, "large")); err != nil {
		return fmt.Errorf("large: %w", err)
	}
	return nil
}

func applyVariant(c iamCase, v variant) iamCase {
	c.Name = strings.SplitN(c.Name, ":", 2)[0] + " variant: " + v.name
	if v.action != "" {
		c.Request.Action = v.action
	}
	ctx := make(map[string]contextVal, len(c.Request.Context))
	for k, val := range c.Request.Context {
		ctx[k] = val.clone()
	}
	for k, val := range v.context {
		for old := range ctx {
			if strings.EqualFold(old, k) {
				delete(ctx, old)
			}
		}
		ctx[k] = val
	}
	c.Request.Context = ctx
	c.Expect = v.expect
	return c
}

type manifest struct {
	SCP      []string `json:"scp,omitempty"`
	Identity string   `json:"identity"`
	Boundary string   `json:"boundary,omitempty"`
	Session  string   `json:"session,omitempty"`
	Resource string   `json:"resource,omitempty"`
}

// translate writes the Cedar form of a case and its variants into dir.
func translate(c iamCase, variants []variant, dir string) error {
	if len(c.Policies.RCP) > 0 {
		return fmt.Errorf("RCPs are not translated")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	t := newTranslator()
	files := map[string]string{}
	var m manifest
	for i, lvl := range c.Policies.SCP {
		name := fmt.Sprintf("scp-%d.cedar", i)
		header := fmt.Sprintf("SCP level %d (target %s). Every SCP level must allow: one policy set per level.", i, lvl.Target)
		text, err := t.policySet(header, "scp", lvl.Policies)
		if err != nil {
			return err
		}
		files[name] = text
		m.SCP = append(m.SCP, name)
	}
	layer := func(name, layerName, header string, docs []iamPolicy) (string, error) {
		text, err := t.policySet(header, layerName, docs)
		if err != nil {
			return "", err
		}
		files[name] = text
		return name, nil
	}
	var err error
	if m.Identity, err = layer("identity.cedar", "identity", "Identity-based policies of the principal (their union).", c.Policies.Identity); err != nil {
		return err
	}
	if c.Policies.Boundary != nil {
		if m.Boundary, err = layer("boundary.cedar", "boundary", "Permissions boundary: must allow what the identity policies allow.", c.Policies.Boundary); err != nil {
			return err
		}
	}
	if c.Policies.Session != nil {
		if m.Session, err = layer("session.cedar", "session", "Session policy: must allow what the identity policies allow.", []iamPolicy{*c.Policies.Session}); err != nil {
			return err
		}
	}
	if c.Policies.Resource != nil {
		if m.Resource, err = layer("resource.cedar", "resource", "Resource-based policy.", []iamPolicy{*c.Policies.Resource}); err != nil {
			return err
		}
	}

	// Requests: the case itself first, then its variants.
	all := []iamCase{c}
	for _, v := range variants {
		all = append(all, applyVariant(c, v))
	}
	var reqs []map[string]any
	for _, vc := range all {
		r, err := t.request(vc)
		if err != nil {
			return err
		}
		reqs = append(reqs, r)
	}

	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(files[name]), 0o644); err != nil {
			return err
		}
	}
	if err := writeJSON(filepath.Join(dir, "manifest.json"), m); err != nil {
		return err
	}
	return writeJSON(filepath.Join(dir, "requests.json"), reqs)
}

// request renders one case's request with the entities it needs.
func (t *translator) request(c iamCase) (map[string]any, error) {
	p, ents, err := principalEntities(c.Request)
	if err != nil {
		return nil, err
	}
	ru, re := resourceEntity(c.Request)
	ents = append(ents, re)
	ae := t.actionEntity(c.Request.Action)
	ents = append(ents, ae)
	for _, g := range ae.Parents {
		ents = append(ents, cedarEntity{UID: g, Parents: []cedarUID{}, Attrs: map[string]any{}, Tags: map[string]any{}})
	}
	ctx, err := cedarContext(c.Request.Context)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"name":      c.Name,
		"expect":    c.Expect,
		"principal": p,
		"action":    ae.UID,
		"resource":  ru,
		"context":   ctx,
		"entities":  ents,
	}, nil
}

func writeJSON(path string, v any) error {
	b, err := marshalCase(v)
	if err != nil {
		return err
	}
	// Sanity: the output must read back as JSON.
	if !json.Valid(b) {
		return fmt.Errorf("%s: invalid JSON", path)
	}
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
		return nil
	}
	return os.WriteFile(path, b, 0o644)
}
