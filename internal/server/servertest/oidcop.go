package servertest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/oauth2"
	"golang.org/x/text/language"
)

// OIDCOP is a real OpenID provider for tests: zitadel/oidc's example
// provider (exampleop and its in-memory storage, the library's own
// authorization, token, discovery, JWKS and UserInfo endpoints and login
// form), started in-process on 127.0.0.1 over TLS with a certificate of a
// test CA made here. Client trusts that CA, as a relying party configured
// with the CA's bundle would.
//
// Beyond the example: users and clients are the test's; ID tokens carry
// email (with the email scope) and each user's extra claims, as Okta's do;
// its signing keys rotate (Rotate); and the token endpoint's id_token can
// be rewritten on its way to the relying party (RewriteIDToken), with the
// provider's real key or a forger's (Sign), for negative tests.
type OIDCOP struct {
	// Issuer is the provider's issuer, https://127.0.0.1:<port>.
	Issuer string
	// Client trusts the test CA.
	Client *http.Client
	// CAFile is the CA certificate (PEM), for clients given a bundle file.
	CAFile string

	st         *opStorage
	mu         sync.Mutex
	rewrite    func(idToken string) string
	clients    map[string]*storage.Client
	keyFetches int
	// denied are the users whose sign-in the provider refuses with
	// access_denied, and its error_description.
	denied map[string]string
}

// opStorage is the example storage with the test's users and keys.
type opStorage struct {
	*storage.Storage
	mu    sync.Mutex
	keys  []*opKey // the last one signs
	users *opUsers
	// noEmailInIDToken keeps email out of the ID token (served at
	// UserInfo only), as some providers do.
	noEmailInIDToken bool
}

type opKey struct {
	id  string
	key *rsa.PrivateKey
}

type opSigningKey struct{ k *opKey }

func (s opSigningKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (s opSigningKey) Key() any                                    { return s.k.key }
func (s opSigningKey) ID() string                                  { return s.k.id }

type opPublicKey struct{ k *opKey }

func (p opPublicKey) ID() string                         { return p.k.id }
func (p opPublicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p opPublicKey) Use() string                        { return "sig" }
func (p opPublicKey) Key() any                           { return &p.k.key.PublicKey }
func (s *opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *opStorage) SigningKey(context.Context) (op.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return opSigningKey{s.keys[len(s.keys)-1]}, nil
}

func (s *opStorage) KeySet(context.Context) ([]op.Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []op.Key
	for _, k := range s.keys {
		out = append(out, opPublicKey{k})
	}
	return out, nil
}

// SetUserinfoFromRequest adds, to what the example sets, the email (when
// asked for) and the user's extra claims to ID tokens.
func (s *opStorage) SetUserinfoFromRequest(ctx context.Context, ui *zoidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, ui, req, scopes); err != nil {
		return err
	}
	u := s.users.byID(req.GetSubject())
	if u == nil {
		return nil
	}
	if !s.noEmailInIDToken && slices.Contains(req.GetScopes(), zoidc.ScopeEmail) {
		ui.Email, ui.EmailVerified = u.Email, zoidc.Bool(u.EmailVerified)
	}
	for k, v := range s.users.extra(u.ID) {
		ui.AppendClaims(k, v)
	}
	return nil
}

// opUsers is the provider's user store.
type opUsers struct {
	mu     sync.Mutex
	users  map[string]*storage.User
	claims map[string]map[string]any
}

func (u *opUsers) GetUserByID(id string) *storage.User { return u.byID(id) }
func (u *opUsers) byID(id string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.users[id]
}
func (u *opUsers) GetUserByUsername(name string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, x := range u.users {
		if x.Username == name {
			return x
		}
	}
	return nil
}
func (u *opUsers) ExampleClientID() string { return "service" }
func (u *opUsers) extra(id string) map[string]any {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.claims[id]
}

// NewOIDCOP starts a provider; it stops at the end of the test.
func NewOIDCOP(t testing.TB) *OIDCOP {
	t.Helper()
	caCert, caKey := testCA(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := &OIDCOP{Issuer: "https://" + l.Addr().String(), clients: map[string]*storage.Client{}}
	users := &opUsers{users: map[string]*storage.User{}, claims: map[string]map[string]any{}}
	o.st = &opStorage{Storage: storage.NewStorageWithClients(users, o.clients), users: users}
	o.st.keys = []*opKey{newOPKey(t)}
	router := exampleop.SetupServer(o.Issuer, o.st, nil, false)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/keys" {
			o.mu.Lock()
			o.keyFetches++
			o.mu.Unlock()
		}
		if r.Method == http.MethodPost && r.URL.Path == "/login/username" && o.deny(w, r) {
			return
		}
		if r.URL.Path != "/oauth/token" {
			router.ServeHTTP(w, r)
			return
		}
		o.token(router, w, r)
	}))
	srv.Listener.Close()
	srv.Listener = l
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{leafFor(t, caCert, caKey, "127.0.0.1")}}
	srv.Config.ErrorLog = nil
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	o.Client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	o.CAFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(o.CAFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caCert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return o
}

// token serves the token endpoint, handing its id_token to the rewrite
// function when one is set.
func (o *OIDCOP) token(next http.Handler, w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	rw := o.rewrite
	o.mu.Unlock()
	if rw == nil {
		next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	var resp map[string]any
	if rec.Code == http.StatusOK && json.Unmarshal(body, &resp) == nil {
		if id, ok := resp["id_token"].(string); ok {
			resp["id_token"] = rw(id)
			body, _ = json.Marshal(resp)
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	w.Write(body)
}

// Deny makes the provider refuse a user who signs in with the right
// password: it sends the browser back to the client's redirect URI with
// error=access_denied and description (OpenID Connect Core 3.1.2.6), as
// Okta does for a person not assigned to the application, or a provider
// whose consent page the person declines.
func (o *OIDCOP) Deny(username, description string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.denied == nil {
		o.denied = map[string]string{}
	}
	o.denied[username] = description
}

// deny answers a login form of a denied user with the right password, and
// reports whether it did.
func (o *OIDCOP) deny(w http.ResponseWriter, r *http.Request) bool {
	if r.ParseForm() != nil {
		return false
	}
	name := r.PostForm.Get("username")
	o.mu.Lock()
	desc, denied := o.denied[name]
	o.mu.Unlock()
	u := o.st.users.GetUserByUsername(name)
	if !denied || u == nil || u.Password != r.PostForm.Get("password") {
		return false
	}
	req, err := o.st.AuthRequestByID(r.Context(), r.PostForm.Get("id"))
	if err != nil {
		return false
	}
	q := url.Values{"error": {"access_denied"}, "error_description": {desc}, "state": {req.GetState()}, "iss": {o.Issuer}}
	http.Redirect(w, r, req.GetRedirectURI()+"?"+q.Encode(), http.StatusFound)
	return true
}

// KeyFetches counts the requests for the provider's key set.
func (o *OIDCOP) KeyFetches() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.keyFetches
}

// RewriteIDToken sets a function the token endpoint's id_token passes
// through (nil: none).
func (o *OIDCOP) RewriteIDToken(f func(idToken string) string) {
	o.mu.Lock()
	o.rewrite = f
	o.mu.Unlock()
}

// EmailInUserInfoOnly keeps email out of ID tokens: the relying party must
// read it at the UserInfo endpoint.
func (o *OIDCOP) EmailInUserInfoOnly() {
	o.st.mu.Lock()
	o.st.noEmailInIDToken = true
	o.st.mu.Unlock()
}

// AddClient registers a confidential web client with its secret and
// redirect URIs.
func (o *OIDCOP) AddClient(id, secret string, redirectURIs ...string) {
	// The example storage keeps this map by reference; clients are added
	// before the flows that use them.
	o.clients[id] = storage.WebClient(id, secret, redirectURIs...)
}

// AddUser adds a person with a password; claims are extra ID token claims
// (such as https://aws.amazon.com/tags).
func (o *OIDCOP) AddUser(t testing.TB, username, email, password string, claims map[string]any) string {
	t.Helper()
	u := o.st.users
	u.mu.Lock()
	defer u.mu.Unlock()
	id := fmt.Sprintf("u%d", len(u.users)+1)
	u.users[id] = &storage.User{ID: id, Username: username, Password: password, Email: email, EmailVerified: true,
		FirstName: strings.Split(username, "@")[0], LastName: "Test", PreferredLanguage: language.English}
	u.claims[id] = claims
	return id
}

// SetEmailVerified sets whether the provider vouches for a user's email.
func (o *OIDCOP) SetEmailVerified(username string, verified bool) {
	u := o.st.users.GetUserByUsername(username)
	o.st.users.mu.Lock()
	u.EmailVerified = verified
	o.st.users.mu.Unlock()
}

// Rotate makes a new signing key, which signs from now on; the old keys
// stay in the key set unless dropOld.
func (o *OIDCOP) Rotate(t testing.TB, dropOld bool) {
	k := newOPKey(t)
	o.st.mu.Lock()
	defer o.st.mu.Unlock()
	if dropOld {
		o.st.keys = nil
	}
	o.st.keys = append(o.st.keys, k)
}

// KeyID is the ID of the key that signs now.
func (o *OIDCOP) KeyID() string {
	o.st.mu.Lock()
	defer o.st.mu.Unlock()
	return o.st.keys[len(o.st.keys)-1].id
}

func newOPKey(t testing.TB) *opKey {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 8)
	rand.Read(b)
	return &opKey{id: fmt.Sprintf("k-%x", b), key: key}
}

// Claims decodes a token's claims without verifying it.
func Claims(t testing.TB, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	c := map[string]any{}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// Sign signs claims as a token: alg RS256 with the provider's current key
// (a token the provider could have issued), HS256 keyed with hmacKey (the
// algorithm-confusion forgery), or none (unsigned).
func (o *OIDCOP) Sign(t testing.TB, claims map[string]any, alg string, hmacKey []byte) string {
	t.Helper()
	payload, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding.EncodeToString
	switch alg {
	case "RS256":
		o.st.mu.Lock()
		k := o.st.keys[len(o.st.keys)-1]
		o.st.mu.Unlock()
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: k.key, KeyID: k.id}},
			(&jose.SignerOptions{}).WithType("JWT"))
		if err != nil {
			t.Fatal(err)
		}
		jws, err := s.Sign(payload)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := jws.CompactSerialize()
		return out
	case "HS256":
		head := enc([]byte(`{"alg":"HS256","typ":"JWT","kid":"` + o.KeyID() + `"}`))
		m := hmac.New(sha256.New, hmacKey)
		m.Write([]byte(head + "." + enc(payload)))
		return head + "." + enc(payload) + "." + enc(m.Sum(nil))
	case "none":
		return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(payload) + "."
	}
	t.Fatalf("Sign: unknown alg %q", alg)
	return ""
}

// Authorize follows an authorization request URL, signs the person in at
// the provider's login form, and returns the redirection to the relying
// party (its callback URL with code and state, or an error), unfollowed.
func (o *OIDCOP) Authorize(t testing.TB, authURL, username, password string) string {
	t.Helper()
	host := strings.TrimPrefix(o.Issuer, "https://")
	hc := &http.Client{Transport: o.Client.Transport, Timeout: 30 * time.Second,
		CheckRedirect: func(r *http.Request, _ []*http.Request) error {
			if r.URL.Host != host {
				return http.ErrUseLastResponse
			}
			return nil
		}}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "" {
		return loc // the provider answered at once (an error)
	}
	id := resp.Request.URL.Query().Get("authRequestID")
	if id == "" || !bytes.Contains(body, []byte(`name="password"`)) {
		t.Fatalf("the provider did not show its login form (%s %s): %s", resp.Status, resp.Request.URL, body)
	}
	resp, err = hc.PostForm(o.Issuer+"/login/username", url.Values{"id": {id}, "username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode/100 != 3 || loc == "" {
		t.Fatalf("the provider did not send the person back (%s): %s", resp.Status, body)
	}
	return loc
}

// IDToken signs a person in with a client of the provider (authorization
// code flow with PKCE, as a command-line tool does) and returns the ID
// token the provider issued.
func (o *OIDCOP) IDToken(t testing.TB, clientID, secret, username, password string, scopes ...string) string {
	t.Helper()
	redirect := "https://127.0.0.1/callback"
	o.AddClient(clientID, secret, redirect)
	conf := &oauth2.Config{ClientID: clientID, ClientSecret: secret, RedirectURL: redirect, Scopes: append([]string{"openid"}, scopes...),
		Endpoint: oauth2.Endpoint{AuthURL: o.Issuer + "/auth", TokenURL: o.Issuer + "/oauth/token"}}
	verifier := oauth2.GenerateVerifier()
	loc := o.Authorize(t, conf.AuthCodeURL("state-1", oauth2.SetAuthURLParam("nonce", "n-1"), oauth2.S256ChallengeOption(verifier)), username, password)
	u, err := url.Parse(loc)
	if err != nil || u.Query().Get("code") == "" {
		t.Fatalf("no code in the redirection %q", loc)
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, o.Client)
	tok, err := conf.Exchange(ctx, u.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		t.Fatal("the token response has no id_token")
	}
	return raw
}

// testCA makes a CA certificate and key valid for a day.
func testCA(t testing.TB) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Warden test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert, key
}

// leafFor makes a server certificate for an IP address, signed by the CA.
func leafFor(t testing.TB, ca *x509.Certificate, caKey *ecdsa.PrivateKey, ip string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: ip}, IPAddresses: []net.IP{net.ParseIP(ip)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
