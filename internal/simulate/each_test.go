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
