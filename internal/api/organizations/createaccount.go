package organizations

import (
	"context"
	"errors"
	"strings"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

type createAccountInput struct {
	Email                  *string `json:"Email"`
	AccountName            *string `json:"AccountName"`
	RoleName               *string `json:"RoleName"`
	IamUserAccessToBilling *string `json:"IamUserAccessToBilling"`
	Tags                   []Tag   `json:"Tags"`
}

type createAccountResult struct {
	CreateAccountStatus CreateAccountStatus `json:"CreateAccountStatus"`
}

// errEmailTaken stops the change when the email address is in use.
var errEmailTaken = errors.New("email taken")

// CreateAccount creates a member account under the root. It completes at
// once: the account gets a new 12-digit ID, FullAWSAccess (while SCPs are
// enabled), its tags, and the role RoleName (default
// OrganizationAccountAccessRole) with the inline policy AdministratorAccess,
// trusted by the management account, as Organizations creates it. An email
// address already in use fails the request as AWS does: State FAILED,
// FailureReason EMAIL_ALREADY_EXISTS (Warden keeps no record of failed
// requests, so DescribeCreateAccountStatus does not find them).
func (s *Service) CreateAccount(ctx context.Context, c *api.Call) (any, error) {
	var in createAccountInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("email", hidden(in.Email), "accountName", hidden(in.AccountName),
		"roleName", in.RoleName, "iamUserAccessToBilling", in.IamUserAccessToBilling)
	email, err := required("Email", in.Email, nil)
	if err != nil {
		return nil, err
	}
	if err := length("Email", email, 6, 64); err != nil {
		return nil, err
	}
	if !org.IsEmail(email) {
		return nil, invalidPattern("Email", email)
	}
	name, err := required("AccountName", in.AccountName, nil)
	if err != nil {
		return nil, err
	}
	if err := length("AccountName", name, 1, maxAccountName); err != nil {
		return nil, err
	}
	if !reAcctName.MatchString(name) {
		return nil, invalidPattern("AccountName", name)
	}
	roleName := defaultRoleName
	if in.RoleName != nil {
		roleName = *in.RoleName
		if !org.IsIAMName(roleName, org.MaxRoleName) {
			return nil, invalidPattern("RoleName", roleName)
		}
		if strings.HasPrefix(roleName, reservedRolePrefix) {
			return nil, invalidInput("INVALID_ROLE_NAME", "You provided a role name that isn't valid: a role name can't begin with the reserved prefix %s.", reservedRolePrefix)
		}
	}
	if b := in.IamUserAccessToBilling; b != nil && *b != "ALLOW" && *b != "DENY" {
		return nil, invalidEnum("IamUserAccessToBilling", *b, "ALLOW, DENY")
	}
	for _, f := range [][2]string{{"Email", email}, {"AccountName", name}} {
		if err := storable(f[0], f[1]); err != nil {
			return nil, err
		}
	}
	tagMap, err := tags(in.Tags)
	if err != nil {
		return nil, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := a.allow(ctx, []string{"*"}, tagContext(tagMap), false); err != nil {
		return nil, err
	}
	id := newAccountID()
	for _, taken := a.o.AccountByID(id); taken; _, taken = a.o.AccountByID(id) {
		id = newAccountID()
	}
	if len(tagMap) > 0 {
		if err := a.authorize(ctx, "organizations:TagResource", a.accountARN(id), tagContext(tagMap)); err != nil {
			return nil, err
		}
	}
	now := c.Now.UTC()
	_, err = s.mutate(ctx, func(d *state.Doc, v view) error {
		if err := accountNameFree(v, name); err != nil {
			return err
		}
		for _, acc := range v.o.Accounts {
			if strings.EqualFold(acc.Email, email) {
				return errEmailTaken
			}
		}
		if _, taken := v.o.AccountByID(id); taken {
			return awsproto.Errorf("ConcurrentModificationException", "The target of the operation is currently being modified by a different request. Try again later.")
		}
		acct := &org.AccountDef{Name: name, ID: id, Email: email, OU: org.RootName}
		if len(tagMap) > 0 {
			acct.Tags = tagMap
		}
		d.Org.Accounts = append(d.Org.Accounts, acct)
		ensureFullAWSAccess(d.Org, v, name)
		if !d.Org.RoleEverywhere(roleName) {
			d.Org.Roles = append(d.Org.Roles, accessRole(roleName, name, v.mgmt()))
		}
		d.Meta.Created[v.accountARN(id)] = now
		return nil
	})
	status := CreateAccountStatus{ID: carID(a.o.ID, id), AccountName: name, RequestedTimestamp: epoch(now), CompletedTimestamp: epoch(now)}
	switch {
	case errors.Is(err, errEmailTaken):
		status.State, status.FailureReason = "FAILED", "EMAIL_ALREADY_EXISTS"
		status.ID = carID(a.o.ID, "failed/"+id)
	case err != nil:
		return nil, err
	default:
		status.State, status.AccountID = "SUCCEEDED", id
		c.Resources = []api.Resource{{ARN: a.accountARN(id), Type: "AWS::Organizations::Account", Account: a.mgmt()}}
	}
	c.ResponseElements = trailAccountStatus{Status: trailStatus{ID: status.ID, State: status.State, AccountName: hiddenForSecurity,
		AccountID: status.AccountID, FailureReason: status.FailureReason, RequestedTimestamp: now.Format("Jan 2, 2006 3:04:05 PM")}}
	return createAccountResult{CreateAccountStatus: status}, nil
}

// hidden is how CloudTrail records CreateAccount's email and account name.
func hidden(p *string) *string {
	if p == nil {
		return nil
	}
	h := hiddenForSecurity
	return &h
}

// accountNameFree checks a new account's name. AWS allows accounts to share
// names; Warden's organization format names OUs and accounts uniquely.
func accountNameFree(v view, name string) error {
	if name == org.RootName || name == "*" {
		return awsproto.Errorf("InvalidInputException", "Warden's organization format cannot name an account %s.", name)
	}
	if _, taken := v.o.AccountByName(name); taken {
		return awsproto.Errorf("InvalidInputException", "An account is already named %s: Warden's organization format names accounts uniquely.", name)
	}
	if _, taken := v.o.OUByName(name); taken {
		return awsproto.Errorf("InvalidInputException", "An OU is named %s: Warden's organization format names OUs and accounts uniquely.", name)
	}
	return nil
}

// trailAccountStatus is how CloudTrail records CreateAccount's response.
type trailAccountStatus struct {
	Status trailStatus `json:"createAccountStatus"`
}

type trailStatus struct {
	ID                 string `json:"id"`
	State              string `json:"state"`
	AccountName        string `json:"accountName"`
	AccountID          string `json:"accountId"`
	FailureReason      string `json:"failureReason"`
	RequestedTimestamp string `json:"requestedTimestamp"`
}

// accessRole is the role Organizations creates in a new account: trusted by
// the management account, with the inline policy AdministratorAccess.
func accessRole(roleName, account, mgmt string) *org.RoleDef {
	return &org.RoleDef{
		Name:     roleName,
		Accounts: []string{account},
		Path:     "/",
		Trust: org.PolicyDoc(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
			mgmt + `:root"},"Action":"sts:AssumeRole"}]}`),
		Entity: org.Entity{InlinePolicies: map[string]org.PolicyDoc{
			"AdministratorAccess": org.PolicyDoc(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`),
		}},
	}
}
