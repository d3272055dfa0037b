package sts_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/server/servertest"
)

// awsCLI runs Debian's aws CLI v2 (/usr/bin/aws) against a server, with a
// home of its own and no credentials but those a call adds to its
// environment; the test is skipped where the CLI is not installed.
type awsCLI struct {
	t   *testing.T
	h   *servertest.Harness
	env []string
}

func newAWSCLI(t *testing.T, h *servertest.Harness) *awsCLI {
	t.Helper()
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Skip("Debian's aws CLI v2 (/usr/bin/aws) is not installed")
	}
	home := t.TempDir()
	return &awsCLI{t: t, h: h, env: []string{"HOME=" + home, "PATH=/usr/bin:/bin", "AWS_PAGER=", "AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials")}}
}

// run runs a command with the extra environment and returns its output and
// whether it succeeded.
func (c *awsCLI) run(extraEnv []string, args ...string) (string, bool) {
	c.t.Helper()
	cmd := exec.Command("/usr/bin/aws", append([]string{"--endpoint-url", c.h.URL, "--output", "json"}, args...)...)
	cmd.Env = append(append([]string(nil), c.env...), extraEnv...)
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

// json runs a command that must succeed and decodes its output into v.
func (c *awsCLI) json(extraEnv []string, v any, args ...string) {
	c.t.Helper()
	out, ok := c.run(extraEnv, args...)
	if !ok {
		c.t.Fatalf("aws %s: %s", strings.Join(args[:2], " "), out)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		c.t.Fatalf("aws %s: %v\n%s", strings.Join(args[:2], " "), err, out)
	}
}

// sessionEnv is the environment of a session's credentials.
func sessionEnv(keyID, secret, token string) []string {
	return []string{"AWS_ACCESS_KEY_ID=" + keyID, "AWS_SECRET_ACCESS_KEY=" + secret, "AWS_SESSION_TOKEN=" + token}
}

// The aws CLI (Debian's v2) exchanges an assertion of the IdP for a role
// session with `aws sts assume-role-with-saml`, and uses the credentials.
func TestAssumeRoleWithSAMLAWSCLI(t *testing.T) {
	h, idp, _ := samlSetup(t)
	cli := newAWSCLI(t, h)
	var res struct {
		Credentials                                           struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		AssumedRoleUser                                       struct{ Arn string }
		Subject, SubjectType, Issuer, Audience, NameQualifier string
	}
	cli.json(nil, &res, "sts", "assume-role-with-saml", "--role-arn", samlRoleARN, "--principal-arn", samlProvARN,
		"--saml-assertion", idp.SignIn(t, "alice", "correct horse"))
	if res.Subject != "alice@securecart.example" || res.SubjectType != "persistent" || res.Audience != "https://signin.aws.amazon.com/saml" ||
		res.AssumedRoleUser.Arn != "arn:aws:sts::"+samlAccount+":assumed-role/OktaDeveloper/alice@securecart.example" {
		t.Errorf("assume-role-with-saml: %+v", res)
	}
	var id struct{ Arn string }
	cli.json(sessionEnv(res.Credentials.AccessKeyId, res.Credentials.SecretAccessKey, res.Credentials.SessionToken), &id, "sts", "get-caller-identity")
	if id.Arn != res.AssumedRoleUser.Arn {
		t.Errorf("get-caller-identity with the SAML session: %s, want %s", id.Arn, res.AssumedRoleUser.Arn)
	}
}
