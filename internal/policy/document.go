package policy

import (
	"strconv"
)

// Versions of the policy language.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Document is a decoded policy document: what it says and where, before any
// check of its type's grammar.
type Document struct {
	// Path is the JSON pointer of the document in its file ("" when the
	// document is the whole file), and Pos where it begins.
	Path       string
	Pos        Pos
	Version    string // "" when absent, which AWS treats as 2008-10-17
	VersionPos Pos    // not valid when Version is absent
	ID         string
	HasID      bool
	Statements []*Statement
	// StatementArray records whether Statement was an array (the paths of
	// errors differ).
	StatementArray bool
	StatementPos   Pos
}

// Vars reports whether policy variables are substituted: only in Version
// 2012-10-17 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html).
func (d *Document) Vars() bool { return d.Version == Version2012 }

// Statement is one statement of a document.
type Statement struct {
	Index  int    // position in the Statement array, from 0
	Path   string // JSON pointer, such as /Statement/2
	Pos    Pos
	Sid    string
	HasSid bool
	SidPos Pos

	Effect    string
	EffectPos Pos

	Principal    *Principal // Principal or NotPrincipal, whichever is present
	NotPrincipal bool

	Action     []Str // Action or NotAction
	NotAction  bool
	HasAction  bool
	ActionPos  Pos
	ActionPath string

	Resource     []Str // Resource or NotResource
	NotResource  bool
	HasResource  bool
	ResourcePos  Pos
	ResourcePath string

	Condition    []CondEntry
	HasCondition bool
	ConditionPos Pos
}

// Label names the statement for people: its Sid, else its index.
func (s *Statement) Label() string {
	if s.Sid != "" {
		return s.Sid
	}
	return strconv.Itoa(s.Index)
}

// Str is a string element value with its position.
type Str struct {
	Value string
	Pos   Pos
	Path  string
}

// Principal is a Principal or NotPrincipal element.
type Principal struct {
	Pos  Pos
	Path string
	// Wildcard is "Principal": "*".
	Wildcard bool
	// Shorthand records a bare ARN or account string in place of the map, which
	// AWS's grammar does not allow; it is kept as an AWS principal so that the
	// checker can name it.
	Shorthand     bool
	AWS           []Str
	Service       []Str
	Federated     []Str
	CanonicalUser []Str
}

// CondEntry is one operator-key pair of a Condition element with its values.
type CondEntry struct {
	Op      string
	OpPos   Pos
	Key     string
	KeyPos  Pos
	Path    string
	Values  []string
	IsArray bool
}
