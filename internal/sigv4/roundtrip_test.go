package sigv4

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSignSignsWhatGoSDKSigns(t *testing.T) {
	r, _ := signedSTS(t, testCred)
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(a.SignedHeaders, ";")
	want := "amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date"
	if got != want {
		t.Errorf("signed headers %s, want %s", got, want)
	}

	r, _ = signedSTS(t, tempCred)
	a, err = Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(a.SignedHeaders, ";"); got != want+";x-amz-security-token" {
		t.Errorf("signed headers with a session token %s, want %s;x-amz-security-token", got, want)
	}
	if a.SecurityToken != tempCred.SessionToken {
		t.Errorf("SecurityToken %q, want %q", a.SecurityToken, tempCred.SessionToken)
	}
}

func TestSignParseRoundTrip(t *testing.T) {
	r, _ := signedSTS(t, tempCred)
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	want := Scope{Date: "20261122", Region: "us-east-1", Service: "sts", Terminator: Terminator}
	if a.AccessKeyID != tempCred.AccessKeyID || a.Scope != want || !a.Date.Equal(t0) || a.Presigned {
		t.Errorf("Parse = key %q scope %+v date %v presigned %v; want %q %+v %v false",
			a.AccessKeyID, a.Scope, a.Date, a.Presigned, tempCred.AccessKeyID, want, t0)
	}
	if len(a.Signature) != 64 || !strings.HasSuffix(r.Header.Get("Authorization"), "Signature="+a.Signature) {
		t.Errorf("Signature %q does not match the header %q", a.Signature, r.Header.Get("Authorization"))
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	cases := []struct {
		name, method, url string
		headers           map[string][]string
		body              string
		cred              Credentials
	}{
		{name: "sts post", method: "POST", url: "https://sts.amazonaws.com/", body: stsBody, cred: testCred,
			headers: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}},
		{name: "session token", method: "POST", url: "https://iam.amazonaws.com/", body: "Action=ListUsers&Version=2010-05-08", cred: tempCred},
		{name: "query", method: "GET", url: "https://iam.amazonaws.com/?Version=2010-05-08&Action=ListUsers&Marker=a%2Fb+c&PathPrefix=%2Fdiv%2F&Empty=&Bare", cred: testCred},
		{name: "encoded path", method: "GET", url: "https://example.com/a%20b/%E1%88%B4/c%2Fd/./e/../f//", cred: testCred},
		{name: "json target", method: "POST", url: "https://organizations.us-east-1.amazonaws.com/", body: `{"MaxResults":20}`, cred: tempCred,
			headers: map[string][]string{"X-Amz-Target": {"AWSOrganizationsV20161128.ListAccounts"}, "Content-Type": {"application/x-amz-json-1.1"}}},
		{name: "repeated and spaced headers", method: "GET", url: "https://example.com/", cred: testCred,
			headers: map[string][]string{"My-Header": {"  b   c ", "a"}, "Other": {"x\ty"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := http.NewRequest(c.method, c.url, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, vs := range c.headers {
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			body := []byte(c.body)
			if err := Sign(r, body, c.cred, "us-east-1", "svc", t0); err != nil {
				t.Fatal(err)
			}
			for _, skew := range []time.Duration{0, 14 * time.Minute, -14 * time.Minute, 15 * time.Minute, -15 * time.Minute} {
				if err := verifyAt(r, body, c.cred.SecretAccessKey, "us-east-1", "svc", t0.Add(skew)); err != nil {
					t.Errorf("Verify at %v skew: %v", skew, err)
				}
			}
		})
	}
}

func TestPresignVerifyRoundTrip(t *testing.T) {
	for _, cred := range []Credentials{testCred, tempCred} {
		t.Run(cred.AccessKeyID, func(t *testing.T) {
			r, err := http.NewRequest("GET", "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := Presign(r, cred, "us-east-1", "sts", t0, 60*time.Second); err != nil {
				t.Fatal(err)
			}
			if r.Header.Get("Authorization") != "" {
				t.Fatal("Presign set an Authorization header")
			}
			a, err := Parse(r)
			if err != nil {
				t.Fatal(err)
			}
			if !a.Presigned || a.Expires != time.Minute || a.SecurityToken != cred.SessionToken || a.AccessKeyID != cred.AccessKeyID {
				t.Errorf("Parse = presigned %v expires %v token %q key %q", a.Presigned, a.Expires, a.SecurityToken, a.AccessKeyID)
			}
			for _, at := range []time.Duration{0, 59 * time.Second, 60 * time.Second, -15 * time.Minute} {
				if err := verifyAt(r, nil, cred.SecretAccessKey, "us-east-1", "sts", t0.Add(at)); err != nil {
					t.Errorf("Verify %v after signing: %v", at, err)
				}
			}
			wantError(t, verifyAt(r, nil, cred.SecretAccessKey, "us-east-1", "sts", t0.Add(61*time.Second)), CodeSignatureDoesNotMatch,
				"Signature expired: 20261122T100000Z is now earlier than 20261122T100001Z (20261122T100101Z - 1 min.)")
			wantError(t, verifyAt(r, nil, cred.SecretAccessKey, "us-east-1", "sts", t0.Add(-16*time.Minute)), CodeSignatureDoesNotMatch,
				"Signature not yet current: 20261122T100000Z is still later than 20261122T095900Z (20261122T094400Z + 15 min.)")

			// Presigning again replaces the earlier parameters.
			if err := Presign(r, cred, "us-east-1", "sts", t0.Add(time.Hour), 90*time.Second); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(r.URL.RawQuery, "X-Amz-Signature="); n != 1 {
				t.Errorf("%d X-Amz-Signature parameters after presigning twice: %s", n, r.URL.RawQuery)
			}
			if err := verifyAt(r, nil, cred.SecretAccessKey, "us-east-1", "sts", t0.Add(time.Hour+89*time.Second)); err != nil {
				t.Errorf("Verify after presigning twice: %v", err)
			}
		})
	}
}

func TestPresignUnsignedPayload(t *testing.T) {
	r, err := http.NewRequest("GET", "https://example.com/?X-Amz-Content-Sha256=UNSIGNED-PAYLOAD", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := Presign(r, testCred, "us-east-1", "svc", t0, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := verifyAt(r, nil, testCred.SecretAccessKey, "us-east-1", "svc", t0); err != nil {
		t.Errorf("UNSIGNED-PAYLOAD with no body: %v", err)
	}
	wantError(t, verifyAt(r, []byte("x"), testCred.SecretAccessKey, "us-east-1", "svc", t0), CodeSignatureDoesNotMatch, msgSignatureMismatch)
}

func TestPresignRejectsBadExpiry(t *testing.T) {
	for _, d := range []time.Duration{0, time.Second - 1, MaxExpires + time.Second} {
		r, _ := http.NewRequest("GET", "https://example.com/", nil)
		if err := Presign(r, testCred, "us-east-1", "svc", t0, d); err == nil {
			t.Errorf("Presign with expiry %v succeeded", d)
		}
	}
	r, _ := http.NewRequest("GET", "https://example.com/", nil)
	if err := Presign(r, testCred, "us-east-1", "svc", t0, MaxExpires); err != nil {
		t.Errorf("Presign with expiry of 7 days: %v", err)
	}
	if err := verifyAt(r, nil, testCred.SecretAccessKey, "us-east-1", "svc", t0.Add(MaxExpires)); err != nil {
		t.Errorf("Verify 7 days later: %v", err)
	}
}

func TestSignRejectsBadInput(t *testing.T) {
	cases := []struct {
		name            string
		cred            Credentials
		region, service string
	}{
		{"no key", Credentials{SecretAccessKey: "SECRETVALUE"}, "us-east-1", "sts"},
		{"no secret", Credentials{AccessKeyID: "AKID"}, "us-east-1", "sts"},
		{"slash in key", Credentials{AccessKeyID: "AK/ID", SecretAccessKey: "SECRETVALUE"}, "us-east-1", "sts"},
		{"no region", testCred, "", "sts"},
		{"slash in service", testCred, "us-east-1", "s/ts"},
	}
	for _, c := range cases {
		r, _ := http.NewRequest("GET", "https://example.com/", nil)
		if err := Sign(r, nil, c.cred, c.region, c.service, t0); err == nil {
			t.Errorf("%s: Sign succeeded", c.name)
		} else if c.cred.SecretAccessKey != "" && strings.Contains(err.Error(), c.cred.SecretAccessKey) {
			t.Errorf("%s: error mentions the secret", c.name)
		}
	}
}

// TestDateHeader covers the header form with Date instead of X-Amz-Date.
func TestDateHeader(t *testing.T) {
	build := func(signed []string, date string) (*http.Request, error) {
		r, _ := http.NewRequest("GET", "https://example.com/", nil)
		r.Header.Set("Date", date)
		a := &Auth{AccessKeyID: testCred.AccessKeyID, Date: t0, SignedHeaders: signed,
			Scope: Scope{Date: "20261122", Region: "us-east-1", Service: "svc", Terminator: Terminator}}
		sig := a.signature(r, []byte(hashHex(nil)), testCred.SecretAccessKey)
		r.Header.Set("Authorization", fmt.Sprintf("%s Credential=%s/%s, SignedHeaders=%s, Signature=%s",
			Algorithm, a.AccessKeyID, a.Scope, strings.Join(signed, ";"), sig))
		a2, err := Parse(r)
		if err != nil {
			return nil, err
		}
		return r, a2.Verify(r, nil, testCred.SecretAccessKey, t0)
	}
	for _, date := range []string{
		t0.Format(http.TimeFormat),                            // Sun, 22 Nov 2026 10:00:00 GMT
		t0.In(time.FixedZone("", 3600)).Format(time.RFC1123Z), // botocore: numeric zone
		t0.Format(timeFormat),
	} {
		if _, err := build([]string{"date", "host"}, date); err != nil {
			t.Errorf("Date %q signed: %v", date, err)
		}
	}
	_, err := build([]string{"host"}, t0.Format(http.TimeFormat))
	wantError(t, err, CodeSignatureDoesNotMatch, "'Date' must be a 'SignedHeader' in the AWS Authorization.")
	_, err = build([]string{"date", "host"}, "yesterday")
	wantError(t, err, CodeIncompleteSignature, "Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601")
}

func TestCredentialsDoNotPrintSecret(t *testing.T) {
	for _, s := range []string{fmt.Sprint(tempCred), fmt.Sprintf("%v %+v %#v %s", tempCred, tempCred, tempCred, tempCred)} {
		if strings.Contains(s, tempCred.SecretAccessKey) || !strings.Contains(s, tempCred.AccessKeyID) {
			t.Errorf("printed credentials %q: want the key ID and not the secret", s)
		}
	}
}
