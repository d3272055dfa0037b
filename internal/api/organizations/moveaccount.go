package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/state"
)

type moveAccountInput struct {
	AccountID           *string `json:"AccountId"`
	SourceParentID      *string `json:"SourceParentId"`
	DestinationParentID *string `json:"DestinationParentId"`
}

// MoveAccount moves an account from its root or OU to another. The caller
// needs organizations:MoveAccount on the account and on both parents.
func (s *Service) MoveAccount(ctx context.Context, c *api.Call) (any, error) {
	var in moveAccountInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("accountId", in.AccountID, "sourceParentId", in.SourceParentID,
		"destinationParentId", in.DestinationParentID)
	id, err := accountID(in.AccountID)
	if err != nil {
		return nil, err
	}
	src, err := parentID("SourceParentId", in.SourceParentID)
	if err != nil {
		return nil, err
	}
	dst, err := parentID("DestinationParentId", in.DestinationParentID)
	if err != nil {
		return nil, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := a.allow(ctx, []string{a.accountARN(id), a.containerARN(src), a.containerARN(dst)}, nil, false); err != nil {
		return nil, err
	}
	_, err = s.mutate(ctx, func(d *state.Doc, v view) error {
		acc, ok := v.o.AccountByID(id)
		if !ok {
			return accountNotFound(id)
		}
		from, ok := v.container(src)
		if !ok {
			return awsproto.Errorf("SourceParentNotFoundException", "We can't find a source root or OU with the ParentId that you specified: %s.", src)
		}
		to, ok := v.container(dst)
		if !ok {
			return awsproto.Errorf("DestinationParentNotFoundException", "We can't find the destination container (a root or OU) with the ParentId that you specified: %s.", dst)
		}
		if v.parentOf(acc) != from {
			return awsproto.Errorf("AccountNotFoundException", "You specified an account that doesn't exist in the source parent: account %s is not in %s.", id, src)
		}
		if from == to {
			return awsproto.Errorf("DuplicateAccountException", "That account is already present in the specified destination: %s.", dst)
		}
		def := d.Org.Account(acc.Name)
		if def == nil {
			return internalf("organizations: account %s is not in the document", acc.Name)
		}
		def.OU = to.Name
		if to == v.o.Root {
			def.OU = org.RootName
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.Resources = []api.Resource{{ARN: a.accountARN(id), Type: "AWS::Organizations::Account", Account: a.mgmt()}}
	return struct{}{}, nil
}
