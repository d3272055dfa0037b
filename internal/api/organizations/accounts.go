package organizations

import (
	"context"
	"time"

	"github.com/securecart/warden/internal/org"
)

// created returns the creation times the document records (accounts
// created through CreateAccount, by their organizations ARN).
func (a *access) created(ctx context.Context) (map[string]time.Time, error) {
	d, err := a.s.doc(ctx)
	if err != nil {
		return nil, err
	}
	return d.Meta.Created, nil
}

// account shows an account. Accounts that CreateAccount made were CREATED
// at a recorded time; the management account joined its organization as
// AWS records it, INVITED; accounts of the org files are shown as CREATED,
// without a time, which Warden does not know.
func (v view) account(acc *org.Account, created map[string]time.Time) Account {
	arn := v.accountARN(acc.ID)
	out := Account{ID: acc.ID, Arn: arn, Email: acc.Email, Name: acc.Name,
		Status: accountStatusActive, State: accountStatusActive, JoinedMethod: memberJoined}
	if acc == v.o.Management {
		out.JoinedMethod = managementJoined
	}
	if t, ok := created[arn]; ok {
		out.JoinedTimestamp = epoch(t)
	}
	return out
}
