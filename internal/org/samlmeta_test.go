package org

import (
	"strings"
	"testing"
)

// FuzzParseSAMLMetadata: any document is read or refused with an error,
// never a panic; a document read has an entity ID and a certificate.
func FuzzParseSAMLMetadata(f *testing.F) {
	pad := strings.Repeat(" ", 1000)
	f.Add(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>MIIB</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>` + pad)
	f.Add(`<!DOCTYPE x [<!ENTITY a "b">]><x/>` + pad)
	f.Add(pad + "<")
	f.Fuzz(func(t *testing.T, doc string) {
		md, err := ParseSAMLMetadata(doc)
		if err == nil && (md.EntityID == "" || len(md.Certs) == 0) {
			t.Errorf("accepted metadata without an entity ID or a certificate: %+v", md)
		}
	})
}
