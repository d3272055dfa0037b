package sigv4

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary Authorization headers and query strings to
// Parse and Verify (they must not panic, and every failure must be an
// *Error), then signs a request built from the same inputs and checks that
// Parse reads back what Sign wrote and that Verify accepts it.
func FuzzParse(f *testing.F) {
	for _, seed := range []struct{ authz, query, path, value string }{
		{"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, " +
			"Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", "", "/", "v"},
		{"AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=,Signature=", "Param1=value1&Param1=Value1", "/a b/", " x  y "},
		{"AWS4-HMAC-SHA256 Credential", "a=%zz", "//x//", ""},
		{"AWS4-X Credential==,,  ,=", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261122%2Fus-east-1%2Fsts%2Faws4_request" +
			"&X-Amz-Date=20261122T100000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "/%E1%88%B4", "\t"},
		{"", "X-Amz-Algorithm&X-Amz-Expires=99999999999999999999", "/./../", "ሴ"},
		{"Basic Zm9v", "+&=&%2B", "", "a,b"},
	} {
		f.Add(seed.authz, seed.query, seed.path, seed.value)
	}
	f.Fuzz(func(t *testing.T, authz, query, path, value string) {
		// Arbitrary input: no panic, only *Error.
		r := &http.Request{Method: "GET", Host: "example.com", URL: &url.URL{Path: "/", RawQuery: query}, Header: http.Header{}}
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		r.Header.Set("X-Amz-Date", "20261122T100000Z")
		a, err := Parse(r)
		var e *Error
		if err != nil {
			if !errors.As(err, &e) {
				t.Fatalf("Parse returned a non-*Error: %v", err)
			}
		} else {
			if !slices.Contains(a.SignedHeaders, "host") {
				t.Fatalf("Parse accepted signed headers %q without host", a.SignedHeaders)
			}
			if err := a.Verify(r, []byte(value), "secret", t0); err == nil {
				t.Fatalf("Verify accepted a forged signature: %q %q", authz, query)
			} else if !errors.As(err, &e) {
				t.Fatalf("Verify returned a non-*Error: %v", err)
			}
		}

		// Sign, then Parse and Verify: the round trip must hold.
		r = &http.Request{Method: "POST", Host: "example.com", URL: &url.URL{Path: "/" + path, RawQuery: query}, Header: http.Header{}}
		r.Header.Set("X-Custom", value)
		body := []byte(value)
		if err := Sign(r, body, tempCred, "us-east-1", "sts", t0); err != nil {
			if _, qerr := parseQuery(query); qerr == nil {
				t.Fatalf("Sign failed on a valid query %q: %v", query, err)
			}
			return
		}
		if params, _ := parseQuery(query); len(params) > 0 {
			if _, n := lookupQuery(params, "X-Amz-Algorithm"); n > 0 {
				_, err := Parse(r)
				wantError(t, err, CodeSignatureDoesNotMatch, msgFoundBoth)
				return
			}
		}
		a, err = Parse(r)
		if err != nil {
			t.Fatalf("Parse of a signed request: %v\nAuthorization: %s", err, r.Header.Get("Authorization"))
		}
		if a.AccessKeyID != tempCred.AccessKeyID || a.Scope.String() != "20261122/us-east-1/sts/aws4_request" ||
			!slices.Equal(a.SignedHeaders, headersToSign(r)) || a.SecurityToken != tempCred.SessionToken ||
			!strings.HasSuffix(r.Header.Get("Authorization"), ", Signature="+a.Signature) {
			t.Fatalf("Parse did not read back what Sign wrote: %+v\nAuthorization: %s", a, r.Header.Get("Authorization"))
		}
		if err := a.Verify(r, body, tempCred.SecretAccessKey, t0); err != nil {
			t.Fatalf("Verify of a signed request: %v (path %q query %q value %q)", err, path, query, value)
		}
	})
}
