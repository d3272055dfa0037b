package portal

import (
	"embed"
	"html/template"
	"log/slog"
	"net/http"
)

// The portal's pages: html/template files in web/, each defining
// "content", rendered inside web/layout.html, styled by web/portal.css
// (served at /start/static/portal.css). No inline script or style: the
// Content-Security-Policy allows neither; the one script is
// /device/webauthn.js (mfa.go).

//go:embed web
var webFS embed.FS

var layoutTmpl = template.Must(template.New("layout").ParseFS(webFS, "web/layout.html"))

// pageTemplate parses one page of web/ inside the layout.
func pageTemplate(name string) *template.Template {
	return template.Must(template.Must(layoutTmpl.Clone()).ParseFS(webFS, "web/"+name+".html"))
}

var (
	signinPage      = pageTemplate("signin")
	accountsPage    = pageTemplate("accounts")
	rolePage        = pageTemplate("role")
	credentialsPage = pageTemplate("credentials")
	messagePage     = pageTemplate("message")
	acsPage         = pageTemplate("acs")
)

var stylesheet, _ = webFS.ReadFile("web/portal.css")

// view is what the layout shows around a page's content.
type view struct {
	Title string
	// Session is the signed-in person (the header's name and sign-out);
	// CSRF is the token every form of the page carries.
	Session *Session
	CSRF    string
	// Message is an error shown above the content, Notice a confirmation.
	Message, Notice string
	// Wide pages (lists) use the full width, Medium ones (snippets to
	// copy) a reading width; forms are narrow.
	Wide, Medium bool
	// Refresh sends the browser on at once (to an identity provider: the
	// page has no script, and form-action limits where forms post).
	Refresh string
	// Script loads /device/webauthn.js, the only script (security keys and
	// passkeys: mfa.go).
	Script bool
	Data   any
}

// messageData is the content of a page that only says something.
type messageData struct {
	Heading        string
	Lines          []string
	Link, LinkText string
}

// contentSecurityPolicy allows the served stylesheet and script
// (webauthn.js) and nothing else: no inline script or style, images only
// as data: URLs (the TOTP QR code), forms post only here, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets the headers of every page: a strict
// Content-Security-Policy, no framing, sniffing, referrer or caching (pages
// carry CSRF tokens, and credentials).
func securityHeaders(w http.ResponseWriter) http.Header {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	return h
}

// renderPage writes a page with status (0: 200).
func renderPage(w http.ResponseWriter, log *slog.Logger, t *template.Template, status int, v view) {
	securityHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if status != 0 {
		w.WriteHeader(status)
	}
	if err := t.ExecuteTemplate(w, "layout", v); err != nil {
		log.Error("portal page", "page", v.Title, "error", err.Error())
	}
}

// serveStylesheet serves web/portal.css.
func serveStylesheet(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(stylesheet)
}
