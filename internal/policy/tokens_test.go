package policy

import (
	"reflect"
	"testing"
)

// TestParseTokensFallsBack checks that a token stream that is not the
// text's whole value (here: none, or cut short) is decoded from the text.
func TestParseTokensFallsBack(t *testing.T) {
	src := []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	want, err := Parse(src, "f")
	if err != nil {
		t.Fatal(err)
	}
	for _, toks := range [][]Token{nil, {{Kind: '{'}}, {{Kind: '{'}, {Kind: '}'}, {Kind: '}'}}} {
		got, err := ParseTokens(src, toks, "f")
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseTokens(%v) = %+v, %v; want %+v", toks, got, err, want)
		}
	}
}
