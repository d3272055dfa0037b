package cli

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/securecart/warden/internal/audit"
)

// serve writes digests on its cadence while no call arrives and publishes
// each one's anchor to the file beside the data directory, the webhook and
// a syslog server; the last anchor is the digest of the stop, `audit head`
// prints it and `audit verify --anchor` accepts the file.
func TestServeAnchorPublished(t *testing.T) {
	var mu sync.Mutex
	var posted []audit.Anchor
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a audit.Anchor
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &a) != nil {
			t.Errorf("webhook: %s %s %q", r.Method, r.Header.Get("Content-Type"), body)
		}
		mu.Lock()
		posted = append(posted, a)
		mu.Unlock()
	}))
	defer hook.Close()
	// A syslog server: a datagram socket (the path kept short for sun_path).
	sockDir, err := os.MkdirTemp("", "wsl")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(sockDir)
	sock := filepath.Join(sockDir, "log")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var lines []string
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			mu.Lock()
			lines = append(lines, string(buf[:n]))
			mu.Unlock()
		}
	}()

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main([]string{"serve", "--listen", "127.0.0.1:0", "--data", dir, "--audit-digest-interval", "1s",
			"--audit-anchor-webhook", hook.URL, "--audit-anchor-syslog-server", "unixgram://" + sock},
			Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &logs, Now: time.Now, Context: ctx})
	}()
	// Two digests of the cadence with no call: the webhook has both.
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(posted)
		mu.Unlock()
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("the webhook got %d anchors in 30s with a digest every second; log:\n%s", n, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exit %d; log:\n%s", code, logs.String())
	}

	file := audit.DefaultAnchorFile(dir)
	if file != dir+".audit-anchor.json" {
		t.Errorf("anchor file %s, want it beside the data directory %s", file, dir)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the anchor file: %v; log:\n%s", err, logs.String())
	}
	var inFile audit.Anchor
	if err := json.Unmarshal(data, &inFile); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("anchor file mode %v, want 0600", fi.Mode().Perm())
	}
	out, _, code := run(t, "", "audit", "head", "--data", dir, "--format", "json")
	var head audit.Anchor
	if code != 0 || json.Unmarshal([]byte(out), &head) != nil {
		t.Fatalf("audit head: exit %d, %s", code, out)
	}
	mu.Lock()
	last := posted[len(posted)-1]
	nPosted, gotLines := len(posted), append([]string(nil), lines...)
	mu.Unlock()
	// The digest of the stop is the newest: in the file, posted, in syslog.
	if head.Number < 3 || inFile.Hash != head.Hash || inFile.Number != head.Number || last.Hash != head.Hash || !inFile.Time.Equal(head.Time) {
		t.Errorf("audit head %+v; file %+v; last posted %+v (of %d): want the same newest digest, the third or later", head, inFile, last, nPosted)
	}
	found := false
	for _, l := range gotLines {
		if strings.Contains(l, "warden audit anchor: trail ") && strings.Contains(l, "hash "+head.Hash) {
			found = true
		}
	}
	if !found {
		t.Errorf("syslog lines %q, none with the newest anchor %s", gotLines, head.Hash)
	}
	if out, _, code := run(t, "", "audit", "verify", "--data", dir, "--anchor", file); code != 0 || !strings.HasPrefix(out, "trail intact") {
		t.Errorf("verify --anchor %s: exit %d, %s", file, code, out)
	}
}

// The cadence, the sync delay and the syslog server are checked before
// serve starts.
func TestServeAnchorFlagsChecked(t *testing.T) {
	for _, tc := range []struct{ args, want string }{
		{"--audit-digest-interval 500ms", "want 1s or more"},
		{"--audit-sync always", `want "ack" or a positive delay`},
		{"--audit-sync 0s", `want "ack" or a positive delay`},
		{"--audit-sync 2m", `up to 1m`},
		{"--audit-sync 10ms --database postgres://127.0.0.1:1/none", "it applies to the SQLite store"},
		{"--audit-anchor-syslog-server logs.example.com:514", "want NETWORK://ADDRESS"},
		{"--audit-anchor-syslog-server http://logs.example.com", `not "http"`},
		{"--audit-anchor-every -1s", "want 0 (every digest) or a positive interval"},
	} {
		_, stderr, code := run(t, "", append([]string{"serve", "--listen", "127.0.0.1:0", "--data", t.TempDir()}, strings.Fields(tc.args)...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("serve %s: exit %d, stderr %q; want exit 2 with %q", tc.args, code, stderr, tc.want)
		}
	}
}
