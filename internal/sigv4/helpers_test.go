package sigv4

import (
	"bytes"
	"net/http"
	"testing"
	"time"
)

var (
	testCred = Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	tempCred = Credentials{
		AccessKeyID:     "ASIAIOSFODNN7EXAMPLE",
		SecretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
		SessionToken:    "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJIMEYCIQD+token/with=special+chars",
	}
	t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
)

const stsBody = "Action=GetCallerIdentity&Version=2011-06-15"

// stsRequest builds a GetCallerIdentity request with the headers
// aws-sdk-go-v2 sends.
func stsRequest(t testing.TB) (*http.Request, []byte) {
	t.Helper()
	body := []byte(stsBody)
	r, err := http.NewRequest(http.MethodPost, "https://sts.us-east-1.amazonaws.com/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Content-Length", "43")
	r.Header.Set("Amz-Sdk-Invocation-Id", "6f1a0e3c-4b9d-4c1e-9f5a-2d7e8b3c1a90")
	r.Header.Set("Amz-Sdk-Request", "attempt=1; max=3")
	r.Header.Set("User-Agent", "aws-sdk-go-v2/1.47.7 os/linux lang/go#1.26.8 md/GOOS#linux api/sts#1.51.8")
	return r, body
}

// signedSTS returns an STS request signed by cred at t0.
func signedSTS(t testing.TB, cred Credentials) (*http.Request, []byte) {
	t.Helper()
	r, body := stsRequest(t)
	if err := Sign(r, body, cred, "us-east-1", "sts", t0); err != nil {
		t.Fatal(err)
	}
	return r, body
}

// verifyAt runs the server flow: Parse, CheckScope, Verify.
func verifyAt(r *http.Request, body []byte, secret, region, service string, now time.Time) error {
	a, err := Parse(r)
	if err != nil {
		return err
	}
	if err := a.CheckScope(region, service); err != nil {
		return err
	}
	return a.Verify(r, body, secret, now)
}
