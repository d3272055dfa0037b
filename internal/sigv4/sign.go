package sigv4

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ignoredHeaders are never signed by Sign and Presign (aws-sdk-go-v2's list):
// proxies and transports may add or change them.
var ignoredHeaders = map[string]bool{
	"authorization":     true,
	"user-agent":        true,
	"x-amzn-trace-id":   true,
	"expect":            true,
	"transfer-encoding": true,
}

// Sign signs r in the Authorization header form for cred, region and
// service at time now. It sets X-Amz-Date (and X-Amz-Security-Token when
// cred has a session token) and signs host plus every header present except
// ignoredHeaders. body must be the body that will be sent; an
// X-Amz-Content-Sha256 header, when present, is used as the payload hash
// instead.
func Sign(r *http.Request, body []byte, cred Credentials, region, service string, now time.Time) error {
	if err := checkSigningInput(r, cred, region, service); err != nil {
		return err
	}
	query, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return err
	}
	t := now.UTC().Truncate(time.Second)
	r.Header.Del("Authorization")
	r.Header.Set("X-Amz-Date", t.Format(timeFormat))
	if cred.SessionToken != "" {
		r.Header.Set("X-Amz-Security-Token", cred.SessionToken)
	}
	a := &Auth{
		AccessKeyID:   cred.AccessKeyID,
		Scope:         Scope{Date: t.Format(dayFormat), Region: region, Service: service, Terminator: Terminator},
		Date:          t,
		SignedHeaders: headersToSign(r),
		query:         query,
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		payload = hashHex(body)
	}
	sig := a.signature(r, []byte(payload), cred.SecretAccessKey)
	r.Header.Set("Authorization", Algorithm+" Credential="+a.AccessKeyID+"/"+a.Scope.String()+
		", SignedHeaders="+strings.Join(a.SignedHeaders, ";")+", Signature="+string(sig[:]))
	return nil
}

// Presign signs r in the query-string form, valid for expires (1 second to
// 7 days) from now. It replaces any earlier X-Amz-* signature parameters in
// the query, signs host plus every header present except ignoredHeaders, and
// signs an empty body unless the query or a header carries
// X-Amz-Content-Sha256.
func Presign(r *http.Request, cred Credentials, region, service string, now time.Time, expires time.Duration) error {
	if err := checkSigningInput(r, cred, region, service); err != nil {
		return err
	}
	if expires < time.Second || expires > MaxExpires {
		return errors.New("sigv4: presigned expiry must be between 1 second and 7 days")
	}
	t := now.UTC().Truncate(time.Second)
	a := &Auth{
		AccessKeyID:   cred.AccessKeyID,
		Scope:         Scope{Date: t.Format(dayFormat), Region: region, Service: service, Terminator: Terminator},
		Date:          t,
		SignedHeaders: headersToSign(r),
		SecurityToken: cred.SessionToken,
		Presigned:     true,
		Expires:       expires.Truncate(time.Second),
		expires:       true,
	}
	kept, err := withoutPresignParams(r.URL.RawQuery)
	if err != nil {
		return err
	}
	add := []queryParam{
		{"X-Amz-Algorithm", Algorithm},
		{"X-Amz-Credential", a.AccessKeyID + "/" + a.Scope.String()},
		{"X-Amz-Date", t.Format(timeFormat)},
		{"X-Amz-Expires", strconv.FormatInt(int64(a.Expires/time.Second), 10)},
		{"X-Amz-SignedHeaders", strings.Join(a.SignedHeaders, ";")},
	}
	if cred.SessionToken != "" {
		add = append(add, queryParam{"X-Amz-Security-Token", cred.SessionToken})
	}
	for _, p := range add {
		kept = append(kept, uriEncode(p.key, false)+"="+uriEncode(p.value, false))
	}
	r.URL.RawQuery = strings.Join(kept, "&")
	if a.query, err = parseQuery(r.URL.RawQuery); err != nil {
		return err
	}
	payload := a.claimedPayloadHash(r)
	if payload == "" {
		payload = hashHex(nil)
	}
	sig := a.signature(r, []byte(payload), cred.SecretAccessKey)
	r.URL.RawQuery += "&X-Amz-Signature=" + string(sig[:])
	return nil
}

// withoutPresignParams returns the raw pairs of a query string minus the
// presigned-form parameters, which Presign sets afresh.
func withoutPresignParams(raw string) ([]string, error) {
	var kept []string
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, _, _ := strings.Cut(pair, "=")
		key, err := queryUnescape(k)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(presignParams[:], key) {
			kept = append(kept, pair)
		}
	}
	return kept, nil
}

// headersToSign lists host and every header of r not in ignoredHeaders,
// lower-case, sorted, without duplicates.
func headersToSign(r *http.Request) []string {
	names := []string{"host"}
	for key := range r.Header {
		name := strings.ToLower(key)
		if !ignoredHeaders[name] && name != "host" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// checkSigningInput rejects input that would produce an unparsable signature.
func checkSigningInput(r *http.Request, cred Credentials, region, service string) error {
	switch {
	case r == nil || r.URL == nil:
		return errors.New("sigv4: signing needs a request with a URL")
	case cred.AccessKeyID == "" || cred.SecretAccessKey == "":
		return errors.New("sigv4: signing needs an access key ID and a secret access key")
	case strings.ContainsAny(cred.AccessKeyID, "/,= "):
		return errors.New("sigv4: access key ID must not contain '/', ',', '=' or spaces")
	case region == "" || service == "" || strings.ContainsAny(region+service, "/,= "):
		return errors.New("sigv4: region and service must be non-empty, without '/', ',', '=' or spaces")
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	return nil
}
