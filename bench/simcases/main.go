// Command simcases writes a large `warden simulate` case file for
// benchmarks, derived from the project's own corpus (testdata/simulate): the
// corpus cases in turn, copy after copy, each copy with every account ID
// shifted by the same amount (so that same- and cross-account relations, and
// so the expected decisions, stay those of the corpus) and its name numbered.
// The output depends only on the corpus and -n.
//
// Run from the repository root:
//
//	go run ./bench/simcases -n 3000 -o cases.json [-split DIR]
//
// -split also writes each case to a file of its own in DIR (case-0001.json,
// ...), to compare one large file with many small ones.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	n := flag.Int("n", 3000, "number of cases")
	out := flag.String("o", "", "output file (JSON array of cases)")
	split := flag.String("split", "", "also write one file per case into this directory")
	corpus := flag.String("corpus", "testdata/simulate", "the corpus directory")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "simcases: -o is required")
		os.Exit(2)
	}
	if err := run(*n, *out, *split, *corpus); err != nil {
		fmt.Fprintln(os.Stderr, "simcases:", err)
		os.Exit(1)
	}
}

func run(n int, out, split, corpus string) error {
	files, err := filepath.Glob(filepath.Join(corpus, "*.json"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no corpus files in %s", corpus)
	}
	var cases []json.RawMessage
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var list []json.RawMessage
		if err := json.Unmarshal(data, &list); err != nil {
			return fmt.Errorf("%s: %v", f, err)
		}
		cases = append(cases, list...)
	}
	var all bytes.Buffer
	all.WriteString("[\n")
	if split != "" {
		if err := os.MkdirAll(split, 0o755); err != nil {
			return err
		}
	}
	for i := 0; i < n; i++ {
		c, err := variant(cases[i%len(cases)], i/len(cases), i)
		if err != nil {
			return err
		}
		if i > 0 {
			all.WriteString(",\n")
		}
		all.Write(c)
		if split != "" {
			name := filepath.Join(split, fmt.Sprintf("case-%04d.json", i+1))
			if err := os.WriteFile(name, append(c, '\n'), 0o644); err != nil {
				return err
			}
		}
	}
	all.WriteString("\n]\n")
	return os.WriteFile(out, all.Bytes(), 0o644)
}

// variant is copy number copy of a corpus case: account IDs shifted, the
// name numbered, indented as the corpus is.
func variant(raw json.RawMessage, copy, index int) ([]byte, error) {
	shifted := shiftAccounts(raw, uint64(copy)*7919)
	var c map[string]any
	if err := json.Unmarshal(shifted, &c); err != nil {
		return nil, err
	}
	c["name"] = fmt.Sprintf("%v (#%d)", c["name"], index+1)
	return json.MarshalIndent(c, "  ", "  ")
}

// shiftAccounts adds delta (mod 10^12) to every run of exactly 12 digits: a
// bijection, so distinct accounts stay distinct and equal ones equal.
func shiftAccounts(src []byte, delta uint64) []byte {
	if delta == 0 {
		return src
	}
	out := make([]byte, 0, len(src))
	for i := 0; i < len(src); {
		j := i
		for j < len(src) && src[j] >= '0' && src[j] <= '9' {
			j++
		}
		if j == i {
			out = append(out, src[i])
			i++
			continue
		}
		if j-i == 12 && (i == 0 || !isWord(src[i-1])) && (j == len(src) || !isWord(src[j])) {
			v, _ := strconv.ParseUint(string(src[i:j]), 10, 64)
			out = append(out, fmt.Sprintf("%012d", (v+delta)%1_000_000_000_000)...)
		} else {
			out = append(out, src[i:j]...)
		}
		i = j
	}
	return out
}

func isWord(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_'
}
