package ssoportal_test

import (
	"github.com/securecart/warden/internal/audit"
	"testing"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/server/servertest"
	ssodir "github.com/securecart/warden/internal/sso"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
)

type credsSealer = creds.Sealer

func newSealer(key []byte) (*creds.Sealer, error) { return creds.NewSealer(key) }

// aliceOnReplicas readies replicas that share a's store for a portal
// sign-in by alice: Identity Center's own directory as the identity source
// (no external provider) and a password of hers set; it returns her, to
// sign in with, and her user ID.
func aliceOnReplicas(t *testing.T, a *servertest.Harness) (*servertest.Person, string) {
	t.Helper()
	ctx := servertest.Ctx(t)
	if _, err := a.Server.State.Mutate(ctx, func(d *state.Doc) error {
		d.Org.IdentityCenter.ExternalIdentityProvider = nil
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	u, err := ssodir.OrgDirectory{Orgs: a.Server.State}.UserByName(ctx, "alice@securecart.example")
	if err != nil {
		t.Fatal(err)
	}
	const pw = "Alice-0wn-passw0rd!"
	if err := a.Store.AddSSOPassword(ctx, store.SSOPassword{UserID: u.ID, Hash: ssodir.HashPassword(pw), Updated: a.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	return &servertest.Person{UserName: "alice@securecart.example", Password: pw}, u.ID
}

// userIDOf returns the identity store ID of the user name: the onBehalfOf
// userId of that person's IdentityCenterUser records.
func userIDOf(t *testing.T, a *servertest.Harness, name string) string {
	t.Helper()
	u, err := ssodir.OrgDirectory{Orgs: a.Server.State}.UserByName(servertest.Ctx(t), name)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// additionalUserName is a record's additionalEventData.UserName, where
// Identity Center names the user of an Unknown event since July 14, 2025
// (AWS Security Blog, "Modifications to AWS CloudTrail event data of IAM
// Identity Center").
func additionalUserName(r *audit.Record) string {
	m, _ := r.AdditionalEventData.(map[string]any)
	s, _ := m["UserName"].(string)
	return s
}
