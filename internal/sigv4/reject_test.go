package sigv4

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestVerifyRejects changes a signed STS request in one way each and checks
// the exact error, from Parse, CheckScope or Verify.
func TestVerifyRejects(t *testing.T) {
	const authzPrefix = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261122/us-east-1/sts/aws4_request"
	replaceAuthz := func(old, new string) func(*http.Request, *[]byte) {
		return func(r *http.Request, _ *[]byte) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
		}
	}
	cases := []struct {
		name          string
		change        func(r *http.Request, body *[]byte)
		secret        string
		now           time.Time
		code, message string // code "" means accepted
	}{
		{name: "unchanged"},
		{name: "unsigned non-amz header changed", change: func(r *http.Request, _ *[]byte) { r.Header.Set("User-Agent", "curl/8") }},
		{name: "14 minutes late", now: t0.Add(14 * time.Minute)},
		{name: "14 minutes early", now: t0.Add(-14 * time.Minute)},
		{name: "wrong secret", secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ",
			code: CodeSignatureDoesNotMatch, message: msgSignatureMismatch},
		{name: "body changed", change: func(_ *http.Request, b *[]byte) {
			*b = []byte(strings.Replace(string(*b), "GetCallerIdentity", "GetSessionToken", 1))
		},
			code: CodeSignatureDoesNotMatch, message: msgSignatureMismatch},
		{name: "body extended", change: func(_ *http.Request, b *[]byte) { *b = append(*b, '&') },
			code: CodeSignatureDoesNotMatch, message: msgSignatureMismatch},
		{name: "signed header changed", change: func(r *http.Request, _ *[]byte) { r.Header.Set("Content-Type", "application/json") },
			code: CodeSignatureDoesNotMatch, message: msgSignatureMismatch},
		{name: "signed header repeated", change: func(r *http.Request, _ *[]byte) { r.Header.Add("Amz-Sdk-Request", "attempt=2") },
			code: CodeSignatureDoesNotMatch, message: msgSignatureMismatch},
		{name: "host changed", change: func(r *http.Request, _ *[]byte) { r.Host = "sts.us-west-2.amazonaws.com" },
			code: CodeSignatureDoesNotMatch, message: msgSignatureMismatch},
		{name: "method changed", change: func(r *http.Request, _ *[]byte) { r.Method = "PUT" },
			code: CodeSignatureDoesNotMatch, message: msgSignatureMismatch},
		{name: "path changed", change: func(r *http.Request, _ *[]byte) { r.URL.Path = "/other" },
			code: CodeSignatureDoesNotMatch, message: msgSignatureMismatch},
		{name: "query added", change: func(r *http.Request, _ *[]byte) { r.URL.RawQuery = "Action=DeleteUser" },
			code: CodeSignatureDoesNotMatch, message: msgSignatureMismatch},
		{name: "signature changed", change: replaceAuthz("Signature=", "Signature=0"),
			code: CodeSignatureDoesNotMatch, message: msgSignatureMismatch},
		{name: "payload hash header added after signing", change: func(r *http.Request, _ *[]byte) { r.Header.Set("X-Amz-Content-Sha256", hashHex(nil)) },
			code: CodeSignatureDoesNotMatch, message: "'X-Amz-Content-Sha256' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "unsigned x-amz header added", change: func(r *http.Request, _ *[]byte) {
			r.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.DeleteOrganization")
		},
			code: CodeSignatureDoesNotMatch, message: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "session token added after signing", change: func(r *http.Request, _ *[]byte) { r.Header.Set("X-Amz-Security-Token", "token") },
			code: CodeSignatureDoesNotMatch, message: "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "16 minutes late", now: t0.Add(16 * time.Minute), code: CodeSignatureDoesNotMatch,
			message: "Signature expired: 20261122T100000Z is now earlier than 20261122T100100Z (20261122T101600Z - 15 min.)"},
		{name: "16 minutes early", now: t0.Add(-16 * time.Minute), code: CodeSignatureDoesNotMatch,
			message: "Signature not yet current: 20261122T100000Z is still later than 20261122T095900Z (20261122T094400Z + 15 min.)"},
		{name: "scope date mismatch", change: replaceAuthz("/20261122/", "/20261121/"), code: CodeSignatureDoesNotMatch,
			message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261121' != '20261122', from '20261122T100000Z'."},
		{name: "bad terminator", change: replaceAuthz("aws4_request", "aws5_request"), code: CodeSignatureDoesNotMatch,
			message: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."},
		{name: "wrong region", change: replaceAuthz("/us-east-1/", "/eu-west-1/"), code: CodeSignatureDoesNotMatch,
			message: "Credential should be scoped to a valid region, not 'eu-west-1'."},
		{name: "wrong service and region", change: replaceAuthz("/us-east-1/sts/", "/eu-west-1/iam/"), code: CodeSignatureDoesNotMatch,
			message: "Credential should be scoped to a valid region, not 'eu-west-1'. Credential should be scoped to correct service: 'sts'."},
		{name: "unsupported algorithm", change: replaceAuthz("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"), code: CodeIncompleteSignature,
			message: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). "},
		{name: "sigv4a algorithm", change: replaceAuthz("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"), code: CodeIncompleteSignature,
			message: "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256' (only AWS4-HMAC-SHA256 for now). "},
		{name: "host not signed", change: replaceAuthz("content-type;host;", "content-type;"), code: CodeSignatureDoesNotMatch, message: msgHostNotSigned},
		{name: "x-amz-date not signed", change: replaceAuthz(";x-amz-date", ""), code: CodeSignatureDoesNotMatch,
			message: "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "missing Authorization", change: func(r *http.Request, _ *[]byte) { r.Header.Del("Authorization") },
			code: CodeMissingAuthenticationToken, message: "Request is missing Authentication Token"},
		{name: "basic Authorization", change: func(r *http.Request, _ *[]byte) { r.Header.Set("Authorization", "Basic dXNlcjpwYXNz") },
			code: CodeMissingAuthenticationToken, message: "Request is missing Authentication Token"},
		{name: "signature version 2", change: func(r *http.Request, _ *[]byte) {
			r.Header.Set("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=")
		},
			code: CodeMissingAuthenticationToken, message: "Request is missing Authentication Token"},
		{name: "both header and query", change: func(r *http.Request, _ *[]byte) { r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256" },
			code: CodeSignatureDoesNotMatch, message: msgFoundBoth},
		{name: "two Authorization headers", change: func(r *http.Request, _ *[]byte) { r.Header.Add("Authorization", r.Header.Get("Authorization")) },
			code: CodeIncompleteSignature, message: "Request has more than one 'Authorization' header."},
		{name: "two X-Amz-Date headers", change: func(r *http.Request, _ *[]byte) { r.Header.Add("X-Amz-Date", "20261122T100001Z") },
			code: CodeIncompleteSignature, message: "Request has more than one 'X-Amz-Date' header."},
		{name: "malformed query", change: func(r *http.Request, _ *[]byte) { r.URL.RawQuery = "a=%zz" },
			code: CodeIncompleteSignature, message: "Illegal hex character in escape % pattern: %zz"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, body := signedSTS(t, testCred)
			if !strings.HasPrefix(r.Header.Get("Authorization"), authzPrefix) {
				t.Fatalf("unexpected Authorization %q", r.Header.Get("Authorization"))
			}
			if c.change != nil {
				c.change(r, &body)
			}
			secret, now := testCred.SecretAccessKey, t0
			if c.secret != "" {
				secret = c.secret
			}
			if !c.now.IsZero() {
				now = c.now
			}
			err := verifyAt(r, body, secret, "us-east-1", "sts", now)
			if c.code == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			wantError(t, err, c.code, c.message)
		})
	}
}

// TestMalformedAuthorization checks that each malformed part of the
// Authorization header gives IncompleteSignature with AWS's message.
func TestMalformedAuthorization(t *testing.T) {
	const (
		cred = "Credential=AKIAIOSFODNN7EXAMPLE/20261122/us-east-1/sts/aws4_request"
		sh   = "SignedHeaders=host;x-amz-date"
		sig  = "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	)
	cases := []struct {
		name, authz, date, message string
	}{
		{"nothing after algorithm", "AWS4-HMAC-SHA256", "20261122T100000Z",
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256"},
		{"no Credential", "AWS4-HMAC-SHA256 " + sh + ", " + sig, "20261122T100000Z",
			"Authorization header requires 'Credential' parameter. Authorization=AWS4-HMAC-SHA256 " + sh + ", " + sig},
		{"empty Credential", "AWS4-HMAC-SHA256 Credential=, " + sh + ", " + sig, "20261122T100000Z",
			"Authorization header requires 'Credential' parameter. Authorization=AWS4-HMAC-SHA256 Credential=, " + sh + ", " + sig},
		{"no Signature", "AWS4-HMAC-SHA256 " + cred + ", " + sh, "20261122T100000Z",
			"Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 " + cred + ", " + sh},
		{"no SignedHeaders", "AWS4-HMAC-SHA256 " + cred + ", " + sig, "20261122T100000Z",
			"Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 " + cred + ", " + sig},
		{"no date", "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", " + sig, "",
			"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 " + cred + ", " + sh + ", " + sig},
		{"missing equal sign", "AWS4-HMAC-SHA256 Credential, " + sh + ", " + sig, "20261122T100000Z",
			"'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential, " + sh + ", " + sig + "'."},
		{"space after equal sign", "AWS4-HMAC-SHA256 Credential= AKID/20261122/us-east-1/sts/aws4_request, " + sh + ", " + sig, "20261122T100000Z",
			"'AKID/20261122/us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: " +
				"'AWS4-HMAC-SHA256 Credential= AKID/20261122/us-east-1/sts/aws4_request, " + sh + ", " + sig + "'."},
		{"credential with 4 parts", "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/sts, " + sh + ", " + sig, "20261122T100000Z",
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20261122/us-east-1/sts'"},
		{"credential with 6 parts", "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/sts/aws4_request/x, " + sh + ", " + sig, "20261122T100000Z",
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20261122/us-east-1/sts/aws4_request/x'"},
		{"duplicate Credential", "AWS4-HMAC-SHA256 " + cred + ", " + cred + ", " + sh + ", " + sig, "20261122T100000Z",
			"Authorization header has more than one 'Credential' parameter. Authorization=AWS4-HMAC-SHA256 " + cred + ", " + cred + ", " + sh + ", " + sig},
		{"empty signed header name", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;;x-amz-date, " + sig, "20261122T100000Z",
			"SignedHeaders contains an empty header name: 'host;;x-amz-date'."},
		{"extended date format", "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", " + sig, "2026-11-22T10:00:00Z",
			"Date must be in ISO-8601 'basic format'. Got '2026-11-22T10:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"date without zone", "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", " + sig, "20261122T100000",
			"Date must be in ISO-8601 'basic format'. Got '20261122T100000'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"impossible date", "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", " + sig, "20261322T100000Z",
			"Date must be in ISO-8601 'basic format'. Got '20261322T100000Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := http.NewRequest("POST", "https://sts.amazonaws.com/", nil)
			r.Header.Set("Authorization", c.authz)
			if c.date != "" {
				r.Header.Set("X-Amz-Date", c.date)
			}
			_, err := Parse(r)
			wantError(t, err, CodeIncompleteSignature, c.message)
		})
	}
}

// TestPresignedRejects changes a presigned request in one way each.
func TestPresignedRejects(t *testing.T) {
	replaceQuery := func(old, new string) func(*http.Request) {
		return func(r *http.Request) { r.URL.RawQuery = strings.Replace(r.URL.RawQuery, old, new, 1) }
	}
	missing := func(names ...string) string {
		var b strings.Builder
		for _, n := range names {
			b.WriteString("AWS query-string parameters must include '" + n + "'. ")
		}
		return b.String() + "Re-examine the query-string parameters."
	}
	cases := []struct {
		name          string
		change        func(r *http.Request)
		now           time.Time
		code, message string
	}{
		{name: "expired", now: t0.Add(time.Hour + time.Second), code: CodeSignatureDoesNotMatch,
			message: "Signature expired: 20261122T100000Z is now earlier than 20261122T100001Z (20261122T110001Z - 60 min.)"},
		{name: "not yet current", now: t0.Add(-16 * time.Minute), code: CodeSignatureDoesNotMatch,
			message: "Signature not yet current: 20261122T100000Z is still later than 20261122T095900Z (20261122T094400Z + 15 min.)"},
		{name: "signature changed", change: replaceQuery("X-Amz-Signature=", "X-Amz-Signature=0"),
			code: CodeSignatureDoesNotMatch, message: msgSignatureMismatch},
		{name: "parameter added", change: func(r *http.Request) { r.URL.RawQuery += "&Action=DeleteUser" },
			code: CodeSignatureDoesNotMatch, message: msgSignatureMismatch},
		{name: "expiry extended", change: replaceQuery("X-Amz-Expires=3600", "X-Amz-Expires=7200"),
			code: CodeSignatureDoesNotMatch, message: msgSignatureMismatch},
		{name: "expiry over 7 days", change: replaceQuery("X-Amz-Expires=3600", "X-Amz-Expires=604801"),
			code: CodeIncompleteSignature, message: msgExpiresRange},
		{name: "expiry not a number", change: replaceQuery("X-Amz-Expires=3600", "X-Amz-Expires=1h"),
			code: CodeIncompleteSignature, message: "X-Amz-Expires should be a number"},
		{name: "negative expiry", change: replaceQuery("X-Amz-Expires=3600", "X-Amz-Expires=-1"),
			code: CodeIncompleteSignature, message: "X-Amz-Expires must be non-negative"},
		{name: "no signature", change: func(r *http.Request) {
			r.URL.RawQuery = r.URL.RawQuery[:strings.Index(r.URL.RawQuery, "&X-Amz-Signature=")]
		}, code: CodeIncompleteSignature, message: missing("X-Amz-Signature")},
		{name: "algorithm only", change: func(r *http.Request) { r.URL.RawQuery = "X-Amz-Algorithm" },
			code: CodeIncompleteSignature, message: missing("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date")},
		{name: "signature twice", change: func(r *http.Request) { r.URL.RawQuery += "&X-Amz-Signature=00" },
			code: CodeIncompleteSignature, message: "AWS query-string parameter 'X-Amz-Signature' must appear only once. Re-examine the query-string parameters."},
		{name: "unsupported algorithm", change: replaceQuery("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256"),
			code: CodeIncompleteSignature, message: "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256' (only AWS4-HMAC-SHA256 for now). "},
		{name: "host not signed", change: replaceQuery("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-foo"),
			code: CodeSignatureDoesNotMatch, message: msgHostNotSigned},
		{name: "bad date", change: replaceQuery("X-Amz-Date=20261122T100000Z", "X-Amz-Date=20261122"),
			code: CodeIncompleteSignature, message: "Date must be in ISO-8601 'basic format'. Got '20261122'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{name: "scope date mismatch", change: replaceQuery("%2F20261122%2F", "%2F20261123%2F"), code: CodeSignatureDoesNotMatch,
			message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261123' != '20261122', from '20261122T100000Z'."},
		{name: "token in query and header", change: func(r *http.Request) {
			r.URL.RawQuery += "&X-Amz-Security-Token=t"
			r.Header.Set("X-Amz-Security-Token", "t")
		},
			code: CodeIncompleteSignature, message: "Found both 'X-Amz-Security-Token' as a query-string param and as HTTP header."},
		{name: "unsigned x-amz header", change: func(r *http.Request) { r.Header.Set("X-Amz-Target", "x") },
			code: CodeSignatureDoesNotMatch, message: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := http.NewRequest("GET", "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := Presign(r, testCred, "us-east-1", "sts", t0, time.Hour); err != nil {
				t.Fatal(err)
			}
			if c.change != nil {
				c.change(r)
			}
			now := t0
			if !c.now.IsZero() {
				now = c.now
			}
			wantError(t, verifyAt(r, nil, testCred.SecretAccessKey, "us-east-1", "sts", now), c.code, c.message)
		})
	}
}

// TestHeaderAuthBodyAlwaysSigned: in the header form, X-Amz-Content-Sha256
// cannot take the body out of the signature.
func TestHeaderAuthBodyAlwaysSigned(t *testing.T) {
	for _, claim := range []string{UnsignedPayload, hashHex(nil), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"} {
		r, body := stsRequest(t)
		r.Header.Set("X-Amz-Content-Sha256", claim)
		if err := Sign(r, body, testCred, "us-east-1", "sts", t0); err != nil {
			t.Fatal(err)
		}
		wantError(t, verifyAt(r, body, testCred.SecretAccessKey, "us-east-1", "sts", t0), CodeSignatureDoesNotMatch, msgSignatureMismatch)
	}
	r, body := stsRequest(t)
	r.Header.Set("X-Amz-Content-Sha256", hashHex(body))
	if err := Sign(r, body, testCred, "us-east-1", "sts", t0); err != nil {
		t.Fatal(err)
	}
	if err := verifyAt(r, body, testCred.SecretAccessKey, "us-east-1", "sts", t0); err != nil {
		t.Errorf("correct X-Amz-Content-Sha256: %v", err)
	}
}

func TestVerifyNeedsTheParsedRequest(t *testing.T) {
	r, body := signedSTS(t, testCred)
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	err = a.Verify(r.Clone(r.Context()), body, testCred.SecretAccessKey, t0)
	if _, isAuthError := err.(*Error); err == nil || isAuthError {
		t.Errorf("Verify with another request: got %v, want a programming error", err)
	}
	if err := (&Auth{}).Verify(r, body, testCred.SecretAccessKey, t0); err == nil {
		t.Error("Verify of an Auth that Parse did not return succeeded")
	}
}

func TestCheckTimeWithoutExpires(t *testing.T) {
	a := &Auth{Date: t0, Presigned: true} // no X-Amz-Expires: the 15-minute window
	if err := a.checkTime(t0.Add(15 * time.Minute)); err != nil {
		t.Errorf("15 minutes: %v", err)
	}
	wantError(t, a.checkTime(t0.Add(16*time.Minute)), CodeSignatureDoesNotMatch,
		"Signature expired: 20261122T100000Z is now earlier than 20261122T100100Z (20261122T101600Z - 15 min.)")
	a.Expires, a.expires = 0, true // X-Amz-Expires=0
	wantError(t, a.checkTime(t0.Add(time.Second)), CodeSignatureDoesNotMatch,
		"Signature expired: 20261122T100000Z is now earlier than 20261122T100001Z (20261122T100001Z - 0 min.)")
	a.Expires = 90 * time.Second
	wantError(t, a.checkTime(t0.Add(91*time.Second)), CodeSignatureDoesNotMatch,
		"Signature expired: 20261122T100000Z is now earlier than 20261122T100001Z (20261122T100131Z - 90 sec.)")
}
