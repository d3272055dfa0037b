package ssooidc_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/state"
)

// metadataServer serves documents over TLS, counting the requests.
type metadataServer struct {
	srv  *httptest.Server
	mu   sync.Mutex
	docs map[string]string
	hits int
}

func newMetadataServer(t *testing.T) *metadataServer {
	m := &metadataServer{docs: map[string]string{}}
	m.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		doc, ok := m.docs[r.URL.Path]
		m.hits++
		m.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/samlmetadata+xml")
		io.WriteString(w, doc)
	}))
	t.Cleanup(m.srv.Close)
	return m
}

func (m *metadataServer) put(path, doc string) {
	m.mu.Lock()
	m.docs[path] = doc
	m.mu.Unlock()
}

func (m *metadataServer) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hits
}

// Identity Center's SAML identity source with metadataUrl: the IdP's
// metadata is fetched over https (the server's client trusting the
// metadata host's certificate), kept for an hour, and fetched again after;
// a sign-in through it completes. Twins: a URL that answers 404, a host
// whose certificate the server does not trust, and another IdP's metadata
// (whose certificate does not verify this IdP's responses).
func TestSAMLMetadataURL(t *testing.T) {
	md := newMetadataServer(t)
	ev := &servertest.Events{}
	h := servertest.Start(t, servertest.Options{Audit: ev, OIDCClient: md.srv.Client()})
	ctx := servertest.Ctx(t)
	idp := servertest.NewSAMLIdP(t)
	idp.NameIDFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	idp.AddUser(t, "Alice Martin", "alice@securecart.example", "correct horse", nil)
	md.put("/app/exk1/sso/saml/metadata", idp.Metadata(t))
	setURL := func(u string) {
		t.Helper()
		if _, err := h.Server.State.Mutate(ctx, func(d *state.Doc) error {
			d.Org.IdentityCenter.ExternalIdentityProvider = &org.ExternalIdPDef{Type: "saml", Name: "Okta", MetadataURL: u}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	setURL(md.srv.URL + "/app/exk1/sso/saml/metadata")
	resp, err := http.Get(h.URL + "/saml/metadata")
	if err != nil {
		t.Fatal(err)
	}
	spMD, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	idp.PutService(t, "warden", string(spMD))
	e := &samlEnv{h: h, idp: idp, oidc: startOIDCClient(h), ev: ev}

	seed := ""
	signIn := func() {
		t.Helper()
		code, poll := e.device(t)
		b, req := e.toIdP(t, code)
		if !strings.HasPrefix(req, idp.Srv.URL+"/sso?") || !strings.Contains(req, "SAMLRequest=") {
			t.Fatalf("the sign-in request goes to %s, not the SingleSignOnService of the fetched metadata", req)
		}
		acsURL, samlResp, rs := idp.Authenticate(t, b.Client, req, "alice", "correct horse")
		seed = e.finish(t, b, e.acs(t, b, acsURL, samlResp, rs), seed, code)
		h.Clock.Advance(2 * time.Second)
		if _, err := e.oidc.CreateToken(ctx, poll); err != nil {
			t.Fatalf("CreateToken after the sign-in: %v", err)
		}
	}
	signIn()
	if got := md.count(); got != 1 {
		t.Errorf("metadata fetched %d times for the first sign-in, want once", got)
	}
	h.Clock.Advance(30 * time.Minute)
	code, _ := e.device(t)
	e.toIdP(t, code)
	if got := md.count(); got != 1 {
		t.Errorf("metadata fetched %d times within the hour, want once (kept)", got)
	}
	h.Clock.Advance(31 * time.Minute)
	code, _ = e.device(t)
	e.toIdP(t, code)
	if got := md.count(); got != 2 {
		t.Errorf("metadata fetched %d times after the hour, want twice", got)
	}
	// Back to the IdP's time (its assertions are valid now; the next TOTP
	// step): the sign-in completes with the metadata fetched again.
	h.Clock.Set(time.Now().UTC().Truncate(time.Second).Add(31 * time.Second))
	signIn()

	// Twins: the sign-in cannot start.
	op := servertest.NewOIDCOP(t) // an https host whose CA the server does not trust
	for _, tt := range []struct{ name, url, says string }{
		{"a URL that answers 404", md.srv.URL + "/missing", "404"},
		{"a host with an untrusted certificate", op.Issuer + "/metadata", "certificate"},
	} {
		setURL(tt.url)
		code, _ := e.device(t)
		b := servertest.NewBrowser(h.URL)
		pg, _ := b.Get(h.URL + "/device?user_code=" + code)
		pg, _ = b.Post(pg, map[string][]string{"user_code": {code}, "via": {"saml"}})
		if !strings.Contains(pg.Alert, "not available") || !strings.Contains(pg.Alert, tt.says) {
			t.Errorf("%s: %q %q", tt.name, pg.Title, pg.Alert)
		}
	}
	// Another IdP's metadata at the URL: this IdP's response is refused.
	other := servertest.NewSAMLIdP(t)
	md.put("/other", strings.ReplaceAll(other.Metadata(t), other.Srv.URL+"/sso", idp.Srv.URL+"/sso"))
	setURL(md.srv.URL + "/other")
	code, _ = e.device(t)
	b, req := e.toIdP(t, code)
	acsURL, samlResp, rs := idp.Authenticate(t, b.Client, req, "alice", "correct horse")
	if pg := e.acs(t, b, acsURL, samlResp, rs); pg.Status != http.StatusForbidden {
		t.Errorf("a response checked against another IdP's metadata: %d %q", pg.Status, pg.Alert)
	}
}
