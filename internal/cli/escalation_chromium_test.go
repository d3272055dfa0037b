package cli

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// chromium finds Debian's headless browser. Without it the test skips,
// unless WARDEN_TEST_CHROMIUM=required (.ci/run sets it), where it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("WARDEN_TEST_CHROMIUM") == "required" {
		t.Fatal("chromium is not installed and WARDEN_TEST_CHROMIUM=required: install Debian's chromium package")
	}
	t.Skip("chromium is not installed: install Debian's chromium package (as .ci/run does) to render the HTML report")
	return ""
}

// runChromium runs headless Chromium as root can, with a fresh profile and
// nothing that calls out to the network.
func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}

// TestEscalationHTMLInChromium renders the HTML report of the twins org
// (with guardrail proofs) in headless Chromium: the screenshot is the size
// asked for and not blank (the page's dark header, its red admin boxes and
// many colours), and the DOM Chromium built holds every path's principal,
// the path count the JSON gives, and each proof's result. The page names
// nothing remote.
func TestEscalationHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	g := writeFile(t, "g.yaml", `guardrails:
  - name: no one in Locked passes roles
    accounts: [Locked]
    except: ["arn:aws:iam::*:role/AdminRole"]
    actions: [iam:PassRole]
  - name: no one in Dev creates access keys
    accounts: [Dev]
    actions: [iam:CreateAccessKey]
`)
	page, stderr, code := run(t, "", "analyze", "escalation", "--org", twinsOrg, "--format", "html", "--guardrails", g)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, bad := range []string{`src="http`, `href="http`, "@import", "url(http"} {
		if strings.Contains(page, bad) {
			t.Errorf("the report refers to something remote: %q", bad)
		}
	}
	if !strings.Contains(page, `Content-Security-Policy" content="default-src 'none'`) {
		t.Error("no strict Content-Security-Policy")
	}
	jsonOut, _, _ := run(t, "", "analyze", "escalation", "--org", twinsOrg, "--format", "json")
	froms := regexp.MustCompile(`"from":"([^"]+)"`).FindAllStringSubmatch(jsonOut, -1)
	if len(froms) < 20 {
		t.Fatalf("%d paths", len(froms))
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, []byte(page), 0o600); err != nil {
		t.Fatal(err)
	}
	url := "file://" + file
	dom := string(runChromium(t, bin, "--dump-dom", url))
	if m := regexp.MustCompile(`id="path-count">(\d+)<`).FindStringSubmatch(dom); m == nil || m[1] != strconv.Itoa(len(froms)) {
		t.Errorf("path count in the DOM %v, want %d", m, len(froms))
	}
	for _, f := range froms {
		if !strings.Contains(dom, "<code>"+f[1]+"</code>") {
			t.Errorf("the DOM lacks the path from %s", f[1])
		}
	}
	if !strings.Contains(dom, `<span class="badge proved">proved</span>`) || !strings.Contains(dom, `<span class="badge refuted">refuted</span>`) {
		t.Error("the DOM lacks the guardrail proofs' results")
	}
	if strings.Count(dom, "<rect ") < len(froms) {
		t.Errorf("the map has %d boxes for %d paths", strings.Count(dom, "<rect "), len(froms))
	}

	shot := filepath.Join(dir, "report.png")
	runChromium(t, bin, "--screenshot="+shot, "--window-size=1280,1600", url)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 1600 {
		t.Fatalf("screenshot %v, want 1280x1600", b)
	}
	colours, dark, red := map[uint32]bool{}, 0, 0
	for y := 0; y < 1600; y += 2 {
		for x := 0; x < 1280; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			r, g, b = r>>8, g>>8, b>>8
			colours[r<<16|g<<8|b] = true
			if r < 40 && g < 50 && b < 60 {
				dark++
			}
			if r > 150 && g < 60 && b < 60 {
				red++
			}
		}
	}
	if len(colours) < 50 || dark < 5000 || red < 200 {
		t.Errorf("the screenshot looks blank or unstyled: %d colours, %d dark pixels (header), %d red (admin boxes)", len(colours), dark, red)
	}
	if d := os.Getenv("WARDEN_SCREENSHOT_DIR"); d != "" {
		data, _ := os.ReadFile(shot)
		_ = os.WriteFile(filepath.Join(d, "escalation-report.png"), data, 0o644)
	}
}
