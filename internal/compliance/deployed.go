package compliance

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"strings"
	"time"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

// What `warden serve` deploys: the organization's Config rules as its
// state stores them, and the credential report from its store.

// DefaultDeployment is the rules deployed until a rule is put or deleted:
// the AWS managed rules that need no parameter, with their defaults.
func DefaultDeployment(since time.Time) []state.ConfigRule {
	var out []state.ConfigRule
	for _, r := range DefaultRules() {
		out = append(out, state.ConfigRule{Name: r.Name, ID: RuleID(r.Name), Identifier: r.Identifier,
			Description: r.Description, Params: r.Params, Created: since, CreatedBy: "warden"})
	}
	return out
}

// Deployed returns the organization's rules.
func Deployed(meta state.Meta) []state.ConfigRule {
	if meta.ConfigRulesSet {
		return meta.ConfigRules
	}
	return DefaultDeployment(meta.Seeded)
}

// OwnerCustomPolicy is the Source.Owner of the organization's own rules.
const OwnerCustomPolicy = "CUSTOM_POLICY"

// RuleID is a rule's stable ID: config-rule- and 6 characters.
func RuleID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return "config-rule-" + strings.ToLower(base32.StdEncoding.EncodeToString(sum[:]))[:6]
}

// Runnable makes a deployed rule runnable; false for an identifier or
// parameters this version does not take (the rule is not run).
func Runnable(d state.ConfigRule) (*Rule, bool) {
	if d.Owner == OwnerCustomPolicy {
		if len(d.ResourceTypes) != 1 {
			return nil, false
		}
		c, err := ParsePolicyText(d.Name, d.Description, d.ResourceTypes[0], d.PolicyText)
		if err != nil {
			return nil, false
		}
		return c.Rule(), true
	}
	m, ok := Managed(d.Identifier)
	if !ok {
		return nil, false
	}
	r, err := m.New(d.Name, d.Params)
	if err != nil {
		return nil, false
	}
	if len(d.ResourceTypes) > 0 {
		r.ResourceTypes = d.ResourceTypes
	}
	return r, true
}

// StoreCredentials builds the credential report from a server's store: the
// access keys and MFA devices of every user and root user. Warden keeps no
// console passwords for IAM users.
func StoreCredentials(ctx context.Context, st store.Store, o *org.Org) (CredentialReport, error) {
	rep := CredentialReport{}
	owners := make([]string, 0, len(o.Accounts)+len(o.Users))
	for _, a := range o.Accounts {
		owners = append(owners, "arn:aws:iam::"+a.ID+":root")
	}
	for _, u := range o.Users {
		owners = append(owners, u.ARN)
	}
	for _, owner := range owners {
		keys, err := st.AccessKeys(ctx, owner)
		if err != nil {
			return nil, err
		}
		mfa, err := st.MFADevices(ctx, owner)
		if err != nil {
			return nil, err
		}
		var e CredentialEntry
		for _, k := range keys {
			e.AccessKeys = append(e.AccessKeys, AccessKey{ID: k.ID, Active: k.Status == "Active", Created: k.Created, LastUsed: k.LastUsed})
		}
		e.MFAActive = len(mfa) > 0
		rep[owner] = e
	}
	return rep, nil
}
