package e2e

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/sigv4"
)

// stopWithRequestInFlight starts a signed GetCallerIdentity on its own
// connection, sends SIGTERM while the server is still reading its body,
// checks that the server stops accepting connections but waits, then
// finishes the request and checks that it is answered and that the process
// exits 0.
func stopWithRequestInFlight(t *testing.T, srv *server, c aws.Credentials, wantARN string) {
	t.Helper()
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	req, err := http.NewRequest("POST", srv.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := sigv4.Sign(req, []byte(body), sigv4.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}, "us-east-1", "sts", time.Now()); err != nil {
		t.Fatal(err)
	}
	var wire bytes.Buffer
	if err := req.Write(&wire); err != nil {
		t.Fatal(err)
	}
	raw := wire.Bytes()
	conn, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Headers and most of the body: the request is in flight.
	if _, err := conn.Write(raw[:len(raw)-8]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// It stops accepting...
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", srv.Addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections 30 s after SIGTERM")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// ...but waits for the request in flight.
	time.Sleep(100 * time.Millisecond)
	if srv.exited() {
		t.Fatalf("exited with a request in flight:\n%s", srv.Stderr)
	}
	if _, err := conn.Write(raw[len(raw)-8:]); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(time.Minute))
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v", err)
	}
	got := readAll(t, resp)
	if resp.StatusCode != 200 || callerARN(t, []byte(got)) != wantARN {
		t.Errorf("the request in flight: %d, want 200 with Arn %s:\n%s", resp.StatusCode, wantARN, got)
	}
	if code := srv.wait(time.Minute); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0:\n%s", code, srv.Stderr)
	}
}

// TestFirstStartAndRestart checks the first start's credentials file, that
// no secret reaches the logs, a graceful stop with a request in flight, and
// that a second start on the same directory keeps the state and the file.
func TestFirstStartAndRestart(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data") // not there yet: serve makes it
	srv := startServer(t, nil, "--data", dir, "--log-level", "debug")
	credFile := filepath.Join(dir, "credentials")

	// The credentials file: 0600, one profile warden-admin with the key of
	// the management account's IAM user warden-admin.
	fi, err := os.Stat(credFile)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", credFile, fi.Mode().Perm())
	}
	if fi, err := os.Stat(filepath.Join(dir, "master.key")); err != nil {
		t.Error(err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Errorf("master.key has mode %v, want 0600", fi.Mode().Perm())
	}
	profiles := readCredentials(t, credFile)
	if len(profiles) != 1 {
		t.Errorf("profiles %v, want only warden-admin", len(profiles))
	}
	admin := adminCreds(t, dir)
	if !strings.HasPrefix(admin.AccessKeyID, "AKIA") || len(admin.AccessKeyID) != 20 || len(admin.SecretAccessKey) != 40 {
		t.Errorf("key %s with a %d-character secret, want AKIA... (20) and 40", admin.AccessKeyID, len(admin.SecretAccessKey))
	}
	fileBefore, err := os.ReadFile(credFile)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/healthz: %d, want 200", resp.StatusCode)
	}

	// Use it: the key is warden-admin's, an administrator of the management
	// account; create a role and an access key, and take a session.
	hc := httpClient()
	me, err := stsClient(srv.URL, admin, hc).GetCallerIdentity(bg(), &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(me.Arn) != adminARN {
		t.Fatalf("GetCallerIdentity with warden-admin: %v, %v", err, me)
	}
	ic := iamClient(srv.URL, admin, hc)
	const role = "KeptAcrossRestarts"
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmtAccount + `:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := ic.CreateRole(bg(), &iam.CreateRoleInput{RoleName: aws.String(role), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	ak, err := ic.CreateAccessKey(bg(), &iam.CreateAccessKeyInput{})
	if err != nil {
		t.Fatalf("CreateAccessKey: %v", err)
	}
	newKey := aws.Credentials{AccessKeyID: aws.ToString(ak.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(ak.AccessKey.SecretAccessKey)}
	sess, err := stsClient(srv.URL, admin, hc).AssumeRole(bg(), &sts.AssumeRoleInput{RoleArn: aws.String(devAdminARN), RoleSessionName: aws.String("first")})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	session := sessionCreds(sess)
	hc.CloseIdleConnections()

	stopWithRequestInFlight(t, srv, admin, adminARN)

	secrets := map[string]string{"the administrator's secret": admin.SecretAccessKey, "a created key's secret": newKey.SecretAccessKey,
		"a session's secret": session.SecretAccessKey, "a session token": session.SessionToken}
	checkLogs := func(srv *server) {
		t.Helper()
		for name, s := range secrets {
			if strings.Contains(srv.Stderr.String(), s) || strings.Contains(srv.Stdout.String(), s) {
				t.Errorf("%s appears in the server's output", name)
			}
		}
		if srv.Stdout.String() != "" {
			t.Errorf("serve wrote to stdout: %q", srv.Stdout)
		}
	}
	checkLogs(srv)
	var wrote, requests int
	for _, l := range logLines(t, srv.Stderr.String()) {
		switch l["msg"] {
		case "new store: wrote the administrator's credentials":
			wrote++
			if l["access_key_id"] != admin.AccessKeyID || l["profile"] != "warden-admin" {
				t.Errorf("the first start's log line names %v, profile %v; want %s, warden-admin", l["access_key_id"], l["profile"], admin.AccessKeyID)
			}
		case "request":
			requests++
		}
	}
	if wrote != 1 || requests < 5 {
		t.Errorf("the first start logged %d credentials lines and %d request lines, want 1 and at least 5:\n%s", wrote, requests, srv.Stderr)
	}

	// A second start on the same directory keeps everything.
	srv2 := startServer(t, nil, "--data", dir, "--log-level", "debug")
	fileAfter, err := os.ReadFile(credFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fileAfter, fileBefore) {
		t.Errorf("the second start rewrote %s", credFile)
	}
	if fi2, err := os.Stat(credFile); err != nil || !fi2.ModTime().Equal(fi.ModTime()) || fi2.Mode().Perm() != 0o600 {
		t.Errorf("the second start touched %s: %v", credFile, err)
	}
	if strings.Contains(srv2.Stderr.String(), "wrote the administrator's credentials") {
		t.Errorf("the second start logs writing credentials:\n%s", srv2.Stderr)
	}
	hc = httpClient()
	got, err := iamClient(srv2.URL, admin, hc).GetRole(bg(), &iam.GetRoleInput{RoleName: aws.String(role)})
	if err != nil {
		t.Fatalf("GetRole %s after the restart: %v", role, err)
	}
	if want := "arn:aws:iam::" + mgmtAccount + ":role/" + role; aws.ToString(got.Role.Arn) != want {
		t.Errorf("role %s, want %s", aws.ToString(got.Role.Arn), want)
	}
	if _, err := stsClient(srv2.URL, admin, hc).AssumeRole(bg(), &sts.AssumeRoleInput{RoleArn: got.Role.Arn, RoleSessionName: aws.String("again")}); err != nil {
		t.Errorf("AssumeRole into the kept role: %v", err)
	}
	for name, c := range map[string]aws.Credentials{"the created key": newKey, "the session from before": session} {
		if _, err := stsClient(srv2.URL, c, hc).GetCallerIdentity(bg(), &sts.GetCallerIdentityInput{}); err != nil {
			t.Errorf("%s after the restart: %v", name, err)
		}
	}
	hc.CloseIdleConnections()
	if code := srv2.stop(sigterm); code != 0 {
		t.Errorf("SIGTERM: exit %d, want 0", code)
	}
	checkLogs(srv2)
}
