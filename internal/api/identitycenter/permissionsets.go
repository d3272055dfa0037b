package identitycenter

import (
	"context"
	"encoding/json"
	"maps"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

// CreatePermissionSet creates a permission set (not yet assigned anywhere,
// so provisioned nowhere).
func (s *Service) CreatePermissionSet(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	name := str(in.Name)
	if name == "" {
		return nil, validation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
	}
	arn := PermissionSetARN(cl.ic.InstanceARN, name)
	def := &org.PermissionSetDef{Name: name, Description: str(in.Description), SessionDuration: str(in.SessionDuration), RelayState: str(in.RelayState)}
	if len(in.Tags) > 0 {
		def.Tags = map[string]string{}
		for _, t := range in.Tags {
			def.Tags[t.Key] = t.Value
		}
	}
	err = cl.mutateDoc(ctx, func(d *state.Doc) error {
		if err := editErr(d.Org.IdentityCenter.AddPermissionSet(def)); err != nil {
			return err
		}
		d.Meta.Created[arn] = c.Now.UTC()
		return nil
	})
	if err != nil {
		return nil, err
	}
	ps, err := cl.permissionSet(arn)
	if err != nil {
		return nil, err
	}
	out := cl.permissionSetOut(ctx, ps)
	c.ResponseElements = call.Fields{"permissionSet": out}
	c.Resources = []api.Resource{{ARN: arn, Type: "AWS::SSO::PermissionSet", Account: cl.o.Management.ID}}
	return call.Fields{"PermissionSet": out}, nil
}

// DescribePermissionSet returns a permission set.
func (s *Service) DescribePermissionSet(ctx context.Context, c *api.Call) (any, error) {
	_, cl, ps, err := s.setCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	return call.Fields{"PermissionSet": cl.permissionSetOut(ctx, ps)}, nil
}

// ListPermissionSets lists the instance's permission sets.
func (s *Service) ListPermissionSets(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	var arns []string
	for _, ps := range cl.ic.PermissionSets {
		arns = append(arns, PermissionSetARN(cl.ic.InstanceARN, ps.Name))
	}
	return listed(pagingOf(in), "PermissionSets", arns)
}

func asJSON(v any) string {
	data, _ := json.Marshal(v) // a spec's values always marshal
	return string(data)
}

// editSet changes the stored permission set the input names: the roles
// already provisioned keep its previous version (AWS: "If the permission
// set is subsequently updated, the corresponding IAM policies attached to
// roles in your accounts will not be updated automatically", sso-admin API
// Reference, CreateAccountAssignment).
func (cl *caller) editSet(ctx context.Context, arn string, fn func(d *state.Doc, ps *org.PermissionSetDef) error) error {
	ps, err := cl.permissionSet(arn)
	if err != nil {
		return err
	}
	if err := cl.guardManagement(ps, nil); err != nil {
		return err
	}
	return cl.mutateDoc(ctx, func(d *state.Doc) error {
		ic := d.Org.IdentityCenter
		def := ic.PermissionSet(ps.Name)
		if def == nil {
			return errf("ResourceNotFoundException", 400, "Could not find PermissionSet with arn: %s", arn)
		}
		// The accounts it is provisioned to keep this version until
		// ProvisionPermissionSet, unless nothing changes.
		before, versions := asJSON(def), len(ic.ProvisionedVersions)
		d.Org.BeforeSetChange(ps.Name)
		if err := fn(d, def); err != nil {
			return err
		}
		if asJSON(def) == before {
			ic.ProvisionedVersions = ic.ProvisionedVersions[:versions]
		}
		return editErr(org.CheckPermissionSet(def))
	})
}

// UpdatePermissionSet changes a permission set's description, session
// duration or relay state.
func (s *Service) UpdatePermissionSet(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	return nil, cl.editSet(ctx, in.PermissionSetARN, func(_ *state.Doc, ps *org.PermissionSetDef) error {
		if in.Description != nil {
			ps.Description = *in.Description
		}
		if in.SessionDuration != nil {
			ps.SessionDuration = *in.SessionDuration
		}
		if in.RelayState != nil {
			ps.RelayState = *in.RelayState
		}
		return nil
	})
}

// DeletePermissionSet deletes a permission set that is provisioned nowhere.
func (s *Service) DeletePermissionSet(ctx context.Context, c *api.Call) (any, error) {
	_, cl, ps, err := s.setCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := cl.guardManagement(ps, nil); err != nil {
		return nil, err
	}
	// Refused while assignments use it; the roles of accounts it was
	// provisioned to without an assignment (ProvisionPermissionSet) go
	// with it.
	assigned := map[string]bool{}
	for _, a := range cl.ic.Assignments {
		if a.PermissionSet == ps {
			for _, acct := range a.Accounts {
				assigned[acct.ID] = true
			}
		}
	}
	if len(assigned) > 0 {
		return nil, conflict("The permission set %s is assigned in %d accounts: delete its account assignments first.", ps.Name, len(assigned))
	}
	return nil, cl.mutate(ctx, func(_ *org.Spec, ic *org.IdentityCenterDef) error {
		ic.RemovePermissionSet(ps.Name)
		return nil
	})
}

// ListTagsForResource lists a permission set's tags.
func (s *Service) ListTagsForResource(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	ps, err := cl.permissionSet(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	tags := []map[string]string{}
	for _, k := range sortedKeys(ps.Tags) {
		tags = append(tags, map[string]string{"Key": k, "Value": ps.Tags[k]})
	}
	return call.Fields{"Tags": tags}, nil
}

func sortedKeys(m map[string]string) []string {
	keys := []string{}
	for k := range maps.Keys(m) {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}
