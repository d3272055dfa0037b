package awsproto

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A query reply carries its Content-Length, never chunked, whatever its
// size: small ones get it from net/http, larger ones from WriteQueryResult;
// with its Content-Type and request ID.
func TestQueryReplyHeaders(t *testing.T) {
	for _, size := range []int{10, autoLengthMax - 400, autoLengthMax, autoLengthMax + 1, 50000} {
		result := struct {
			Arn string `xml:"Arn"`
		}{Arn: strings.Repeat("a", size)}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			WriteQueryResult(w, "https://sts.amazonaws.com/doc/2011-06-15/", "GetCallerIdentity", "req-1", result)
		}))
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.ContentLength != int64(len(body)) || len(resp.TransferEncoding) > 0 {
			t.Errorf("a %d-byte result: Content-Length %d, Transfer-Encoding %v; want %d, none", size, resp.ContentLength, resp.TransferEncoding, len(body))
		}
		if ct, id := resp.Header.Get("Content-Type"), resp.Header.Get("X-Amzn-Requestid"); ct != "text/xml" || id != "req-1" {
			t.Errorf("a %d-byte result: Content-Type %q, request ID %q", size, ct, id)
		}
		if !strings.Contains(string(body), result.Arn) {
			t.Errorf("a %d-byte result: the body lacks the result", size)
		}
	}
}
