package identitycenter

import (
	"context"
	"slices"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

// The policies of a permission set: AWS managed policies, customer managed
// policy references (by name, resolved in each account it is provisioned
// to), one inline policy and a permissions boundary.

// PutInlinePolicyToPermissionSet sets the inline policy.
func (s *Service) PutInlinePolicyToPermissionSet(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	if in.InlinePolicy == nil || strings.TrimSpace(*in.InlinePolicy) == "" {
		return nil, validation("1 validation error detected: Value null at 'inlinePolicy' failed to satisfy constraint: Member must not be null")
	}
	return nil, cl.editSet(ctx, in.PermissionSetARN, func(_ *state.Doc, ps *org.PermissionSetDef) error {
		ps.InlinePolicy = org.TextDoc(*in.InlinePolicy)
		return nil
	})
}

// GetInlinePolicyForPermissionSet returns the inline policy ("" for none).
func (s *Service) GetInlinePolicyForPermissionSet(ctx context.Context, c *api.Call) (any, error) {
	_, cl, ps, err := s.setCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	text := ""
	if def := cl.storedSet(ctx, ps.Name); def != nil && !def.InlinePolicy.IsZero() {
		text = cl.stored(ctx).Org.Text(def.InlinePolicy, "")
	}
	return map[string]string{"InlinePolicy": text}, nil
}

// DeleteInlinePolicyFromPermissionSet removes the inline policy.
func (s *Service) DeleteInlinePolicyFromPermissionSet(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	return nil, cl.editSet(ctx, in.PermissionSetARN, func(_ *state.Doc, ps *org.PermissionSetDef) error {
		ps.InlinePolicy = nil
		return nil
	})
}

// AttachManagedPolicyToPermissionSet attaches an AWS managed policy.
func (s *Service) AttachManagedPolicyToPermissionSet(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	if in.ManagedPolicyARN == "" {
		return nil, validation("1 validation error detected: Value null at 'managedPolicyArn' failed to satisfy constraint: Member must not be null")
	}
	return nil, cl.editSet(ctx, in.PermissionSetARN, func(_ *state.Doc, ps *org.PermissionSetDef) error {
		if slices.Contains(ps.ManagedPolicies, in.ManagedPolicyARN) {
			return conflict("Permission set already has the managed policy %s attached.", in.ManagedPolicyARN)
		}
		if len(ps.ManagedPolicies)+len(ps.CustomerManagedPolicies) >= 20 {
			return errf("ServiceQuotaExceededException", 400, "A permission set has at most 20 managed policies and customer managed policy references.")
		}
		ps.ManagedPolicies = append(ps.ManagedPolicies, in.ManagedPolicyARN)
		return nil
	})
}

// DetachManagedPolicyFromPermissionSet detaches an AWS managed policy.
func (s *Service) DetachManagedPolicyFromPermissionSet(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	return nil, cl.editSet(ctx, in.PermissionSetARN, func(_ *state.Doc, ps *org.PermissionSetDef) error {
		if !slices.Contains(ps.ManagedPolicies, in.ManagedPolicyARN) {
			return errf("ResourceNotFoundException", 400, "The managed policy %s is not attached to the permission set.", in.ManagedPolicyARN)
		}
		ps.ManagedPolicies = slices.DeleteFunc(ps.ManagedPolicies, func(a string) bool { return a == in.ManagedPolicyARN })
		return nil
	})
}

// ListManagedPoliciesInPermissionSet lists the AWS managed policies.
func (s *Service) ListManagedPoliciesInPermissionSet(ctx context.Context, c *api.Call) (any, error) {
	in, cl, ps, err := s.setCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	var out []map[string]string
	if def := cl.storedSet(ctx, ps.Name); def != nil {
		for _, arn := range def.ManagedPolicies {
			out = append(out, map[string]string{"Arn": arn, "Name": arn[strings.LastIndexByte(arn, '/')+1:]})
		}
	}
	return listed(pagingOf(in), "AttachedManagedPolicies", out)
}

// customerRef checks a customer managed policy reference: Warden's
// permission sets name customer managed policies on path /.
func customerRef(name string, path *string) (string, error) {
	if name == "" {
		return "", validation("1 validation error detected: Value null at 'customerManagedPolicyReference.name' failed to satisfy constraint: Member must not be null")
	}
	if path != nil && *path != "" && *path != "/" {
		return "", validation("Customer managed policy path %q: Warden's permission sets reference customer managed policies on path /.", *path)
	}
	return name, nil
}

// AttachCustomerManagedPolicyReferenceToPermissionSet references a
// customer managed policy by name.
func (s *Service) AttachCustomerManagedPolicyReferenceToPermissionSet(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	if in.CustomerRef == nil {
		return nil, validation("1 validation error detected: Value null at 'customerManagedPolicyReference' failed to satisfy constraint: Member must not be null")
	}
	name, err := customerRef(in.CustomerRef.Name, in.CustomerRef.Path)
	if err != nil {
		return nil, err
	}
	return nil, cl.editSet(ctx, in.PermissionSetARN, func(_ *state.Doc, ps *org.PermissionSetDef) error {
		if slices.Contains(ps.CustomerManagedPolicies, name) {
			return conflict("Permission set already references the customer managed policy %s.", name)
		}
		ps.CustomerManagedPolicies = append(ps.CustomerManagedPolicies, name)
		return nil
	})
}

// DetachCustomerManagedPolicyReferenceFromPermissionSet removes a reference.
func (s *Service) DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	if in.CustomerRef == nil {
		return nil, validation("1 validation error detected: Value null at 'customerManagedPolicyReference' failed to satisfy constraint: Member must not be null")
	}
	name := in.CustomerRef.Name
	return nil, cl.editSet(ctx, in.PermissionSetARN, func(_ *state.Doc, ps *org.PermissionSetDef) error {
		if !slices.Contains(ps.CustomerManagedPolicies, name) {
			return errf("ResourceNotFoundException", 400, "The permission set does not reference the customer managed policy %s.", name)
		}
		ps.CustomerManagedPolicies = slices.DeleteFunc(ps.CustomerManagedPolicies, func(n string) bool { return n == name })
		return nil
	})
}

// ListCustomerManagedPolicyReferencesInPermissionSet lists the references.
func (s *Service) ListCustomerManagedPolicyReferencesInPermissionSet(ctx context.Context, c *api.Call) (any, error) {
	in, _, ps, err := s.setCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	var out []map[string]string
	for _, n := range ps.CustomerManaged {
		out = append(out, map[string]string{"Name": n, "Path": "/"})
	}
	return listed(pagingOf(in), "CustomerManagedPolicyReferences", out)
}

// PutPermissionsBoundaryToPermissionSet sets the boundary: an AWS managed
// policy by ARN, or a customer managed policy by name.
func (s *Service) PutPermissionsBoundaryToPermissionSet(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	b := in.PermissionsBoundary
	if b == nil || (b.ManagedPolicyArn == nil) == (b.CustomerManagedPolicyReference == nil) {
		return nil, validation("PermissionsBoundary needs exactly one of ManagedPolicyArn and CustomerManagedPolicyReference.")
	}
	ref := str(b.ManagedPolicyArn)
	if b.CustomerManagedPolicyReference != nil {
		if ref, err = customerRef(b.CustomerManagedPolicyReference.Name, b.CustomerManagedPolicyReference.Path); err != nil {
			return nil, err
		}
	}
	return nil, cl.editSet(ctx, in.PermissionSetARN, func(_ *state.Doc, ps *org.PermissionSetDef) error {
		ps.PermissionsBoundary = ref
		return nil
	})
}

// GetPermissionsBoundaryForPermissionSet returns the boundary.
func (s *Service) GetPermissionsBoundaryForPermissionSet(ctx context.Context, c *api.Call) (any, error) {
	_, _, ps, err := s.setCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	if ps.Boundary == "" {
		return nil, errf("ResourceNotFoundException", 400, "The permission set %s has no permissions boundary.", ps.Name)
	}
	if strings.HasPrefix(ps.Boundary, "arn:") {
		return call.Fields{"PermissionsBoundary": call.Fields{"ManagedPolicyArn": ps.Boundary}}, nil
	}
	return call.Fields{"PermissionsBoundary": call.Fields{"CustomerManagedPolicyReference": map[string]string{"Name": ps.Boundary, "Path": "/"}}}, nil
}

// DeletePermissionsBoundaryFromPermissionSet removes the boundary.
func (s *Service) DeletePermissionsBoundaryFromPermissionSet(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	return nil, cl.editSet(ctx, in.PermissionSetARN, func(_ *state.Doc, ps *org.PermissionSetDef) error {
		ps.PermissionsBoundary = ""
		return nil
	})
}
