package identitycenter

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
)

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
	if err := cl.guardManagement(nil, acct); err != nil {
		return nil, err
	}
	st := operationStatus{Status: "SUCCEEDED", TargetID: acct.ID, TargetType: "AWS_ACCOUNT", PermissionSetARN: in.PermissionSetARN,
		PrincipalType: in.PrincipalType, PrincipalID: in.PrincipalID}
	err = cl.mutate(ctx, func(sp *org.Spec, _ *org.IdentityCenterDef) error {
		if create {
			// The assignment provisions the permission set, as it is now,
			// into the account.
			_, err := sp.Assign(ps.Name, p, acct.Name)
			sp.ProvisionLatest(ps.Name, acct.Name)
			return editErr(err)
		}
		if !sp.Unassign(ps.Name, p, acct.Name) {
			return errf("ResourceNotFoundException", 400, "The %s %s has no assignment of %s in %s.", in.PrincipalType, in.PrincipalID, ps.Name, acct.ID)
		}
		return nil
	})
	if err = failed(&st, err, create); err != nil {
		return nil, err
	}
	kind, key := kindCreate, "AccountAssignmentCreationStatus"
	if !create {
		kind, key = kindDelete, "AccountAssignmentDeletionStatus"
	}
	if st, err = s.addStatus(ctx, kind, st, c.Now); err != nil {
		return nil, err
	}
	role := "arn:aws:iam::" + acct.ID + ":role" + org.SSORolePath + ps.RoleName
	c.Resources = []api.Resource{{ARN: in.PermissionSetARN, Type: "AWS::SSO::PermissionSet", Account: cl.o.Management.ID},
		{ARN: role, Type: "AWS::IAM::Role", Account: acct.ID}}
	c.ResponseElements = call.Fields{strings.ToLower(key[:1]) + key[1:]: st}
	return call.Fields{key: st}, nil
}

// failed turns a provisioning failure (the org would not load: a customer
// managed policy the account lacks) into a FAILED status, as AWS reports
// it; other errors are the call's.
func failed(st *operationStatus, err error, provisions bool) error {
	var ae *awsproto.Error
	if err == nil || !provisions || !errors.As(err, &ae) || ae.Code != "ValidationException" {
		return err
	}
	st.Status, st.FailureReason = "FAILED", ae.Message
	return nil
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
	for _, a := range cl.ic.Assignments {
		if a.PermissionSet != ps || !slices.ContainsFunc(a.Accounts, func(x *org.Account) bool { return x.ID == in.AccountID }) {
			continue
		}
		as := assignment{AccountID: in.AccountID, PermissionSetARN: in.PermissionSetARN}
		if a.User != nil {
			as.PrincipalType, as.PrincipalID = org.PrincipalUser, a.User.ID
		} else {
			as.PrincipalType, as.PrincipalID = org.PrincipalGroup, a.Group.ID
		}
		if !slices.Contains(out, as) {
			out = append(out, as)
		}
	}
	return listed(pagingOf(in), "AccountAssignments", out)
}

// provisioningFilter checks ProvisioningStatus and tells whether an
// account, stale or not, passes it.
func provisioningFilter(status string) (func(stale bool) bool, error) {
	switch status {
	case "":
		return func(bool) bool { return true }, nil
	case "LATEST_PERMISSION_SET_PROVISIONED":
		return func(stale bool) bool { return !stale }, nil
	case "LATEST_PERMISSION_SET_NOT_PROVISIONED":
		return func(stale bool) bool { return stale }, nil
	}
	return nil, validation("1 validation error detected: Value '%s' at 'provisioningStatus' failed to satisfy constraint: Member must satisfy enum value set: [LATEST_PERMISSION_SET_PROVISIONED, LATEST_PERMISSION_SET_NOT_PROVISIONED]", status)
}

// ListAccountsForProvisionedPermissionSet lists the accounts a permission
// set is provisioned to, those with its latest version or those with an
// older one.
func (s *Service) ListAccountsForProvisionedPermissionSet(ctx context.Context, c *api.Call) (any, error) {
	in, _, ps, err := s.setCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	pass, err := provisioningFilter(in.ProvisioningStatus)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, a := range ps.Accounts {
		if pass(slices.Contains(ps.Stale, a)) {
			ids = append(ids, a.ID)
		}
	}
	return listed(pagingOf(in), "AccountIds", ids)
}

// ListPermissionSetsProvisionedToAccount lists the permission sets
// provisioned to an account, at their latest version or an older one.
func (s *Service) ListPermissionSetsProvisionedToAccount(ctx context.Context, c *api.Call) (any, error) {
	in, cl, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	acct, ok := cl.o.AccountByID(in.AccountID)
	if !ok {
		return nil, errf("ResourceNotFoundException", 400, "The account %s is not in the organization.", in.AccountID)
	}
	pass, err := provisioningFilter(in.ProvisioningStatus)
	if err != nil {
		return nil, err
	}
	var arns []string
	for _, ps := range cl.ic.PermissionSets {
		if slices.Contains(ps.Accounts, acct) && pass(slices.Contains(ps.Stale, acct)) {
			arns = append(arns, PermissionSetARN(cl.ic.InstanceARN, ps.Name))
		}
	}
	return listed(pagingOf(in), "PermissionSets", arns)
}

// ProvisionPermissionSet provisions a permission set's latest version to
// an account (AWS_ACCOUNT), or to every account it is provisioned to
// (ALL_PROVISIONED_ACCOUNTS): their roles take its current policies,
// boundary, session duration and description. As at AWS, an account
// without an assignment of the set gets its role too (the set is then
// provisioned there, listed by ListPermissionSetsProvisionedToAccount,
// and no one is assigned it).
func (s *Service) ProvisionPermissionSet(ctx context.Context, c *api.Call) (any, error) {
	in, cl, ps, err := s.setCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	st := operationStatus{Status: "SUCCEEDED", PermissionSetARN: in.PermissionSetARN}
	var (
		targets []*org.Account
		target  *org.Account
	)
	switch in.TargetType {
	case "ALL_PROVISIONED_ACCOUNTS":
		targets = ps.Accounts
	case "AWS_ACCOUNT":
		if target, err = cl.target("AWS_ACCOUNT", in.TargetID); err != nil {
			return nil, err
		}
		st.AccountID = target.ID
		targets = []*org.Account{target}
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'targetType' failed to satisfy constraint: Member must satisfy enum value set: [AWS_ACCOUNT, ALL_PROVISIONED_ACCOUNTS]", in.TargetType)
	}
	if err := cl.guardManagement(ps, target); err != nil {
		return nil, err
	}
	if len(targets) > 0 {
		err = cl.mutate(ctx, func(sp *org.Spec, _ *org.IdentityCenterDef) error {
			for _, a := range targets {
				sp.ProvisionTo(ps.Name, a.Name)
			}
			return nil
		})
		if err = failed(&st, err, true); err != nil {
			return nil, err
		}
	}
	if st, err = s.addStatus(ctx, kindProvision, st, c.Now); err != nil {
		return nil, err
	}
	c.ResponseElements = call.Fields{"permissionSetProvisioningStatus": st}
	return call.Fields{"PermissionSetProvisioningStatus": st}, nil
}

// pagingOf is an sso-admin input's paging, as the identity store's.
func pagingOf(in adminInput) storeInput {
	return storeInput{MaxResults: in.MaxResults, NextToken: in.NextToken}
}

func sortStrings(s []string) { sort.Strings(s) }
