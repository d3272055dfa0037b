package identitycenter

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/sso"
)

// operationStatus is AccountAssignmentOperationStatus and
// PermissionSetProvisioningStatus.
type operationStatus struct {
	Status           string  `json:"Status"`
	RequestID        string  `json:"RequestId"`
	FailureReason    string  `json:"FailureReason,omitempty"`
	TargetID         string  `json:"TargetId,omitempty"`
	TargetType       string  `json:"TargetType,omitempty"`
	AccountID        string  `json:"AccountId,omitempty"`
	PermissionSetARN string  `json:"PermissionSetArn,omitempty"`
	PrincipalType    string  `json:"PrincipalType,omitempty"`
	PrincipalID      string  `json:"PrincipalId,omitempty"`
	CreatedDate      float64 `json:"CreatedDate"`
	kind             string
	at               time.Time
}

// statusLog keeps the statuses of the asynchronous operations this replica
// answered, for an hour.
type statusLog struct {
	mu sync.Mutex
	m  map[string]operationStatus
}

func (l *statusLog) add(kind string, st operationStatus, now time.Time) operationStatus {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	st.RequestID = h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
	st.CreatedDate, st.kind, st.at = float64(now.Unix()), kind, now
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]operationStatus{}
	}
	for id, old := range l.m {
		if now.Sub(old.at) > time.Hour {
			delete(l.m, id)
		}
	}
	l.m[st.RequestID] = st
	return st
}

func (l *statusLog) get(kind, id string) (operationStatus, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st, ok := l.m[id]
	return st, ok && st.kind == kind
}

// principal resolves an assignment's principal by type and ID.
func (cl *caller) principal(typ, id string) (org.Principal, error) {
	switch typ {
	case org.PrincipalUser:
		if u := cl.userByID(id); u != nil {
			return org.UserPrincipal(u.UserName), nil
		}
		return org.Principal{}, errf("ResourceNotFoundException", 400, "The user %s does not exist in the identity store %s.", id, cl.ic.IdentityStoreID)
	case org.PrincipalGroup:
		if g := cl.groupByID(id); g != nil {
			return org.GroupPrincipal(g.Name), nil
		}
		return org.Principal{}, errf("ResourceNotFoundException", 400, "The group %s does not exist in the identity store %s.", id, cl.ic.IdentityStoreID)
	}
	return org.Principal{}, validation("1 validation error detected: Value '%s' at 'principalType' failed to satisfy constraint: Member must satisfy enum value set: [USER, GROUP]", typ)
}

// target resolves an assignment's account.
func (cl *caller) target(typ, id string) (*org.Account, error) {
	if typ != "AWS_ACCOUNT" {
		return nil, validation("1 validation error detected: Value '%s' at 'targetType' failed to satisfy constraint: Member must satisfy enum value set: [AWS_ACCOUNT]", typ)
	}
	a, ok := cl.o.AccountByID(id)
	if !ok {
		return nil, errf("ResourceNotFoundException", 400, "The account %s is not in the organization.", id)
	}
	return a, nil
}

// assignmentChange is CreateAccountAssignment and DeleteAccountAssignment.
func (s *Service) assignmentChange(ctx context.Context, c *api.Call, create bool) (any, error) {
	in, cl, ps, err := s.setCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	p, err := cl.principal(in.PrincipalType, in.PrincipalID)
	if err != nil {
		return nil, err
	}
	acct, err := cl.target(in.TargetType, in.TargetID)
	if err != nil {
		return nil, err
	}
	st := operationStatus{Status: "SUCCEEDED", TargetID: acct.ID, TargetType: "AWS_ACCOUNT", PermissionSetARN: in.PermissionSetARN,
		PrincipalType: in.PrincipalType, PrincipalID: in.PrincipalID}
	err = cl.mutate(ctx, func(sp *org.Spec, _ *org.IdentityCenterDef) error {
		if create {
			_, err := sp.Assign(ps.Name, p, acct.Name)
			return editErr(err)
		}
		if !sp.Unassign(ps.Name, p, acct.Name) {
			return errf("ResourceNotFoundException", 400, "The %s %s has no assignment of %s in %s.", in.PrincipalType, in.PrincipalID, ps.Name, acct.ID)
		}
		return nil
	})
	if err != nil {
		// A provisioning failure (the org would not load: a customer managed
		// policy the account lacks) fails the operation, as AWS reports it.
		var ae *awsproto.Error
		if !create || !errors.As(err, &ae) || ae.Code != "ValidationException" {
			return nil, err
		}
		st.Status, st.FailureReason = "FAILED", ae.Message
	}
	kind, key := "create", "AccountAssignmentCreationStatus"
	if !create {
		kind, key = "delete", "AccountAssignmentDeletionStatus"
	}
	st = s.statuses.add(kind, st, c.Now)
	role := "arn:aws:iam::" + acct.ID + ":role" + org.SSORolePath + ps.RoleName
	c.Resources = []api.Resource{{ARN: in.PermissionSetARN, Type: "AWS::SSO::PermissionSet", Account: cl.o.Management.ID},
		{ARN: role, Type: "AWS::IAM::Role", Account: acct.ID}}
	c.ResponseElements = call.Fields{strings.ToLower(key[:1]) + key[1:]: st}
	return call.Fields{key: st}, nil
}

// CreateAccountAssignment assigns a permission set to a user or group in an
// account, provisioning its role there.
func (s *Service) CreateAccountAssignment(ctx context.Context, c *api.Call) (any, error) {
	return s.assignmentChange(ctx, c, true)
}

// DeleteAccountAssignment removes an assignment; the account's last one of
// the permission set removes its role.
func (s *Service) DeleteAccountAssignment(ctx context.Context, c *api.Call) (any, error) {
	return s.assignmentChange(ctx, c, false)
}

func (s *Service) describeStatus(ctx context.Context, c *api.Call, kind, key string, id func(adminInput) string) (any, error) {
	in, _, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	st, ok := s.statuses.get(kind, id(in))
	if !ok {
		return nil, errf("ResourceNotFoundException", 400, "Request %s not found (Warden keeps the statuses of this replica's requests for an hour).", id(in))
	}
	return call.Fields{key: st}, nil
}

// DescribeAccountAssignmentCreationStatus returns a creation's status.
func (s *Service) DescribeAccountAssignmentCreationStatus(ctx context.Context, c *api.Call) (any, error) {
	return s.describeStatus(ctx, c, "create", "AccountAssignmentCreationStatus", func(in adminInput) string { return in.CreationRequestID })
}

// DescribeAccountAssignmentDeletionStatus returns a deletion's status.
func (s *Service) DescribeAccountAssignmentDeletionStatus(ctx context.Context, c *api.Call) (any, error) {
	return s.describeStatus(ctx, c, "delete", "AccountAssignmentDeletionStatus", func(in adminInput) string { return in.DeletionRequestID })
}

// DescribePermissionSetProvisioningStatus returns a provisioning's status.
func (s *Service) DescribePermissionSetProvisioningStatus(ctx context.Context, c *api.Call) (any, error) {
	return s.describeStatus(ctx, c, "provision", "PermissionSetProvisioningStatus", func(in adminInput) string { return in.ProvisionRequestID })
}

// ListAccountAssignments lists the assignments of a permission set in an
// account.
func (s *Service) ListAccountAssignments(ctx context.Context, c *api.Call) (any, error) {
	in, cl, ps, err := s.setCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	type assignment struct {
		AccountID        string `json:"AccountId"`
		PermissionSetARN string `json:"PermissionSetArn"`
		PrincipalType    string `json:"PrincipalType"`
		PrincipalID      string `json:"PrincipalId"`
	}
	var out []assignment
	st := cl.ic.IdentityStoreID
	for _, a := range cl.ic.Assignments {
		if a.PermissionSet != ps || !slices.ContainsFunc(a.Accounts, func(x *org.Account) bool { return x.ID == in.AccountID }) {
			continue
		}
		as := assignment{AccountID: in.AccountID, PermissionSetARN: in.PermissionSetARN}
		if a.User != nil {
			as.PrincipalType, as.PrincipalID = org.PrincipalUser, sso.UserID(st, a.User.UserName)
		} else {
			as.PrincipalType, as.PrincipalID = org.PrincipalGroup, sso.GroupID(st, a.Group.Name)
		}
		if !slices.Contains(out, as) {
			out = append(out, as)
		}
	}
	return listed(pagingOf(in), "AccountAssignments", out)
}

// ListAccountsForProvisionedPermissionSet lists the accounts a permission
// set is provisioned to (always its latest version).
func (s *Service) ListAccountsForProvisionedPermissionSet(ctx context.Context, c *api.Call) (any, error) {
	in, _, ps, err := s.setCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	var ids []string
	if in.ProvisioningStatus != "LATEST_PERMISSION_SET_NOT_PROVISIONED" {
		for _, a := range ps.Accounts {
			ids = append(ids, a.ID)
		}
	}
	return listed(pagingOf(in), "AccountIds", ids)
}

// ListPermissionSetsProvisionedToAccount lists the permission sets
// provisioned to an account.
func (s *Service) ListPermissionSetsProvisionedToAccount(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	if _, ok := cl.o.AccountByID(in.AccountID); !ok {
		return nil, errf("ResourceNotFoundException", 400, "The account %s is not in the organization.", in.AccountID)
	}
	var arns []string
	if in.ProvisioningStatus != "LATEST_PERMISSION_SET_NOT_PROVISIONED" {
		for _, ps := range cl.ic.PermissionSets {
			if slices.ContainsFunc(ps.Accounts, func(a *org.Account) bool { return a.ID == in.AccountID }) {
				arns = append(arns, PermissionSetARN(cl.ic.InstanceARN, ps.Name))
			}
		}
	}
	return listed(pagingOf(in), "PermissionSets", arns)
}

// ProvisionPermissionSet provisions a permission set to an account, or to
// every account it is provisioned to. Warden's roles always follow their
// permission set, so this only checks and records the request.
func (s *Service) ProvisionPermissionSet(ctx context.Context, c *api.Call) (any, error) {
	in, cl, ps, err := s.setCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	st := operationStatus{Status: "SUCCEEDED", PermissionSetARN: in.PermissionSetARN}
	switch in.TargetType {
	case "ALL_PROVISIONED_ACCOUNTS":
	case "AWS_ACCOUNT":
		acct, err := cl.target("AWS_ACCOUNT", in.TargetID)
		if err != nil {
			return nil, err
		}
		st.AccountID = acct.ID
		if !slices.Contains(ps.Accounts, acct) {
			st.Status, st.FailureReason = "FAILED", "The permission set is not assigned to any principal in account "+acct.ID+": create an account assignment to provision it there."
		}
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'targetType' failed to satisfy constraint: Member must satisfy enum value set: [AWS_ACCOUNT, ALL_PROVISIONED_ACCOUNTS]", in.TargetType)
	}
	st = s.statuses.add("provision", st, c.Now)
	c.ResponseElements = call.Fields{"permissionSetProvisioningStatus": st}
	return call.Fields{"PermissionSetProvisioningStatus": st}, nil
}

// pagingOf is an sso-admin input's paging, as the identity store's.
func pagingOf(in adminInput) storeInput {
	return storeInput{MaxResults: in.MaxResults, NextToken: in.NextToken}
}

func sortStrings(s []string) { sort.Strings(s) }
