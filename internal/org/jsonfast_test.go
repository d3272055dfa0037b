package org

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// sameNodes describes the first difference between two trees of nodes, or
// "".
func sameNodes(a, b *ynode, path string) string {
	if a == nil || b == nil {
		if a != b {
			return path + ": one tree is empty"
		}
		return ""
	}
	if a.Kind != b.Kind || a.tag != b.tag || a.Value != b.Value || a.Line != b.Line || a.Column != b.Column || len(a.Content) != len(b.Content) {
		return fmt.Sprintf("%s: {kind %d tag %s value %q at %d:%d, %d children} vs {kind %d tag %s value %q at %d:%d, %d children}",
			path, a.Kind, a.ShortTag(), a.Value, a.Line, a.Column, len(a.Content), b.Kind, b.ShortTag(), b.Value, b.Line, b.Column, len(b.Content))
	}
	for i := range a.Content {
		if d := sameNodes(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", path, i)); d != "" {
			return d
		}
	}
	return ""
}

// checkReader checks that whatever a fast reader accepts, a reference
// reader reads into the same nodes; it reports whether the fast reader
// accepted the text.
func checkReader(t *testing.T, name string, data []byte, fast func([]byte) (*ynode, bool), ref func([]byte) (*ynode, error)) bool {
	t.Helper()
	got, ok := fast(data)
	if !ok {
		return false
	}
	want, err := ref(data)
	if err != nil {
		t.Errorf("%s: the fast reader accepts a text the reference rejects (%v):\n%.500s", name, err, data)
		return true
	}
	if d := sameNodes(got, want, ""); d != "" {
		t.Errorf("%s: the trees differ at %s\n%.500s", name, d, data)
	}
	return true
}

// checkFastJSON checks fastJSON against jsonTree.
func checkFastJSON(t *testing.T, name string, data []byte) bool {
	t.Helper()
	return checkReader(t, name, data, fastJSON, func(data []byte) (*ynode, error) {
		n, err := jsonTree(data)
		if err != nil {
			return nil, errors.New(err.msg)
		}
		return n, nil
	})
}

var fastJSONCases = []string{
	`{}`, `[]`, ` { } `, "{\n}", `{"a": 1}`, `{"a":1,"b":[1,2.5,-3,0,1e5,1E-2,-0.5e+3],"c":{"d":null,"e":true,"f":false}}`,
	"{\n  \"a\": \"x\",\n\t\"b\": [\r\n \"y\" ]\n}\n",
	`{"esc": "q\"b\\s\/n\nt\tr\rb\bf\fu\u00e9\u4e2d"}`, `{"sur": "\ud83d\ude00"}`, `{"bad": "\ud83d"}`,
	`{"é": "ü", "k": ["中文", "x"]}`, `{"a": 01}`, `{"a": 1.}`, `{"a": .5}`, `{"a": -}`, `{"a": 1e}`, `{"a": +1}`,
	`{"a": truex}`, `{"a": nul}`, `{"a": tru}`, `{"a": [1,]}`, `{"a": 1,}`, `{a: 1}`, `{"a" 1}`, `{"a": 1} x`, `{"a": 1}}`,
	`{"a": "x`, `{"a": "x` + "\n" + `"}`, `{"a": "x` + "\x01" + `"}`, `"str"`, `12`, `null`, ``, ` `, `{"a": [[[[]]]]}`,
	`{"a": "\x"}`, `{"a": "\u12"}`, `{"a": "\uZZZZ"}`, `{"a":1,"a":2}`, "{\"a\": \"\xff\"}",
	`{"dup": {"x": 1, "x": 2}}`, `[1, "two", {"three": [3]}]`, `{"n": -0}`, `{"n": 123456789012345678901234567890}`,
}

func TestFastJSONSameTree(t *testing.T) {
	for i, c := range fastJSONCases {
		checkFastJSON(t, fmt.Sprintf("case %d %q", i, c), []byte(c))
	}
	deep := `{"a": ` + strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1) + "}"
	if _, ok := fastJSON([]byte(deep)); ok {
		t.Errorf("fastJSON reads %d nested collections", maxDepth+2)
	}
	if !checkFastJSON(t, "generated", generatedJSON(t, 30, 6)) {
		t.Error("fastJSON declines the generated organization")
	}
}

func FuzzFastJSON(f *testing.F) {
	for _, c := range fastJSONCases {
		f.Add([]byte(c))
	}
	f.Add(generatedJSON(f, 3, 4))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFastJSON(t, "fuzz", data)
	})
}
