package sso

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	saml2 "github.com/russellhaering/gosaml2"
	"github.com/russellhaering/gosaml2/types"
	dsig "github.com/russellhaering/goxmldsig"
	dsigtypes "github.com/russellhaering/goxmldsig/types"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/identity"
	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/store"
)

// SAMLSP is Identity Center's SAML 2.0 service provider, for an
// organization whose identity source is an external SAML identity provider
// (identityCenter.externalIdentityProvider of type saml):
//
//   - its metadata (entity ID <base>/saml/metadata, the HTTP-POST assertion
//     consumer service <base>/saml/acs, and its signing certificate) is
//     served for the IdP to import;
//   - the IdP's metadata comes from the org file (metadata) or its URL
//     (metadataUrl, https only, fetched when used and kept for an hour);
//   - sign-in starts at Warden (SP-initiated): a signed AuthnRequest with a
//     random ID goes to the IdP by the HTTP-Redirect binding, and the
//     response must answer that ID (InResponseTo); responses that answer no
//     request (IdP-initiated) are accepted only when allowIdpInitiated is
//     set;
//   - responses are verified by identity.VerifySAML (signature with the
//     metadata's certificates, exactly one assertion, issuer, recipient and
//     destination, audience, times with skew) and accepted once, on any
//     replica (the store's UseOnce);
//   - the NameID (an email address) is matched to a user of the identity
//     store by email; MFA follows, as for the directory's own sign-in.
//
// The SP's key (RSA-2048, with a self-signed certificate valid ten years)
// is made on first use and kept in the store sealed by the master key, so
// that every replica signs with the same one.
type SAMLSP struct {
	Orgs   Orgs
	Store  store.Store
	Master *creds.Sealer
	Client *http.Client
	Clock  func() time.Time
	// Base is the server's public URL, without a trailing slash.
	Base string

	mu      sync.Mutex
	key     *tls.Certificate
	fetched map[string]fetchedMetadata
}

type fetchedMetadata struct {
	md *org.SAMLMetadata
	at time.Time
}

// Errors of SAML sign-in a page explains.
var (
	ErrNoSAML       = errors.New("the identity source is not a SAML identity provider")
	ErrSAMLNoUser   = errors.New("no user of the identity store has the email address the identity provider sent")
	ErrSAMLReplayed = errors.New("this sign-in response was already used")
	// ErrSAMLRefused: the IdP answered with a status other than Success
	// (a SAMLStatusError says which).
	ErrSAMLRefused = errors.New("the identity provider did not sign the person in")
)

const (
	spKeyPurpose     = "saml-sp"
	metadataLifetime = time.Hour
	maxMetadataBody  = 10 << 20
)

// EntityID is the SP's entity ID (the audience of its assertions).
func (sp *SAMLSP) EntityID() string { return sp.Base + "/saml/metadata" }

// ACSURL is the SP's assertion consumer service (HTTP-POST).
func (sp *SAMLSP) ACSURL() string { return sp.Base + "/saml/acs" }

// IdP is the configured SAML identity provider.
type IdP struct {
	Name              string
	SSOURL            string
	Trust             identity.SAMLTrust
	AllowIdPInitiated bool
}

// Configured reports whether the identity source is a SAML IdP, without
// fetching its metadata.
func (sp *SAMLSP) Configured(ctx context.Context) (string, bool) {
	o, err := sp.Orgs.Org(ctx)
	if err != nil || o.IdentityCenter == nil || o.IdentityCenter.ExternalIdP == nil || o.IdentityCenter.ExternalIdP.Type != "saml" {
		return "", false
	}
	return o.IdentityCenter.ExternalIdP.Name, true
}

// IdP returns the configured identity provider, its metadata read.
func (sp *SAMLSP) IdP(ctx context.Context) (*IdP, error) {
	o, err := sp.Orgs.Org(ctx)
	if err != nil {
		return nil, err
	}
	if o.IdentityCenter == nil || o.IdentityCenter.ExternalIdP == nil || o.IdentityCenter.ExternalIdP.Type != "saml" {
		return nil, ErrNoSAML
	}
	x := o.IdentityCenter.ExternalIdP
	md := x.SAML
	if md == nil {
		if md, err = sp.fetch(ctx, x.MetadataURL); err != nil {
			return nil, err
		}
	}
	if len(md.SSOURLs) == 0 {
		return nil, fmt.Errorf("the metadata of %s names no SingleSignOnService", x.Name)
	}
	return &IdP{Name: x.Name, SSOURL: md.SSOURLs[0], Trust: identity.SAMLTrust{EntityID: md.EntityID, Certs: md.Certs},
		AllowIdPInitiated: x.AllowIdPInitiated}, nil
}

// fetch reads an IdP's metadata from its https:// URL, kept for an hour.
func (sp *SAMLSP) fetch(ctx context.Context, u string) (*org.SAMLMetadata, error) {
	now := sp.Clock()
	sp.mu.Lock()
	if f, ok := sp.fetched[u]; ok && now.Sub(f.at) < metadataLifetime {
		sp.mu.Unlock()
		return f.md, nil
	}
	sp.mu.Unlock()
	if !strings.HasPrefix(u, "https://") {
		return nil, fmt.Errorf("the metadata URL %q is not https://", u)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	hc := sp.Client
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching the identity provider's metadata from %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the identity provider's metadata from %s: %s", u, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataBody+1))
	if err != nil {
		return nil, fmt.Errorf("fetching the identity provider's metadata from %s: %w", u, err)
	}
	md, err := org.ParseSAMLMetadata(string(body))
	if err != nil {
		return nil, fmt.Errorf("the identity provider's metadata at %s: %w", u, err)
	}
	sp.mu.Lock()
	if sp.fetched == nil {
		sp.fetched = map[string]fetchedMetadata{}
	}
	sp.fetched[u] = fetchedMetadata{md: md, at: now}
	sp.mu.Unlock()
	return md, nil
}

// spKeyRecord is the SP's key as stored (sealed by the master key).
type spKeyRecord struct {
	Key  []byte `json:"k"` // PKCS #8
	Cert []byte `json:"c"` // DER
}

// signingKey returns the SP's key and certificate, made on first use. Two
// replicas that make one at once both store theirs, and both then use the
// oldest.
func (sp *SAMLSP) signingKey(ctx context.Context) (*tls.Certificate, error) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.key != nil {
		return sp.key, nil
	}
	keys, err := sp.Store.ServerKeys(ctx, spKeyPurpose)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		k, err := sp.newKey()
		if err != nil {
			return nil, err
		}
		if err := sp.Store.PutServerKey(ctx, k); err != nil {
			return nil, err
		}
		if keys, err = sp.Store.ServerKeys(ctx, spKeyPurpose); err != nil {
			return nil, err
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].Created.Before(keys[j].Created) || keys[i].Created.Equal(keys[j].Created) && keys[i].ID < keys[j].ID
	})
	plain, err := sp.Master.Open(keys[0].Sealed, []byte(spKeyPurpose+":"+keys[0].ID))
	if err != nil {
		return nil, fmt.Errorf("opening the SAML service provider's key: %w", err)
	}
	var rec spKeyRecord
	if err := json.Unmarshal(plain, &rec); err != nil {
		return nil, err
	}
	priv, err := x509.ParsePKCS8PrivateKey(rec.Key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(rec.Cert)
	if err != nil {
		return nil, err
	}
	sp.key = &tls.Certificate{Certificate: [][]byte{rec.Cert}, PrivateKey: priv, Leaf: cert}
	return sp.key, nil
}

func (sp *SAMLSP) newKey() (store.ServerKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return store.ServerKey{}, err
	}
	now := sp.Clock().UTC()
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: sp.EntityID()},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return store.ServerKey{}, err
	}
	pk, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return store.ServerKey{}, err
	}
	plain, _ := json.Marshal(spKeyRecord{Key: pk, Cert: der})
	id := "saml-sp-" + creds.NewSecret()[:16]
	return store.ServerKey{ID: id, Purpose: spKeyPurpose, Sealed: sp.Master.Seal(plain, []byte(spKeyPurpose+":"+id)), Created: now}, nil
}

// provider returns gosaml2's service provider for building requests and
// metadata.
func (sp *SAMLSP) provider(ctx context.Context, idp *IdP) (*saml2.SAMLServiceProvider, error) {
	k, err := sp.signingKey(ctx)
	if err != nil {
		return nil, err
	}
	p := &saml2.SAMLServiceProvider{
		AssertionConsumerServiceURL: sp.ACSURL(), ServiceProviderIssuer: sp.EntityID(), AudienceURI: sp.EntityID(),
		SignAuthnRequests: true, NameIdFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
		IDPCertificateStore: &dsig.MemoryX509CertificateStore{},
	}
	if idp != nil {
		p.IdentityProviderSSOURL, p.IdentityProviderIssuer = idp.SSOURL, idp.Trust.EntityID
		p.IdentityProviderSSOBinding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
	}
	ks := &saml2.KeyStore{Signer: k.PrivateKey.(*rsa.PrivateKey), Cert: k.Certificate[0]}
	if err := p.SetSPKeyStore(ks); err != nil {
		return nil, err
	}
	if err := p.SetSPSigningKeyStore(ks); err != nil {
		return nil, err
	}
	return p, nil
}

// Metadata returns the SP's metadata document.
func (sp *SAMLSP) Metadata(ctx context.Context) ([]byte, error) {
	p, err := sp.provider(ctx, nil)
	if err != nil {
		return nil, err
	}
	ed, err := p.Metadata()
	if err != nil {
		return nil, err
	}
	ed.ValidUntil = sp.Clock().UTC().Add(7 * 24 * time.Hour)
	// The signing certificate only: encrypted assertions are not accepted,
	// so no encryption key is offered to the IdP.
	k, err := sp.signingKey(ctx)
	if err != nil {
		return nil, err
	}
	sd := ed.SPSSODescriptor
	sd.WantAssertionsSigned = true
	sd.NameIDFormats = []string{"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"}
	sd.KeyDescriptors = []types.KeyDescriptor{{Use: "signing", KeyInfo: dsigtypes.KeyInfo{X509Data: dsigtypes.X509Data{
		X509Certificates: []dsigtypes.X509Certificate{{Data: base64.StdEncoding.EncodeToString(k.Certificate[0])}}}}}}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(ed); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// AuthnRequest returns the URL that sends a person to the IdP with a
// signed AuthnRequest (HTTP-Redirect binding) and relayState (at most 80
// bytes, SAML 2.0 Bindings 3.4.3; "" for none), which the IdP returns with
// its response, and the request's ID, which the response must answer.
func (sp *SAMLSP) AuthnRequest(ctx context.Context, relayState string) (redirect, requestID string, err error) {
	if len(relayState) > 80 {
		return "", "", fmt.Errorf("the RelayState has %d bytes, more than SAML's 80", len(relayState))
	}
	idp, err := sp.IdP(ctx)
	if err != nil {
		return "", "", err
	}
	p, err := sp.provider(ctx, idp)
	if err != nil {
		return "", "", err
	}
	p.Clock = dsig.NewFakeClockAt(sp.Clock())
	doc, err := p.BuildAuthRequestDocumentNoSig()
	if err != nil {
		return "", "", err
	}
	requestID = doc.Root().SelectAttrValue("ID", "")
	u, err := p.BuildAuthURLRedirect(relayState, doc)
	return u, requestID, err
}

// SAMLSignIn is a verified sign-in: the identity store's user, the request
// it answers ("" for an IdP-initiated one) and when the IdP authenticated.
type SAMLSignIn struct {
	User         User
	IdP          string // the provider's name in the org file
	InResponseTo string
	AuthnContext string
	Assertion    *identity.SAMLAssertion
	// MFA is set when the IdP's own MFA stands for Warden's (the org trusts
	// it and the AuthnContextClassRef is accepted; TrustedIdPMFA), done at
	// MFATime.
	MFA     bool
	MFATime time.Time
}

// Consume verifies a posted SAMLResponse and matches its NameID to a user.
// It does not know which request the browser made: the caller compares
// InResponseTo with the request its own sign-in state holds.
func (sp *SAMLSP) Consume(ctx context.Context, samlResponse string) (*SAMLSignIn, error) {
	idp, err := sp.IdP(ctx)
	if err != nil {
		return nil, err
	}
	irt, status, err := unverifiedResponse(samlResponse)
	if err != nil {
		return nil, err
	}
	if status.refused() {
		// A refusal grants nothing, signed or not: it is read only to tell
		// the person what the IdP said.
		return nil, status.err()
	}
	want := identity.SAMLExpect{Now: sp.Clock(), InResponseTo: irt,
		Recipient: func(u string) bool { return u == sp.ACSURL() },
		Audience:  func(a string) bool { return a == sp.EntityID() }}
	if irt == "" && !idp.AllowIdPInitiated {
		return nil, errors.New("the response answers no sign-in request of Warden's, and IdP-initiated sign-in is not allowed (allowIdpInitiated)")
	}
	a, err := identity.VerifySAML(samlResponse, idp.Trust, want)
	if err != nil {
		return nil, err
	}
	switch err := sp.Store.UseOnce(ctx, "saml-sso:"+a.Issuer+"|"+a.ID, sp.Clock(), a.NotOnOrAfter.Add(identity.SAMLSkew)); {
	case errors.Is(err, store.ErrExists):
		return nil, ErrSAMLReplayed
	case err != nil:
		return nil, err
	}
	u, err := OrgDirectory{Orgs: sp.Orgs}.UserByEmail(ctx, strings.TrimSpace(a.NameID))
	if errors.Is(err, ErrNoUser) {
		return nil, fmt.Errorf("%w (%s)", ErrSAMLNoUser, a.NameID)
	}
	if err != nil {
		return nil, err
	}
	in := &SAMLSignIn{User: u, IdP: idp.Name, InResponseTo: irt, AuthnContext: a.AuthnContext, Assertion: a}
	o, err := sp.Orgs.Org(ctx)
	if err != nil {
		return nil, err
	}
	in.MFA, in.MFATime = TrustedIdPMFA(o, IdPMFA{AuthnContextClassRef: a.AuthnContext, AuthTime: a.AuthnInstant}, sp.Clock())
	return in, nil
}

// unverifiedResponse reads the response's InResponseTo and status before
// verification: the InResponseTo only so that VerifySAML then requires
// every InResponseTo of the document to equal it (the caller decides
// whether it is the request it made); the status to tell a refusal (SAML
// 2.0 Core 3.2.2.2) from a response to verify.
func unverifiedResponse(samlResponse string) (string, samlStatus, error) {
	var r struct {
		XMLName      xml.Name   `xml:"urn:oasis:names:tc:SAML:2.0:protocol Response"`
		InResponseTo string     `xml:"InResponseTo,attr"`
		Status       samlStatus `xml:"urn:oasis:names:tc:SAML:2.0:protocol Status"`
	}
	if len(samlResponse) > identity.MaxSAMLResponse {
		return "", r.Status, fmt.Errorf("the SAML response has more than %d characters", identity.MaxSAMLResponse)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(samlResponse), ""))
	if err != nil {
		return "", r.Status, errors.New("the SAML response is not base64")
	}
	if err := xml.Unmarshal(raw, &r); err != nil {
		return "", r.Status, errors.New("the SAML response is not a SAML 2.0 Response")
	}
	return r.InResponseTo, r.Status, nil
}

// samlStatus is a response's samlp:Status, as sent (unverified).
type samlStatus struct {
	Code struct {
		Value string `xml:"Value,attr"`
		Sub   struct {
			Value string `xml:"Value,attr"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:protocol StatusCode"`
	} `xml:"urn:oasis:names:tc:SAML:2.0:protocol StatusCode"`
	Message string `xml:"urn:oasis:names:tc:SAML:2.0:protocol StatusMessage"`
}

const samlStatusPrefix = "urn:oasis:names:tc:SAML:2.0:status:"

// refused reports a status code that is there and is not Success.
func (s samlStatus) refused() bool {
	return s.Code.Value != "" && s.Code.Value != samlStatusPrefix+"Success"
}

// SAMLStatusError is an IdP's refusal: its status codes' names (SAML 2.0
// Core 3.2.2.2: Requester, Responder, VersionMismatch; AuthnFailed,
// RequestDenied, NoPassive, ...; "" for one that is not SAML's) and its
// StatusMessage (at most 200 printable characters), as the IdP sent them.
type SAMLStatusError struct {
	Code, SubCode, Message string
}

func (e *SAMLStatusError) Error() string {
	s := ErrSAMLRefused.Error() + ": it answered " + nonEmptyStatus(e.Code)
	if e.SubCode != "" {
		s += " / " + e.SubCode
	}
	if e.Message != "" {
		s += " (" + e.Message + ")"
	}
	return s
}

func (e *SAMLStatusError) Unwrap() error { return ErrSAMLRefused }

func nonEmptyStatus(s string) string {
	if s == "" {
		return "a status that is not SAML's"
	}
	return s
}

// err is the refusal as a SAMLStatusError.
func (s samlStatus) err() *SAMLStatusError {
	name := func(v string) string {
		n, ok := strings.CutPrefix(v, samlStatusPrefix)
		if !ok || n == "" || strings.IndexFunc(n, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
			return ""
		}
		return n
	}
	msg := strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, strings.TrimSpace(s.Message))
	if r := []rune(msg); len(r) > 200 {
		msg = string(r[:200]) + "…"
	}
	return &SAMLStatusError{Code: name(s.Code.Value), SubCode: name(s.Code.Sub.Value), Message: msg}
}
