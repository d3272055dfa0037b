package organizations

import (
	"context"
	"errors"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

// Delegated administrators (Organizations API Reference,
// RegisterDelegatedAdministrator): the management account registers a
// member account to administer a service for the organization; the
// organization's org file holds them (organization.delegatedAdministrators),
// and the services read them (org.Org.DelegatedAdministrators). When an
// account was registered is kept in the document's metadata, under
// delegatedKey; one the org file names was registered when the store was
// seeded.

type delegatedInput struct {
	AccountID        *string `json:"AccountId"`
	ServicePrincipal *string `json:"ServicePrincipal"`
	MaxResults       *int32  `json:"MaxResults"`
	NextToken        *string `json:"NextToken"`
}

// DelegatedAdministrator is the DelegatedAdministrator data type.
type DelegatedAdministrator struct {
	Account
	DelegationEnabledDate *Epoch `json:"DelegationEnabledDate,omitempty"`
}

// DelegatedService is the DelegatedService data type.
type DelegatedService struct {
	ServicePrincipal      string `json:"ServicePrincipal"`
	DelegationEnabledDate *Epoch `json:"DelegationEnabledDate,omitempty"`
}

// delegatedKey is the metadata key of a registration's time.
func delegatedKey(accountID, service string) string {
	return "organizations:delegated-administrator/" + accountID + "/" + service
}

func servicePrincipal(v *string) (string, error) {
	sp, err := required("ServicePrincipal", v, nil)
	if err != nil {
		return "", err
	}
	if len(sp) > 128 {
		return "", tooLong("ServicePrincipal", 128)
	}
	if org.CheckServicePrincipal(sp) != nil {
		return "", invalidPattern("ServicePrincipal", sp)
	}
	return sp, nil
}

// delegatedChange is RegisterDelegatedAdministrator and
// DeregisterDelegatedAdministrator.
func (s *Service) delegatedChange(ctx context.Context, c *api.Call, register bool) (any, error) {
	var in delegatedInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("accountId", in.AccountID, "servicePrincipal", in.ServicePrincipal)
	id, err := accountID(in.AccountID)
	if err != nil {
		return nil, err
	}
	sp, err := servicePrincipal(in.ServicePrincipal)
	if err != nil {
		return nil, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := a.allow(ctx, []string{a.accountARN(id)}, map[string][]string{"organizations:ServicePrincipal": {sp}}, false); err != nil {
		return nil, err
	}
	_, err = s.mutate(ctx, func(d *state.Doc, v view) error {
		acct, ok := v.o.AccountByID(id)
		if !ok {
			return accountNotFound(id)
		}
		if !register {
			if !d.Org.DeregisterDelegatedAdministrator(acct.Name, sp) {
				return awsproto.Errorf("AccountNotRegisteredException", "The provided account is not a registered delegated administrator for %s.", sp)
			}
			delete(d.Meta.Created, delegatedKey(id, sp))
			return nil
		}
		err := d.Org.RegisterDelegatedAdministrator(acct.Name, sp)
		switch {
		case err == nil:
			if d.Meta.Created == nil {
				d.Meta.Created = map[string]time.Time{}
			}
			d.Meta.Created[delegatedKey(id, sp)] = c.Now.UTC()
			return nil
		case errors.Is(err, org.ErrDuplicate):
			return awsproto.Errorf("AccountAlreadyRegisteredException", "The provided account is already a delegated administrator for %s.", sp)
		case errors.Is(err, org.ErrLimit):
			return constraint("MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED", "%s", err.Error())
		case acct == v.o.Management:
			return constraint("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", "You cannot register the management account as a delegated administrator for %s.", sp)
		}
		return err
	})
	return nil, err
}

// RegisterDelegatedAdministrator registers a member account as a delegated
// administrator of a service.
func (s *Service) RegisterDelegatedAdministrator(ctx context.Context, c *api.Call) (any, error) {
	return s.delegatedChange(ctx, c, true)
}

// DeregisterDelegatedAdministrator ends a registration.
func (s *Service) DeregisterDelegatedAdministrator(ctx context.Context, c *api.Call) (any, error) {
	return s.delegatedChange(ctx, c, false)
}

// delegatedSince is when an account was registered for a service.
func delegatedSince(d *state.Doc, accountID, service string) *Epoch {
	if t, ok := d.Meta.Created[delegatedKey(accountID, service)]; ok {
		return epoch(t)
	}
	return epoch(d.Meta.Seeded)
}

// readDelegated begins a read of the registrations: from the management
// account or a delegated administrator (of any service).
func (s *Service) readDelegated(ctx context.Context, c *api.Call, resource func(*access) string) (*access, *state.Doc, error) {
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	if err := a.allow(ctx, []string{resource(a)}, nil, true); err != nil {
		return nil, nil, err
	}
	if c.Identity.Account != a.mgmt() && len(a.o.DelegatedServices(c.Identity.Account)) == 0 {
		return nil, nil, errNotManagement()
	}
	d, err := s.doc(ctx)
	return a, d, err
}

// ListDelegatedAdministrators lists the delegated administrators, of one
// service or of any.
func (s *Service) ListDelegatedAdministrators(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	var in delegatedInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("servicePrincipal", in.ServicePrincipal, "maxResults", in.MaxResults)
	sp := str(in.ServicePrincipal)
	if sp != "" {
		if _, err := servicePrincipal(in.ServicePrincipal); err != nil {
			return nil, err
		}
	}
	p, err := paging(in.MaxResults, in.NextToken, c.Action, sp)
	if err != nil {
		return nil, err
	}
	a, d, err := s.readDelegated(ctx, c, func(*access) string { return "*" })
	if err != nil {
		return nil, err
	}
	created, err := a.created(ctx)
	if err != nil {
		return nil, err
	}
	var out []DelegatedAdministrator
	for _, da := range a.o.Delegated {
		var since *Epoch
		for _, svc := range da.Services {
			if sp != "" && svc != sp {
				continue
			}
			if t := delegatedSince(d, da.Account.ID, svc); since == nil || (t != nil && time.Time(*t).Before(time.Time(*since))) {
				since = t
			}
		}
		if since != nil {
			out = append(out, DelegatedAdministrator{Account: a.account(da.Account, created), DelegationEnabledDate: since})
		}
	}
	list, next := pageOf(p, out)
	return struct {
		DelegatedAdministrators []DelegatedAdministrator `json:"DelegatedAdministrators"`
		NextToken               *string                  `json:"NextToken,omitempty"`
	}{list, next}, nil
}

// ListDelegatedServicesForAccount lists the services an account is a
// delegated administrator of.
func (s *Service) ListDelegatedServicesForAccount(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	var in delegatedInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("accountId", in.AccountID, "maxResults", in.MaxResults)
	id, err := accountID(in.AccountID)
	if err != nil {
		return nil, err
	}
	p, err := paging(in.MaxResults, in.NextToken, c.Action, id)
	if err != nil {
		return nil, err
	}
	a, d, err := s.readDelegated(ctx, c, func(a *access) string { return a.accountARN(id) })
	if err != nil {
		return nil, err
	}
	if _, ok := a.o.AccountByID(id); !ok {
		return nil, accountNotFound(id)
	}
	var out []DelegatedService
	for _, svc := range a.o.DelegatedServices(id) {
		out = append(out, DelegatedService{ServicePrincipal: svc, DelegationEnabledDate: delegatedSince(d, id, svc)})
	}
	if len(out) == 0 {
		return nil, awsproto.Errorf("AccountNotRegisteredException", "The provided account is not a registered delegated administrator.")
	}
	list, next := pageOf(p, out)
	return struct {
		DelegatedServices []DelegatedService `json:"DelegatedServices"`
		NextToken         *string            `json:"NextToken,omitempty"`
	}{list, next}, nil
}
