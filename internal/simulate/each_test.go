package simulate

import (
	"errors"
	"strings"
	"testing"
)

// EachCase hands each case over before it reads the next, so that a file of
// any size is answered one case at a time: the cases before a syntax error
// are answered, then the error names where it is.
func TestEachCaseStreams(t *testing.T) {
	one := `{"name":"%s","request":{"principal":"*","action":"s3:GetObject"}}`
	src := strings.ReplaceAll(one, "%s", "a") + "\n" + strings.ReplaceAll(one, "%s", "b") + "\n" + `{"name":"c",` + "\n"
	var names []string
	err := EachCase([]byte(src), "cases.jsonl", func(c *Case) error {
		names = append(names, c.Name)
		return nil
	})
	if strings.Join(names, ",") != "a,b" || err == nil || !strings.Contains(err.Error(), "cases.jsonl:4:1: malformed JSON") {
		t.Errorf("cases %v, error %v; want a,b then the syntax error at 4:1", names, err)
	}
	// fn's error stops the reading.
	stop := errors.New("stop")
	names = nil
	err = EachCase([]byte("["+strings.ReplaceAll(one, "%s", "a")+","+strings.ReplaceAll(one, "%s", "b")+"]"), "cases.json", func(c *Case) error {
		names = append(names, c.Name)
		return stop
	})
	if err != stop || len(names) != 1 {
		t.Errorf("cases %v, error %v; want one case and fn's error", names, err)
	}
	// ReadFile keeps its all-or-nothing answer.
	if cases, err := ReadFile([]byte(src), "cases.jsonl"); cases != nil || err == nil {
		t.Errorf("ReadFile of a broken file: %d cases, error %v", len(cases), err)
	}
}

// A file that starts with a UTF-8 byte order mark holds the same cases as
// without it (RFC 8259, section 8.1: a parser may ignore the mark; the cases
// are JSON, shared/spec/simulate.md), and positions after it do not move.
func TestEachCaseByteOrderMark(t *testing.T) {
	one := `{"name":"%s","request":{"principal":"*","action":"s3:GetObject"}}`
	for _, src := range []string{
		strings.ReplaceAll(one, "%s", "a"),
		"[" + strings.ReplaceAll(one, "%s", "a") + "]",
		strings.ReplaceAll(one, "%s", "a") + "\n" + strings.ReplaceAll(one, "%s", "b") + "\n",
	} {
		plain, err := ReadFile([]byte(src), "cases.json")
		if err != nil {
			t.Fatalf("without the mark: %v", err)
		}
		marked, err := ReadFile([]byte("\uFEFF"+src), "cases.json")
		if err != nil || len(marked) != len(plain) || marked[0].Name != "a" {
			t.Errorf("with the mark: %d cases, error %v; want the %d cases of the plain file", len(marked), err, len(plain))
		}
	}
	// The mark is not a case, and a syntax error after it keeps its place.
	_, err := ReadFile([]byte("\uFEFF\n{\"name\":"), "cases.json")
	if err == nil || !strings.Contains(err.Error(), "cases.json:2:") {
		t.Errorf("error %v; want a syntax error on line 2", err)
	}
	// The caller's bytes are left as they were.
	src := []byte("\uFEFF{}")
	_, _ = ReadFile(src, "cases.json")
	if string(src) != "\uFEFF{}" {
		t.Errorf("ReadFile changed its input: %q", src)
	}
}
