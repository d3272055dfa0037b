package sts_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/state"
)

// testIdP is an OpenID Connect provider on loopback over TLS: discovery and
// JWKS, with a key that signs the tokens the test makes.
type testIdP struct {
	srv    *httptest.Server
	key    *rsa.PrivateKey
	signer jose.Signer
}

func newIdP(t *testing.T) *testIdP {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	idp := &testIdP{key: key}
	mux := http.NewServeMux()
	idp.srv = httptest.NewTLSServer(mux)
	t.Cleanup(idp.srv.Close)
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": idp.srv.URL, "jwks_uri": idp.srv.URL + "/jwks",
			"authorization_endpoint": idp.srv.URL + "/auth", "id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	idp.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	return idp
}

func (idp *testIdP) token(t *testing.T, sub, aud string, exp time.Time) string {
	tok, err := jwt.Signed(idp.signer).Claims(jwt.Claims{Issuer: idp.srv.URL, Subject: sub, Audience: jwt.Audience{aud},
		IssuedAt: jwt.NewNumericDate(exp.Add(-time.Hour)), Expiry: jwt.NewNumericDate(exp)}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// A CI pipeline signs in with an OIDC token, as GitHub Actions does to AWS.
func TestAssumeRoleWithWebIdentity(t *testing.T) {
	idp := newIdP(t)
	rec := &recorder{}
	h := servertest.Start(t, servertest.Options{OIDCClient: idp.srv.Client(), Audit: rec})
	ctx := servertest.Ctx(t)
	provider := strings.TrimPrefix(idp.srv.URL, "https://")
	_, err := h.Server.State.Mutate(ctx, func(d *state.Doc) error {
		d.Org.IdentityProviders = append(d.Org.IdentityProviders, &org.ProviderDef{Type: "oidc", Name: provider,
			Accounts: []string{"SharedServices"}, ClientIDs: []string{"sts.amazonaws.com"}})
		d.Org.Roles = append(d.Org.Roles, &org.RoleDef{Name: "GitHubDeployRole", Accounts: []string{"SharedServices"},
			Trust: org.PolicyDoc(`{"Version": "2012-10-17", "Statement": [{
				"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::327491058362:oidc-provider/` + provider + `"},
				"Action": "sts:AssumeRoleWithWebIdentity",
				"Condition": {"StringEquals": {"` + provider + `:aud": "sts.amazonaws.com"}, "StringLike": {"` + provider + `:sub": "repo:securecart/*:ref:refs/heads/main"}}}]}`)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := anonymous(h)
	role := aws.String("arn:aws:iam::327491058362:role/GitHubDeployRole")
	now := h.Clock.Now()
	out, err := c.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: role, RoleSessionName: aws.String("gha-run-1"),
		WebIdentityToken: aws.String(idp.token(t, "repo:securecart/shop:ref:refs/heads/main", "sts.amazonaws.com", now.Add(10*time.Minute)))})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SubjectFromWebIdentityToken) != "repo:securecart/shop:ref:refs/heads/main" || aws.ToString(out.Audience) != "sts.amazonaws.com" ||
		aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::327491058362:assumed-role/GitHubDeployRole/gha-run-1" {
		t.Errorf("result %+v %+v", out, out.AssumedRoleUser)
	}
	id, err := client(h, aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::327491058362:assumed-role/GitHubDeployRole/gha-run-1" {
		t.Errorf("the web identity session: %v %v", id, err)
	}

	refused := []struct {
		name, token, want string
	}{
		{"a branch the trust policy does not allow", idp.token(t, "repo:securecart/shop:ref:refs/heads/feature", "sts.amazonaws.com", now.Add(10*time.Minute)), "AccessDenied"},
		{"another audience", idp.token(t, "repo:securecart/shop:ref:refs/heads/main", "someone-else", now.Add(10*time.Minute)), "InvalidIdentityToken"},
		{"an expired token", idp.token(t, "repo:securecart/shop:ref:refs/heads/main", "sts.amazonaws.com", now.Add(-time.Minute)), "ExpiredTokenException"},
		{"a forged signature", forge(t, idp.token(t, "repo:securecart/shop:ref:refs/heads/main", "sts.amazonaws.com", now.Add(10*time.Minute))), "InvalidIdentityToken"},
		{"not a JWT", "not-a-token", "InvalidIdentityToken"},
		{"an unsigned token (alg none)", unsignedToken(t, "https://"+provider, "repo:mallory/shop:ref:refs/heads/main", "sts.amazonaws.com"), "InvalidIdentityToken"},
	}
	for _, tt := range refused {
		_, err := c.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: role, RoleSessionName: aws.String("gha-run-2"), WebIdentityToken: aws.String(tt.token)})
		if err == nil {
			t.Errorf("%s: accepted", tt.name)
			continue
		}
		if got := apiCode(t, err); got != tt.want {
			t.Errorf("%s: %s (%v), want %s", tt.name, got, err, tt.want)
		}
	}
	// Refused calls are recorded with whose token it was: the provider and
	// the subject the token states, verified or not.
	provARN := "arn:aws:iam::327491058362:oidc-provider/" + provider
	for _, want := range []struct{ code, subject string }{
		{"AccessDenied", "repo:securecart/shop:ref:refs/heads/feature"},
		{"ExpiredTokenException", "repo:securecart/shop:ref:refs/heads/main"},
	} {
		r := rec.find(t, "AssumeRoleWithWebIdentity", want.code)
		u := r.UserIdentity
		if u.Type != "WebIdentityUser" || u.IdentityProvider != provARN || u.UserName != want.subject ||
			u.PrincipalID != provARN+":sts.amazonaws.com:"+want.subject || r.RecipientAccountID != "327491058362" {
			t.Errorf("record of the %s call: userIdentity %+v in account %s; want a WebIdentityUser of %s, subject %s", want.code, u, r.RecipientAccountID, provARN, want.subject)
		}
	}
	// An unsigned token's record (the last refused above) names the
	// provider and the subject its payload claims, read for the record
	// only.
	if u := rec.find(t, "AssumeRoleWithWebIdentity", "InvalidIdentityToken").UserIdentity; u.Type != "WebIdentityUser" || u.IdentityProvider != provARN ||
		u.UserName != "repo:mallory/shop:ref:refs/heads/main" || u.PrincipalID != provARN+":sts.amazonaws.com:repo:mallory/shop:ref:refs/heads/main" {
		t.Errorf("record of the unsigned token: userIdentity %+v, want a WebIdentityUser of %s, subject repo:mallory/shop:ref:refs/heads/main", u, provARN)
	}
	// A token of an issuer that is not a provider of the role's account.
	other := newIdP(t)
	_, err = c.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: role, RoleSessionName: aws.String("gha-run-3"),
		WebIdentityToken: aws.String(other.token(t, "repo:securecart/shop:ref:refs/heads/main", "sts.amazonaws.com", now.Add(10*time.Minute)))})
	if err == nil || apiCode(t, err) != "InvalidIdentityToken" || !strings.Contains(err.Error(), "No OpenIDConnect provider found") {
		t.Errorf("unknown issuer: %v", err)
	}
	// Its record names the issuer as CloudTrail names a provider (without
	// https://) and the subject the token states.
	issuer := strings.TrimPrefix(other.srv.URL, "https://")
	if u := rec.find(t, "AssumeRoleWithWebIdentity", "InvalidIdentityToken").UserIdentity; u.Type != "WebIdentityUser" || u.IdentityProvider != issuer ||
		u.UserName != "repo:securecart/shop:ref:refs/heads/main" || u.PrincipalID != issuer+":sts.amazonaws.com:repo:securecart/shop:ref:refs/heads/main" {
		t.Errorf("record of the unknown issuer's call: userIdentity %+v, want a WebIdentityUser of %s", u, issuer)
	}
}

// anonymous is a client that makes unsigned calls, as the SDKs make
// AssumeRoleWithWebIdentity.
func anonymous(h *servertest.Harness) *sts.Client {
	cfg := h.Config("", "", "")
	cfg.Credentials = aws.AnonymousCredentials{}
	return sts.NewFromConfig(cfg)
}

// recorder keeps the events the server records.
type recorder struct {
	mu     sync.Mutex
	events []*call.Event
}

func (r *recorder) Record(_ context.Context, e *call.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return nil
}

// find returns the record of the last event of an action with an error code.
func (r *recorder) find(t *testing.T, action, code string) *audit.Record {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.events) - 1; i >= 0; i-- {
		if e := r.events[i]; e.Call.Action == action && e.ErrorCode == code {
			return audit.Records(e)[0]
		}
	}
	t.Fatalf("no %s event with error %s recorded", action, code)
	return nil
}

// forge replaces a token's signature with another key's.
func forge(t *testing.T, tok string) string {
	parts := strings.Split(tok, ".")
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	s, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, nil)
	other, err := jwt.Signed(s).Claims(jwt.Claims{Subject: "x"}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return parts[0] + "." + parts[1] + "." + strings.Split(other, ".")[2]
}

// unsignedToken is a JWT with alg none and no signature, stating iss, sub
// and aud.
func unsignedToken(t *testing.T, iss, sub, aud string) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "none", "typ": "JWT"}) + "." + enc(map[string]any{"iss": iss, "sub": sub, "aud": []string{aud}, "exp": 4102444800}) + "."
}
