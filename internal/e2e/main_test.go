// Package e2e tests `warden serve` as a user runs it: the real binary, built
// once per test run, in real processes on loopback ports, driven by the real
// aws-sdk-go-v2 clients and by hand-signed requests, and stopped with real
// signals.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// The SecureCart landing zone's accounts the tests use.
const (
	mgmtAccount = "104729381562"
	devAccount  = "436205817493"
	devAdminARN = "arn:aws:iam::" + devAccount + ":role/OrganizationAccountAccessRole"
	adminARN    = "arn:aws:iam::" + mgmtAccount + ":user/warden-admin"
)

// wardenBin is the binary built by TestMain.
var wardenBin string

func TestMain(m *testing.M) {
	tmp, err := os.MkdirTemp("", "warden-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := 1
	if bin, err := build(tmp); err != nil {
		fmt.Fprintln(os.Stderr, "building warden:", err)
	} else {
		wardenBin = bin
		code = m.Run()
	}
	os.RemoveAll(tmp)
	os.Exit(code)
}

// build runs `go build -o TMP/warden ./cmd/warden` in the module's root.
func build(tmp string) (string, error) {
	root, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			return "", errors.New("no go.mod above the test's directory")
		}
		root = parent
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(tmp, "warden")
	cmd := exec.Command(goCmd, "build", "-o", bin, "./cmd/warden")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%v\n%s", err, out)
	}
	return bin, nil
}

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is one running `warden serve` process.
type server struct {
	t      testing.TB
	cmd    *exec.Cmd
	URL    string // http://127.0.0.1:PORT or https://...
	Addr   string // 127.0.0.1:PORT
	Stderr *lockedBuffer
	Stdout *lockedBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // cmd.Wait's result, set before done closes
}

// startServer runs `warden serve --listen 127.0.0.1:0 --log-format json
// ARGS...` with extra environment variables and waits until it logs the URL
// it serves (a free port chosen by the kernel, so that tests never collide).
func startServer(t testing.TB, env []string, args ...string) *server {
	t.Helper()
	args = append([]string{"serve", "--listen", "127.0.0.1:0", "--log-format", "json"}, args...)
	cmd := exec.Command(wardenBin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WARDEN_MASTER_KEY=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	s := &server{t: t, cmd: cmd, Stderr: &lockedBuffer{}, Stdout: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stderr, cmd.Stdout = s.Stderr, s.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start warden serve: %v", err)
	}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			cmd.Process.Kill()
			<-s.done
		}
	})
	deadline := time.Now().Add(2 * time.Minute) // a start takes seconds; a loaded machine can make it far longer
	for s.URL == "" {
		for _, l := range logLines(t, s.Stderr.String()) {
			if l["msg"] == "serving" {
				s.URL, _ = l["url"].(string)
				_, s.Addr, _ = strings.Cut(s.URL, "://")
			}
		}
		if s.URL != "" {
			break
		}
		select {
		case <-s.done:
			t.Fatalf("warden serve %s exited before serving: %v\n%s", strings.Join(args, " "), s.err, s.Stderr)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("warden serve did not log its URL within 2 minutes:\n%s", s.Stderr)
		}
	}
	return s
}

// logLines parses the JSON log lines written so far (a partial last line is
// left out).
func logLines(t testing.TB, out string) []map[string]any {
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			if strings.HasSuffix(out, sc.Text()) && !strings.HasSuffix(out, "\n") {
				break // still being written
			}
			t.Errorf("log line is not JSON: %q", sc.Text())
			continue
		}
		lines = append(lines, m)
	}
	return lines
}

// stop sends sig and returns the exit code (-1 when killed by a signal).
func (s *server) stop(sig os.Signal) int {
	s.t.Helper()
	s.cmd.Process.Signal(sig)
	return s.wait(time.Minute)
}

// wait waits for the process to exit and returns its exit code.
func (s *server) wait(limit time.Duration) int {
	s.t.Helper()
	select {
	case <-s.done:
	case <-time.After(limit):
		s.t.Fatalf("warden serve still running %v after the signal", limit)
	}
	var ee *exec.ExitError
	switch {
	case s.err == nil:
		return 0
	case errors.As(s.err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -1
		}
		return ee.ExitCode()
	}
	s.t.Fatalf("wait: %v", s.err)
	return 0
}

func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// runWarden runs another warden command and returns its exit code and
// combined output.
func runWarden(t testing.TB, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(wardenBin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatalf("warden %s: %v", strings.Join(args, " "), err)
	}
	return 0, string(out)
}

// readCredentials parses an AWS shared credentials file into its profiles.
func readCredentials(t testing.TB, path string) map[string]map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	profiles := map[string]map[string]string{}
	var cur map[string]string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			cur = map[string]string{}
			profiles[strings.TrimSpace(line[1:len(line)-1])] = cur
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || cur == nil {
				t.Fatalf("%s: not an AWS credentials file line: %q", path, line)
			}
			cur[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return profiles
}

// adminCreds reads the warden-admin profile of DIR/credentials.
func adminCreds(t testing.TB, dir string) aws.Credentials {
	t.Helper()
	p, ok := readCredentials(t, filepath.Join(dir, "credentials"))["warden-admin"]
	if !ok {
		t.Fatalf("%s/credentials has no profile warden-admin", dir)
	}
	c := aws.Credentials{AccessKeyID: p["aws_access_key_id"], SecretAccessKey: p["aws_secret_access_key"], SessionToken: p["aws_session_token"]}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		t.Fatalf("profile warden-admin lacks a key: %v", p["aws_access_key_id"])
	}
	return c
}

func provider(c aws.Credentials) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
}

// httpClient keeps enough idle connections for the concurrent tests.
func httpClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 20 * time.Second}
}

func stsClient(url string, c aws.Credentials, hc *http.Client) *sts.Client {
	return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: provider(c),
		RetryMaxAttempts: 1, HTTPClient: hc})
}

func iamClient(url string, c aws.Credentials, hc *http.Client) *iam.Client {
	return iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: provider(c),
		RetryMaxAttempts: 1, HTTPClient: hc})
}

func orgClient(url string, c aws.Credentials, hc *http.Client) *organizations.Client {
	return organizations.New(organizations.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: provider(c),
		RetryMaxAttempts: 1, HTTPClient: hc})
}

// sessionCreds converts STS credentials.
func sessionCreds(out *sts.AssumeRoleOutput) aws.Credentials {
	c := out.Credentials
	return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}
}

// apiCode is the AWS error code of a client error ("" for nil).
func apiCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "not an API error: " + err.Error()
}

// queryError is AWS's query-protocol error document.
type queryError struct {
	Error struct {
		Type, Code, Message string
	}
	RequestID string `xml:"RequestId"`
}

// do sends a hand-built request and returns its status and body.
func do(t testing.TB, hc *http.Client, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Redacted(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// errorCode parses a query-protocol error body.
func errorCode(t testing.TB, body []byte) queryError {
	t.Helper()
	var e queryError
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Fatalf("not an ErrorResponse: %v\n%s", err, body)
	}
	return e
}

// callerARN parses GetCallerIdentity's XML result.
func callerARN(t testing.TB, body []byte) string {
	t.Helper()
	var r struct {
		Result struct {
			Arn, Account, UserId string
		} `xml:"GetCallerIdentityResult"`
	}
	if err := xml.Unmarshal(body, &r); err != nil {
		t.Fatalf("not a GetCallerIdentityResponse: %v\n%s", err, body)
	}
	return r.Result.Arn
}

// sdkRequestID returns the request ID of an SDK call's result metadata.
func sdkRequestID(t testing.TB, md middleware.Metadata) string {
	t.Helper()
	id, ok := awsmiddleware.GetRequestIDMetadata(md)
	if !ok || id == "" {
		t.Fatal("the response carried no request ID")
	}
	return id
}

func bg() context.Context { return context.Background() }

// sigterm is what a service manager sends to stop the server.
var sigterm os.Signal = syscall.SIGTERM
