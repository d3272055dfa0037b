package compliance

import (
	"time"

	"github.com/securecart/warden/internal/analyze"
	"github.com/securecart/warden/internal/check"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/policy"
)

// Compliance types, as AWS Config names them.
const (
	Compliant        = "COMPLIANT"
	NonCompliant     = "NON_COMPLIANT"
	NotApplicable    = "NOT_APPLICABLE"
	InsufficientData = "INSUFFICIENT_DATA"
)

// Resource types, as AWS Config names them.
const (
	TypePolicy  = "AWS::IAM::Policy"
	TypeRole    = "AWS::IAM::Role"
	TypeUser    = "AWS::IAM::User"
	TypeGroup   = "AWS::IAM::Group"
	TypeAccount = "AWS::::Account"
	TypeBucket  = "AWS::S3::Bucket"
)

// Resource is a resource an evaluation is about.
type Resource struct {
	Type    string `json:"resourceType"`
	ID      string `json:"resourceId"` // PolicyId, RoleId, UserId, GroupId, account ID, bucket name
	Name    string `json:"resourceName"`
	ARN     string `json:"arn,omitempty"`
	Account string `json:"accountId"`
}

// Evaluation is one rule's verdict on one resource.
type Evaluation struct {
	Rule       string   `json:"configRuleName"`
	Resource   Resource `json:"resource"`
	Compliance string   `json:"complianceType"`
	// Annotation says why, as AWS Config's annotation does; for a
	// non-compliant resource it says what to change.
	Annotation string `json:"annotation,omitempty"`
	// Where is the source position of what decided it, when known.
	Where string `json:"where,omitempty"`
}

// Input is what the rules look at.
type Input struct {
	Org         *org.Org
	Credentials Credentials
	Trail       Trail
	Now         time.Time
	// Access, when set, keeps the external access analysis the S3 rules
	// read from one evaluation to the next (only the buckets a change
	// touched are analyzed again); nil analyzes every bucket each time.
	Access *analyze.Incremental

	sources *check.Sources // where the org's statements are written, made on first use
}

// position returns where a statement of a compiled policy of the org is
// written (file:line:column), or "".
func (in *Input) position(p *policy.Policy, s *policy.Statement) string {
	if in.sources == nil {
		in.sources = check.NewSources(in.Org)
	}
	return in.sources.Position(p, s)
}

// Credentials are the credentials of an organization's IAM users and root
// users, as IAM's credential report lists them
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html).
type Credentials interface {
	// Root reports an account's root user.
	Root(accountID string) CredentialEntry
	// User reports an IAM user by ARN.
	User(arn string) CredentialEntry
}

// CredentialEntry is one row of the credential report.
type CredentialEntry struct {
	PasswordEnabled  bool
	PasswordLastUsed time.Time // zero: never
	PasswordCreated  time.Time
	MFAActive        bool
	HardwareMFA      bool
	AccessKeys       []AccessKey
}

// AccessKey is one access key of a credential report row.
type AccessKey struct {
	ID       string
	Active   bool
	Created  time.Time
	LastUsed time.Time // zero: never
}

// OfflineCredentials are the credentials of an organization written as
// files: none. Warden creates passwords and keys only in a running server;
// its root users have no password and no access keys.
type OfflineCredentials struct{}

// Root reports a root user with no credentials.
func (OfflineCredentials) Root(string) CredentialEntry { return CredentialEntry{} }

// User reports a user with no credentials.
func (OfflineCredentials) User(string) CredentialEntry { return CredentialEntry{} }

// CredentialReport is a credential report keyed by the user's ARN, or
// by "arn:aws:iam::<account>:root" for a root user.
type CredentialReport map[string]CredentialEntry

// Root reports an account's root user.
func (r CredentialReport) Root(accountID string) CredentialEntry {
	return r["arn:aws:iam::"+accountID+":root"]
}

// User reports an IAM user.
func (r CredentialReport) User(arn string) CredentialEntry { return r[arn] }

// Trail describes the organization's trail as the CloudTrail rules see it
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Trail.html).
type Trail struct {
	Name                string
	HomeAccount         string // the account that owns it
	Organization        bool   // an organization trail: it records every account
	MultiRegion         bool
	LogFileValidation   bool // signed digests
	Logging             bool // recording now
	IncludeGlobalEvents bool
}

// AuditAccount is the account that holds the organization's trail and
// administers its security services for it (Config, Security Hub): the
// account named Security, else the management account.
func AuditAccount(o *org.Org) string {
	if a, ok := o.AccountByName("Security"); ok {
		return a.ID
	}
	return o.Management.ID
}

// AuditAccountName is the name of the account AuditAccount names.
func AuditAccountName(o *org.Org) string {
	if a, ok := o.AccountByID(AuditAccount(o)); ok {
		return a.Name
	}
	return ""
}

// WardenTrail is the trail `warden serve` keeps for the organization: an
// organization trail in the audit account, for every region, with signed
// digests, recording while the server runs.
func WardenTrail(auditAccount string, logging bool) Trail {
	return Trail{Name: "warden-organization-trail", HomeAccount: auditAccount, Organization: true,
		MultiRegion: true, LogFileValidation: true, Logging: logging, IncludeGlobalEvents: true}
}
