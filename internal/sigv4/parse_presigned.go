package sigv4

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// presignParams are the query parameters of the presigned form; each may
// appear at most once. The first five are required, in the order AWS lists
// them when missing.
var presignParams = [...]string{
	"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date",
	"X-Amz-Expires", "X-Amz-Security-Token",
}

// parsePresigned reads the query-string form.
func parsePresigned(r *http.Request, query []queryParam) (*Auth, error) {
	var values [len(presignParams)]string
	var present [len(presignParams)]bool
	for i, name := range presignParams {
		v, n := lookupQuery(query, name)
		if n > 1 {
			return nil, incomplete("AWS query-string parameter '%s' must appear only once. %s", name, msgReexamine)
		}
		values[i], present[i] = v, n == 1
	}
	alg, credential, signature, signedList, dateValue := values[0], values[1], values[2], values[3], values[4]

	var missing strings.Builder
	for i, name := range presignParams[:5] {
		if values[i] == "" {
			missing.WriteString("AWS query-string parameters must include '" + name + "'. ")
		}
	}
	if missing.Len() > 0 {
		return nil, incomplete("%s%s", missing.String(), msgReexamine)
	}

	date, ok := parseISOTime(dateValue)
	if !ok {
		return nil, badDate(dateValue)
	}
	a := &Auth{Date: date, Signature: signature, Presigned: true}
	if present[5] {
		d, err := parseExpires(values[5])
		if err != nil {
			return nil, err
		}
		a.Expires, a.expires = d, true
	}
	if present[6] {
		if _, inHeader := r.Header["X-Amz-Security-Token"]; inHeader {
			return nil, incomplete("Found both 'X-Amz-Security-Token' as a query-string param and as HTTP header.")
		}
		a.SecurityToken = values[6]
	}
	signed, err := parseSignedHeaders(a.signedBuf[:0], signedList)
	if err != nil {
		return nil, err
	}
	a.SignedHeaders = signed
	if err := a.finish(r, alg, credential, ""); err != nil {
		return nil, err
	}
	return a, nil
}

// parseExpires reads X-Amz-Expires: whole seconds from 0 to 604800.
func parseExpires(v string) (time.Duration, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	switch {
	case err != nil:
		return 0, incomplete("X-Amz-Expires should be a number")
	case n < 0:
		return 0, incomplete("X-Amz-Expires must be non-negative")
	case n > int64(MaxExpires/time.Second):
		return 0, incomplete(msgExpiresRange)
	}
	return time.Duration(n) * time.Second, nil
}
