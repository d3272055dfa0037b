package validate

import (
	"fmt"
	"sort"
	"unicode/utf8"
)

// Finding types, in decreasing order of severity.
const (
	Error           = "ERROR"
	SecurityWarning = "SECURITY_WARNING"
	Warning         = "WARNING"
	Suggestion      = "SUGGESTION"
)

// Severity ranks a finding type: 4 for ERROR down to 1 for SUGGESTION, 0 for
// anything else.
func Severity(findingType string) int {
	switch findingType {
	case Error:
		return 4
	case SecurityWarning:
		return 3
	case Warning:
		return 2
	case Suggestion:
		return 1
	}
	return 0
}

// ReferencePage is AWS's policy-check reference; LearnMoreLink is this page
// with the check's anchor.
const ReferencePage = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"

// Finding is one result of validation, in the shape of Access Analyzer's
// ValidatePolicyFinding.
type Finding struct {
	FindingType    string     `json:"findingType"`
	IssueCode      string     `json:"issueCode"`
	FindingDetails string     `json:"findingDetails"`
	LearnMoreLink  string     `json:"learnMoreLink"`
	Locations      []Location `json:"locations"`
}

// Location is a place in the policy: a path through its JSON and the span of
// text it covers.
type Location struct {
	Path []PathElement `json:"path"`
	Span Span          `json:"span"`
}

// PathElement is one step of a path; exactly one field is set, as in AWS's
// union: Value names an object member to descend into, Index an array item,
// Key the name of a member itself (when the finding is about the name), and
// Substring a part of a string value.
type PathElement struct {
	Index     *int       `json:"index,omitempty"`
	Key       *string    `json:"key,omitempty"`
	Substring *Substring `json:"substring,omitempty"`
	Value     *string    `json:"value,omitempty"`
}

// Substring is a part of a string: its start and length in characters.
type Substring struct {
	Start  int `json:"start"`
	Length int `json:"length"`
}

// Span is a range of the policy's text, end exclusive.
type Span struct {
	Start Position `json:"start"`
	End   Position `json:"end"`
}

// Position is a point in the policy's text as AWS counts it: line from 1,
// column from 0, offset from 0, columns and offsets in characters.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

// String renders a path as AWS's console does: Statement[0].Action[1].
func (l Location) String() string {
	s := ""
	for _, e := range l.Path {
		switch {
		case e.Index != nil:
			s += fmt.Sprintf("[%d]", *e.Index)
		case e.Value != nil:
			if s != "" {
				s += "."
			}
			s += *e.Value
		case e.Key != nil:
			if s != "" {
				s += "."
			}
			s += *e.Key
		case e.Substring != nil:
			s += fmt.Sprintf("[%d:%d]", e.Substring.Start, e.Substring.Start+e.Substring.Length)
		}
	}
	return s
}

// positions converts byte offsets of a source to AWS's positions. The line
// index (and, for text that is not ASCII, the number of characters before
// each line) is built once, so that a position costs a binary search and a
// count within its line.
type positions struct {
	src        []byte
	lineStarts []int64
	lineChars  []int // characters before each line; nil when ascii
	ascii      bool  // characters are bytes
}

func newPositions(src []byte) *positions {
	p := &positions{src: src, lineStarts: []int64{0}, ascii: true}
	for i, c := range src {
		if c == '\n' {
			p.lineStarts = append(p.lineStarts, int64(i+1))
		}
		if c >= utf8.RuneSelf {
			p.ascii = false
		}
	}
	if !p.ascii {
		p.lineChars = make([]int, len(p.lineStarts))
		for i := 1; i < len(p.lineStarts); i++ {
			p.lineChars[i] = p.lineChars[i-1] + utf8.RuneCount(src[p.lineStarts[i-1]:p.lineStarts[i]])
		}
	}
	return p
}

func (p *positions) at(off int64) Position {
	if off < 0 {
		off = 0
	}
	if off > int64(len(p.src)) {
		off = int64(len(p.src))
	}
	line := sort.Search(len(p.lineStarts), func(i int) bool { return p.lineStarts[i] > off }) - 1
	start := p.lineStarts[line]
	if p.ascii {
		return Position{Line: line + 1, Column: int(off - start), Offset: int(off)}
	}
	col := utf8.RuneCount(p.src[start:off])
	return Position{Line: line + 1, Column: col, Offset: p.lineChars[line] + col}
}

func (p *positions) span(start, end int64) Span {
	return Span{Start: p.at(start), End: p.at(end)}
}

// pathTo is the path from the document's root to n.
func pathTo(n *node) []PathElement {
	var rev []PathElement
	for ; n != nil && n.parent != nil; n = n.parent {
		if n.name != nil {
			v := n.name.name
			rev = append(rev, PathElement{Value: &v})
		} else {
			i := n.index
			rev = append(rev, PathElement{Index: &i})
		}
	}
	out := make([]PathElement, len(rev))
	for i, e := range rev {
		out[len(rev)-1-i] = e
	}
	return out
}

// sortFindings orders findings by where they are, then by severity and code,
// so that output does not depend on the order the checks ran in.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		oa, ob := firstOffset(a), firstOffset(b)
		if oa != ob {
			return oa < ob
		}
		if sa, sb := Severity(a.FindingType), Severity(b.FindingType); sa != sb {
			return sa > sb
		}
		return a.IssueCode < b.IssueCode
	})
}

func firstOffset(f Finding) int {
	if len(f.Locations) == 0 {
		return -1
	}
	return f.Locations[0].Span.Start.Offset
}
