package org

import (
	"strconv"
	"strings"

	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// Org is a loaded organization. It is read-only after Load: callers must not
// change it, and its compiled policies are shared between the roles, users
// and accounts that use them.
type Org struct {
	ID         string // o-...
	RootID     string // r-...
	Management *Account
	Root       *OU // the root, named "Root"; its Parent is nil
	OUs        []*OU
	Accounts   []*Account
	Policies   []*Policy
	Roles      []*Role // every provisioned role: one per account it is in
	Users      []*User
	Groups     []*Group
	Resources  []*Resource
	// Workloads are the functions, instances, stacks, projects, launch
	// templates, notebooks, dev endpoints and Glue jobs that run code as a
	// role (see Workload).
	Workloads []*Workload
	Providers []*Provider // one per account it is in
	// IdentityCenter is nil when the organization declares none.
	IdentityCenter *IdentityCenter
	// Delegated are the delegated administrators, as the organization
	// names them.
	Delegated []*DelegatedAdmin
	Sources   []string // the organization files read, in order

	byName     map[string]*Account
	byID       map[string]*Account
	ouByName   map[string]*OU
	roles      map[roleKey]*Role
	users      map[string]*User // account ID + "/" + name
	resources  map[string]*Resource
	scpEnabled bool // some SCP is defined: SCPs apply to member accounts
	psRoles    map[string]string
}

// roleKey is a role's account ID and name: the key of Org's roles (its
// exact name) and of the loader's definitions (its lower-cased name). A
// struct, not the two joined, so that neither the load nor a look-up
// builds a string for it.
type roleKey struct {
	account, name string
}

// OU is an organizational unit, or the root.
type OU struct {
	Name     string
	ID       string
	Parent   *OU // nil for the root
	Children []*OU
	Accounts []*Account // the accounts directly in it
	SCPs     []*Policy  // attached here
	RCPs     []*Policy  // attached here
	Pos      Pos
}

// Account is a member (or the management) account.
type Account struct {
	Name  string
	ID    string
	Email string
	OU    *OU // nil: directly under the root
	Tags  map[string]string
	SCPs  []*Policy // attached directly to the account
	RCPs  []*Policy
	Roles []*Role // the roles in it, in provisioning order
	Pos   Pos
	// PublicAccessBlock is the account's S3 Block Public Access.
	PublicAccessBlock PublicAccessBlock

	scp, rcp []eval.Level
	orgPath  string
}

// Policy types as the format names them.
const (
	TypeSCP     = "scp"
	TypeRCP     = "rcp"
	TypeManaged = "managed"
)

// Policy is an organization policy (SCP, RCP) or a customer managed IAM
// policy.
type Policy struct {
	Name        string
	Type        string // TypeSCP, TypeRCP or TypeManaged
	ARN         string // an SCP's or RCP's ARN; "" for a managed policy, whose ARN depends on the account (see ARNIn)
	Path        string // a managed policy's path, such as "/"
	Description string
	// Compiled is the document compiled as its type: scp, rcp, or identity
	// for a managed policy.
	Compiled *policy.Policy
	Attach   []string   // SCP, RCP: the targets as written ("Root", OU and account names)
	Accounts []*Account // managed: the accounts that hold a copy
	// Versions are a managed policy's other versions, which IAM keeps
	// beside the default one (Compiled) and iam:SetDefaultPolicyVersion
	// makes the default, in the order written.
	Versions []*PolicyVersion
	Pos      Pos

	held      map[*Account]bool
	inAccount map[string]*policy.Policy // managed: account ID -> the copy named by its ARN there
	boundary  map[string]*policy.Policy // managed: account ID -> compiled as a boundary
}

// PolicyVersion is a version of a customer managed policy that is not the
// default one.
type PolicyVersion struct {
	ID       string // v1, v2, ...
	Compiled *policy.Policy
	Pos      Pos
}

// VersionNumber is the number of a policy version ID ("v3": 3; 0 for an ID
// that is not "v" and a number from 1).
func VersionNumber(id string) int {
	rest, ok := strings.CutPrefix(id, "v")
	n, err := strconv.Atoi(rest)
	if !ok || err != nil || n < 1 || rest[0] == '0' || rest[0] == '+' {
		return 0
	}
	return n
}

// ARNIn returns a managed policy's ARN in the given account.
func (p *Policy) ARNIn(a *Account) string {
	return "arn:aws:iam::" + a.ID + ":policy" + p.Path + p.Name
}

// Role is an IAM role in one account.
type Role struct {
	Name        string
	Path        string
	ARN         string
	Description string
	Account     *Account
	Trust       *policy.Policy
	// Policies are the managed (AWS and customer) and inline policies,
	// compiled as identity policies.
	Policies           []*policy.Policy
	Boundary           *policy.Policy // nil: none
	Attached           Attached       // what Policies and Boundary are, by name
	MaxSessionDuration int            // seconds
	Tags               map[string]string
	PermissionSet      string // the permission set of an Identity Center role
	ServiceLinked      bool
	Service            string // the service of a service-linked role
	Pos                Pos
}

// User is an IAM user in one account.
type User struct {
	Name     string
	Path     string
	ARN      string
	Account  *Account
	Groups   []*Group
	Policies []*policy.Policy // its own managed and inline policies
	Boundary *policy.Policy
	Attached Attached // what Policies and Boundary are, by name
	Tags     map[string]string
	Pos      Pos
}

// Group is an IAM group in one account.
type Group struct {
	Name     string
	Path     string
	ARN      string
	Account  *Account
	Policies []*policy.Policy
	Attached Attached // what Policies are, by name
	Pos      Pos
}

// Attached names the policies of a role, user or group in its account:
// the ARNs of its managed policies (AWS and customer managed, in the order
// written), the names of its inline policies, and its permissions
// boundary's ARN ("" for none). Compliance rules and reports read them, as
// AWS Config reads a role's AttachedManagedPolicies and RolePolicyList.
type Attached struct {
	ManagedARNs []string
	InlineNames []string
	BoundaryARN string
}

// Resource is a resource with a resource-based policy.
type Resource struct {
	ARN     string
	Account *Account // the owner
	Policy  *policy.Policy
	Pos     Pos
	// PublicAccessBlock is an S3 bucket's or access point's own Block
	// Public Access (PublicAccessBlockOf combines it with its account's).
	PublicAccessBlock PublicAccessBlock
	// KeyManager is a KMS key's KeyManager, as KMS DescribeKey gives it:
	// KeyManagerAWS for an AWS managed key, KeyManagerCustomer or empty
	// for a customer managed key.
	KeyManager string
}

// The values of a KMS key's KeyManager (KMS API Reference, KeyMetadata).
const (
	KeyManagerAWS      = "AWS"
	KeyManagerCustomer = "CUSTOMER"
)

// AWSManagedKey reports whether the resource is an AWS managed KMS key, to
// which RCPs do not apply: "Resource control policies in your organization
// do not apply to AWS managed keys"
// (https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html).
//
// A KMS alias ARN whose name begins with alias/aws/ names one too (see
// AWSManagedAlias).
func (r *Resource) AWSManagedKey() bool {
	return r != nil && (r.KeyManager == KeyManagerAWS || AWSManagedAlias(r.ARN))
}

// AWSManagedAlias reports whether arn is a KMS alias of the form
// alias/aws/SERVICE (arn:PARTITION:kms:REGION:ACCOUNT:alias/aws/SERVICE),
// which names an AWS managed key: "The alias/aws/ prefix is reserved for
// AWS managed keys" (AWS KMS API Reference, CreateAlias, AliasName), and an
// AWS managed key's alias is aws/SERVICE (AWS KMS Developer Guide, "AWS
// managed keys"). A request that names the key through it is a request on
// that key.
func AWSManagedAlias(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kms" {
		return false
	}
	name, ok := strings.CutPrefix(parts[5], "alias/aws/")
	return ok && name != ""
}

// Provider is an IAM SAML or OIDC identity provider in one account.
type Provider struct {
	Type      string // "saml" or "oidc"
	Name      string // SAML: the provider's name; OIDC: the issuer's host and path
	ARN       string
	Account   *Account
	ClientIDs []string // OIDC audiences
	// Metadata is a SAML provider's metadata document as given, and SAML
	// what was read from it; both empty for a provider declared without
	// (Identity Center's own, or one whose assertions are all refused).
	Metadata string
	SAML     *SAMLMetadata
	Tags     map[string]string
	Pos      Pos
}
