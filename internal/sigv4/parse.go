package sigv4

import (
	"errors"
	"net/http"
	"strings"
	"time"
)

// Parse reads the signature information r claims, from its Authorization
// header or, for a presigned request, from its query string. It checks the
// shape of that information (everything that needs neither the secret nor
// the clock) and returns an *Error on failure. The caller then checks the
// scope (CheckScope), looks up the secret for AccessKeyID and calls Verify
// with the same request.
func Parse(r *http.Request) (*Auth, error) {
	if r == nil || r.URL == nil {
		return nil, errors.New("sigv4: Parse needs a request with a URL")
	}
	query, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	authz := r.Header.Values("Authorization")
	_, presigned := lookupQuery(query, "X-Amz-Algorithm")
	var a *Auth
	switch {
	case len(authz) > 0 && presigned > 0:
		return nil, mismatch(msgFoundBoth)
	case presigned > 0:
		a, err = parsePresigned(r, query)
	case len(authz) == 0:
		return nil, missingToken()
	default:
		a, err = parseHeader(r, authz)
	}
	if err != nil {
		return nil, err
	}
	a.req = r
	a.query = query
	return a, nil
}

// finish applies the checks both forms share, in AWS's order, and fills in
// the access key and scope. dateHeader names the header that carried the
// request time ("" for the presigned form).
func (a *Auth) finish(r *http.Request, alg, credential, dateHeader string) error {
	if !a.signs("host") {
		return mismatch(msgHostNotSigned)
	}
	switch dateHeader {
	case "x-amz-date", "date":
		if !a.signs(dateHeader) {
			return notSigned(http.CanonicalHeaderKey(dateHeader))
		}
	}
	if name := a.unsignedAmzHeader(r); name != "" {
		return notSigned(name)
	}
	if alg != Algorithm {
		return unsupportedAlgorithm(alg)
	}
	key, scope, ok := splitCredential(credential)
	if !ok {
		return badCredential(credential)
	}
	a.AccessKeyID, a.Scope = key, scope
	return nil
}

// signs reports whether the lower-case header name is signed.
func (a *Auth) signs(name string) bool {
	for _, s := range a.SignedHeaders {
		if s == name {
			return true
		}
	}
	return false
}

// unsignedAmzHeader returns the first (in sorted order) x-amz-* header
// present in r but not signed, or "".
func (a *Auth) unsignedAmzHeader(r *http.Request) string {
	first := ""
	for key := range r.Header {
		if len(key) < 6 || !strings.EqualFold(key[:6], "x-amz-") {
			continue
		}
		signed := false
		for _, s := range a.SignedHeaders {
			if strings.EqualFold(s, key) {
				signed = true
				break
			}
		}
		if !signed && (first == "" || key < first) {
			first = key
		}
	}
	return first
}

// splitCredential splits AKID/date/region/service/terminator.
func splitCredential(cred string) (key string, s Scope, ok bool) {
	var parts [5]string
	rest := cred
	for i := range 4 {
		var found bool
		parts[i], rest, found = strings.Cut(rest, "/")
		if !found {
			return "", Scope{}, false
		}
	}
	if strings.Contains(rest, "/") {
		return "", Scope{}, false
	}
	parts[4] = rest
	return parts[0], Scope{Date: parts[1], Region: parts[2], Service: parts[3], Terminator: parts[4]}, true
}

// parseSignedHeaders splits a ";"-separated list into lower-case names.
func parseSignedHeaders(dst []string, list string) ([]string, error) {
	if list == "" {
		return dst[:0:0], nil
	}
	names := dst[:0]
	for rest := list; ; {
		name, tail, more := strings.Cut(rest, ";")
		if name == "" {
			return nil, incomplete("SignedHeaders contains an empty header name: '%s'.", list)
		}
		names = append(names, strings.ToLower(name))
		if !more {
			return names, nil
		}
		rest = tail
	}
}

// parseISOTime parses yyyyMMdd'T'HHmmss'Z' strictly: exactly 16 characters.
func parseISOTime(v string) (time.Time, bool) {
	if len(v) != len(timeFormat) || v[8] != 'T' || v[15] != 'Z' {
		return time.Time{}, false
	}
	for i := 0; i < 15; i++ {
		if i != 8 && (v[i] < '0' || v[i] > '9') {
			return time.Time{}, false
		}
	}
	// As time.Parse(timeFormat, v) decides, without its layout
	// interpretation (a tenth of the request's parsing): fields in range,
	// the day in its month.
	num := func(i, n int) int {
		x := 0
		for _, c := range v[i : i+n] {
			x = x*10 + int(c-'0')
		}
		return x
	}
	year, month, day := num(0, 4), num(4, 2), num(6, 2)
	hour, minute, sec := num(9, 2), num(11, 2), num(13, 2)
	if month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	if t.Day() != day { // the 31st of a 30-day month, February's 29th of a common year
		return time.Time{}, false
	}
	return t, true
}

// appendISOTime appends t in UTC as AppendFormat with timeFormat does
// (with clock false: dayFormat), without its layout interpretation, which
// cost two of the verification's string to sign's microseconds. Years
// outside 0-9999 (never from a request: its date has four digits) are left
// to AppendFormat.
func appendISOTime(dst []byte, t time.Time, clock bool) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		if clock {
			return t.AppendFormat(dst, timeFormat)
		}
		return t.AppendFormat(dst, dayFormat)
	}
	two := func(dst []byte, v int) []byte { return append(dst, byte('0'+v/10), byte('0'+v%10)) }
	dst = two(dst, year/100)
	dst = two(dst, year%100)
	dst = two(dst, int(month))
	dst = two(dst, day)
	if !clock {
		return dst
	}
	hour, minute, sec := t.Clock()
	dst = append(dst, 'T')
	dst = two(dst, hour)
	dst = two(dst, minute)
	dst = two(dst, sec)
	return append(dst, 'Z')
}

// first is a header's first value, as Header.Get returns it, for a key
// already in canonical form (net/http's server stores the keys so): the
// lookup without CanonicalMIMEHeaderKey's pass over the name.
func first(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
}

// singleHeader returns the only value of a header; more than one is an
// error. key is in canonical form.
func singleHeader(r *http.Request, key string) (value string, present bool, err error) {
	values := r.Header[key]
	switch len(values) {
	case 0:
		return "", false, nil
	case 1:
		return values[0], true, nil
	}
	return "", true, incomplete("Request has more than one '%s' header.", key)
}
