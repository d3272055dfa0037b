package sigv4

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// newTestServer runs the server flow behind real net/http: it answers 200,
// or 403 with the error code in X-Error-Code.
func newTestServer(t *testing.T, secrets map[string]string, now time.Time) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		err = func() error {
			a, err := Parse(r)
			if err != nil {
				return err
			}
			if err := a.CheckScope("us-east-1", "sts"); err != nil {
				return err
			}
			secret, ok := secrets[a.AccessKeyID]
			if !ok {
				return &Error{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}
			}
			return a.Verify(r, body, secret, now)
		}()
		var e *Error
		switch {
		case err == nil:
			w.WriteHeader(http.StatusOK)
		case errors.As(err, &e):
			w.Header().Set("X-Error-Code", e.Code)
			http.Error(w, e.Message, http.StatusForbidden)
		default:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestOverHTTP sends signed requests through net/http, so the verifier
// sees what a server sees: the raw request target, Host, Content-Length.
func TestOverHTTP(t *testing.T) {
	srv := newTestServer(t, map[string]string{
		testCred.AccessKeyID: testCred.SecretAccessKey,
		tempCred.AccessKeyID: tempCred.SecretAccessKey,
	}, t0.Add(time.Minute))

	send := func(r *http.Request) (int, string) {
		t.Helper()
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		msg, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Logf("%s: %s", resp.Header.Get("X-Error-Code"), msg)
		}
		return resp.StatusCode, resp.Header.Get("X-Error-Code")
	}
	newReq := func(method, path string, body []byte, cred Credentials) *http.Request {
		r, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Amz-Sdk-Request", "attempt=1;   max=3")
		if err := Sign(r, body, cred, "us-east-1", "sts", t0); err != nil {
			t.Fatal(err)
		}
		return r
	}

	for _, path := range []string{"/", "/a%24b/%E1%88%B4/c%2Fd/", "/x/./y/../z?Name=a+b&Marker=x%2By&Empty=&Bare&Action=GetCallerIdentity"} {
		for _, cred := range []Credentials{testCred, tempCred} {
			if code, errCode := send(newReq("POST", path, []byte(stsBody), cred)); code != http.StatusOK {
				t.Errorf("POST %s as %s: status %d %s, want 200", path, cred.AccessKeyID, code, errCode)
			}
		}
	}

	// Tampered on the way.
	r := newReq("POST", "/", []byte(stsBody), testCred)
	tampered := []byte("Action=GetCallerIdentity&Version=2011-06-16") // same length, one byte changed
	r.Body, r.GetBody = io.NopCloser(bytes.NewReader(tampered)), nil
	if code, errCode := send(r); code != http.StatusForbidden || errCode != CodeSignatureDoesNotMatch {
		t.Errorf("tampered body: status %d %s, want 403 SignatureDoesNotMatch", code, errCode)
	}
	r = newReq("POST", "/", []byte(stsBody), testCred)
	r.Header.Set("Content-Type", "text/plain")
	if code, errCode := send(r); code != http.StatusForbidden || errCode != CodeSignatureDoesNotMatch {
		t.Errorf("tampered header: status %d %s, want 403 SignatureDoesNotMatch", code, errCode)
	}
	unknown := testCred
	unknown.AccessKeyID = "AKIAUNKNOWNEXAMPLE00"
	if code, errCode := send(newReq("POST", "/", []byte(stsBody), unknown)); code != http.StatusForbidden || errCode != "InvalidClientTokenId" {
		t.Errorf("unknown key: status %d %s, want 403 InvalidClientTokenId", code, errCode)
	}
	r, _ = http.NewRequest("GET", srv.URL+"/", nil)
	if code, errCode := send(r); code != http.StatusForbidden || errCode != CodeMissingAuthenticationToken {
		t.Errorf("unsigned: status %d %s, want 403 MissingAuthenticationToken", code, errCode)
	}

	// Presigned GET, with a session token.
	r, _ = http.NewRequest("GET", srv.URL+"/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	if err := Presign(r, tempCred, "us-east-1", "sts", t0, 15*time.Minute); err != nil {
		t.Fatal(err)
	}
	if code, errCode := send(r); code != http.StatusOK {
		t.Errorf("presigned GET: status %d %s, want 200", code, errCode)
	}
}
