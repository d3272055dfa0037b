package server

import (
	"mime"
	"net/url"
	"reflect"
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

// parseForm reads a form as url.ParseQuery does: the same values and the
// same error, and a value appended to does not change another's.
func TestParseFormAsParseQuery(t *testing.T) {
	for _, body := range []string{"", "Action=GetCallerIdentity&Version=2011-06-15", "a=1&a=2&b=3", "a=1&&b=", "a", "=x",
		"a=%41%2B+b&c%3D=d", "a=%zz", "a=1;b=2", "a=1&b=%", "Tags.member.1.Key=k&Tags.member.1.Value=v%20w&&"} {
		want, wantErr := url.ParseQuery(body)
		got, err := parseForm(body)
		if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) || !reflect.DeepEqual(got, want) {
			t.Errorf("parseForm(%q) = %v, %v; url.ParseQuery: %v, %v", body, got, err, want, wantErr)
		}
	}
	form, _ := parseForm("a=1&b=2")
	form["a"] = append(form["a"], "x")
	if form.Get("b") != "2" || len(form["b"]) != 1 {
		t.Errorf("appending to one value changed another: %v", form)
	}
}
