package sigv4

import "strings"

// queryParam is one decoded name=value pair of a query string.
type queryParam struct{ key, value string }

// parseQuery splits a raw query string into decoded pairs, in order. Empty
// pairs ("a=1&&b=2") are dropped, a pair without "=" has an empty value, and
// "+" decodes to a space. An invalid percent escape is an error.
func parseQuery(raw string) ([]queryParam, error) {
	if raw == "" {
		return nil, nil
	}
	params := make([]queryParam, 0, strings.Count(raw, "&")+1)
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := queryUnescape(k)
		if err != nil {
			return nil, err
		}
		value, err := queryUnescape(v)
		if err != nil {
			return nil, err
		}
		params = append(params, queryParam{key, value})
	}
	return params, nil
}

// queryUnescape decodes %XX escapes and "+" (a space). Errors quote only the
// bad escape: the string may be a session token.
func queryUnescape(s string) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) {
				return "", incomplete("Incomplete trailing escape %% sequence")
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return "", incomplete("Illegal hex character in escape %% pattern: %s", s[i:i+3])
			}
			b = append(b, hi<<4|lo)
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// lookupQuery returns the value of name and how many times it occurs.
func lookupQuery(params []queryParam, name string) (value string, count int) {
	for _, p := range params {
		if p.key == name {
			if count == 0 {
				value = p.value
			}
			count++
		}
	}
	return value, count
}

// appendURIEncode appends s with every byte except the RFC 3986 unreserved
// characters (and "/" when keepSlash) percent-encoded with upper-case hex.
func appendURIEncode(dst []byte, s string, keepSlash bool) []byte {
	const hexUpper = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || (keepSlash && c == '/') {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', hexUpper[c>>4], hexUpper[c&15])
	}
	return dst
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// uriEncode is appendURIEncode for a fresh string.
func uriEncode(s string, keepSlash bool) string {
	return string(appendURIEncode(make([]byte, 0, len(s)+8), s, keepSlash))
}
