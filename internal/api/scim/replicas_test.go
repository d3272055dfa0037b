package scim_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"

	"github.com/securecart/warden/internal/api/scim"
	"github.com/securecart/warden/internal/server/servertest"
)

// Two replicas on one PostgreSQL database: a token made once works on
// both, a user created through A's SCIM endpoint is read at once through
// B's (SCIM and identitystore), a token deleted is refused by both, and a
// concurrent uniqueness conflict is 409 whichever replica takes it.
func TestReplicas(t *testing.T) {
	hs := servertest.PostgresReplicas(t, 2, servertest.Options{})
	a, b := hs[0], hs[1]
	ctx := servertest.Ctx(t)
	tok, secret, err := scim.CreateToken(ctx, a.Store, a.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	ca, cb := &client{t: t, base: a.URL, token: secret}, &client{t: t, base: b.URL, token: secret}
	u := ca.do("POST", "/Users", map[string]any{"userName": "frank@securecart.example", "displayName": "Frank"}).must(t, 201)
	id := u["id"].(string)
	if got := cb.do("GET", "/Users/"+id, nil).must(t, 200); got["userName"] != "frank@securecart.example" {
		t.Errorf("B reads %v", got)
	}
	o, _ := b.Server.State.Org(ctx)
	store := o.IdentityCenter.IdentityStoreID
	d, err := identitystore.NewFromConfig(b.Config(a.AdminKeyID, a.AdminSecret, "")).DescribeUser(ctx,
		&identitystore.DescribeUserInput{IdentityStoreId: &store, UserId: &id})
	if err != nil || aws.ToString(d.DisplayName) != "Frank" {
		t.Fatalf("identitystore through B: %+v %v", d, err)
	}
	cb.do("POST", "/Users", map[string]any{"userName": "FRANK@securecart.example"}).scimError(t, 409, "uniqueness")
	if err := scim.DeleteToken(ctx, b.Store, tok.ID, b.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	ca.do("GET", "/Users", nil).scimError(t, 401, "")
	cb.do("GET", "/Users", nil).scimError(t, 401, "")
}
