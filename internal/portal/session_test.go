package portal

import (
	"crypto/tls"
	"html/template"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Over TLS (and over HTTP from anywhere but loopback) the session cookie
// is Secure with the __Host- prefix; over loopback HTTP it cannot be
// Secure (it would never come back), so it has no prefix either.
func TestSessionCookieFlags(t *testing.T) {
	for _, c := range []struct {
		name, remote, want string
		tls, secure        bool
	}{
		{"TLS", "203.0.113.9:5555", "__Host-warden-session=", true, true},
		{"TLS on loopback", "127.0.0.1:5555", "__Host-warden-session=", true, true},
		{"HTTP from afar", "203.0.113.9:5555", "__Host-warden-session=", false, true},
		{"loopback HTTP", "127.0.0.1:5555", "warden-session=", false, false},
		{"loopback HTTP v6", "[::1]:5555", "warden-session=", false, false},
		{"behind a local TLS proxy", "127.0.0.1:5555", "__Host-warden-session=", false, true},
	} {
		r := httptest.NewRequest("GET", "/start", nil)
		r.RemoteAddr = c.remote
		if strings.Contains(c.name, "proxy") {
			r.Header.Set("X-Forwarded-Proto", "https")
		}
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		}
		w := httptest.NewRecorder()
		setSessionCookie(w, r, "v", 8*time.Hour)
		got := w.Header().Get("Set-Cookie")
		if !strings.HasPrefix(got, c.want) || strings.Contains(got, "; Secure") != c.secure || !strings.Contains(got, "HttpOnly") ||
			!strings.Contains(got, "SameSite=Lax") || !strings.Contains(got, "Path=/;") || strings.Contains(got, "Domain=") || !strings.Contains(got, "Max-Age=28800") {
			t.Errorf("%s: Set-Cookie %q", c.name, got)
		}
		// A request that carries it opens it under the same name.
		r2 := httptest.NewRequest("GET", "/start", nil)
		r2.RemoteAddr, r2.TLS = r.RemoteAddr, r.TLS
		r2.Header.Set("X-Forwarded-Proto", r.Header.Get("X-Forwarded-Proto"))
		r2.Header.Set("Cookie", strings.SplitN(got, ";", 2)[0])
		if ck, err := r2.Cookie(map[bool]string{true: sessionCookieSecure, false: sessionCookieLoopback}[c.secure]); err != nil || ck.Value != "v" {
			t.Errorf("%s: cookie not read back: %v", c.name, err)
		}
	}
	// Deleting it expires it at once.
	r := httptest.NewRequest("POST", "/start/signout", nil)
	w := httptest.NewRecorder()
	setSessionCookie(w, r, "", 0)
	if got := w.Header().Get("Set-Cookie"); !strings.Contains(got, "Max-Age=0") {
		t.Errorf("deleting: %q", got)
	}
}

// The CSRF token is bound to its session and checked in constant time.
func TestSessionCSRF(t *testing.T) {
	a, b := &Session{ID: randomString()}, &Session{ID: randomString()}
	if a.CSRF() == b.CSRF() || a.CSRF() != a.CSRF() || !a.CheckCSRF(a.CSRF()) || a.CheckCSRF(b.CSRF()) || a.CheckCSRF("") || a.CheckCSRF(a.ID) {
		t.Error("CSRF tokens are not bound to their session")
	}
}

// Every page is rendered in the layout with the served stylesheet, no
// script and no inline style (the CSP allows neither).
func TestPagesHaveNoInlineScriptOrStyle(t *testing.T) {
	for name, tmpl := range map[string]*template.Template{"signin": signinPage, "accounts": accountsPage, "role": rolePage, "credentials": credentialsPage,
		"message": messagePage, "acs": acsPage} {
		w := httptest.NewRecorder()
		renderPage(w, nil, tmpl, 0, view{Title: name, Data: zeroData(name)})
		body := w.Body.String()
		if !strings.Contains(body, `<link rel="stylesheet" href="/start/static/portal.css">`) || strings.Contains(body, "<script") ||
			strings.Contains(body, "<style") || strings.Contains(body, "style=") || strings.Contains(body, "onclick") {
			t.Errorf("%s page: %s", name, body)
		}
		if w.Header().Get("Content-Security-Policy") != contentSecurityPolicy {
			t.Errorf("%s page without the CSP", name)
		}
	}
}

func zeroData(name string) any {
	switch name {
	case "signin":
		return pageData{Step: stepPassword, Action: portalAction, Portal: true}
	case "accounts":
		return accountsData{}
	case "role":
		return roleData{}
	case "credentials":
		return credentialsData{}
	case "acs":
		return idpResultPage{Field: "saml_result", Next: deviceAction}
	}
	return messageData{Heading: "x"}
}
