package servertest

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"

	"github.com/securecart/warden/internal/creds"
)

// Person is an Identity Center user signing in at the device page.
type Person struct {
	UserName    string
	Password    string
	NewPassword string // set when Password is a one-time password
	Seed        string // the TOTP seed, once enrolled
	// SkipMFA stops after the password (and new password): a test of what
	// happens without MFA.
	SkipMFA bool
	// RecoveryCodes are the codes shown after the first enrollment.
	RecoveryCodes []string
}

var (
	reCSRF  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	reSeed  = regexp.MustCompile(`Key: <code>([A-Z2-7]+)</code>`)
	reCodes = regexp.MustCompile(`<code>[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}</code>`)
	reAlert = regexp.MustCompile(`role="alert">([^<]*)<`)
	reTitle = regexp.MustCompile(`<h1>([^<]*)</h1>`)
)

// Page is the device page as a browser shows it.
type Page struct {
	Status int
	Title  string
	Alert  string
	CSRF   string
	Body   string
	Header http.Header
	URL    string // where the page was read, after redirects
}

// Browser drives the device page with net/http and a cookie jar.
type Browser struct {
	Client *http.Client
	Base   string
}

// NewBrowser returns a browser for the server at base.
func NewBrowser(base string) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{Client: &http.Client{Jar: jar, Timeout: 30 * time.Second}, Base: base}
}

func readPage(resp *http.Response, err error) (Page, error) {
	if err != nil {
		return Page{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	p := Page{Status: resp.StatusCode, Body: string(b), Header: resp.Header, URL: resp.Request.URL.String()}
	if m := reTitle.FindStringSubmatch(p.Body); m != nil {
		p.Title = html.UnescapeString(m[1])
	}
	if m := reAlert.FindStringSubmatch(p.Body); m != nil {
		p.Alert = html.UnescapeString(m[1])
	}
	if m := reCSRF.FindStringSubmatch(p.Body); m != nil {
		p.CSRF = html.UnescapeString(m[1])
	}
	return p, err
}

// Get opens a URL.
func (b *Browser) Get(u string) (Page, error) { return readPage(b.Client.Get(u)) }

// Post submits the page's form with the page's CSRF token.
func (b *Browser) Post(p Page, form url.Values) (Page, error) {
	if form.Get("csrf") == "" {
		form.Set("csrf", p.CSRF)
	}
	return readPage(b.Client.PostForm(b.Base+"/device", form))
}

// PostTo submits a form to a path of the server (the access portal's
// /start/...), with the page's CSRF token unless form has one.
func (b *Browser) PostTo(path string, p Page, form url.Values) (Page, error) {
	if !form.Has("csrf") {
		form.Set("csrf", p.CSRF)
	}
	return readPage(b.Client.PostForm(b.Base+path, form))
}

// SignIn signs p in to the access portal at /start with the directory's
// password (and a new one when it was a one-time password) and TOTP
// (enrolling an authenticator when the page asks), and returns the
// accounts page.
func (b *Browser) SignIn(p *Person, now func() time.Time) (Page, error) {
	pg, err := b.Get(b.Base + "/start")
	if err != nil {
		return pg, err
	}
	if pg.Title != "Sign in" {
		return pg, fmt.Errorf("portal page %q, want the sign-in", pg.Title)
	}
	pg, err = b.PostTo("/start/signin", pg, url.Values{"username": {p.UserName}, "password": {p.Password}})
	for step := 0; err == nil && step < 6; step++ {
		switch pg.Title {
		case "Choose a new password":
			pg, err = b.PostTo("/start/signin", pg, url.Values{"new_password": {p.NewPassword}, "confirm_password": {p.NewPassword}})
			if err == nil && pg.Alert == "" {
				p.Password, p.NewPassword = p.NewPassword, ""
			}
		case "Set up your authenticator":
			m := reSeed.FindStringSubmatch(pg.Body)
			if m == nil {
				return pg, fmt.Errorf("no TOTP key on the enrollment page")
			}
			c, _ := creds.TOTPCode(m[1], now())
			pg, err = b.PostTo("/start/signin", pg, url.Values{"code": {c}})
			if err == nil && pg.Alert == "" {
				p.Seed = m[1]
			}
		case "Enter your MFA code":
			c, _ := creds.TOTPCode(p.Seed, now())
			pg, err = b.PostTo("/start/signin", pg, url.Values{"code": {c}})
		case "Save your recovery codes":
			p.RecoveryCodes = reCodes.FindAllString(pg.Body, -1)
			for i, c := range p.RecoveryCodes {
				p.RecoveryCodes[i] = strings.TrimSuffix(strings.TrimPrefix(c, "<code>"), "</code>")
			}
			pg, err = b.PostTo("/start/signin", pg, url.Values{})
		case "Your AWS accounts":
			return pg, nil
		default:
			return pg, fmt.Errorf("portal page %q: %s", pg.Title, strings.TrimSpace(pg.Alert))
		}
		if err == nil && pg.Alert != "" {
			return pg, fmt.Errorf("portal page %q: %s", pg.Title, pg.Alert)
		}
	}
	return pg, err
}

// Approve signs p in at verificationURIComplete and allows (or denies)
// the device. It enrolls an authenticator when the page asks, and returns
// the last page.
func (b *Browser) Approve(verificationURIComplete string, p *Person, now func() time.Time, allow bool) (Page, error) {
	pg, err := b.Get(verificationURIComplete)
	if err != nil {
		return pg, err
	}
	code := ""
	if u, err := url.Parse(verificationURIComplete); err == nil {
		code = u.Query().Get("user_code")
	}
	pg, err = b.Post(pg, url.Values{"user_code": {code}, "username": {p.UserName}, "password": {p.Password}})
	for step := 0; err == nil && step < 6; step++ {
		switch pg.Title {
		case "Choose a new password":
			pg, err = b.Post(pg, url.Values{"new_password": {p.NewPassword}, "confirm_password": {p.NewPassword}})
			if err == nil && pg.Alert == "" {
				p.Password, p.NewPassword = p.NewPassword, ""
			}
		case "Set up your authenticator":
			if p.SkipMFA {
				return pg, nil
			}
			m := reSeed.FindStringSubmatch(pg.Body)
			if m == nil {
				return pg, fmt.Errorf("no TOTP key on the enrollment page")
			}
			c, _ := creds.TOTPCode(m[1], now())
			pg, err = b.Post(pg, url.Values{"code": {c}})
			if err == nil && pg.Alert == "" {
				p.Seed = m[1]
			}
		case "Save your recovery codes":
			p.RecoveryCodes = reCodes.FindAllString(pg.Body, -1)
			for i, c := range p.RecoveryCodes {
				p.RecoveryCodes[i] = strings.TrimSuffix(strings.TrimPrefix(c, "<code>"), "</code>")
			}
			pg, err = b.Post(pg, url.Values{})
		case "Enter your MFA code":
			if p.SkipMFA {
				return pg, nil
			}
			c, _ := creds.TOTPCode(p.Seed, now())
			pg, err = b.Post(pg, url.Values{"code": {c}})
		case "Allow access?":
			d := "deny"
			if allow {
				d = "approve"
			}
			return b.Post(pg, url.Values{"decision": {d}})
		default:
			return pg, fmt.Errorf("device page %q: %s", pg.Title, strings.TrimSpace(pg.Alert))
		}
		if err == nil && pg.Alert != "" {
			return pg, fmt.Errorf("device page %q: %s", pg.Title, pg.Alert)
		}
	}
	return pg, err
}

// SignInToken signs a person in with the device flow, as warden login
// does (the SDK's SSO OIDC client and the device page, enrolling an
// authenticator when asked), and returns the access token. The clock then
// moves past the TOTP code used, so that the person's next code is a new
// one.
func (h *Harness) SignInToken(t testing.TB, p *Person) string {
	t.Helper()
	ctx := Ctx(t)
	oc := ssooidc.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(h.URL), Credentials: aws.AnonymousCredentials{},
		Retryer: Retryer})
	reg, err := oc.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String("warden"), ClientType: aws.String("public")})
	if err != nil {
		t.Fatal(err)
	}
	da, err := oc.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		StartUrl: aws.String(h.URL + "/start")})
	if err != nil {
		t.Fatal(err)
	}
	if pg, err := NewBrowser(h.URL).Approve(aws.ToString(da.VerificationUriComplete), p, h.Clock.Now, true); err != nil || pg.Title != "Request approved" {
		t.Fatalf("device page for %s: %q, %v", p.UserName, pg.Title, err)
	}
	h.Clock.Advance(31 * time.Second)
	tok, err := oc.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: da.DeviceCode})
	if err != nil {
		t.Fatalf("CreateToken for %s: %v", p.UserName, err)
	}
	return aws.ToString(tok.AccessToken)
}
