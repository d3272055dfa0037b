package sso

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// An IdP's refusal is read without verification, only to be shown: SAML's
// own status names are kept, anything else is dropped; the message is cut
// to 200 printable characters (SAML 2.0 Core 3.2.2.2).
func TestSAMLRefusalStatus(t *testing.T) {
	resp := func(status string) string {
		return base64.StdEncoding.EncodeToString([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="r" InResponseTo="id-1" Version="2.0">` +
			status + `</samlp:Response>`))
	}
	const p = "urn:oasis:names:tc:SAML:2.0:status:"
	for _, c := range []struct {
		name, status         string
		refused              bool
		code, sub, msgPrefix string
	}{
		{"success", `<samlp:Status><samlp:StatusCode Value="` + p + `Success"/></samlp:Status>`, false, "", "", ""},
		{"no status", ``, false, "", "", ""},
		{"AuthnFailed", `<samlp:Status><samlp:StatusCode Value="` + p + `Responder"><samlp:StatusCode Value="` + p + `AuthnFailed"/></samlp:StatusCode>` +
			`<samlp:StatusMessage>Account locked.</samlp:StatusMessage></samlp:Status>`, true, "Responder", "AuthnFailed", "Account locked."},
		{"not SAML's codes", `<samlp:Status><samlp:StatusCode Value="urn:x:evil&lt;b&gt;"><samlp:StatusCode Value="` + p + `Auth nFailed"/></samlp:StatusCode>` +
			`<samlp:StatusMessage>line one&#10;line two&#9;` + strings.Repeat("x", 300) + `</samlp:StatusMessage></samlp:Status>`, true, "", "", "line one line two "},
	} {
		irt, st, err := unverifiedResponse(resp(c.status))
		if err != nil || irt != "id-1" || st.refused() != c.refused {
			t.Errorf("%s: %q %v refused=%v", c.name, irt, err, st.refused())
			continue
		}
		if !c.refused {
			continue
		}
		e := st.err()
		if e.Code != c.code || e.SubCode != c.sub || !strings.HasPrefix(e.Message, c.msgPrefix) || len([]rune(e.Message)) > 201 ||
			strings.ContainsAny(e.Message, "\n\t") || !errors.Is(e, ErrSAMLRefused) {
			t.Errorf("%s: %+v", c.name, e)
		}
	}
}

// A provider's error answer keeps only an error code's characters and a
// printable description of at most 200 characters (OpenID Connect Core
// 3.1.2.6).
func TestOIDCDeniedSanitized(t *testing.T) {
	e := newOIDCDenied("access_denied<script>", "not\nassigned\x07"+strings.Repeat("y", 300))
	if e.Code != "access_deniedscript" || strings.ContainsAny(e.Description, "\n\x07") || len([]rune(e.Description)) > 201 ||
		!strings.HasPrefix(e.Description, "notassigned") || !errors.Is(e, ErrOIDCDenied) {
		t.Errorf("%+v", e)
	}
	if r := newOIDCDenied("access_denied", "").Reason(); !strings.Contains(r, "not allowed to use this application") {
		t.Errorf("access_denied's reason %q", r)
	}
	if r := newOIDCDenied("temporarily_unavailable", "").Reason(); !strings.Contains(r, "not available") {
		t.Errorf("temporarily_unavailable's reason %q", r)
	}
}
