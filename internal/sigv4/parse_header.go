package sigv4

import (
	"net/http"
	"strings"
	"time"
)

// parseHeader reads the Authorization header form:
//
//	AWS4-HMAC-SHA256 Credential=AKID/yyyyMMdd/region/service/aws4_request, SignedHeaders=a;b, Signature=hex
func parseHeader(r *http.Request, values []string) (*Auth, error) {
	if len(values) > 1 {
		return nil, incomplete("Request has more than one 'Authorization' header.")
	}
	hdr := strings.TrimSpace(values[0])
	if !strings.HasPrefix(hdr, "AWS4-") {
		return nil, missingToken()
	}
	alg, rest, _ := strings.Cut(hdr, " ")

	var credential, signedList, signature string
	var haveCredential, haveSignedList, haveSignature bool
	for rest != "" {
		// The fields are separated by commas and spaces (as
		// strings.FieldsFunc splits, without its slice).
		i := indexCommaSpace(rest)
		if i == 0 {
			rest = rest[1:]
			continue
		}
		field := rest
		if i > 0 {
			field, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		k, v, ok := strings.Cut(field, "=")
		if !ok {
			return nil, incomplete("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", field, hdr)
		}
		var seen *bool
		switch k {
		case "Credential":
			credential, seen = v, &haveCredential
		case "SignedHeaders":
			signedList, seen = v, &haveSignedList
		case "Signature":
			signature, seen = v, &haveSignature
		default:
			continue // AWS ignores parameters it does not know
		}
		if *seen {
			return nil, incomplete("Authorization header has more than one '%s' parameter. Authorization=%s", k, hdr)
		}
		*seen = true
	}

	dateHeader, dateValue, err := requestDateHeader(r)
	if err != nil {
		return nil, err
	}
	var missing strings.Builder
	if credential == "" {
		missing.WriteString("Authorization header requires 'Credential' parameter. ")
	}
	if signature == "" {
		missing.WriteString("Authorization header requires 'Signature' parameter. ")
	}
	if !haveSignedList {
		missing.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
	}
	if dateHeader == "" {
		missing.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if missing.Len() > 0 {
		return nil, incomplete("%sAuthorization=%s", missing.String(), hdr)
	}

	date, ok := parseHeaderDate(dateHeader, dateValue)
	if !ok {
		return nil, badDate(dateValue)
	}
	token, _, err := singleHeader(r, "X-Amz-Security-Token")
	if err != nil {
		return nil, err
	}
	a := &Auth{Date: date, Signature: signature, SecurityToken: token}
	if a.SignedHeaders, err = parseSignedHeaders(a.signedBuf[:0], signedList); err != nil {
		return nil, err
	}
	if err := a.finish(r, alg, credential, dateHeader); err != nil {
		return nil, err
	}
	return a, nil
}

// requestDateHeader finds the request time: X-Amz-Date, else Date. It
// returns the lower-case name of the header used, or "" if neither exists.
func requestDateHeader(r *http.Request) (name, value string, err error) {
	value, ok, err := singleHeader(r, "X-Amz-Date")
	if err != nil || ok {
		return "x-amz-date", value, err
	}
	value, ok, err = singleHeader(r, "Date")
	if err != nil || ok {
		return "date", value, err
	}
	return "", "", nil
}

// parseHeaderDate parses X-Amz-Date (ISO 8601 basic only) or Date (ISO 8601
// basic, an HTTP date, or RFC 1123 with a numeric zone as botocore writes it).
func parseHeaderDate(header, value string) (time.Time, bool) {
	if t, ok := parseISOTime(value); ok {
		return t, true
	}
	if header != "date" {
		return time.Time{}, false
	}
	if t, err := http.ParseTime(value); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse(time.RFC1123Z, value); err == nil {
		return t.UTC(), true
	}
	return time.Time{}, false
}

// indexCommaSpace is strings.IndexAny(s, ", ") without building the set of
// bytes at each call.
func indexCommaSpace(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' || s[i] == ' ' {
			return i
		}
	}
	return -1
}
