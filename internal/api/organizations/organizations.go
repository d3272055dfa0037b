// Package organizations implements AWS Organizations (2016-11-28, JSON 1.1,
// X-Amz-Target AWSOrganizationsV20161128.<Operation>) over Warden's live
// organization state: the roots, OUs, accounts and organization policies
// (SCPs and RCPs) that the engine evaluates every request against.
//
// The rules it follows are those of the Organizations API reference
// (https://docs.aws.amazon.com/organizations/latest/APIReference/):
//
//   - Every call is authorized by the engine as organizations:<Operation> on
//     the resources the Service Authorization Reference lists for it (a
//     parent, an account, a policy, a target), with SCPs applied to member
//     accounts' principals; the management account is not under SCPs.
//   - Only the management account may call the operations, except
//     DescribeOrganization, which any account of the organization may call,
//     and ListDelegatedAdministrators and ListDelegatedServicesForAccount,
//     which a delegated administrator may call too; others get
//     AccessDeniedException.
//   - Delegated administrators (RegisterDelegatedAdministrator) are member
//     accounts, registered once per service principal; IAM Identity Center
//     (sso.amazonaws.com) takes one. They are part of the org document
//     (organization.delegatedAdministrators). A caller whose account is not in the
//     organization gets AWSOrganizationsNotInUseException.
//   - Parameters are checked against the API's patterns, lengths and enums,
//     answering InvalidInputException with its Reason; limits are
//     ConstraintViolationException with its Reason: OUs nest at most five
//     levels (OU_DEPTH_LIMIT_EXCEEDED), at most 1000 OUs
//     (OU_NUMBER_LIMIT_EXCEEDED) and 1000 policies of a type
//     (POLICY_NUMBER_LIMIT_EXCEEDED), a policy document is at most 5120
//     characters (POLICY_CONTENT_LIMIT_EXCEEDED), at most five policies of a
//     type are attached to a target (MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED),
//     and the last SCP of a target cannot be detached
//     (MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED).
//   - FullAWSAccess (p-FullAWSAccess) and RCPFullAWSAccess
//     (p-RCPFullAWSAccess) are AWS managed: they cannot be changed or
//     deleted. RCPFullAWSAccess is attached to every root, OU and account
//     and cannot be detached. New OUs and accounts get FullAWSAccess, as in
//     AWS.
//   - CreateAccount completes at once (State SUCCEEDED): the account gets a
//     new 12-digit ID under the root and the role (OrganizationAccountAccessRole
//     unless RoleName says otherwise) with AdministratorAccess, trusted by the
//     management account.
//   - List operations page with MaxResults (1 to 20, default 20) and an
//     opaque NextToken.
//
// Every change goes through state.Manager.Mutate on the org format document,
// re-checked against the document it changes (Mutate may retry). IDs are
// stable: OU IDs are written into the document, and policy IDs are the
// loader's, derived from the policy's type and name, so a policy cannot be
// renamed (UpdatePolicy refuses a new Name).
package organizations

import (
	"encoding/json"
	"errors"
	"github.com/securecart/warden/internal/call"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

// Service serves Organizations operations.
type Service struct {
	State *state.Manager
	Authz *api.Authorizer
}

// Handlers returns the operations by name.
func (s *Service) Handlers() map[string]api.Handler {
	return map[string]api.Handler{
		"DescribeOrganization":             s.DescribeOrganization,
		"ListRoots":                        s.ListRoots,
		"ListOrganizationalUnitsForParent": s.ListOrganizationalUnitsForParent,
		"ListAccounts":                     s.ListAccounts,
		"ListAccountsForParent":            s.ListAccountsForParent,
		"DescribeAccount":                  s.DescribeAccount,
		"CreateOrganizationalUnit":         s.CreateOrganizationalUnit,
		"MoveAccount":                      s.MoveAccount,
		"CreateAccount":                    s.CreateAccount,
		"DescribeCreateAccountStatus":      s.DescribeCreateAccountStatus,
		"CreatePolicy":                     s.CreatePolicy,
		"UpdatePolicy":                     s.UpdatePolicy,
		"DescribePolicy":                   s.DescribePolicy,
		"ListPolicies":                     s.ListPolicies,
		"DeletePolicy":                     s.DeletePolicy,
		"AttachPolicy":                     s.AttachPolicy,
		"DetachPolicy":                     s.DetachPolicy,
		"ListPoliciesForTarget":            s.ListPoliciesForTarget,
		"ListTargetsForPolicy":             s.ListTargetsForPolicy,
		"ListParents":                      s.ListParents,
		"ListChildren":                     s.ListChildren,
		"RegisterDelegatedAdministrator":   s.RegisterDelegatedAdministrator,
		"DeregisterDelegatedAdministrator": s.DeregisterDelegatedAdministrator,
		"ListDelegatedAdministrators":      s.ListDelegatedAdministrators,
		"ListDelegatedServicesForAccount":  s.ListDelegatedServicesForAccount,
	}
}

// The shapes of the API reference's data types.

// Account is the Account data type.
type Account struct {
	ID              string `json:"Id"`
	Arn             string `json:"Arn"`
	Email           string `json:"Email"`
	Name            string `json:"Name"`
	Status          string `json:"Status"`
	State           string `json:"State"`
	JoinedMethod    string `json:"JoinedMethod"`
	JoinedTimestamp *Epoch `json:"JoinedTimestamp,omitempty"`
}

// OrganizationalUnit is the OrganizationalUnit data type.
type OrganizationalUnit struct {
	ID   string `json:"Id"`
	Arn  string `json:"Arn"`
	Name string `json:"Name"`
}

// Root is the Root data type.
type Root struct {
	ID          string              `json:"Id"`
	Arn         string              `json:"Arn"`
	Name        string              `json:"Name"`
	PolicyTypes []PolicyTypeSummary `json:"PolicyTypes"`
}

// PolicyTypeSummary is the PolicyTypeSummary data type.
type PolicyTypeSummary struct {
	Type   string `json:"Type"`
	Status string `json:"Status"`
}

// PolicySummary is the PolicySummary data type.
type PolicySummary struct {
	ID          string `json:"Id"`
	Arn         string `json:"Arn"`
	Name        string `json:"Name"`
	Description string `json:"Description"`
	Type        string `json:"Type"`
	AwsManaged  bool   `json:"AwsManaged"`
}

// Policy is the Policy data type.
type Policy struct {
	PolicySummary PolicySummary `json:"PolicySummary"`
	Content       string        `json:"Content"`
}

// PolicyTargetSummary is the PolicyTargetSummary data type.
type PolicyTargetSummary struct {
	TargetID string `json:"TargetId"`
	Arn      string `json:"Arn"`
	Name     string `json:"Name"`
	Type     string `json:"Type"`
}

// Organization is the Organization data type.
type Organization struct {
	ID                   string              `json:"Id"`
	Arn                  string              `json:"Arn"`
	FeatureSet           string              `json:"FeatureSet"`
	MasterAccountArn     string              `json:"MasterAccountArn"`
	MasterAccountID      string              `json:"MasterAccountId"`
	MasterAccountEmail   string              `json:"MasterAccountEmail"`
	AvailablePolicyTypes []PolicyTypeSummary `json:"AvailablePolicyTypes"`
}

// Parent is the Parent data type (ListParents).
type Parent struct {
	ID   string `json:"Id"`
	Type string `json:"Type"`
}

// Child is the Child data type (ListChildren).
type Child struct {
	ID   string `json:"Id"`
	Type string `json:"Type"`
}

// CreateAccountStatus is the CreateAccountStatus data type.
type CreateAccountStatus struct {
	ID                 string `json:"Id"`
	AccountName        string `json:"AccountName,omitempty"`
	State              string `json:"State"`
	RequestedTimestamp *Epoch `json:"RequestedTimestamp,omitempty"`
	CompletedTimestamp *Epoch `json:"CompletedTimestamp,omitempty"`
	AccountID          string `json:"AccountId,omitempty"`
	FailureReason      string `json:"FailureReason,omitempty"`
}

// Epoch is a timestamp as JSON 1.1 writes it (awsproto.Epoch).
type Epoch = awsproto.Epoch

func epoch(t time.Time) *Epoch {
	if t.IsZero() {
		return nil
	}
	e := Epoch(t.UTC())
	return &e
}

// Policy types as the API names them.
const (
	typeSCP = "SERVICE_CONTROL_POLICY"
	typeRCP = "RESOURCE_CONTROL_POLICY"
)

// apiPolicyTypes are every value of the PolicyType enum.
var apiPolicyTypes = map[string]bool{
	typeSCP: true, typeRCP: true, "TAG_POLICY": true, "BACKUP_POLICY": true,
	"AISERVICES_OPT_OUT_POLICY": true, "CHATBOT_POLICY": true, "DECLARATIVE_POLICY_EC2": true,
	"SECURITYHUB_POLICY": true, "INSPECTOR_POLICY": true, "UPGRADE_ROLLOUT_POLICY": true,
	"BEDROCK_POLICY": true, "S3_POLICY": true, "NETWORK_SECURITY_DIRECTOR_POLICY": true,
}

// formatType maps API policy types to the org format's.
var formatType = map[string]string{typeSCP: org.TypeSCP, typeRCP: org.TypeRCP}

// apiType maps the org format's policy types to the API's.
var apiType = map[string]string{org.TypeSCP: typeSCP, org.TypeRCP: typeRCP}

// arnKind is the policy type as ARNs spell it.
var arnKind = map[string]string{typeSCP: "service_control_policy", typeRCP: "resource_control_policy"}

// decode reads a JSON request body into v. An empty body is {}.
func decode(c *api.Call, v any) error {
	if len(c.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.Body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return awsproto.Errorf("SerializationException", "The value of %s has the wrong type: expected %s", te.Field, te.Type)
		}
		return awsproto.Errorf("SerializationException", "The request body is not valid JSON.")
	}
	return nil
}

// str returns *p or "".
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// requestParams returns the request's non-empty parameters in CloudTrail's
// lower-camel spelling.
func requestParams(kv ...any) call.Fields {
	m := call.Fields{}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		switch v := kv[i+1].(type) {
		case *string:
			if v != nil {
				m[k] = *v
			}
		case *int32:
			if v != nil {
				m[k] = *v
			}
		case nil:
		default:
			m[k] = v
		}
	}
	return m
}
