package detect

import "github.com/securecart/warden/internal/org"

// InOrg tells the organization's accounts, for New.
func InOrg(o *org.Org) func(account string) bool {
	return func(account string) bool {
		_, ok := o.AccountByID(account)
		return ok
	}
}
