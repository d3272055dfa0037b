package sso

import (
	"context"
	"errors"
	"testing"

	landingzones "github.com/securecart/warden/landing-zones"

	"github.com/securecart/warden/internal/org"
)

type staticOrg struct{ o *org.Org }

func (s staticOrg) Org(context.Context) (*org.Org, error) { return s.o, nil }

// A person is found by email address, ignoring case (SAML NameIDs of format
// emailAddress), and carries the primary one; an address nobody has finds
// no one.
func TestUserByEmail(t *testing.T) {
	o, err := org.LoadFS(landingzones.FS, landingzones.SecureCart)
	if err != nil {
		t.Fatal(err)
	}
	d := OrgDirectory{Orgs: staticOrg{o}}
	u, err := d.UserByEmail(context.Background(), "Sam@SecureCart.example")
	if err != nil || u.UserName != "sam@securecart.example" || u.Email != "sam@securecart.example" || u.ID != org.DerivedSSOUserID(o.IdentityCenter.IdentityStoreID, u.UserName) {
		t.Errorf("UserByEmail(Sam@SecureCart.example) = %+v, %v", u, err)
	}
	if _, err := d.UserByEmail(context.Background(), "mallory@securecart.example"); !errors.Is(err, ErrNoUser) {
		t.Errorf("UserByEmail of an unknown address: %v, want ErrNoUser", err)
	}
}
