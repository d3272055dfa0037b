// Package iam implements AWS Identity and Access Management (2010-05-08,
// query protocol) on Warden's organization state: roles and their policies,
// customer managed policies and their versions, IAM users with access keys
// and virtual MFA devices (so that the guardrails against them can be seen
// working), SAML identity providers (samlproviders.go), and the policy
// simulator.
//
// Rules it keeps:
//
//   - The caller's account is the account acted on (c.Identity.Account); every
//     action is authorized first by the engine with the IAM action and
//     resource ARN of the Service Authorization Reference and the condition
//     keys that apply (iam:PermissionsBoundary, iam:PolicyARN,
//     aws:RequestTag/*, aws:TagKeys, aws:ResourceTag/*), so SCPs, permissions
//     boundaries and session policies govern IAM as they do in AWS.
//   - Changes are written to the org document (Warden's org format) through
//     state.Manager.Mutate. A role defined once for several accounts
//     (accounts: [A, B] or ["*"]) is split first, so that only the caller's
//     account changes. Customer managed policies are one definition per name
//     in the format: a change that would make one account's copy differ from
//     the others' is refused with InvalidInput.
//   - Roles of Identity Center permission sets and service-linked roles are
//     read-only (UnmodifiableEntity), as AWS protects them.
//   - Limits, errors and reply shapes are those of the IAM API reference
//     (https://docs.aws.amazon.com/IAM/latest/APIReference/): documents are
//     URL-encoded where AWS URL-encodes them (role trust policies, inline
//     policies, policy versions), dates are ISO 8601 in UTC.
//   - Entity IDs are stable: creds.StableID over the ARN with AROA (roles),
//     AIDA (users) and ANPA (policies). Creation dates come from the
//     document's metadata; an entity of the org files the store was seeded
//     with dates from the seeding.
//   - Access keys and virtual MFA devices live in the store, their secrets
//     sealed with the master key (access-key:ID, mfa:SERIAL), as
//     internal/creds reads them.
//
// What the org format and the store cannot hold is not kept: tags given to
// CreatePolicy and CreateVirtualMFADevice are authorized and returned, not
// stored. The simulator simulates roles and users, not groups.
package iam

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

// Service serves IAM actions.
type Service struct {
	State  *state.Manager
	Authz  *api.Authorizer
	Store  store.Store
	Master *creds.Sealer

	seedMu   sync.Mutex
	seedTime time.Time
}

// Handlers returns the actions by name.
func (s *Service) Handlers() map[string]api.Handler {
	return map[string]api.Handler{
		// Roles.
		"CreateRole":             s.CreateRole,
		"GetRole":                s.GetRole,
		"ListRoles":              s.ListRoles,
		"DeleteRole":             s.DeleteRole,
		"UpdateAssumeRolePolicy": s.UpdateAssumeRolePolicy,
		"UpdateRole":             s.UpdateRole,
		"UpdateRoleDescription":  s.UpdateRoleDescription,
		"TagRole":                s.TagRole,
		"UntagRole":              s.UntagRole,
		"ListRoleTags":           s.ListRoleTags,
		// Role policies.
		"PutRolePolicy":                 s.PutRolePolicy,
		"GetRolePolicy":                 s.GetRolePolicy,
		"DeleteRolePolicy":              s.DeleteRolePolicy,
		"ListRolePolicies":              s.ListRolePolicies,
		"AttachRolePolicy":              s.AttachRolePolicy,
		"DetachRolePolicy":              s.DetachRolePolicy,
		"ListAttachedRolePolicies":      s.ListAttachedRolePolicies,
		"PutRolePermissionsBoundary":    s.PutRolePermissionsBoundary,
		"DeleteRolePermissionsBoundary": s.DeleteRolePermissionsBoundary,
		// Customer managed policies.
		"CreatePolicy":            s.CreatePolicy,
		"GetPolicy":               s.GetPolicy,
		"ListPolicies":            s.ListPolicies,
		"DeletePolicy":            s.DeletePolicy,
		"CreatePolicyVersion":     s.CreatePolicyVersion,
		"GetPolicyVersion":        s.GetPolicyVersion,
		"ListPolicyVersions":      s.ListPolicyVersions,
		"DeletePolicyVersion":     s.DeletePolicyVersion,
		"SetDefaultPolicyVersion": s.SetDefaultPolicyVersion,
		// Users and access keys.
		"CreateUser":                    s.CreateUser,
		"GetUser":                       s.GetUser,
		"ListUsers":                     s.ListUsers,
		"DeleteUser":                    s.DeleteUser,
		"TagUser":                       s.TagUser,
		"UntagUser":                     s.UntagUser,
		"ListUserTags":                  s.ListUserTags,
		"CreateAccessKey":               s.CreateAccessKey,
		"ListAccessKeys":                s.ListAccessKeys,
		"UpdateAccessKey":               s.UpdateAccessKey,
		"DeleteAccessKey":               s.DeleteAccessKey,
		"GetAccessKeyLastUsed":          s.GetAccessKeyLastUsed,
		"PutUserPolicy":                 s.PutUserPolicy,
		"GetUserPolicy":                 s.GetUserPolicy,
		"DeleteUserPolicy":              s.DeleteUserPolicy,
		"ListUserPolicies":              s.ListUserPolicies,
		"AttachUserPolicy":              s.AttachUserPolicy,
		"DetachUserPolicy":              s.DetachUserPolicy,
		"ListAttachedUserPolicies":      s.ListAttachedUserPolicies,
		"PutUserPermissionsBoundary":    s.PutUserPermissionsBoundary,
		"DeleteUserPermissionsBoundary": s.DeleteUserPermissionsBoundary,
		// Virtual MFA.
		"CreateVirtualMFADevice": s.CreateVirtualMFADevice,
		"EnableMFADevice":        s.EnableMFADevice,
		"ListMFADevices":         s.ListMFADevices,
		"DeactivateMFADevice":    s.DeactivateMFADevice,
		"DeleteVirtualMFADevice": s.DeleteVirtualMFADevice,
		// SAML providers.
		"CreateSAMLProvider":   s.CreateSAMLProvider,
		"GetSAMLProvider":      s.GetSAMLProvider,
		"ListSAMLProviders":    s.ListSAMLProviders,
		"UpdateSAMLProvider":   s.UpdateSAMLProvider,
		"DeleteSAMLProvider":   s.DeleteSAMLProvider,
		"TagSAMLProvider":      s.TagSAMLProvider,
		"UntagSAMLProvider":    s.UntagSAMLProvider,
		"ListSAMLProviderTags": s.ListSAMLProviderTags,
		// The policy simulator.
		"SimulatePrincipalPolicy": s.SimulatePrincipalPolicy,
		"SimulateCustomPolicy":    s.SimulateCustomPolicy,
	}
}

// isoTime formats a time as AWS's query APIs do.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// created returns when an entity was created: as recorded in the document's
// metadata, else (an entity of the org files the store was seeded with) the
// time the store was seeded.
func (s *Service) created(ctx context.Context, d *state.Doc, arn string) time.Time {
	if t, ok := d.Meta.Created[arn]; ok {
		return t
	}
	return s.seeded(ctx)
}

// seeded returns when the store was seeded, as its document records (a
// store seeded before the document recorded it: the creation time of the
// management root's first access key, which Bootstrap made then).
func (s *Service) seeded(ctx context.Context) time.Time {
	s.seedMu.Lock()
	defer s.seedMu.Unlock()
	if !s.seedTime.IsZero() {
		return s.seedTime
	}
	if raw, _, err := s.Store.State(ctx); err == nil {
		var d state.Doc
		if json.Unmarshal(raw, &d) == nil && !d.Meta.Seeded.IsZero() {
			s.seedTime = d.Meta.Seeded.UTC()
			return s.seedTime
		}
	}
	o, err := s.State.Org(ctx)
	if err != nil || o.Management == nil {
		return time.Unix(0, 0).UTC()
	}
	keys, err := s.Store.AccessKeys(ctx, "arn:aws:iam::"+o.Management.ID+":root")
	if err != nil || len(keys) == 0 {
		return time.Unix(0, 0).UTC()
	}
	t := keys[0].Created
	for _, k := range keys {
		if k.Created.Before(t) {
			t = k.Created
		}
	}
	s.seedTime = t.UTC()
	return s.seedTime
}
