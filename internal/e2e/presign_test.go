package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/securecart/warden/internal/sigv4"
)

// TestPresignedGetCallerIdentity sends presigned URLs made by
// internal/sigv4.Presign and by aws-sdk-go-v2's presign client, then altered
// and expired ones.
func TestPresignedGetCallerIdentity(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := startServer(t, nil, "--data", dir)
	admin := adminCreds(t, dir)
	hc := httpClient()
	cred := sigv4.Credentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: admin.SecretAccessKey}

	presign := func(c sigv4.Credentials, now time.Time, expires time.Duration) string {
		t.Helper()
		req, err := http.NewRequest("GET", srv.URL+"/?Action=GetCallerIdentity&Version=2011-06-15", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := sigv4.Presign(req, c, "us-east-1", "sts", now, expires); err != nil {
			t.Fatal(err)
		}
		return req.URL.String()
	}
	get := func(u string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest("GET", u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return do(t, hc, req)
	}

	t.Run("sigv4.Presign", func(t *testing.T) {
		status, body := get(presign(cred, time.Now(), 5*time.Minute))
		if status != 200 {
			t.Fatalf("status %d, want 200:\n%s", status, body)
		}
		if got := callerARN(t, body); got != adminARN {
			t.Errorf("Arn %q, want %q", got, adminARN)
		}
	})

	t.Run("sigv4.Presign with temporary credentials", func(t *testing.T) {
		out, err := stsClient(srv.URL, admin, hc).AssumeRole(bg(), &sts.AssumeRoleInput{RoleArn: aws.String(devAdminARN), RoleSessionName: aws.String("presign")})
		if err != nil {
			t.Fatal(err)
		}
		s := sessionCreds(out)
		u := presign(sigv4.Credentials{AccessKeyID: s.AccessKeyID, SecretAccessKey: s.SecretAccessKey, SessionToken: s.SessionToken}, time.Now(), time.Minute)
		if !strings.Contains(u, "X-Amz-Security-Token=") {
			t.Errorf("presigned URL has no X-Amz-Security-Token: %s", u)
		}
		status, body := get(u)
		want := "arn:aws:sts::" + devAccount + ":assumed-role/OrganizationAccountAccessRole/presign"
		if status != 200 || callerARN(t, body) != want {
			t.Errorf("status %d, want 200 with Arn %s:\n%s", status, want, body)
		}
	})

	t.Run("aws-sdk-go-v2 PresignGetCallerIdentity", func(t *testing.T) {
		p, err := sts.NewPresignClient(stsClient(srv.URL, admin, hc)).PresignGetCallerIdentity(bg(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(p.URL)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		t.Logf("SDK presigned %s with query keys Action=%s X-Amz-Expires=%q X-Amz-SignedHeaders=%q", p.Method, q.Get("Action"), q.Get("X-Amz-Expires"), q.Get("X-Amz-SignedHeaders"))
		if p.Method != "GET" {
			t.Errorf("the SDK presigned a %s, want GET (its presign client turns the query POST into a GET)", p.Method)
		}
		req, err := http.NewRequest(p.Method, p.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header = p.SignedHeader.Clone()
		status, body := do(t, hc, req)
		if status != 200 {
			t.Fatalf("status %d, want 200:\n%s", status, body)
		}
		if got := callerARN(t, body); got != adminARN {
			t.Errorf("Arn %q, want %q", got, adminARN)
		}
	})

	// Refusals, with the codes AWS's STS answers.
	good := presign(cred, time.Now(), 5*time.Minute)
	u, _ := url.Parse(good)
	sig := u.Query().Get("X-Amz-Signature")
	flipped := []byte(sig)
	if flipped[0] == 'a' {
		flipped[0] = 'b'
	} else {
		flipped[0] = 'a'
	}
	wrongSecret := cred
	wrongSecret.SecretAccessKey = strings.Repeat("x", 40)
	unknownKey := cred
	unknownKey.AccessKeyID = "AKIAXXXXXXXXXXXXXXXX"
	for _, tc := range []struct {
		name, url  string
		status     int
		code, want string // want: a part of the message
	}{
		{"signature altered", strings.Replace(good, "X-Amz-Signature="+sig, "X-Amz-Signature="+string(flipped), 1), 403, "SignatureDoesNotMatch", "does not match"},
		{"action altered", strings.Replace(good, "Action=GetCallerIdentity", "Action=GetSessionToken", 1), 403, "SignatureDoesNotMatch", "does not match"},
		{"parameter added", good + "&DurationSeconds=900", 403, "SignatureDoesNotMatch", "does not match"},
		{"expiry extended", strings.Replace(good, "X-Amz-Expires=300", "X-Amz-Expires=3000", 1), 403, "SignatureDoesNotMatch", "does not match"},
		{"signature removed", strings.Replace(good, "&X-Amz-Signature="+sig, "", 1), 400, "IncompleteSignature", ""},
		// Signed 20 minutes ago for 1 minute: expired both by X-Amz-Expires
		// and by the 15-minute window that AWS's STS is reported to apply
		// to presigned requests whatever X-Amz-Expires says.
		{"expired", presign(cred, time.Now().Add(-20*time.Minute), time.Minute), 403, "SignatureDoesNotMatch", "Signature expired"},
		{"wrong secret", presign(wrongSecret, time.Now(), time.Minute), 403, "SignatureDoesNotMatch", "does not match"},
		{"unknown key", presign(unknownKey, time.Now(), time.Minute), 403, "InvalidClientTokenId", "security token included in the request is invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.url == good {
				t.Fatal("the URL was not altered")
			}
			status, body := get(tc.url)
			e := errorCode(t, body)
			if status != tc.status || e.Error.Code != tc.code || !strings.Contains(e.Error.Message, tc.want) {
				t.Errorf("got %d %s %q, want %d %s with %q", status, e.Error.Code, e.Error.Message, tc.status, tc.code, tc.want)
			}
		})
	}
}
