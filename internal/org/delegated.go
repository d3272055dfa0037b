package org

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
)

// Delegated administrators (AWS Organizations, RegisterDelegatedAdministrator):
// member accounts the organization names to administer an AWS service for
// it, by the service's principal (sso.amazonaws.com,
// config.amazonaws.com, ...). The org format writes them under
// organization.delegatedAdministrators, one entry per account with the
// services it administers. The rules, as Organizations applies them:
//
//   - the account is a member account: the management account cannot be a
//     delegated administrator (CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR);
//   - a service principal is a lower-case DNS name ending in .amazonaws.com;
//   - an account is registered once for a service;
//   - IAM Identity Center (sso.amazonaws.com) has one delegated
//     administrator at most (IAM Identity Center User Guide, Delegated
//     administration).

// ErrLimit is a limit of the organization reached.
var ErrLimit = errors.New("limit exceeded")

// ServiceSSO is IAM Identity Center's service principal.
const ServiceSSO = "sso.amazonaws.com"

// singleDelegated are the services with one delegated administrator at most.
var singleDelegated = []string{ServiceSSO}

var reServicePrincipal = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.amazonaws\.com$`)

// DelegatedAdminDef names an account (by name) and the services it
// administers for the organization.
type DelegatedAdminDef struct {
	Account  string   `json:"account"`
	Services []string `json:"services"`
}

// DelegatedAdmin is a delegated administrator of the built org.
type DelegatedAdmin struct {
	Account  *Account
	Services []string
	Pos      Pos
}

// CheckServicePrincipal checks a service principal.
func CheckServicePrincipal(service string) error {
	if len(service) > 128 || !reServicePrincipal.MatchString(service) {
		return fmt.Errorf("%w: service principal %q: want a service's principal, such as sso.amazonaws.com", ErrInvalidValue, service)
	}
	return nil
}

// DelegatedAdministrators returns the accounts registered for a service,
// in the order the organization names them.
func (o *Org) DelegatedAdministrators(service string) []*Account {
	var out []*Account
	for _, d := range o.Delegated {
		if slices.Contains(d.Services, service) {
			out = append(out, d.Account)
		}
	}
	return out
}

// IsDelegatedAdministrator reports whether an account (by ID) is a
// delegated administrator of a service.
func (o *Org) IsDelegatedAdministrator(accountID, service string) bool {
	return slices.ContainsFunc(o.DelegatedAdministrators(service), func(a *Account) bool { return a.ID == accountID })
}

// DelegatedServices returns the services an account (by ID) is a delegated
// administrator of.
func (o *Org) DelegatedServices(accountID string) []string {
	var out []string
	for _, d := range o.Delegated {
		if d.Account.ID == accountID {
			out = append(out, d.Services...)
		}
	}
	return out
}

// DelegatedAdministratorOr returns the ID of the service's first delegated
// administrator, else of the account named fallback, else the management
// account's.
func (o *Org) DelegatedAdministratorOr(service, fallback string) string {
	if as := o.DelegatedAdministrators(service); len(as) > 0 {
		return as[0].ID
	}
	if a, ok := o.AccountByName(fallback); ok {
		return a.ID
	}
	return o.Management.ID
}

// RegisterDelegatedAdministrator registers an account (by name) for a
// service.
func (s *Spec) RegisterDelegatedAdministrator(account, service string) error {
	if err := CheckServicePrincipal(service); err != nil {
		return err
	}
	switch {
	case s.Account(account) == nil:
		return fmt.Errorf("%w: account %s", ErrUnknown, account)
	case account == s.Management():
		return fmt.Errorf("%w: the management account cannot be a delegated administrator", ErrInvalidValue)
	case slices.Contains(s.DelegatedServices(account), service):
		return fmt.Errorf("%w: account %s is a delegated administrator of %s already", ErrDuplicate, account, service)
	}
	if slices.Contains(singleDelegated, service) && len(s.DelegatedAccounts(service)) > 0 {
		return fmt.Errorf("%w: %s has a delegated administrator already (%s): it takes one", ErrLimit, service, s.DelegatedAccounts(service)[0])
	}
	o := s.Organization
	for _, d := range o.DelegatedAdministrators {
		if d.Account == account {
			d.Services = append(d.Services, service)
			return nil
		}
	}
	o.DelegatedAdministrators = append(o.DelegatedAdministrators, &DelegatedAdminDef{Account: account, Services: []string{service}})
	return nil
}

// DeregisterDelegatedAdministrator removes an account's registration for a
// service; it reports whether there was one.
func (s *Spec) DeregisterDelegatedAdministrator(account, service string) bool {
	if s.Organization == nil {
		return false
	}
	found := false
	for _, d := range s.Organization.DelegatedAdministrators {
		if d.Account == account && slices.Contains(d.Services, service) {
			found = true
			d.Services = slices.DeleteFunc(d.Services, func(x string) bool { return x == service })
		}
	}
	s.Organization.DelegatedAdministrators = slices.DeleteFunc(s.Organization.DelegatedAdministrators, func(d *DelegatedAdminDef) bool { return len(d.Services) == 0 })
	return found
}

// DelegatedServices returns the services an account (by name) is a
// delegated administrator of.
func (s *Spec) DelegatedServices(account string) []string {
	if s.Organization == nil {
		return nil
	}
	var out []string
	for _, d := range s.Organization.DelegatedAdministrators {
		if d.Account == account {
			out = append(out, d.Services...)
		}
	}
	return out
}

// DelegatedAccounts returns the accounts (names) registered for a service.
func (s *Spec) DelegatedAccounts(service string) []string {
	if s.Organization == nil {
		return nil
	}
	var out []string
	for _, d := range s.Organization.DelegatedAdministrators {
		if slices.Contains(d.Services, service) {
			out = append(out, d.Account)
		}
	}
	return out
}

// buildDelegated resolves the delegated administrators.
func (l *loader) buildDelegated(ri *rawOrgInfo) {
	o := l.o
	for _, rd := range ri.delegated {
		acct := l.account(rd.account, rd.path+".account")
		if acct == nil {
			continue
		}
		if acct == o.Management {
			l.errs.add(rd.account.P, rd.path+".account", "the management account cannot be a delegated administrator: name a member account")
			continue
		}
		d := &DelegatedAdmin{Account: acct, Pos: rd.pos}
		for i, s := range rd.services {
			p := idx(rd.path+".services", i)
			switch {
			case CheckServicePrincipal(s.V) != nil:
				l.errs.add(s.P, p, "malformed service principal %q: want a service's principal, such as sso.amazonaws.com", s.V)
			case slices.Contains(d.Services, s.V) || o.IsDelegatedAdministrator(acct.ID, s.V):
				l.errs.add(s.P, p, "account %s is a delegated administrator of %s already", acct.Name, s.V)
			case slices.Contains(singleDelegated, s.V) && len(o.DelegatedAdministrators(s.V)) > 0:
				l.errs.add(s.P, p, "%s has one delegated administrator at most, and it is %s", s.V, o.DelegatedAdministrators(s.V)[0].Name)
			default:
				d.Services = append(d.Services, s.V)
			}
		}
		o.Delegated = append(o.Delegated, d)
	}
}
