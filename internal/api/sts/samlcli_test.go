package sts_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The aws CLI (Debian's v2) exchanges an assertion of the IdP for a role
// session with `aws sts assume-role-with-saml`, and uses the credentials.
func TestAssumeRoleWithSAMLAWSCLI(t *testing.T) {
	if _, err := os.Stat("/usr/bin/aws"); err != nil {
		t.Skip("Debian's aws CLI v2 (/usr/bin/aws) is not installed")
	}
	h, idp, _ := samlSetup(t)
	home := t.TempDir()
	env := []string{"HOME=" + home, "PATH=/usr/bin:/bin", "AWS_PAGER=", "AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials")}
	aws := func(env []string, v any, args ...string) {
		t.Helper()
		cmd := exec.Command("/usr/bin/aws", append([]string{"--endpoint-url", h.URL, "--output", "json"}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args[:2], err, out)
		}
		if err := json.Unmarshal(out, v); err != nil {
			t.Fatalf("aws %v: %v\n%s", args[:2], err, out)
		}
	}
	var res struct {
		Credentials                                           struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		AssumedRoleUser                                       struct{ Arn string }
		Subject, SubjectType, Issuer, Audience, NameQualifier string
	}
	aws(env, &res, "sts", "assume-role-with-saml", "--role-arn", samlRoleARN, "--principal-arn", samlProvARN,
		"--saml-assertion", idp.SignIn(t, "alice", "correct horse"))
	if res.Subject != "alice@securecart.example" || res.SubjectType != "persistent" || res.Audience != "https://signin.aws.amazon.com/saml" ||
		res.AssumedRoleUser.Arn != "arn:aws:sts::"+samlAccount+":assumed-role/OktaDeveloper/alice@securecart.example" {
		t.Errorf("assume-role-with-saml: %+v", res)
	}
	var id struct{ Arn string }
	aws(append(env, "AWS_ACCESS_KEY_ID="+res.Credentials.AccessKeyId, "AWS_SECRET_ACCESS_KEY="+res.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN="+res.Credentials.SessionToken), &id, "sts", "get-caller-identity")
	if id.Arn != res.AssumedRoleUser.Arn {
		t.Errorf("get-caller-identity with the SAML session: %s, want %s", id.Arn, res.AssumedRoleUser.Arn)
	}
}
