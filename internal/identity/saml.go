package identity

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/jonboulle/clockwork"
	saml2 "github.com/russellhaering/gosaml2"
	"github.com/russellhaering/gosaml2/types"
	dsig "github.com/russellhaering/goxmldsig"
)

// SAML 2.0 responses (HTTP-POST binding) are verified by gosaml2 and
// goxmldsig, never by hand: the signature of the Response or of its
// Assertion with a certificate of the provider's metadata (one of them
// must be signed; a signed Response's Assertion, if it is signed too, must
// verify as well), XML that survives encoding/xml's round trip, the
// issuer, the bearer subject confirmation, Recipient and Destination. This
// file adds what the library leaves to its caller:
//
//   - exactly one Assertion element anywhere in the document and no
//     EncryptedAssertion (a second, wrapped or moved copy is the classic
//     signature-wrapping attack), and no DEFLATE (the POST binding has none);
//   - Conditions NotBefore and NotOnOrAfter and SubjectConfirmationData
//     NotOnOrAfter, within a small clock skew;
//   - every AudienceRestriction names an accepted audience;
//   - InResponseTo: the request's ID for an SP-initiated sign-in, absent for
//     an IdP-initiated one;
//   - the attribute values as the signed document states them.

// SAMLSkew is the clock skew allowed on an assertion's times.
const SAMLSkew = 2 * time.Minute

// MaxSAMLResponse is the longest base64 SAML response accepted (the
// SAMLAssertion parameter of AssumeRoleWithSAML: 4 to 100,000 characters).
const MaxSAMLResponse = 100000

// SAML errors a caller maps to its codes; others are invalid responses.
var (
	ErrSAMLExpired   = errors.New("the SAML assertion has expired")
	ErrSAMLAudience  = errors.New("the SAML assertion is not for this audience")
	ErrSAMLRecipient = errors.New("the SAML response is not addressed to this service provider")
)

// SAMLTrust is what an identity provider's metadata says: its entity ID
// (the Issuer of its responses) and the certificates it signs with.
type SAMLTrust struct {
	EntityID string
	Certs    []*x509.Certificate
}

// SAMLExpect is what the service provider accepts.
type SAMLExpect struct {
	// Recipient accepts an assertion consumer URL: the Response's
	// Destination (when present) and the SubjectConfirmationData's
	// Recipient must be accepted, and the same.
	Recipient func(url string) bool
	// Audience accepts an audience (the SP's entity IDs).
	Audience func(aud string) bool
	// InResponseTo is the ID of the AuthnRequest this response answers
	// (SP-initiated sign-in); "" accepts only unsolicited responses, unless
	// AnyInResponseTo (AssumeRoleWithSAML, which never sent the request).
	InResponseTo    string
	AnyInResponseTo bool
	Now             time.Time
}

// SAMLAssertion is a verified assertion.
type SAMLAssertion struct {
	ID           string
	Issuer       string
	NameID       string
	NameIDFormat string
	Recipient    string   // the SubjectConfirmationData's Recipient
	Audiences    []string // of its AudienceRestrictions
	// NotOnOrAfter is when the assertion stops being acceptable: the
	// earlier of the Conditions' and the SubjectConfirmationData's.
	NotOnOrAfter time.Time
	// SessionNotOnOrAfter is the AuthnStatement's, zero when absent.
	SessionNotOnOrAfter time.Time
	AuthnInstant        time.Time
	AuthnContext        string // AuthnContextClassRef
	// Attributes are the values of each attribute by Name, in order.
	Attributes map[string][]string
}

// VerifySAML verifies a base64 SAML response from the identity provider
// trust describes and returns its one assertion.
func VerifySAML(encoded string, trust SAMLTrust, want SAMLExpect) (*SAMLAssertion, error) {
	if len(encoded) > MaxSAMLResponse {
		return nil, fmt.Errorf("the SAML response has %d characters; at most %d are accepted", len(encoded), MaxSAMLResponse)
	}
	if len(trust.Certs) == 0 || trust.EntityID == "" {
		return nil, errors.New("no trusted metadata for the identity provider")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(encoded), ""))
	if err != nil {
		return nil, errors.New("the SAML response is not base64")
	}
	recipient, err := precheck(raw, want.Recipient)
	if err != nil {
		return nil, err
	}
	// The library checks each assertion's SubjectConfirmationData
	// NotOnOrAfter and the certificates' validity with this clock; the skew
	// is allowed on the former by setting it back.
	sp := &saml2.SAMLServiceProvider{
		IdentityProviderIssuer:      trust.EntityID,
		AssertionConsumerServiceURL: recipient,
		IDPCertificateStore:         &dsig.MemoryX509CertificateStore{Roots: trust.Certs},
		AllowMissingAttributes:      true,
		MaximumDecompressedBodySize: int64(len(raw)),
		Clock:                       dsig.NewFakeClock(clockwork.NewFakeClockAt(want.Now.Add(-SAMLSkew))),
	}
	resp, err := sp.ValidateEncodedResponse(base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		var inv saml2.ErrInvalidValue
		if errors.As(err, &inv) && inv.Reason == saml2.ReasonExpired {
			return nil, ErrSAMLExpired
		}
		if errors.As(err, &inv) && (inv.Key == saml2.RecipientAttr || inv.Key == saml2.DestinationAttr) {
			return nil, fmt.Errorf("%w: %v", ErrSAMLRecipient, err)
		}
		return nil, fmt.Errorf("the SAML response could not be verified: %v", err)
	}
	if len(resp.Assertions) != 1 || len(resp.EncryptedAssertions) != 0 {
		return nil, fmt.Errorf("the SAML response has %d verified assertions; exactly one is accepted", len(resp.Assertions))
	}
	a := &resp.Assertions[0]
	if !resp.SignatureValidated && !a.SignatureValidated {
		return nil, errors.New("neither the SAML response nor its assertion is signed")
	}
	out := &SAMLAssertion{ID: a.ID, Issuer: a.Issuer.Value, Recipient: recipient, Attributes: map[string][]string{}}
	if out.ID == "" {
		return nil, errors.New("the SAML assertion has no ID")
	}
	if err := checkSubject(a, out, resp.InResponseTo, want); err != nil {
		return nil, err
	}
	if err := checkConditions(a, out, want); err != nil {
		return nil, err
	}
	readStatements(a, out)
	return out, nil
}

// precheck reads the unverified document only to refuse what must never
// reach verification (DEFLATE, a DOCTYPE, several or encrypted assertions)
// and to choose which accepted recipient the library verifies against.
func precheck(raw []byte, accept func(string) bool) (string, error) {
	doc := etree.NewDocument()
	doc.ReadSettings.Permissive = false
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return "", errors.New("the SAML response is not XML (the HTTP-POST binding's response is base64 XML, not DEFLATE-compressed)")
	}
	for _, t := range doc.Child {
		if _, ok := t.(*etree.Directive); ok {
			return "", errors.New("the SAML response has a DOCTYPE declaration")
		}
	}
	var assertions, encrypted int
	var recipient string
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		switch e.Tag {
		case "Assertion":
			assertions++
		case "EncryptedAssertion":
			encrypted++
		case "SubjectConfirmationData":
			if recipient == "" {
				recipient = e.SelectAttrValue("Recipient", "")
			}
		}
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	walk(doc.Root())
	if encrypted > 0 {
		return "", errors.New("the SAML response has an EncryptedAssertion; encrypted assertions are not accepted")
	}
	if assertions != 1 {
		return "", fmt.Errorf("the SAML response has %d Assertion elements; exactly one is accepted", assertions)
	}
	dest := doc.Root().SelectAttrValue("Destination", "")
	switch {
	case dest != "" && !accept(dest):
		return "", fmt.Errorf("%w: Destination %q", ErrSAMLRecipient, dest)
	case !accept(recipient):
		return "", fmt.Errorf("%w: Recipient %q", ErrSAMLRecipient, recipient)
	case dest != "" && dest != recipient:
		return "", fmt.Errorf("%w: Destination %q and Recipient %q differ", ErrSAMLRecipient, dest, recipient)
	}
	return recipient, nil
}

func checkSubject(a *types.Assertion, out *SAMLAssertion, respInResponseTo string, want SAMLExpect) error {
	if a.Subject == nil || a.Subject.NameID == nil || strings.TrimSpace(a.Subject.NameID.Value) == "" {
		return errors.New("the SAML assertion has no Subject NameID")
	}
	out.NameID, out.NameIDFormat = a.Subject.NameID.Value, a.Subject.NameID.Format
	scd := a.Subject.SubjectConfirmation.SubjectConfirmationData // present: the library requires it
	t, err := time.Parse(time.RFC3339, scd.NotOnOrAfter)
	if err != nil {
		return fmt.Errorf("the SubjectConfirmationData's NotOnOrAfter %q is not an xs:dateTime", scd.NotOnOrAfter)
	}
	out.NotOnOrAfter = t.UTC()
	if !want.AnyInResponseTo {
		for _, got := range []string{respInResponseTo, scd.InResponseTo} {
			if got != want.InResponseTo {
				if want.InResponseTo == "" {
					return fmt.Errorf("the SAML response answers request %q, but no sign-in request is pending (IdP-initiated sign-in only)", got)
				}
				return fmt.Errorf("the SAML response answers request %q, not this sign-in's", got)
			}
		}
	}
	return nil
}

func checkConditions(a *types.Assertion, out *SAMLAssertion, want SAMLExpect) error {
	c := a.Conditions
	if c == nil {
		return errors.New("the SAML assertion has no Conditions")
	}
	if c.NotBefore != "" {
		nb, err := time.Parse(time.RFC3339, c.NotBefore)
		if err != nil {
			return fmt.Errorf("the Conditions' NotBefore %q is not an xs:dateTime", c.NotBefore)
		}
		if want.Now.Add(SAMLSkew).Before(nb) {
			return fmt.Errorf("the SAML assertion is not valid before %s", nb.UTC().Format(time.RFC3339))
		}
	}
	if c.NotOnOrAfter != "" {
		na, err := time.Parse(time.RFC3339, c.NotOnOrAfter)
		if err != nil {
			return fmt.Errorf("the Conditions' NotOnOrAfter %q is not an xs:dateTime", c.NotOnOrAfter)
		}
		if na.Before(out.NotOnOrAfter) {
			out.NotOnOrAfter = na.UTC()
		}
	}
	if !want.Now.Add(-SAMLSkew).Before(out.NotOnOrAfter) {
		return ErrSAMLExpired
	}
	if len(c.AudienceRestrictions) == 0 {
		return fmt.Errorf("%w: the assertion has no AudienceRestriction", ErrSAMLAudience)
	}
	for _, r := range c.AudienceRestrictions {
		ok := false
		for _, aud := range r.Audiences {
			v := strings.TrimSpace(aud.Value)
			out.Audiences = append(out.Audiences, v)
			ok = ok || want.Audience(v)
		}
		if !ok {
			return fmt.Errorf("%w: AudienceRestriction %v names none of this service provider's", ErrSAMLAudience, out.Audiences)
		}
	}
	return nil
}

func readStatements(a *types.Assertion, out *SAMLAssertion) {
	if s := a.AuthnStatement; s != nil {
		if s.SessionNotOnOrAfter != nil {
			out.SessionNotOnOrAfter = s.SessionNotOnOrAfter.UTC()
		}
		if s.AuthnInstant != nil {
			out.AuthnInstant = s.AuthnInstant.UTC()
		}
		if s.AuthnContext != nil && s.AuthnContext.AuthnContextClassRef != nil {
			out.AuthnContext = strings.TrimSpace(s.AuthnContext.AuthnContextClassRef.Value)
		}
	}
	if a.AttributeStatement == nil {
		return
	}
	for _, at := range a.AttributeStatement.Attributes {
		for _, v := range at.Values {
			val := v.Value
			if v.NameID != nil {
				val = v.NameID.Value
			}
			out.Attributes[at.Name] = append(out.Attributes[at.Name], strings.TrimSpace(val))
		}
	}
}

// UnverifiedSAMLSubject is the NameID that a base64 SAML response's one
// assertion states, read without verifying anything, "" when there is none
// to read: for the trail, so that a refused assertion's record says whose
// it was. Nothing is decided on it.
func UnverifiedSAMLSubject(encoded string) string {
	if len(encoded) > MaxSAMLResponse {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(encoded), ""))
	if err != nil {
		return ""
	}
	doc := etree.NewDocument()
	doc.ReadSettings.Permissive = false
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return ""
	}
	for _, t := range doc.Child {
		if _, ok := t.(*etree.Directive); ok {
			return ""
		}
	}
	var name string
	var walk func(e *etree.Element, inAssertion, inSubject bool)
	walk = func(e *etree.Element, inAssertion, inSubject bool) {
		if name != "" {
			return
		}
		if e.Tag == "NameID" && inAssertion && inSubject {
			name = strings.TrimSpace(e.Text())
			return
		}
		for _, c := range e.ChildElements() {
			walk(c, inAssertion || e.Tag == "Assertion", inSubject || (inAssertion && e.Tag == "Subject"))
		}
	}
	walk(doc.Root(), false, false)
	return name
}
