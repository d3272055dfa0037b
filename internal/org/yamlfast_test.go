package org

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// libraryTree reads a text with the YAML library as the loader did before
// fastYAML: the top-level node of its one document.
func libraryTree(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("a second document")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	return root, nil
}

// checkFast checks fastYAML against the library.
func checkFast(t *testing.T, name string, data []byte) bool {
	t.Helper()
	return checkReader(t, name, data, fastYAML, func(data []byte) (*ynode, error) {
		lib, err := libraryTree(data)
		if err != nil {
			return nil, err
		}
		return fromLibrary(lib), nil
	})
}

var fastCases = []string{
	"a: b\n",
	"a: b",
	"a:  b  \n",
	"a: b # c\n",
	"a: b#c\n",
	"# head\na: 1\n\n# mid\nb: true\nc: null\nd: ~\ne: 2012-10-17\nf: 1.5\ng: 0x1f\nh: yes\ni: .inf\n",
	"a:\n  b: c\n  d: e\nf: g\n",
	"a:\n- x\n- y\nb: z\n",
	"a:\n  - x\n  - y\n",
	"a:\n  - name: x\n    id: \"1\"\n  - name: y\n",
	"a:\n- name: x\n  id: '1'\n- {name: y, id: 2}\n",
	"a:\nb: c\n",
	"a:\n",
	"a: # comment\n  b: c\n",
	"a: [x, y, 'z', \"w\"]\n",
	"a: []\nb: {}\nc: { }\nd: [ ]\n",
	"a: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Action: \"*\", Resource: \"*\"}]}\n",
	"a: {Condition: {ArnNotLike: {aws:PrincipalArn: \"arn:aws:iam::*:role/BreakGlassRole\"}}}\n",
	"a: [arn:aws:s3:::b, arn:aws:s3:::b/*]\n",
	"\"a b\": 'it''s'\n'c': \"x\\\"y\\\\z\\n\\t/\\/\"\n",
	"a: -1\nb: -x\nc: x-y\n",
	"a: b: c\n",
	"a: b\n  c\n",
	"a: b\n c: d\n",
	"a:\n    b: 1\n  c: 2\n",
	"- a\n- b\n",
	"a: |\n  x\n",
	"a: >\n  x\n",
	"a: &x 1\nb: *x\n",
	"a: !!str 1\n",
	"---\na: 1\n",
	"a: 1\n---\nb: 2\n",
	"a: 1\n...\n",
	"%YAML 1.2\n---\na: 1\n",
	"a:\tb\n",
	"a: b\r\n",
	"a: 'x\n  y'\n",
	"a: \"x\n  y\"\n",
	"a: [x,\n  y]\n",
	"a: {x: 1,\n  y: 2}\n",
	"a: [x, ]\n",
	"a: {x: 1, }\n",
	"a: {x}\n",
	"a: {x: }\n",
	"a: {\"x\":1}\n",
	"a: {x:1}\n",
	"a: [x: 1]\n",
	"a: [x:1]\n",
	"a: [a?b]\n",
	"a: x #c\n  d\n",
	"a: 1\n  # indented comment\nb: 2\n",
	"a: é\nbé: \"ü\"\nc: [é, ü]\n",
	"ключ: значение\nb: {ü: ö}\n",
	"a: 1\nb\n",
	"a: 1\n- b\n",
	"a:\n  -  x\n  -   y: 1\n      z: 2\n",
	"a:\n  - - x\n",
	"a:\n  -\n    x: 1\n",
	"a: '<<'\nb: <<\n",
	"<<: {a: 1}\n",
	"a: x: y\n",
	"a: \"\\u00e9\"\n",
	"a: \"\\x41\"\n",
	"? a\n: b\n",
	"a : b\n",
	"a:b\n",
	"a: b\n\n\n",
	"\n\n# only\n\na: b\n",
	"",
	"# only a comment\n",
	"a: '#x'\n",
	"a: x # y: z\n",
	"a: [x, [y, z], {k: v}]\n",
	"a: {k: [1, 2], j: {m: n}}\n",
	"a: \"\"\nb: ''\n",
	"a: `x`\nb: @x\n",
	"a: %x\n",
	"a: - x\n",
	"a:\n  b:\n    c:\n      d: 1\n  e: 2\n",
	"a:\n  b:\n  c: 1\n",
	"a: [\"x\" , y ]\n",
	"a: {  x  :  y  }\n",
	"a: {x :y}\n",
	"a: [-x, -]\n",
	"a: [?x]\n",
	"a: [x?]\n",
	"a: x,y]{z}\n",
	"a: \"x\"y\n",
	"a: \"x\" # c\n",
	"a: \"x\"#c\n",
	"a: 'x' y\n",
}

func TestFastYAMLSameTree(t *testing.T) {
	for i, c := range fastCases {
		checkFast(t, fmt.Sprintf("case %d %q", i, c), []byte(c))
	}
	// Deep nesting is declined, flow or block, well before the stack
	// would run out; the library reports it.
	deepFlow := "a: " + strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1) + "\n"
	var deepBlock strings.Builder
	for i := range maxDepth + 1 {
		fmt.Fprintf(&deepBlock, "%sk:\n", strings.Repeat(" ", i))
	}
	deepBlock.WriteString(strings.Repeat(" ", maxDepth+1) + "k: v\n")
	for _, deep := range []string{deepFlow, deepBlock.String()} {
		if _, ok := fastYAML([]byte(deep)); ok {
			t.Errorf("fastYAML reads %d nested collections", maxDepth+1)
		}
	}
	if _, ok := fastYAML([]byte("a: " + strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1) + "\n")); !ok {
		t.Errorf("fastYAML declines %d nested collections", maxDepth)
	}
	// The organization files of the repository and the generated
	// organization: fastYAML must accept the generated one (else the load
	// of a large organization is slow again), and read every file it
	// accepts as the library does.
	if !checkFast(t, "generated", Generate(40, 6, 1)) {
		t.Error("fastYAML declines the generated organization")
	}
	accepted, declined := 0, []string{}
	for _, root := range []string{"../../landing-zones", "../../testdata", "testdata"} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if checkFast(t, p, data) {
				accepted++
			} else {
				declined = append(declined, p)
			}
			return nil
		})
	}
	t.Logf("fastYAML read %d files; declined %d: %v", accepted, len(declined), declined)
}

func FuzzFastYAML(f *testing.F) {
	for _, c := range fastCases {
		f.Add([]byte(c))
	}
	f.Add(Generate(3, 4, 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFast(t, "fuzz", data)
	})
}

// TestFromLibrary checks the conversion of the library's tree (files
// outside the fast reader's part of YAML): the same tree, aliases pointing
// at their anchors' nodes.
func TestFromLibrary(t *testing.T) {
	text := "a: &x {k: [1, 2.5, true, null, s, \"q\", 2012-10-17]}\nb: *x\nc: !custom v\nd: |\n  block\n"
	lib, err := libraryTree([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	n := fromLibrary(lib)
	tags := []string{}
	for _, v := range n.Content[1].Content[1].Content {
		tags = append(tags, v.ShortTag())
	}
	if got, want := strings.Join(tags, " "), "!!int !!float !!bool !!null !!str !!str !other"; got != want {
		t.Errorf("tags %s, want %s", got, want)
	}
	if b := n.Content[3]; b.Kind != aliasNode || b.Alias != n.Content[1] {
		t.Errorf("the alias does not point at its anchor's node: %+v", b)
	}
	if c := n.Content[5]; c.tag != tagOther || c.Value != "v" || c.Line != 3 || c.Column != 4 {
		t.Errorf("the tagged scalar is %+v", c)
	}
	if d := n.Content[7]; d.tag != tagStr || d.Value != "block\n" {
		t.Errorf("the block scalar is %+v", d)
	}
}

// The reader's check of the characters looks at eight at a time: a
// character it must decline, or a line starting a document marker or a
// directive, is found at every offset of a long line, and the characters it
// accepts are accepted wherever they are.
func TestFastYAMLCharacterCheck(t *testing.T) {
	line := "key: " + strings.Repeat("abcdefgh", 4) + "\n"
	for _, bad := range []string{"\x00", "\t", "\r", "\x1f", "\x7f", "\x80", "\xff", "\xc3", "\u2028", "\ufeff", "\u0085"} {
		for i := 0; i <= len(line)-1; i++ {
			text := line + line[:i] + bad + line[i:] + line
			var r fastReader
			if r.init([]byte(text)) {
				t.Errorf("init accepts %q at offset %d of the second line", bad, i)
			}
		}
	}
	for _, good := range []string{"é", "→", "😀", " ", "~"} {
		for i := 0; i <= len(line)-1; i++ {
			text := line + line[:i] + good + line[i:] + line
			var r fastReader
			if !r.init([]byte(text)) {
				t.Errorf("init declines %q at offset %d of the second line", good, i)
			}
			if want := good[0] >= 0x80; r.nonASCII != want {
				t.Errorf("%q at offset %d: nonASCII %v, want %v", good, i, r.nonASCII, want)
			}
		}
	}
	// The marker's line starts at every offset of an eight-byte word, after
	// one line or two; a line starting with '-' or '.' but no marker is
	// accepted.
	for _, start := range []string{"---", "...", "%YAML 1.2"} {
		for n := range 17 {
			pad := strings.Repeat("a", n)
			for _, text := range []string{"k" + pad + ": v\n" + start + " x\n" + line, "k: v\nk" + pad + ": v\n" + start + "\n"} {
				var r fastReader
				if r.init([]byte(text)) {
					t.Errorf("init accepts a line starting %q in %q", start, text)
				}
			}
		}
	}
	for n := range 17 {
		text := "k" + strings.Repeat("a", n) + ": v\n-- x\n.. y\n-\n" + line
		var r fastReader
		if !r.init([]byte(text)) {
			t.Errorf("init declines %q", text)
		}
	}
}
