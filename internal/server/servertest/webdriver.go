package servertest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Chromium drives Debian's headless Chromium through chromedriver (the W3C
// WebDriver protocol over HTTP), with Chromium's virtual WebAuthn
// authenticators (WebAuthn Level 2 section 11, "WebAuthn WebDriver
// extension"). Tests skip without chromium and chromedriver, unless
// WARDEN_TEST_CHROMIUM=required (.ci/run sets it), where they fail.
type Chromium struct {
	t       testing.TB
	base    string // chromedriver's URL
	session string
	client  *http.Client
}

// StartChromium starts chromedriver and a headless Chromium session; both
// stop at the end of the test.
func StartChromium(t testing.TB) *Chromium {
	t.Helper()
	var bin, driver string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	driver, _ = exec.LookPath("chromedriver")
	if bin == "" || driver == "" {
		if os.Getenv("WARDEN_TEST_CHROMIUM") == "required" {
			t.Fatal("chromium or chromedriver is not installed and WARDEN_TEST_CHROMIUM=required: install Debian's chromium and chromium-driver packages")
		}
		t.Skip("chromium or chromedriver is not installed: install Debian's chromium and chromium-driver packages (as .ci/run does)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, driver, "--port="+strconv.Itoa(port), "--allowed-ips=127.0.0.1")
	OwnProcessGroup(cmd)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	c := &Chromium{t: t, base: "http://127.0.0.1:" + strconv.Itoa(port), client: &http.Client{Timeout: 2 * time.Minute}}
	t.Cleanup(func() {
		if c.session != "" {
			c.do(http.MethodDelete, "", nil)
		}
		cancel()
		cmd.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := c.client.Get(c.base + "/status")
		if err == nil {
			var st struct {
				Value struct{ Ready bool } `json:"value"`
			}
			json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if st.Value.Ready {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromedriver did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond) // polling the driver's readiness
	}
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{"binary": bin, "args": []string{"--headless=new", "--no-sandbox", "--disable-gpu",
			"--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update",
			"--disable-sync", "--hide-scrollbars", "--window-size=1280,900", "--user-data-dir=" + t.TempDir()}},
	}}}
	var out struct {
		SessionID string `json:"sessionId"`
	}
	if err := c.do(http.MethodPost, "/session", caps, &out); err != nil {
		t.Fatalf("new Chromium session: %v\n%s", err, logs.String())
	}
	c.session = out.SessionID
	return c
}

// do sends a command of the session (path after /session/ID) and decodes
// its value into out.
func (c *Chromium) do(method, path string, in any, out ...any) error {
	u := c.base + "/session/" + c.session + path
	if c.session == "" {
		u = c.base + path
	}
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, body)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &env); err != nil {
		return fmt.Errorf("%s %s: %s", method, path, data)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, env.Value)
	}
	if len(out) > 0 {
		return json.Unmarshal(env.Value, out[0])
	}
	return nil
}

func (c *Chromium) must(err error) {
	c.t.Helper()
	if err != nil {
		c.t.Fatal(err)
	}
}

// Open navigates to u.
func (c *Chromium) Open(u string) {
	c.t.Helper()
	c.must(c.do(http.MethodPost, "/url", map[string]any{"url": u}))
}

// Title is the page's first h1, which names the device page's steps.
func (c *Chromium) Title() string { c.t.Helper(); return c.Text("h1") }

const elementKey = "element-6066-11e4-a52e-4f735466cecf"

// find returns an element by CSS selector.
func (c *Chromium) find(css string) (string, error) {
	var el map[string]string
	if err := c.do(http.MethodPost, "/element", map[string]any{"using": "css selector", "value": css}, &el); err != nil {
		return "", err
	}
	return el[elementKey], nil
}

// Text returns an element's text.
func (c *Chromium) Text(css string) string {
	c.t.Helper()
	id, err := c.find(css)
	if err != nil {
		return ""
	}
	var s string
	c.do(http.MethodGet, "/element/"+id+"/text", nil, &s)
	return s
}

// Has reports whether an element exists.
func (c *Chromium) Has(css string) bool { _, err := c.find(css); return err == nil }

// Type types text into an element (after clearing it).
func (c *Chromium) Type(css, text string) {
	c.t.Helper()
	id, err := c.find(css)
	c.must(err)
	c.must(c.do(http.MethodPost, "/element/"+id+"/clear", map[string]any{}))
	c.must(c.do(http.MethodPost, "/element/"+id+"/value", map[string]any{"text": text}))
}

// Click clicks an element.
func (c *Chromium) Click(css string) {
	c.t.Helper()
	id, err := c.find(css)
	c.must(err)
	c.must(c.do(http.MethodPost, "/element/"+id+"/click", map[string]any{}))
}

// Source is the page's HTML as the browser has it.
func (c *Chromium) Source() string {
	var s string
	c.do(http.MethodGet, "/source", nil, &s)
	return s
}

// WaitTitle waits until the page's h1 is want, and fails the test with the
// page's text when it is not within the timeout.
func (c *Chromium) WaitTitle(want string, timeout time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if got := c.Title(); got == want {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("page %q after %v, want %q:\n%s", c.Title(), timeout, want, c.Source())
		}
		time.Sleep(50 * time.Millisecond) // polling the page, which the browser changes on its own
	}
}

// Resize sets the window's size (a laptop, a phone).
func (c *Chromium) Resize(w, h int) {
	c.t.Helper()
	c.must(c.do(http.MethodPost, "/window/rect", map[string]any{"width": w, "height": h}))
}

// Screenshot saves the page as a PNG under dir (WARDEN_SCREENSHOT_DIR when
// set, else a temporary directory) and returns its path and bytes.
func (c *Chromium) Screenshot(name string) (string, []byte) {
	c.t.Helper()
	var b64 string
	c.must(c.do(http.MethodGet, "/screenshot", nil, &b64))
	data, err := base64.StdEncoding.DecodeString(b64)
	c.must(err)
	dir := os.Getenv("WARDEN_SCREENSHOT_DIR")
	if dir == "" {
		dir = c.t.TempDir()
	}
	p := filepath.Join(dir, name+".png")
	c.must(os.WriteFile(p, data, 0o644))
	return p, data
}

// ShootSizes screenshots the page at a laptop's size (1280x900, NAME) and
// a phone's (390x844, NAME-phone), fails the test when a picture looks
// blank (fewer than 8 colours over a grid of every third pixel), and
// leaves the window at the laptop's size.
func (c *Chromium) ShootSizes(name string) {
	c.t.Helper()
	for _, size := range []struct {
		suffix string
		w, h   int
	}{{"", 1280, 900}, {"-phone", 390, 844}} {
		c.Resize(size.w, size.h)
		_, data := c.Screenshot(name + size.suffix)
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			c.t.Fatalf("screenshot %s%s: %v", name, size.suffix, err)
		}
		colours := map[uint32]bool{}
		for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y += 3 {
			for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x += 3 {
				r, g, b, _ := img.At(x, y).RGBA()
				colours[(r>>8)<<16|(g>>8)<<8|b>>8] = true
			}
		}
		if len(colours) < 8 {
			c.t.Errorf("screenshot %s%s looks blank: %d colours", name, size.suffix, len(colours))
		}
	}
	c.Resize(1280, 900)
}

// VirtualAuthenticator is a WebAuthn authenticator Chromium emulates.
type VirtualAuthenticator struct {
	c  *Chromium
	ID string
}

// AddVirtualAuthenticator adds a CTAP2 platform authenticator that keeps
// discoverable credentials (passkeys), verifies its user and consents at
// once.
func (c *Chromium) AddVirtualAuthenticator() *VirtualAuthenticator {
	c.t.Helper()
	var id string
	c.must(c.do(http.MethodPost, "/webauthn/authenticator", map[string]any{"protocol": "ctap2", "transport": "internal",
		"hasResidentKey": true, "hasUserVerification": true, "isUserConsenting": true, "isUserVerified": true}, &id))
	return &VirtualAuthenticator{c: c, ID: id}
}

// VirtualCredential is a credential a virtual authenticator holds.
type VirtualCredential struct {
	CredentialID         string `json:"credentialId"`
	IsResidentCredential bool   `json:"isResidentCredential"`
	RPID                 string `json:"rpId"`
	UserHandle           string `json:"userHandle"`
	SignCount            int    `json:"signCount"`
}

// Credentials lists the authenticator's credentials.
func (a *VirtualAuthenticator) Credentials() []VirtualCredential {
	a.c.t.Helper()
	var out []VirtualCredential
	a.c.must(a.c.do(http.MethodGet, "/webauthn/authenticator/"+a.ID+"/credentials", nil, &out))
	return out
}

// Remove removes the authenticator.
func (a *VirtualAuthenticator) Remove() {
	a.c.t.Helper()
	a.c.must(a.c.do(http.MethodDelete, "/webauthn/authenticator/"+a.ID, nil))
}

// Localhost turns a server URL on 127.0.0.1 into the same on localhost:
// browsers accept a host name, never an IP address, as a WebAuthn relying
// party ID.
func Localhost(u string) string { return strings.Replace(u, "://127.0.0.1:", "://localhost:", 1) }
