package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/securecart/warden/internal/server/servertest"
)

// A minimal W3C WebDriver client for Debian's chromedriver driving headless
// Chromium: enough to open pages, fill and submit forms, read text and
// cookies, and take screenshots at laptop and phone sizes.

// browserBinaries finds chromium and chromedriver. Without them the test
// skips, unless WARDEN_TEST_CHROMIUM=required (.ci/run sets it), where it
// fails.
func browserBinaries(t *testing.T) (string, string) {
	t.Helper()
	bin, err1 := exec.LookPath("chromium")
	drv, err2 := exec.LookPath("chromedriver")
	if err1 != nil || err2 != nil {
		if os.Getenv("WARDEN_TEST_CHROMIUM") == "required" {
			t.Fatal("chromium or chromedriver is not installed and WARDEN_TEST_CHROMIUM=required: apt-get install chromium chromium-driver")
		}
		t.Skip("chromium and chromedriver are not installed: apt-get install chromium chromium-driver")
	}
	return bin, drv
}

type webDriver struct {
	t       *testing.T
	base    string // http://127.0.0.1:PORT/session/ID
	hc      *http.Client
	shots   string // where screenshots go
	shotSeq int
}

// elementKey is the W3C element reference's key.
const elementKey = "element-6066-11e4-a52e-4f735466cecf"

// startBrowser starts chromedriver on a free loopback port and a headless
// Chromium session with a fresh profile, ended when the test ends. args
// are more Chromium switches (a test CA's certificate pinned by
// --ignore-certificate-errors-spki-list).
func startBrowser(t *testing.T, args ...string) *webDriver {
	t.Helper()
	bin, drv := browserBinaries(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	// The driver lives as long as the test; cancel kills it with the
	// Chromium it started (servertest.OwnProcessGroup).
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, drv, "--port="+strconv.Itoa(port), "--allowed-ips=127.0.0.1")
	servertest.OwnProcessGroup(cmd)
	var logs lockedBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	root := "http://127.0.0.1:" + strconv.Itoa(port)
	hc := &http.Client{Timeout: 2 * time.Minute}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := hc.Get(root + "/status")
		if err == nil {
			var st struct{ Value struct{ Ready bool } }
			json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if st.Value.Ready {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromedriver not ready within 60 s: %v\n%s", err, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{"binary": bin, "args": append([]string{"--headless=new", "--no-sandbox", "--disable-gpu",
			"--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--hide-scrollbars", "--window-size=1280,900", "--user-data-dir=" + t.TempDir()}, args...)},
	}}}
	w := &webDriver{t: t, hc: hc, base: root}
	var sess struct{ SessionID string }
	w.call("POST", "/session", caps, &sess)
	if sess.SessionID == "" {
		t.Fatalf("no WebDriver session:\n%s", logs.String())
	}
	w.base = root + "/session/" + sess.SessionID
	t.Cleanup(func() { w.call("DELETE", "", nil, nil) })
	w.shots = os.Getenv("WARDEN_SCREENSHOT_DIR")
	if w.shots == "" {
		w.shots = t.TempDir()
	}
	return w
}

// call makes one WebDriver request and decodes its value into out.
func (w *webDriver) call(method, path string, in, out any) {
	w.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	url := w.base + path
	req, _ := http.NewRequest(method, url, body)
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.hc.Do(req)
	if err != nil {
		w.t.Fatalf("WebDriver %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		w.t.Fatalf("WebDriver %s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		var v struct{ Value json.RawMessage }
		if err := json.Unmarshal(data, &v); err != nil {
			w.t.Fatalf("WebDriver %s %s: %v", method, path, err)
		}
		if err := json.Unmarshal(v.Value, out); err != nil {
			w.t.Fatalf("WebDriver %s %s value: %v: %s", method, path, err, v.Value)
		}
	}
}

func (w *webDriver) open(url string) {
	w.t.Helper()
	w.call("POST", "/url", map[string]string{"url": url}, nil)
}

func (w *webDriver) title() string {
	var s string
	w.call("GET", "/title", nil, &s)
	return s
}

func (w *webDriver) url() string {
	var s string
	w.call("GET", "/url", nil, &s)
	return s
}

// find returns the element a CSS selector finds (the test fails without one).
func (w *webDriver) find(css string) string {
	w.t.Helper()
	var els []map[string]string
	w.call("POST", "/elements", map[string]string{"using": "css selector", "value": css}, &els)
	if len(els) == 0 {
		var src string
		w.call("GET", "/source", nil, &src)
		w.t.Fatalf("no element %q on %q:\n%s", css, w.title(), src)
	}
	if els[0][elementKey] == "" {
		w.t.Fatalf("element reference %v", els[0])
	}
	return els[0][elementKey]
}

// has reports whether a CSS selector finds an element.
func (w *webDriver) has(css string) bool {
	var els []map[string]string
	w.call("POST", "/elements", map[string]string{"using": "css selector", "value": css}, &els)
	return len(els) > 0
}

func (w *webDriver) text(css string) string {
	w.t.Helper()
	var s string
	w.call("GET", "/element/"+w.find(css)+"/text", nil, &s)
	return s
}

func (w *webDriver) css(css, property string) string {
	w.t.Helper()
	var s string
	w.call("GET", "/element/"+w.find(css)+"/css/"+property, nil, &s)
	return s
}

func (w *webDriver) typeInto(css, text string) {
	w.t.Helper()
	el := w.find(css)
	w.call("POST", "/element/"+el+"/clear", map[string]any{}, nil)
	w.call("POST", "/element/"+el+"/value", map[string]string{"text": text}, nil)
}

// click clicks an element and, when that leaves the page (a link, a
// form's button), waits until the next page has loaded: the old document
// is marked first, so that a read never sees it.
func (w *webDriver) click(css string) {
	w.t.Helper()
	w.script(`document.documentElement.dataset.wdOld = "1"`)
	w.call("POST", "/element/"+w.find(css)+"/click", map[string]any{}, nil)
	deadline := time.Now().Add(60 * time.Second)
	for {
		var loaded bool
		w.call("POST", "/execute/sync", map[string]any{"script": `return !document.documentElement.dataset.wdOld && document.readyState === "complete"`, "args": []any{}}, &loaded)
		if loaded {
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("clicking %q loaded no page within 60 s", css)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// script runs JavaScript through WebDriver (not the page: the page's CSP
// allows none), for the negative twins that tamper with a form.
func (w *webDriver) script(js string) {
	w.t.Helper()
	w.call("POST", "/execute/sync", map[string]any{"script": js, "args": []any{}}, nil)
}

type webCookie struct {
	Name, Value, Path, SameSite string
	HTTPOnly                    bool `json:"httpOnly"`
	Secure                      bool
}

func (w *webDriver) cookies() []webCookie {
	var cs []webCookie
	w.call("GET", "/cookie", nil, &cs)
	return cs
}

// cdp sends a Chrome DevTools command (device emulation).
func (w *webDriver) cdp(cmd string, params map[string]any) {
	w.t.Helper()
	w.call("POST", "/goog/cdp/execute", map[string]any{"cmd": cmd, "params": params}, nil)
}

// screenshots saves the page at a laptop's size and at a phone's
// (390 CSS pixels wide, as an iPhone), full height, as NN-name-laptop.png
// and NN-name-phone.png, and returns their paths.
func (w *webDriver) screenshots(name string) []string {
	w.t.Helper()
	w.shotSeq++
	var paths []string
	for _, size := range []struct {
		label         string
		width, height int
		mobile        bool
		scale         float64
	}{{"laptop", 1280, 900, false, 1}, {"phone", 390, 844, true, 2}} {
		var h float64
		w.cdp("Emulation.setDeviceMetricsOverride", map[string]any{"width": size.width, "height": size.height, "deviceScaleFactor": size.scale, "mobile": size.mobile})
		w.call("POST", "/execute/sync", map[string]any{"script": "return document.documentElement.scrollHeight", "args": []any{}}, &h)
		if int(h) > size.height {
			w.cdp("Emulation.setDeviceMetricsOverride", map[string]any{"width": size.width, "height": int(h), "deviceScaleFactor": size.scale, "mobile": size.mobile})
		}
		var b64 string
		w.call("GET", "/screenshot", nil, &b64)
		png, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(png) < 1000 {
			w.t.Fatalf("screenshot of %s (%s): %v, %d bytes", name, size.label, err, len(png))
		}
		p := filepath.Join(w.shots, fmt.Sprintf("portal-%02d-%s-%s.png", w.shotSeq, name, size.label))
		if err := os.WriteFile(p, png, 0o644); err != nil {
			w.t.Fatal(err)
		}
		paths = append(paths, p)
	}
	w.cdp("Emulation.clearDeviceMetricsOverride", map[string]any{})
	return paths
}
