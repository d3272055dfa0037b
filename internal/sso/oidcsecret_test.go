package sso

import (
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/store/sqlite"
)

// Which client secret wins: the stored one for the provider's issuer and
// client ID, else the environment variable, else none; a stored secret is
// sealed (bound to the issuer and client ID) and opens only with the
// master key that sealed it.
func TestOIDCClientSecretPrecedence(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	master, _ := creds.NewSealer(creds.NewKey())
	other, _ := creds.NewSealer(creds.NewKey())
	x := &org.ExternalIdP{Name: "Okta", Issuer: "https://op.example", ClientID: "warden", ClientSecretEnv: "OKTA_SECRET"}
	env := map[string]string{"OKTA_SECRET": "from-env"}
	look := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	get := func(x *org.ExternalIdP, m *creds.Sealer) (string, string, error) {
		return OIDCClientSecret(ctx, st, m, x, look)
	}

	if s, src, err := get(x, master); s != "from-env" || src != SecretFromEnv || err != nil {
		t.Errorf("nothing stored: %q %q %v", s, src, err)
	}
	for _, bad := range []string{"", "two words", "line\n", strings.Repeat("x", MaxOIDCSecret+1)} {
		if err := SetOIDCClientSecret(ctx, st, master, x.Issuer, x.ClientID, bad, at); err == nil {
			t.Errorf("secret %q accepted", bad)
		}
	}
	if err := SetOIDCClientSecret(ctx, st, master, x.Issuer, x.ClientID, "from-store", at); err != nil {
		t.Fatal(err)
	}
	if s, src, err := get(x, master); s != "from-store" || src != SecretFromStore || err != nil {
		t.Errorf("stored: %q %q %v", s, src, err)
	}
	if _, _, err := get(x, other); err == nil {
		t.Error("another master key opened the stored secret")
	}
	moved := *x
	moved.ClientID = "another-client"
	if s, src, _ := get(&moved, master); s != "from-env" || src != SecretFromEnv {
		t.Errorf("a stored secret of another client was used: %q %q", s, src)
	}
	public := moved
	public.ClientSecretEnv = ""
	if s, src, err := get(&public, master); s != "" || src != SecretNone || err != nil {
		t.Errorf("a public client: %q %q %v", s, src, err)
	}
	delete(env, "OKTA_SECRET")
	if _, _, err := get(&moved, master); err == nil || !strings.Contains(err.Error(), "OKTA_SECRET") {
		t.Errorf("no secret anywhere: %v", err)
	}
	info, ok, err := StoredOIDCSecret(ctx, st)
	if !ok || err != nil || info.ClientID != "warden" || !info.Set.Equal(at) {
		t.Errorf("stored info %+v %v %v", info, ok, err)
	}
	if err := DeleteOIDCClientSecret(ctx, st, at); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := StoredOIDCSecret(ctx, st); ok {
		t.Error("deleted, still stored")
	}
}
