package org

// Spec is the organization as the org format writes it (docs/org-format.md),
// as typed values: what `warden serve` stores and its APIs edit. Its JSON is
// the org format's JSON, field for field, so that a stored document and an
// org file load the same way (BuildSpec, or LoadFS on its JSON).
//
// Everything refers to everything by name, as in the files: a role lists
// the names of the accounts it is in, a policy the names of its targets.
// The methods in spec_*.go find and change entries; the loader remains the
// judge of the whole (a Spec that BuildSpec refuses is not stored).
type Spec struct {
	Organization       *OrgDef            `json:"organization,omitempty"`
	OUs                []*OUDef           `json:"ous,omitempty"`
	Accounts           []*AccountDef      `json:"accounts,omitempty"`
	Policies           []*PolicyDef       `json:"policies,omitempty"`
	Roles              []*RoleDef         `json:"roles,omitempty"`
	Users              []*UserDef         `json:"users,omitempty"`
	Groups             []*GroupDef        `json:"groups,omitempty"`
	Resources          []*ResourceDef     `json:"resources,omitempty"`
	Workloads          []*WorkloadDef     `json:"workloads,omitempty"`
	IdentityProviders  []*ProviderDef     `json:"identityProviders,omitempty"`
	ServiceLinkedRoles []*SLRDef          `json:"serviceLinkedRoles,omitempty"`
	IdentityCenter     *IdentityCenterDef `json:"identityCenter,omitempty"`
}

// OrgDef is the organization mapping.
type OrgDef struct {
	ID                string `json:"id"`
	ManagementAccount string `json:"managementAccount"`
	Root              string `json:"root,omitempty"`
	// DelegatedAdministrators are the member accounts that administer
	// services for the organization (see delegated.go).
	DelegatedAdministrators []*DelegatedAdminDef `json:"delegatedAdministrators,omitempty"`
}

// OUDef is an organizational unit; Parent "" is the root.
type OUDef struct {
	Name   string `json:"name"`
	ID     string `json:"id,omitempty"`
	Parent string `json:"parent,omitempty"`
}

// AccountDef is an account; OU "" is the root.
type AccountDef struct {
	Name  string            `json:"name"`
	ID    string            `json:"id"`
	Email string            `json:"email"`
	OU    string            `json:"ou,omitempty"`
	Tags  map[string]string `json:"tags,omitempty"`
	// PublicAccessBlock is the account's S3 Block Public Access.
	PublicAccessBlock *PublicAccessBlock `json:"publicAccessBlock,omitempty"`
}

// PolicyDef is an SCP or RCP (Attach: "Root", OU and account names) or a
// customer managed policy (Accounts, Path).
type PolicyDef struct {
	Name        string    `json:"name"`
	Type        string    `json:"type"` // TypeSCP, TypeRCP or TypeManaged
	Description string    `json:"description,omitempty"`
	Path        string    `json:"path,omitempty"`
	Document    PolicyDoc `json:"document"`
	Attach      []string  `json:"attach,omitempty"`
	Accounts    []string  `json:"accounts,omitempty"`
	// Versions are a managed policy's other versions, beside the default
	// one (Document), which is numbered after them.
	Versions []*PolicyVersionDef `json:"versions,omitempty"`
}

// PolicyVersionDef is a version of a managed policy that is not the
// default one.
type PolicyVersionDef struct {
	ID       string    `json:"id"`
	Document PolicyDoc `json:"document"`
}

// Entity is what roles and users share, and the APIs edit alike: managed
// policies by reference (a customer managed policy's name, or an AWS
// managed policy's ARN), inline policies by name, a permissions boundary
// reference, and tags (see spec_entity.go).
type Entity struct {
	ManagedPolicies     []string             `json:"managedPolicies,omitempty"`
	InlinePolicies      map[string]PolicyDoc `json:"inlinePolicies,omitempty"`
	PermissionsBoundary string               `json:"permissionsBoundary,omitempty"`
	Tags                map[string]string    `json:"tags,omitempty"`
}

// RoleDef is a role, provisioned into each account Accounts names ("*" is
// every member account).
type RoleDef struct {
	Name        string    `json:"name"`
	Accounts    []string  `json:"accounts"`
	Path        string    `json:"path,omitempty"`
	Description string    `json:"description,omitempty"`
	Trust       PolicyDoc `json:"trust"`
	Entity
	MaxSessionDuration int `json:"maxSessionDuration,omitempty"`
}

// UserDef is an IAM user of one account.
type UserDef struct {
	Name    string   `json:"name"`
	Account string   `json:"account"`
	Path    string   `json:"path,omitempty"`
	Groups  []string `json:"groups,omitempty"`
	Entity
}

// GroupDef is an IAM group of one account (groups have no boundary).
type GroupDef struct {
	Name            string               `json:"name"`
	Account         string               `json:"account"`
	Path            string               `json:"path,omitempty"`
	ManagedPolicies []string             `json:"managedPolicies,omitempty"`
	InlinePolicies  map[string]PolicyDoc `json:"inlinePolicies,omitempty"`
}

// ResourceDef is a resource with a resource-based policy.
type ResourceDef struct {
	ARN     string    `json:"arn"`
	Account string    `json:"account,omitempty"`
	Policy  PolicyDoc `json:"policy"`
	// PublicAccessBlock is an S3 bucket's or access point's Block Public
	// Access.
	PublicAccessBlock *PublicAccessBlock `json:"publicAccessBlock,omitempty"`
	// KeyManager is a KMS key's KeyManager: AWS for an AWS managed key.
	KeyManager string `json:"keyManager,omitempty"`
}

// WorkloadDef is a function, instance, stack, project, launch template,
// notebook, dev endpoint, Glue job or instance profile that runs code as a
// role of its account (by name or ARN; an instance may have none), or a
// DynamoDB or Kinesis stream with the functions mapped to it, or an ECS
// task with its task role and containers.
type WorkloadDef struct {
	ARN       string   `json:"arn"`
	Role      string   `json:"role,omitempty"`
	Functions []string `json:"functions,omitempty"`
	// Containers are an ECS task's container names.
	Containers []string `json:"containers,omitempty"`
	// Accounts are a stack set's stack instances' accounts, by name.
	Accounts []string `json:"accounts,omitempty"`
}

// ProviderDef is an IAM SAML or OIDC identity provider.
type ProviderDef struct {
	Type      string   `json:"type"`
	Name      string   `json:"name"`
	Accounts  []string `json:"accounts"`
	ClientIDs []string `json:"clientIds,omitempty"`
	// Metadata is a SAML provider's metadata document (XML), which holds
	// the keys its assertions are verified with.
	Metadata string            `json:"metadata,omitempty"`
	Tags     map[string]string `json:"tags,omitempty"`
}

// SLRDef is a service-linked role.
type SLRDef struct {
	Service         string   `json:"service"`
	Name            string   `json:"name"`
	Accounts        []string `json:"accounts"`
	ManagedPolicies []string `json:"managedPolicies,omitempty"`
}

// IdentityCenterDef is the Identity Center instance (see spec_ic.go).
type IdentityCenterDef struct {
	InstanceARN              string              `json:"instanceArn"`
	IdentityStoreID          string              `json:"identityStoreId,omitempty"`
	SessionDuration          string              `json:"sessionDuration,omitempty"`
	ExternalIdentityProvider *ExternalIdPDef     `json:"externalIdentityProvider,omitempty"`
	MFA                      *MFAPolicy          `json:"mfa,omitempty"`
	Users                    []*SSOUserDef       `json:"users,omitempty"`
	Groups                   []*SSOGroupDef      `json:"groups,omitempty"`
	PermissionSets           []*PermissionSetDef `json:"permissionSets,omitempty"`
	Assignments              []*AssignmentDef    `json:"assignments,omitempty"`
	// Provisioned are permission sets provisioned to accounts where no
	// assignment of them exists (ProvisionPermissionSet to an account;
	// see spec_provision.go).
	Provisioned []*ProvisionedDef `json:"provisioned,omitempty"`
	// ProvisionedVersions are older versions of permission sets still
	// provisioned in accounts (see spec_provision.go).
	ProvisionedVersions []*ProvisionedVersionDef `json:"provisionedVersions,omitempty"`
	// TemporaryAccess are the policies of time-boxed access: which
	// permission sets in which accounts people may request, for how long,
	// approved by whom (docs/access.md).
	TemporaryAccess []*TemporaryAccessDef `json:"temporaryAccess,omitempty"`
}

// TemporaryAccessDef is a policy of time-boxed access: members of
// RequesterGroups may ask for PermissionSet in one of the accounts (named,
// or under the OUs) for at most MaxDuration, and a member of
// ApproverGroups other than the requester approves, with a current MFA
// code unless ApprovalRequiresMFA is false.
type TemporaryAccessDef struct {
	Name                string   `json:"name"`
	Description         string   `json:"description,omitempty"`
	PermissionSet       string   `json:"permissionSet"`
	Accounts            []string `json:"accounts,omitempty"`
	OUs                 []string `json:"ous,omitempty"`
	RequesterGroups     []string `json:"requesterGroups"`
	ApproverGroups      []string `json:"approverGroups"`
	MaxDuration         string   `json:"maxDuration"`
	ApprovalRequiresMFA *bool    `json:"approvalRequiresMfa,omitempty"`
}

// ProvisionedDef names the accounts a permission set was provisioned to by
// ProvisionPermissionSet, without an assignment of it there: its role
// exists in them, and no one is assigned it.
type ProvisionedDef struct {
	PermissionSet string   `json:"permissionSet"`
	Accounts      []string `json:"accounts"`
}

// ProvisionedVersionDef is an older version of a permission set that is
// still provisioned in accounts (names): the permission set changed after
// it was provisioned there, and ProvisionPermissionSet has not run for
// them since.
type ProvisionedVersionDef struct {
	PermissionSet *PermissionSetDef `json:"permissionSet"`
	Accounts      []string          `json:"accounts"`
}

// ExternalIdPDef is the identity provider Identity Center federates with.
type ExternalIdPDef struct {
	Type              string   `json:"type"`
	Name              string   `json:"name"`
	MetadataURL       string   `json:"metadataUrl,omitempty"`
	Metadata          string   `json:"metadata,omitempty"`
	Issuer            string   `json:"issuer,omitempty"`
	AllowIdPInitiated bool     `json:"allowIdpInitiated,omitempty"`
	ClientID          string   `json:"clientId,omitempty"`
	ClientSecretEnv   string   `json:"clientSecretEnv,omitempty"`
	Scopes            []string `json:"scopes,omitempty"`
	UserClaim         string   `json:"userClaim,omitempty"`
}

// SSOUserDef is a user of the Identity Center directory; Groups are the
// names of the groups it is a member of.
type SSOUserDef struct {
	// ID is the identity store user ID; "" for the one derived from the
	// user name (see ic_ids.go).
	ID          string `json:"id,omitempty"`
	UserName    string `json:"userName"`
	DisplayName string `json:"displayName,omitempty"`
	UserAttributes
	Groups     []string    `json:"groups,omitempty"`
	MFADevices []MFADevice `json:"mfaDevices,omitempty"`
}

// SSOGroupDef is a group of the Identity Center directory.
type SSOGroupDef struct {
	// ID is the identity store group ID; "" for the one derived from the
	// name (see ic_ids.go).
	ID          string          `json:"id,omitempty"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	ExternalIDs []ExternalIDDef `json:"externalIds,omitempty"`
}

// PermissionSetDef is a permission set. SessionDuration is ISO 8601
// (PT1H when ""); ManagedPolicies are AWS managed policy ARNs,
// CustomerManagedPolicies names of customer managed policies.
type PermissionSetDef struct {
	Name                    string            `json:"name"`
	Description             string            `json:"description,omitempty"`
	SessionDuration         string            `json:"sessionDuration,omitempty"`
	RelayState              string            `json:"relayState,omitempty"`
	ManagedPolicies         []string          `json:"managedPolicies,omitempty"`
	CustomerManagedPolicies []string          `json:"customerManagedPolicies,omitempty"`
	InlinePolicy            PolicyDoc         `json:"inlinePolicy,omitempty"`
	PermissionsBoundary     string            `json:"permissionsBoundary,omitempty"`
	Tags                    map[string]string `json:"tags,omitempty"`
}

// AssignmentDef gives a group or a user (one of them) a permission set in
// accounts (names) and in every account of OUs (names, or "Root").
type AssignmentDef struct {
	PermissionSet string   `json:"permissionSet"`
	Group         string   `json:"group,omitempty"`
	User          string   `json:"user,omitempty"`
	Accounts      []string `json:"accounts,omitempty"`
	OUs           []string `json:"ous,omitempty"`
}
