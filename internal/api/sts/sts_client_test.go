package sts_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/server/servertest"
	"github.com/securecart/warden/internal/sigv4"
	"github.com/securecart/warden/internal/state"
)

const (
	mgmt = "104729381562"
	dev  = "436205817493"
	prod = "654827139045"
)

func client(h *servertest.Harness, keyID, secret, token string) *sts.Client {
	return sts.NewFromConfig(h.Config(keyID, secret, token))
}

func apiCode(t *testing.T, err error) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an AWS API error", err)
	}
	return ae.ErrorCode()
}

func assumeOAAR(t *testing.T, h *servertest.Harness, account string) *types.Credentials {
	t.Helper()
	out, err := client(h, "", "", "").AssumeRole(servertest.Ctx(t), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("admin")})
	if err != nil {
		t.Fatalf("AssumeRole OrganizationAccountAccessRole in %s: %v", account, err)
	}
	return out.Credentials
}

func TestGetCallerIdentityAndAssumeRole(t *testing.T) {
	h := servertest.Start(t, servertest.Options{})
	ctx := servertest.Ctx(t)
	id, err := client(h, "", "", "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(id.Arn), "arn:aws:iam::"+mgmt+":user/warden-admin"; got != want || aws.ToString(id.Account) != mgmt || !strings.HasPrefix(aws.ToString(id.UserId), "AIDA") {
		t.Errorf("GetCallerIdentity = %s %s %s, want %s", aws.ToString(id.Arn), aws.ToString(id.Account), aws.ToString(id.UserId), want)
	}
	c := assumeOAAR(t, h, dev)
	if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || len(aws.ToString(c.AccessKeyId)) != 20 || len(aws.ToString(c.SecretAccessKey)) != 40 {
		t.Errorf("credentials have the wrong shape: %s / %d characters", aws.ToString(c.AccessKeyId), len(aws.ToString(c.SecretAccessKey)))
	}
	if got := c.Expiration.Sub(h.Clock.Now()); got != time.Hour {
		t.Errorf("default session lasts %v, want 1h", got)
	}
	sid, err := client(h, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(sid.Arn), "arn:aws:sts::"+dev+":assumed-role/OrganizationAccountAccessRole/admin"; got != want {
		t.Errorf("session ARN %s, want %s", got, want)
	}
	if !strings.HasPrefix(aws.ToString(sid.UserId), "AROA") || !strings.HasSuffix(aws.ToString(sid.UserId), ":admin") {
		t.Errorf("session UserId %s", aws.ToString(sid.UserId))
	}
	info, err := client(h, "", "", "").GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: c.AccessKeyId})
	if err != nil || aws.ToString(info.Account) != dev {
		t.Errorf("GetAccessKeyInfo = %v, %v; want %s", info, err, dev)
	}
}

// The SecureCart DeploymentRole trusts only the CI/CD pipeline role; the
// management account's administrator is refused by the trust policy, and DecodeAuthorizationMessage
// explains why.
func TestAssumeRoleDeniedByTrust(t *testing.T) {
	h := servertest.Start(t, servertest.Options{})
	ctx := servertest.Ctx(t)
	_, err := client(h, "", "", "").AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + prod + ":role/DeploymentRole"), RoleSessionName: aws.String("x1")})
	if code := apiCode(t, err); code != "AccessDenied" {
		t.Fatalf("error %v, want AccessDenied", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::"+prod+":role/DeploymentRole") {
		t.Errorf("message %q", msg)
	}
	_, enc, ok := strings.Cut(msg, "Encoded authorization failure message: ")
	if !ok {
		t.Fatalf("no encoded message in %q", msg)
	}
	enc = strings.Fields(enc)[0]
	dec, err := client(h, "", "", "").DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(enc)})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"allowed":false`, `"deniedBy":"trust"`, `"action":"sts:AssumeRole"`} {
		if !strings.Contains(aws.ToString(dec.DecodedMessage), want) {
			t.Errorf("decoded message lacks %s: %s", want, aws.ToString(dec.DecodedMessage))
		}
	}
	if _, err := client(h, "", "", "").DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(enc[:len(enc)-4] + "AAAA")}); apiCode(t, err) != "InvalidAuthorizationMessageException" {
		t.Errorf("altered message: %v", err)
	}
}

// alter changes the character at i to another one (a fixed replacement
// would leave the token as it was when it already held that character).
func alter(tok string, i int) string {
	c := byte('A')
	if tok[i] == c {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}

func TestNegativeMatrix(t *testing.T) {
	h := servertest.Start(t, servertest.Options{})
	ctx := servertest.Ctx(t)
	roleARN := "arn:aws:iam::" + dev + ":role/OrganizationAccountAccessRole"
	gci := func(keyID, secret, token string) error {
		_, err := client(h, keyID, secret, token).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		return err
	}
	c := assumeOAAR(t, h, dev)
	other := assumeOAAR(t, h, prod)
	wrong := strings.Repeat("x", 40)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"wrong secret", gci(h.AdminKeyID, wrong, ""), "SignatureDoesNotMatch"},
		{"unknown key", gci("AKIAAAAAAAAAAAAAAAAA", wrong, ""), "InvalidClientTokenId"},
		{"temporary key without its token", gci(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), ""), "InvalidClientTokenId"},
		{"another session's token", gci(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(other.SessionToken)), "InvalidClientTokenId"},
		{"altered token", gci(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), alter(aws.ToString(c.SessionToken), 60)), "InvalidClientTokenId"},
		{"long-term key with a session token", gci(h.AdminKeyID, h.AdminSecret, aws.ToString(c.SessionToken)), "InvalidClientTokenId"},
	}
	for _, d := range []int32{899, 43201} {
		_, err := client(h, "", "", "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("d"), DurationSeconds: aws.Int32(d)})
		tests = append(tests, struct {
			name string
			err  error
			want string
		}{fmt.Sprintf("DurationSeconds %d", d), err, "ValidationError"})
	}
	var tags []types.Tag
	for i := 0; i < 51; i++ {
		tags = append(tags, types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
	}
	_, err := client(h, "", "", "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("t"), Tags: tags})
	tests = append(tests, struct {
		name string
		err  error
		want string
	}{"51 session tags", err, "ValidationError"})
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 2100) + `"}]}`
	_, err = client(h, "", "", "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("p"), Policy: aws.String(big)})
	tests = append(tests, struct {
		name string
		err  error
		want string
	}{"session policy over 2,048 characters", err, "ValidationError"})
	_, err = client(h, "", "", "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("pp"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Actionn":"s3:*","Resource":"*"}]}`)})
	tests = append(tests, struct {
		name string
		err  error
		want string
	}{"malformed session policy", err, "MalformedPolicyDocument"})
	for _, tt := range tests {
		if tt.err == nil {
			t.Errorf("%s: no error, want %s", tt.name, tt.want)
			continue
		}
		if got := apiCode(t, tt.err); got != tt.want {
			t.Errorf("%s: %s (%v), want %s", tt.name, got, tt.err, tt.want)
		}
	}

	// The session expires by the injected clock. The request is signed at
	// the server's time, so only the session's age is at fault.
	h.Clock.Advance(61 * time.Minute)
	body := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}.Encode()
	req, _ := http.NewRequest("POST", h.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sc := sigv4.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}
	if err := sigv4.Sign(req, []byte(body), sc, "us-east-1", "sts", h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(out), "<Code>ExpiredToken</Code>") {
		t.Errorf("expired session: %d %s, want ExpiredToken", resp.StatusCode, out)
	}
}

// Requests signed by hand: clock skew and a body changed after signing.
func TestHandSignedRequests(t *testing.T) {
	h := servertest.Start(t, servertest.Options{})
	cred := sigv4.Credentials{AccessKeyID: h.AdminKeyID, SecretAccessKey: h.AdminSecret}
	send := func(body string, signedBody string, at time.Time) (int, string) {
		req, _ := http.NewRequest("POST", h.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		if err := sigv4.Sign(req, []byte(signedBody), cred, "us-east-1", "sts", at); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	body := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}.Encode()
	now := h.Clock.Now()
	if code, out := send(body, body, now); code != 200 || !strings.Contains(out, "<Arn>arn:aws:iam::"+mgmt+":user/warden-admin</Arn>") {
		t.Fatalf("signed now: %d %s", code, out)
	}
	for _, skew := range []time.Duration{-16 * time.Minute, 16 * time.Minute} {
		code, out := send(body, body, now.Add(skew))
		if code != 403 || !strings.Contains(out, "<Code>SignatureDoesNotMatch</Code>") || !strings.Contains(out, "Signature") {
			t.Errorf("signed %v away: %d %s", skew, code, out)
		}
	}
	for _, skew := range []time.Duration{-14 * time.Minute, 14 * time.Minute} {
		if code, out := send(body, body, now.Add(skew)); code != 200 {
			t.Errorf("signed %v away (within 15 minutes): %d %s", skew, code, out)
		}
	}
	changed := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}, "X": {"1"}}.Encode()
	if code, out := send(changed, body, now); code != 403 || !strings.Contains(out, "<Code>SignatureDoesNotMatch</Code>") {
		t.Errorf("body changed after signing: %d %s", code, out)
	}
	// Unsigned: MissingAuthenticationToken.
	resp, err := http.Post(h.URL+"/", "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(b), "<Code>MissingAuthenticationToken</Code>") || !strings.Contains(string(b), "<ErrorResponse") {
		t.Errorf("unsigned: %d %s", resp.StatusCode, b)
	}
}

// Role chaining caps sessions at one hour, and the source identity is kept.
func TestRoleChaining(t *testing.T) {
	h := servertest.Start(t, servertest.Options{})
	ctx := servertest.Ctx(t)
	// A role in Dev that the account (and so OrganizationAccountAccessRole) may assume.
	_, err := h.Server.State.Mutate(ctx, func(d *state.Doc) error {
		d.Org.Roles = append(d.Org.Roles, &org.RoleDef{
			Name: "ChainTarget", Accounts: []string{"Dev"}, MaxSessionDuration: 43200,
			Entity: org.Entity{InlinePolicies: map[string]org.PolicyDoc{"Chain": org.PolicyDoc(`{"Version": "2012-10-17", "Statement": [{
				"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"], "Resource": "*"}]}`)}},
			Trust: org.PolicyDoc(`{"Version": "2012-10-17", "Statement": [{
				"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::` + dev + `:root"},
				"Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]}]}`),
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := client(h, "", "", "").AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + dev + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("first"),
		SourceIdentity: aws.String("alice")})
	if err == nil || apiCode(t, err) != "AccessDenied" {
		// The management root may assume OrganizationAccountAccessRole but the
		// trust policy does not grant sts:SetSourceIdentity.
		t.Fatalf("SourceIdentity without sts:SetSourceIdentity in the trust policy: %v, want AccessDenied", err)
	}
	c := assumeOAAR(t, h, dev)
	sc := client(h, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	target := aws.String("arn:aws:iam::" + dev + ":role/ChainTarget")
	if _, err := sc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: target, RoleSessionName: aws.String("second"), DurationSeconds: aws.Int32(3601)}); err == nil || apiCode(t, err) != "ValidationError" || !strings.Contains(err.Error(), "role chaining") {
		t.Errorf("chaining past one hour: %v", err)
	}
	out, err = sc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: target, RoleSessionName: aws.String("second"), DurationSeconds: aws.Int32(3600), SourceIdentity: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SourceIdentity) != "alice" {
		t.Errorf("SourceIdentity %q", aws.ToString(out.SourceIdentity))
	}
	c2 := out.Credentials
	third, err := client(h, aws.ToString(c2.AccessKeyId), aws.ToString(c2.SecretAccessKey), aws.ToString(c2.SessionToken)).AssumeRole(ctx,
		&sts.AssumeRoleInput{RoleArn: target, RoleSessionName: aws.String("third")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(third.SourceIdentity) != "alice" {
		t.Errorf("the source identity was not kept through chaining: %q", aws.ToString(third.SourceIdentity))
	}
	// Twin: a role whose trust policy does not allow sts:SetSourceIdentity
	// cannot be chained into from a session with a source identity (the
	// chained assumption sets it on the next session; the IAM User Guide's
	// "Permissions required to set source identity"), though a session
	// without one assumes it.
	_, err = h.Server.State.Mutate(ctx, func(d *state.Doc) error {
		d.Org.Roles = append(d.Org.Roles, &org.RoleDef{
			Name: "NoSourceIdentity", Accounts: []string{"Dev"},
			Trust: org.PolicyDoc(`{"Version": "2012-10-17", "Statement": [{
				"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::` + dev + `:root"}, "Action": "sts:AssumeRole"}]}`),
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	plain := aws.String("arn:aws:iam::" + dev + ":role/NoSourceIdentity")
	if _, err := client(h, aws.ToString(c2.AccessKeyId), aws.ToString(c2.SecretAccessKey), aws.ToString(c2.SessionToken)).AssumeRole(ctx,
		&sts.AssumeRoleInput{RoleArn: plain, RoleSessionName: aws.String("fourth")}); err == nil || apiCode(t, err) != "AccessDenied" {
		t.Errorf("chaining a source identity into a role whose trust lacks sts:SetSourceIdentity: %v, want AccessDenied", err)
	}
	if _, err := sc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: plain, RoleSessionName: aws.String("plain")}); err != nil {
		t.Errorf("a session without a source identity assumes the role: %v", err)
	}
}
