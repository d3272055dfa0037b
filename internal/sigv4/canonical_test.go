package sigv4

import (
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestCanonicalPath(t *testing.T) {
	cases := []struct{ raw, want string }{
		{"", "/"},
		{"/", "/"},
		{"//", "/"},
		{"/a/b/", "/a/b/"},
		{"/a//b", "/a/b"},
		{"/a/./b/../c", "/a/c"},
		{"/a/b/..", "/a"},
		{"/../../a", "/a"},
		{"/a%20b", "/a%2520b"},             // an escape is encoded again
		{"/a%2Fb", "/a%252Fb"},             // an encoded slash stays inside its segment
		{"/%E1%88%B4", "/%25E1%2588%25B4"}, // as a client sends UTF-8
		{"/ሴ", "/%E1%88%B4"},               // raw UTF-8, as in the suite
		{"/a b+c:d@e", "/a%20b%2Bc%3Ad%40e"},
		{"/-_.~AZaz09", "/-_.~AZaz09"},
		{"/%2E%2E/a", "/%252E%252E/a"}, // an encoded dot is not a dot segment
	}
	for _, c := range cases {
		if got := string(appendCanonicalPath(nil, c.raw)); got != c.want {
			t.Errorf("canonical path of %q = %q, want %q", c.raw, got, c.want)
		}
	}
}

func TestWirePath(t *testing.T) {
	server := &http.Request{RequestURI: "/a%24b/%E1%88%B4?x=1", URL: &url.URL{Path: "/a$b/ሴ"}}
	if got := wirePath(server); got != "/a%24b/%E1%88%B4" {
		t.Errorf("server path %q, want the raw RequestURI path", got)
	}
	absolute := &http.Request{RequestURI: "http://example.com:8080/p/q?x", URL: &url.URL{Path: "/p/q"}}
	if got := wirePath(absolute); got != "/p/q" {
		t.Errorf("absolute-form path %q, want /p/q", got)
	}
	// On a client, the path net/http will write: URL.RequestURI without the query.
	for _, u := range []string{"https://example.com/a%2Fb/c%20d?q=1", "https://example.com/a%2Fb/c d", "https://example.com"} {
		client, err := http.NewRequest("GET", u, nil)
		if err != nil {
			t.Fatal(err)
		}
		onWire, _, _ := strings.Cut(client.URL.RequestURI(), "?")
		if got := wirePath(client); got != onWire {
			t.Errorf("client path of %s = %q, want %q as written on the wire", u, got, onWire)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	cases := []struct {
		raw       string
		presigned bool
		want      string
	}{
		{"", false, ""},
		{"b=2&a=1", false, "a=1&b=2"},
		{"a=2&a=1", false, "a=1&a=2"},
		{"a=b&a=B&a=a", false, "a=B&a=a&a=b"},
		{"Bare", false, "Bare="},
		{"a=&b", false, "a=&b="},
		{"=v", false, "=v"},
		{"&&a=1&", false, "a=1"},
		{"x=a+b", false, "x=a%20b"},
		{"x=a%20b", false, "x=a%20b"},
		{"x=a%2Bb", false, "x=a%2Bb"},
		{"x=%7e%7E", false, "x=~~"},
		{"x=/&y=a=b", false, "x=%2F&y=a%3Db"},
		{"x=%e1%88%b4", false, "x=%E1%88%B4"},
		{"~=1&%E1%88%B4=2", false, "%E1%88%B4=2&~=1"}, // sorted by encoded name
		{"a=1&X-Amz-Signature=s", false, "X-Amz-Signature=s&a=1"},
		{"a=1&X-Amz-Signature=s", true, "a=1"},
	}
	for _, c := range cases {
		params, err := parseQuery(c.raw)
		if err != nil {
			t.Errorf("parseQuery(%q): %v", c.raw, err)
			continue
		}
		if got := string(appendCanonicalQuery(nil, params, c.presigned)); got != c.want {
			t.Errorf("canonical query of %q (presigned %v) = %q, want %q", c.raw, c.presigned, got, c.want)
		}
	}
}

func TestParseQueryRejectsBadEscapes(t *testing.T) {
	for raw, want := range map[string]string{
		"a=%zz":        "Illegal hex character in escape % pattern: %zz",
		"a%g1=1":       "Illegal hex character in escape % pattern: %g1",
		"t=secret%4":   "Incomplete trailing escape % sequence",
		"t=secret%":    "Incomplete trailing escape % sequence",
		"t=sec%2xret1": "Illegal hex character in escape % pattern: %2x",
	} {
		_, err := parseQuery(raw)
		wantError(t, err, CodeIncompleteSignature, want)
	}
}

func TestCanonicalHeaderValues(t *testing.T) {
	cases := []struct {
		values []string
		want   string
	}{
		{[]string{"value1"}, "value1"},
		{[]string{"  a   b   c  "}, "a b c"},
		{[]string{"\ta b\t"}, "a b"},
		{[]string{`"a   b"`}, `"a b"`},
		{[]string{"v2", "v2", "v1"}, "v2,v2,v1"},
		{[]string{" x ", " y  z"}, "x,y z"},
		{[]string{"a\tb"}, "a\tb"}, // only spaces fold
		{[]string{""}, ""},
	}
	for _, c := range cases {
		r := &http.Request{Header: http.Header{"My-Header": c.values}, URL: &url.URL{}}
		got := string(appendCanonicalHeaders(nil, r, []string{"my-header"}))
		if want := "my-header:" + c.want + "\n"; got != want {
			t.Errorf("canonical header of %q = %q, want %q", c.values, got, want)
		}
	}
}

func TestCanonicalHostAndContentLength(t *testing.T) {
	r, _ := http.NewRequest("POST", "https://example.com:8443/", nil)
	r.ContentLength = 12
	got := string(appendCanonicalHeaders(nil, r, []string{"content-length", "host", "x-absent"}))
	want := "content-length:12\nhost:example.com:8443\nx-absent:\n"
	if got != want {
		t.Errorf("canonical headers = %q, want %q", got, want)
	}
	r.Host = "other.example"
	r.Header.Set("Content-Length", "13")
	got = string(appendCanonicalHeaders(nil, r, []string{"content-length", "host"}))
	if want := "content-length:13\nhost:other.example\n"; got != want {
		t.Errorf("canonical headers = %q, want %q", got, want)
	}
}

// TestDeriveSigningKey checks the key derivation against AWS's documented
// example (secret of the IAM User Guide, 20120215/us-east-1/iam).
func TestDeriveSigningKey(t *testing.T) {
	k := deriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")
	const want = "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
	if got := hex.EncodeToString(k[:]); got != want {
		t.Errorf("signing key %s, want %s", got, want)
	}
}
