package identitycenter

import (
	"github.com/securecart/warden/internal/api"
)

// service builds the shared service for both descriptors.
func service(d *api.Deps) *Service {
	return &Service{State: d.State, Authz: d.Authz, Store: d.Store}
}

// NewIdentityStore declares the identitystore API (botocore's identitystore
// 2020-06-15).
func NewIdentityStore(d *api.Deps) *api.Descriptor {
	s := service(d)
	return &api.Descriptor{
		Name:           "identitystore",
		Protocol:       api.JSON,
		APIVersion:     "2020-06-15",
		TargetPrefixes: []string{"AWSIdentityStore"},
		JSONVersion:    "1.1",
		Handlers: map[string]api.Handler{
			"CreateUser": s.create(users), "DescribeUser": s.describe(users), "UpdateUser": s.update(users),
			"DeleteUser": s.remove(users), "ListUsers": s.list(users), "GetUserId": s.getID(users),
			"CreateGroup": s.create(groups), "DescribeGroup": s.describe(groups), "UpdateGroup": s.update(groups),
			"DeleteGroup": s.remove(groups), "ListGroups": s.list(groups), "GetGroupId": s.getID(groups),
			"CreateGroupMembership": s.CreateGroupMembership, "DescribeGroupMembership": s.DescribeGroupMembership,
			"DeleteGroupMembership": s.DeleteGroupMembership, "ListGroupMemberships": s.ListGroupMemberships,
			"GetGroupMembershipId": s.GetGroupMembershipId, "IsMemberInGroups": s.IsMemberInGroups,
			"ListGroupMembershipsForMember": s.ListGroupMembershipsForMember,
		},
	}
}

// NewSSOAdmin declares the sso-admin API (botocore's sso-admin 2020-07-20:
// signing name sso, event source sso.amazonaws.com).
func NewSSOAdmin(d *api.Deps) *api.Descriptor {
	s := service(d)
	return &api.Descriptor{
		Name:           "sso-admin",
		SigningName:    "sso",
		EventSource:    "sso.amazonaws.com",
		Protocol:       api.JSON,
		APIVersion:     "2020-07-20",
		TargetPrefixes: []string{"SWBExternalService"},
		JSONVersion:    "1.1",
		Handlers: map[string]api.Handler{
			"ListInstances": s.ListInstances, "DescribeInstance": s.DescribeInstance,
			"CreatePermissionSet": s.CreatePermissionSet, "DescribePermissionSet": s.DescribePermissionSet,
			"UpdatePermissionSet": s.UpdatePermissionSet, "DeletePermissionSet": s.DeletePermissionSet,
			"ListPermissionSets": s.ListPermissionSets, "ListTagsForResource": s.ListTagsForResource,
			"PutInlinePolicyToPermissionSet": s.PutInlinePolicyToPermissionSet, "GetInlinePolicyForPermissionSet": s.GetInlinePolicyForPermissionSet,
			"DeleteInlinePolicyFromPermissionSet": s.DeleteInlinePolicyFromPermissionSet,
			"AttachManagedPolicyToPermissionSet":  s.AttachManagedPolicyToPermissionSet, "DetachManagedPolicyFromPermissionSet": s.DetachManagedPolicyFromPermissionSet,
			"ListManagedPoliciesInPermissionSet":                    s.ListManagedPoliciesInPermissionSet,
			"AttachCustomerManagedPolicyReferenceToPermissionSet":   s.AttachCustomerManagedPolicyReferenceToPermissionSet,
			"DetachCustomerManagedPolicyReferenceFromPermissionSet": s.DetachCustomerManagedPolicyReferenceFromPermissionSet,
			"ListCustomerManagedPolicyReferencesInPermissionSet":    s.ListCustomerManagedPolicyReferencesInPermissionSet,
			"PutPermissionsBoundaryToPermissionSet":                 s.PutPermissionsBoundaryToPermissionSet,
			"GetPermissionsBoundaryForPermissionSet":                s.GetPermissionsBoundaryForPermissionSet,
			"DeletePermissionsBoundaryFromPermissionSet":            s.DeletePermissionsBoundaryFromPermissionSet,
			"CreateAccountAssignment":                               s.CreateAccountAssignment, "DeleteAccountAssignment": s.DeleteAccountAssignment,
			"ListAccountAssignments":                  s.ListAccountAssignments,
			"DescribeAccountAssignmentCreationStatus": s.DescribeAccountAssignmentCreationStatus,
			"DescribeAccountAssignmentDeletionStatus": s.DescribeAccountAssignmentDeletionStatus,
			"ListAccountsForProvisionedPermissionSet": s.ListAccountsForProvisionedPermissionSet,
			"ListPermissionSetsProvisionedToAccount":  s.ListPermissionSetsProvisionedToAccount,
			"ProvisionPermissionSet":                  s.ProvisionPermissionSet,
			"DescribePermissionSetProvisioningStatus": s.DescribePermissionSetProvisioningStatus,
			"ListAccountAssignmentCreationStatus":     s.ListAccountAssignmentCreationStatus,
			"ListAccountAssignmentDeletionStatus":     s.ListAccountAssignmentDeletionStatus,
			"ListPermissionSetProvisioningStatus":     s.ListPermissionSetProvisioningStatus,
		},
	}
}
