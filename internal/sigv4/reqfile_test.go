package sigv4

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// readRawRequest parses a request file of AWS's SigV4 test suite the way a
// server would receive it: the request target is kept raw in RequestURI
// (the suite uses raw spaces and UTF-8 in paths, which net/http would
// refuse), Host goes to Request.Host, folded header lines are joined with
// their leading whitespace, and everything after the first blank line is
// the body.
func readRawRequest(text string) (*http.Request, []byte, error) {
	head, body, _ := strings.Cut(text, "\n\n")
	lines := strings.Split(head, "\n")
	method, rest, ok := strings.Cut(lines[0], " ")
	i := strings.LastIndex(rest, " HTTP/")
	if !ok || i < 0 {
		return nil, nil, fmt.Errorf("bad request line %q", lines[0])
	}
	target := rest[:i]
	path, query, _ := strings.Cut(target, "?")
	r := &http.Request{
		Method:     method,
		RequestURI: target,
		URL:        &url.URL{Path: path, RawQuery: query},
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     make(http.Header),
	}
	last := "" // the previous header, for folded lines
	for _, line := range lines[1:] {
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if last == "" {
				return nil, nil, fmt.Errorf("continuation line without a header to continue: %q", line)
			}
			vals := r.Header[last]
			vals[len(vals)-1] += line
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, nil, fmt.Errorf("bad header line %q", line)
		}
		if strings.EqualFold(name, "Host") {
			r.Host, last = strings.TrimSpace(value), ""
			continue
		}
		last = http.CanonicalHeaderKey(name)
		r.Header.Add(name, value)
	}
	r.ContentLength = int64(len(body))
	return r, []byte(body), nil
}
