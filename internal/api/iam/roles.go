package iam

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

// roleRec is a role of one account as IAM shows it: a role the org
// document defines, or one AWS manages (a service-linked role, or the role
// of an Identity Center permission set), which is read-only.
type roleRec struct {
	Name, Path, ARN, Description string
	Account                      string            // ID
	Trust                        string            // the trust policy's text
	Managed                      []string          // ARNs of the attached managed policies
	Inline                       map[string]string // inline policy name -> text
	Boundary                     string            // ARN; "" for none
	MaxSession                   int
	Tags                         map[string]string
	// Protected says why AWS protects the role ("" for a role the
	// organization defines).
	Protected string
}

// ssoInlineName is the name AWS gives a permission set's inline policy in
// the roles it provisions.
const ssoInlineName = "AwsSSOInlinePolicy"

// findRole finds a role of the account by name (ignoring case).
func findRole(m *model, o *org.Org, acctID, name string) (*roleRec, bool) {
	if def := m.Role(m.AccountName(acctID), name); def != nil {
		return roleFromDef(m, acctID, def), true
	}
	a, ok := o.AccountByID(acctID)
	if !ok {
		return nil, false
	}
	for _, r := range a.Roles {
		if !strings.EqualFold(r.Name, name) {
			continue
		}
		switch {
		case r.ServiceLinked:
			return slrRec(m, r), true
		case r.PermissionSet != "":
			return ssoRec(m, o, r), true
		}
	}
	return nil, false
}

func roleFromDef(m *model, acctID string, def *org.RoleDef) *roleRec {
	r := &roleRec{Name: def.Name, Path: def.IAMPath(), Description: m.Expand(def.Description),
		Account: acctID, Trust: m.docText(def.Trust), MaxSession: 3600}
	r.ARN = roleARN(acctID, r.Path, r.Name)
	if def.MaxSessionDuration != 0 {
		r.MaxSession = def.MaxSessionDuration
	}
	r.Managed, r.Inline, r.Boundary, r.Tags = entityPolicies(m, acctID, &def.Entity)
	return r
}

// entityPolicies returns what a role or user holds as IAM shows it: the
// ARNs of its managed policies, the texts of its inline policies, its
// boundary's ARN and its tags.
func entityPolicies(m *model, acctID string, e *org.Entity) (managed []string, inline map[string]string, boundary string, tags map[string]string) {
	for _, ref := range e.ManagedPolicies {
		managed = append(managed, m.RefARN(acctID, ref))
	}
	inline = make(map[string]string, len(e.InlinePolicies))
	for k, d := range e.InlinePolicies {
		inline[k] = m.docText(d)
	}
	if e.PermissionsBoundary != "" {
		boundary = m.RefARN(acctID, e.PermissionsBoundary)
	}
	tags = maps.Clone(e.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	return managed, inline, boundary, tags
}

func slrRec(m *model, r *org.Role) *roleRec {
	rec := &roleRec{Name: r.Name, Path: r.Path, ARN: r.ARN, Account: r.Account.ID, MaxSession: r.MaxSessionDuration,
		Inline: map[string]string{}, Tags: map[string]string{},
		Protected: "it is a service-linked role: only " + r.Service + " may change it"}
	rec.Trust = `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":` + jsonString(r.Service) + `}}],"Version":"2012-10-17"}`
	if def := m.ServiceLinkedRole(r.Account.Name, r.Name); def != nil {
		rec.Managed = slices.Clone(def.ManagedPolicies)
	}
	return rec
}

func ssoRec(m *model, o *org.Org, r *org.Role) *roleRec {
	rec := &roleRec{Name: r.Name, Path: r.Path, ARN: r.ARN, Account: r.Account.ID, MaxSession: r.MaxSessionDuration,
		Description: r.Description, Inline: map[string]string{}, Tags: map[string]string{},
		Protected: "Identity Center manages it for permission set " + r.PermissionSet}
	if ic := o.IdentityCenter; ic != nil {
		provider := "arn:aws:iam::" + r.Account.ID + ":saml-provider/" + ic.SAMLProvider
		rec.Trust = `{"Statement":[{"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}},"Effect":"Allow","Principal":{"Federated":` +
			jsonString(provider) + `}}],"Version":"2012-10-17"}`
	}
	if m.IdentityCenter == nil {
		return rec
	}
	if ps := m.ProvisionedSet(r.PermissionSet, r.Account.Name); ps != nil {
		rec.Managed = slices.Clone(ps.ManagedPolicies)
		for _, n := range ps.CustomerManagedPolicies {
			rec.Managed = append(rec.Managed, m.RefARN(r.Account.ID, n))
		}
		if !ps.InlinePolicy.IsZero() {
			rec.Inline[ssoInlineName] = m.docText(ps.InlinePolicy)
		}
		if ps.PermissionsBoundary != "" {
			rec.Boundary = m.RefARN(r.Account.ID, ps.PermissionsBoundary)
		}
	}
	return rec
}

// accountRoles returns every role of the account.
func accountRoles(m *model, o *org.Org, acctID string) []*roleRec {
	var out []*roleRec
	for _, def := range m.RolesIn(m.AccountName(acctID)) {
		out = append(out, roleFromDef(m, acctID, def))
	}
	if a, ok := o.AccountByID(acctID); ok {
		for _, r := range a.Roles {
			switch {
			case r.ServiceLinked:
				out = append(out, slrRec(m, r))
			case r.PermissionSet != "":
				out = append(out, ssoRec(m, o, r))
			}
		}
	}
	return out
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// roleStruct is the Role data type of a role.
func (s *Service) roleStruct(ctx context.Context, d *state.Doc, r *roleRec, withTags bool) Role {
	out := Role{Path: r.Path, RoleName: r.Name, RoleID: creds.StableID("AROA", r.ARN), Arn: r.ARN,
		CreateDate: isoTime(s.created(ctx, d, r.ARN)), AssumeRolePolicyDocument: urlEncode(r.Trust),
		Description: r.Description, MaxSessionDuration: r.MaxSession}
	if withTags {
		out.PermissionsBoundary = boundaryOf(r.Boundary)
		out.Tags = tagList(r.Tags)
	}
	return out
}

// view is what read and write actions look at: the current document and the
// loaded org.
func (s *Service) view(ctx context.Context) (*model, *org.Org, error) {
	d, err := s.State.Doc(ctx)
	if err != nil {
		return nil, nil, err
	}
	o, err := s.State.Org(ctx)
	if err != nil {
		return nil, nil, err
	}
	return newModel(d), o, nil
}

// mutate applies fn to the stored document (see state.Manager.Mutate).
func (s *Service) mutate(ctx context.Context, fn func(m *model) error) (*org.Org, error) {
	return s.State.Mutate(ctx, func(d *state.Doc) error { return fn(newModel(d)) })
}

// invalid maps a change that the org would not load to an AWS error of the
// given code, saying why; other errors pass through.
func invalid(err error, code, what string) error {
	if err == nil || !errors.Is(err, state.ErrInvalid) {
		return err
	}
	msg := strings.TrimPrefix(err.Error(), state.ErrInvalid.Error()+": ")
	msg = strings.ReplaceAll(msg, "\n", "; ")
	return awsproto.Errorf(code, "%s: %s", what, msg)
}

// roleTarget is a role named by a RoleName parameter: found, or its default
// ARN for the authorization of a call on a role that does not exist.
type roleTarget struct {
	rec  *roleRec
	name string
	arn  string
}

// targetRole reads and validates RoleName and finds the role in the caller's
// account.
func (s *Service) targetRole(ctx context.Context, c *api.Call) (*model, *org.Org, *roleTarget, error) {
	name, err := requiredName(c, "RoleName", org.MaxRoleName)
	if err != nil {
		return nil, nil, nil, err
	}
	m, o, err := s.view(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	t := &roleTarget{name: name, arn: roleARN(c.Identity.Account, "/", name)}
	if r, ok := findRole(m, o, c.Identity.Account, name); ok {
		t.rec, t.arn = r, r.ARN
	}
	return m, o, t, nil
}

// context returns the condition keys of a call on the role: its tags and
// its permissions boundary.
func (t *roleTarget) context(extra map[string][]string) map[string][]string {
	if extra == nil {
		extra = map[string][]string{}
	}
	if t.rec == nil {
		return extra
	}
	return entityContext(t.rec.Tags, t.rec.Boundary, extra)
}

// found returns NoSuchEntity for a role that does not exist.
func (t *roleTarget) found() error {
	if t.rec == nil {
		return noSuchEntity("The role with name %s cannot be found.", t.name)
	}
	return nil
}

// modifiable refuses changes to the roles AWS manages.
func (t *roleTarget) modifiable() error {
	if t.rec != nil && t.rec.Protected != "" {
		return awsproto.Errorf("UnmodifiableEntity", "Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS (%s)", t.rec.Name, t.rec.Protected)
	}
	return nil
}

// ownRoleIn returns the role's definition for the caller's account alone
// (splitting a shared definition), or NoSuchEntity.
func ownRoleIn(m *model, acctID, name string) (*org.RoleDef, error) {
	def := m.OwnRole(m.AccountName(acctID), name)
	if def == nil {
		return nil, noSuchEntity("The role with name %s cannot be found.", name)
	}
	return def, nil
}

// roleResource is the trail's record of a role.
func roleResource(arn, acct string) []api.Resource {
	return []api.Resource{{ARN: arn, Type: "AWS::IAM::Role", Account: acct}}
}
