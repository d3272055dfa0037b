package sigv4

import (
	"net/http"
	"strings"
)

// wirePath returns the request path exactly as it travels on the wire: from
// RequestURI on a server (net/http re-encodes URL.Path, which can differ from
// what the client signed), from URL.EscapedPath on a client.
func wirePath(r *http.Request) string {
	if uri := r.RequestURI; uri != "" {
		if i := strings.IndexByte(uri, '?'); i >= 0 {
			uri = uri[:i]
		}
		if strings.HasPrefix(uri, "/") {
			return uri
		}
		// Absolute form, "http://host/path": drop scheme and authority.
		if i := strings.Index(uri, "://"); i >= 0 {
			rest := uri[i+3:]
			if j := strings.IndexByte(rest, '/'); j >= 0 {
				return rest[j:]
			}
			return "/"
		}
	}
	if r.URL.Opaque != "" && strings.HasPrefix(r.URL.Opaque, "/") {
		return r.URL.Opaque
	}
	if p := r.URL.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// appendCanonicalPath appends the canonical URI of a raw (still encoded)
// path: dot segments resolved, empty segments dropped, a trailing slash kept,
// and every segment URI-encoded, which encodes existing escapes a second
// time.
func appendCanonicalPath(dst []byte, raw string) []byte {
	if raw == "/" || raw == "" {
		return append(dst, '/')
	}
	var stack [16]string
	segs := stack[:0]
	for rest := raw; rest != ""; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
		switch seg {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, seg)
		}
	}
	dst = append(dst, '/')
	for i, seg := range segs {
		if i > 0 {
			dst = append(dst, '/')
		}
		dst = appendURIEncode(dst, seg, false)
	}
	if len(segs) > 0 && strings.HasSuffix(raw, "/") {
		dst = append(dst, '/')
	}
	return dst
}
