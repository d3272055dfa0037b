package iam

import (
	"context"
	"encoding/json"
	"github.com/securecart/warden/internal/call"
	"reflect"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
	"github.com/securecart/warden/internal/state"
)

type createPolicyResult struct {
	Policy Policy `xml:"Policy"`
}

// CreatePolicy creates a customer managed policy in the caller's account,
// its document checked as an identity policy of at most 6,144 characters
// (without white space); its first version is v1. The caller needs
// iam:CreatePolicy on the policy's ARN, with the request's tags.
//
// The org format has no place for a policy's tags: they are authorized and
// returned here, but not kept.
func (s *Service) CreatePolicy(ctx context.Context, c *api.Call) (any, error) {
	cp, err := readCreate(c, "PolicyName", org.MaxPolicyName, "PolicyDocument", policy.Identity)
	if err != nil {
		return nil, err
	}
	name, path, doc, desc, req := cp.name, cp.path, cp.doc, cp.desc, cp.req
	tags, err := tagParams(c)
	if err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		req["tags"] = tags
	}
	c.RequestParameters = req
	acct := c.Identity.Account
	arn := "arn:aws:iam::" + acct + ":policy" + path + name
	if err := s.Authz.Authorize(ctx, c, "iam:CreatePolicy", arn, tagContext(tags, nil)); err != nil {
		return nil, err
	}
	if policySize(doc) > maxManagedSize {
		return nil, awsproto.Errorf("LimitExceeded", "Cannot exceed quota for PolicySize: %d", maxManagedSize)
	}
	_, err = s.mutate(ctx, func(m *model) error {
		acctName, err := m.accountName(acct)
		if err != nil {
			return err
		}
		if def := m.ManagedPolicy(name); def != nil {
			if m.Holds(def.Accounts, acctName) {
				return awsproto.Errorf("EntityAlreadyExists", "A policy called %s already exists. Duplicate names are not allowed.", name)
			}
			// The format names a customer managed policy once for all the
			// accounts that hold it: another account's copy of the same
			// policy joins the definition; a different one cannot.
			if def.Name != name || def.IAMPath() != path || def.Description != desc || !sameDocument(m.docText(def.Document), doc) {
				return sharedPolicy(def, m.ExpandAccounts(def.Accounts))
			}
			def.Accounts = append(m.ExpandAccounts(def.Accounts), acctName)
		} else {
			m.Policies = append(m.Policies, &org.PolicyDef{Name: name, Type: org.TypeManaged, Path: path,
				Accounts: []string{acctName}, Document: org.TextDoc(doc), Description: desc})
		}
		now := c.Now.UTC()
		m.d.Meta.Created[arn] = now
		m.d.Meta.PolicyVersions[arn] = []state.PolicyVersion{{ID: "v1", Document: storedText(doc), Default: true, Created: now}}
		return nil
	})
	if err != nil {
		return nil, invalid(err, "MalformedPolicyDocument", "The policy cannot be used")
	}
	m, o, err := s.view(ctx)
	if err != nil {
		return nil, err
	}
	p, ok := s.findPolicy(ctx, m, acct, arn)
	if !ok {
		return nil, policyNotFound(arn)
	}
	res := createPolicyResult{Policy: s.policyStruct(ctx, m, p, accountUsage(m, o, acct), true)}
	res.Policy.Tags = tags
	c.ResponseElements = call.Fields{"policy": res.Policy}
	c.Resources = policyResource(arn, acct)
	return res, nil
}

// sameDocument reports whether two documents say the same thing (the same
// JSON values, whatever the white space).
func sameDocument(a, b string) bool {
	var va, vb any
	if json.Unmarshal([]byte(a), &va) != nil || json.Unmarshal([]byte(b), &vb) != nil {
		return a == b
	}
	return reflect.DeepEqual(va, vb)
}
