package sigv4

import (
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
)

// requestHost is the host the client signed: Request.Host (the Host header
// or HTTP/2 :authority on a server), else the URL's host on a client.
func requestHost(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	return r.URL.Host
}

// headerValues returns the values of a header given its lower-case name,
// in the order received. Request.Header must use canonical keys, as net/http
// produces.
func headerValues(r *http.Request, name string) []string {
	if key, ok := commonHeaderKeys[name]; ok {
		return r.Header[key]
	}
	return r.Header[textproto.CanonicalMIMEHeaderKey(name)]
}

// commonHeaderKeys spares an allocation for the headers clients usually sign.
var commonHeaderKeys = map[string]string{
	"amz-sdk-invocation-id": "Amz-Sdk-Invocation-Id",
	"amz-sdk-request":       "Amz-Sdk-Request",
	"content-length":        "Content-Length",
	"content-type":          "Content-Type",
	"date":                  "Date",
	"x-amz-content-sha256":  "X-Amz-Content-Sha256",
	"x-amz-date":            "X-Amz-Date",
	"x-amz-security-token":  "X-Amz-Security-Token",
	"x-amz-target":          "X-Amz-Target",
	"x-amz-user-agent":      "X-Amz-User-Agent",
}

// appendCanonicalHeaders appends one "name:value\n" line per signed header,
// in the given order.
func appendCanonicalHeaders(dst []byte, r *http.Request, signed []string) []byte {
	for _, name := range signed {
		dst = append(dst, name...)
		dst = append(dst, ':')
		switch name {
		case "host":
			dst = appendHeaderValue(dst, requestHost(r))
		default:
			values := headerValues(r, name)
			if values == nil && name == "content-length" && r.ContentLength > 0 {
				dst = strconv.AppendInt(dst, r.ContentLength, 10)
			}
			for i, v := range values {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = appendHeaderValue(dst, v)
			}
		}
		dst = append(dst, '\n')
	}
	return dst
}

// appendHeaderValue appends v trimmed of surrounding spaces and tabs, with
// each run of spaces inside it folded to a single space.
func appendHeaderValue(dst []byte, v string) []byte {
	v = strings.Trim(v, " \t")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		dst = append(dst, c)
	}
	return dst
}

// appendSignedHeaders appends the signed header list, ";"-separated.
func appendSignedHeaders(dst []byte, signed []string) []byte {
	for i, name := range signed {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, name...)
	}
	return dst
}
