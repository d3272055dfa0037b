package org

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// SAMLMetadata is what Warden keeps of an identity provider's SAML 2.0
// metadata document (saml-metadata-2.0-os), as IAM's CreateSAMLProvider
// reads it: the issuer (entityID), the certificates that sign its responses
// and assertions, and the validity the document states.
type SAMLMetadata struct {
	EntityID string
	// Certs are the signing certificates of the IDPSSODescriptor: those of
	// KeyDescriptors with use="signing" or no use.
	Certs []*x509.Certificate
	// ValidUntil is the earliest validUntil of the EntityDescriptor and its
	// IDPSSODescriptor; zero when the document states none.
	ValidUntil time.Time
	// SSOURLs are the locations of the provider's SingleSignOnService.
	SSOURLs []string
}

// Limits of the SAMLMetadataDocument parameter (IAM API reference).
const (
	MinSAMLMetadata = 1000
	MaxSAMLMetadata = 10000000
)

const (
	nsMD = "urn:oasis:names:tc:SAML:2.0:metadata"
	// samlProtocol must be among an IDPSSODescriptor's protocols.
	samlProtocol = "urn:oasis:names:tc:SAML:2.0:protocol"
)

type mdEntity struct {
	XMLName    xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
	EntityID   string   `xml:"entityID,attr"`
	ValidUntil string   `xml:"validUntil,attr"`
	IDPs       []mdIDP  `xml:"urn:oasis:names:tc:SAML:2.0:metadata IDPSSODescriptor"`
}

type mdIDP struct {
	ValidUntil string         `xml:"validUntil,attr"`
	Protocols  string         `xml:"protocolSupportEnumeration,attr"`
	Keys       []mdKey        `xml:"urn:oasis:names:tc:SAML:2.0:metadata KeyDescriptor"`
	SSO        []mdSSOService `xml:"urn:oasis:names:tc:SAML:2.0:metadata SingleSignOnService"`
}

type mdKey struct {
	Use     string `xml:"use,attr"`
	KeyInfo struct {
		X509Data []struct {
			Certs []string `xml:"http://www.w3.org/2000/09/xmldsig# X509Certificate"`
		} `xml:"http://www.w3.org/2000/09/xmldsig# X509Data"`
	} `xml:"http://www.w3.org/2000/09/xmldsig# KeyInfo"`
}

type mdSSOService struct {
	Binding  string `xml:"Binding,attr"`
	Location string `xml:"Location,attr"`
}

// ParseSAMLMetadata reads a SAML 2.0 metadata document: one
// EntityDescriptor with an entityID and one IDPSSODescriptor supporting
// the SAML 2.0 protocol, with at least one signing certificate (X.509,
// base64 DER in ds:X509Certificate). A document with a DOCTYPE is refused
// (no entity expansion), as is one outside the length AWS allows.
func ParseSAMLMetadata(doc string) (*SAMLMetadata, error) {
	if len(doc) < MinSAMLMetadata || len(doc) > MaxSAMLMetadata {
		return nil, fmt.Errorf("the metadata document has %d characters; IAM takes %d to %d", len(doc), MinSAMLMetadata, MaxSAMLMetadata)
	}
	if err := noDoctype(doc); err != nil {
		return nil, err
	}
	var e mdEntity
	if err := xml.Unmarshal([]byte(doc), &e); err != nil {
		return nil, fmt.Errorf("not a SAML 2.0 EntityDescriptor (%s:EntityDescriptor): %v", nsMD, err)
	}
	md := &SAMLMetadata{EntityID: strings.TrimSpace(e.EntityID)}
	if md.EntityID == "" {
		return nil, errors.New("the EntityDescriptor has no entityID")
	}
	if len(e.IDPs) != 1 {
		return nil, fmt.Errorf("the EntityDescriptor has %d IDPSSODescriptor elements; an identity provider's metadata has exactly one", len(e.IDPs))
	}
	idp := e.IDPs[0]
	if !strings.Contains(" "+idp.Protocols+" ", " "+samlProtocol+" ") {
		return nil, fmt.Errorf("the IDPSSODescriptor's protocolSupportEnumeration %q does not include %s", idp.Protocols, samlProtocol)
	}
	for _, v := range []struct{ where, val string }{{"EntityDescriptor", e.ValidUntil}, {"IDPSSODescriptor", idp.ValidUntil}} {
		if v.val == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(v.val))
		if err != nil {
			return nil, fmt.Errorf("the %s's validUntil %q is not an xs:dateTime", v.where, v.val)
		}
		if md.ValidUntil.IsZero() || t.Before(md.ValidUntil) {
			md.ValidUntil = t.UTC()
		}
	}
	for i, k := range idp.Keys {
		if k.Use != "" && k.Use != "signing" {
			continue
		}
		for _, xd := range k.KeyInfo.X509Data {
			for _, c := range xd.Certs {
				der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c), ""))
				if err != nil {
					return nil, fmt.Errorf("KeyDescriptor %d: the X509Certificate is not base64: %v", i+1, err)
				}
				cert, err := x509.ParseCertificate(der)
				if err != nil {
					return nil, fmt.Errorf("KeyDescriptor %d: the X509Certificate is not an X.509 certificate: %v", i+1, err)
				}
				md.Certs = append(md.Certs, cert)
			}
		}
	}
	if len(md.Certs) == 0 {
		return nil, errors.New("the IDPSSODescriptor has no signing certificate (KeyDescriptor use=\"signing\" with ds:KeyInfo/ds:X509Data/ds:X509Certificate)")
	}
	for _, s := range idp.SSO {
		if s.Location != "" {
			md.SSOURLs = append(md.SSOURLs, s.Location)
		}
	}
	return md, nil
}

// noDoctype refuses a document type declaration: metadata needs none, and
// entities are a classic way to smuggle content into XML.
func noDoctype(doc string) error {
	dec := xml.NewDecoder(bytes.NewReader([]byte(doc)))
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("not well-formed XML: %v", err)
		}
		switch tok.(type) {
		case xml.Directive:
			return errors.New("the document has a DOCTYPE declaration; SAML metadata must not")
		case xml.StartElement:
			return nil
		}
	}
}
