package organizations

import (
	"context"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
)

type describeCreateAccountStatusInput struct {
	CreateAccountRequestID *string `json:"CreateAccountRequestId"`
}

// DescribeCreateAccountStatus returns the status of a CreateAccount request
// that created an account (they complete at once, SUCCEEDED).
func (s *Service) DescribeCreateAccountStatus(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	var in describeCreateAccountStatusInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	c.RequestParameters = requestParams("createAccountRequestId", in.CreateAccountRequestID)
	id, err := required("CreateAccountRequestId", in.CreateAccountRequestID, reCARID)
	if err != nil {
		return nil, err
	}
	a, err := s.begin(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := a.allow(ctx, []string{"*"}, nil, false); err != nil {
		return nil, err
	}
	created, err := a.created(ctx)
	if err != nil {
		return nil, err
	}
	a.again(ctx) // the document read may be newer than the cached org
	for _, acc := range a.o.Accounts {
		t, ok := created[a.accountARN(acc.ID)]
		if !ok || carID(a.o.ID, acc.ID) != id {
			continue
		}
		return createAccountResult{CreateAccountStatus: CreateAccountStatus{
			ID: id, AccountName: acc.Name, State: "SUCCEEDED", AccountID: acc.ID,
			RequestedTimestamp: epoch(t), CompletedTimestamp: epoch(t),
		}}, nil
	}
	return nil, awsproto.Errorf("CreateAccountStatusNotFoundException", "We can't find a create account request with the CreateAccountRequestId that you specified: %s.", id)
}
