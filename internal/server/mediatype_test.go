package server

import (
	"mime"
	"testing"
)

// mediaType reads a Content-Type as mime.ParseMediaType does, on the values
// SDKs send and on the ones its shortcut must leave to it.
func TestMediaTypeAsParseMediaType(t *testing.T) {
	for _, v := range []string{"", "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
		"application/x-www-form-urlencoded; charset=UTF-8", "application/x-amz-json-1.1", "application/x-amz-json-1.0; charset=utf-8",
		"Application/X-WWW-Form-Urlencoded", "text/xml;charset=utf-8", "text/xml; charset=utf-8; x=y", "text/xml; charset=\"utf-8\"",
		"text/xml; charset=", "text/", "/xml", "text", "text/xml/x", "text/x ml", "text/xml; ", "application/json ", " application/json",
		"application/vnd.api+json", "a/b; charset=utf-8 ", "multipart/form-data; boundary=x"} {
		want, _, _ := mime.ParseMediaType(v)
		if got := mediaType(v); got != want {
			t.Errorf("mediaType(%q) = %q, mime.ParseMediaType's %q", v, got, want)
		}
	}
}
