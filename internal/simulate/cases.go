package simulate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/securecart/warden/internal/authz"
	"github.com/securecart/warden/internal/eval"
	"github.com/securecart/warden/internal/policy"
)

// Case is one decoded case.
type Case struct {
	File   string
	Index  int // position in its file, from 0
	Name   string
	Doc    string // the AWS documentation page the case comes from, if given
	Expect string // "" when the case has no expectation

	Principal, Action, Resource, ResourceAccount string
	Context                                      map[string][]string
	// FederatingUser is the IAM user that created a federated user session
	// (request.federatingUser), when the case says.
	FederatingUser string

	Inputs eval.Inputs
	// Warnings are what AWS would reject when storing the policies but the
	// evaluation can do without (see policy.CheckLenient).
	Warnings []*policy.Error
	// Err is set when the case is malformed; the other fields are then partial.
	Err error
}

// Label names the case in messages.
func (c *Case) Label() string {
	if c.Name != "" {
		return fmt.Sprintf("case %d (%q)", c.Index, c.Name)
	}
	return fmt.Sprintf("case %d", c.Index)
}

// ReadFile decodes every case of a file: one case object, a JSON array of
// cases, or JSON Lines. A malformed case is returned with Err set; an error
// is returned when the file itself cannot be read as JSON.
func ReadFile(src []byte, file string) ([]*Case, error) {
	var cases []*Case
	err := EachCase(src, file, func(c *Case) error {
		cases = append(cases, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cases, nil
}

// utf8BOM is the UTF-8 encoding of U+FEFF, the byte order mark.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// EachCase decodes the cases of a file one at a time, in order, and calls fn
// with each, so that a file of any number of cases is answered in the memory
// of one. It stops at fn's first error and returns it; it returns an error,
// after the cases before it, when the file cannot be read as JSON.
func EachCase(src []byte, file string, fn func(*Case) error) error {
	if bytes.HasPrefix(src, utf8BOM) {
		// A UTF-8 byte order mark, which editors on Windows write, is not
		// JSON; RFC 8259 (section 8.1) lets a parser ignore it, as warden
		// check does in YAML. Blanks in its place keep every byte offset,
		// and so every line:column, where it was.
		src = append([]byte("   "), src[len(utf8BOM):]...)
	}
	dec := jsontext.NewDecoder(bytes.NewReader(src))
	// One line index for the whole file: every position in it, the
	// policies' included, costs a binary search.
	r := &reader{src: src, lines: policy.NewSource(src), file: file, dec: dec}
	n := 0
	next := func(path string) error {
		r.warnings = nil
		c, err := r.readCase(n, path)
		if err != nil {
			return err
		}
		n++
		return fn(c)
	}
	switch dec.PeekKind() {
	case '[':
		if _, err := dec.ReadToken(); err != nil {
			return r.syntax(err)
		}
		for dec.PeekKind() != ']' {
			if err := next("/" + strconv.Itoa(n)); err != nil {
				return err
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return r.syntax(err)
		}
		if _, err := dec.ReadToken(); err != io.EOF {
			return fmt.Errorf("%s: unexpected data after the array of cases", file)
		}
	case '{':
		for {
			if err := next(""); err != nil {
				return err
			}
			if dec.PeekKind() == 0 {
				if _, err := dec.ReadToken(); err != io.EOF {
					return r.syntax(err)
				}
				break
			}
		}
	default:
		if _, err := dec.ReadToken(); err == io.EOF {
			return fmt.Errorf("%s: no cases: the file is empty", file)
		} else if err != nil {
			return r.syntax(err)
		}
		return fmt.Errorf("%s: want a case object, an array of cases or JSON Lines", file)
	}
	return nil
}

// reader walks a JSON source with a decoder over src[base:], so that offsets
// are always offsets in the whole file.
type reader struct {
	src      []byte
	lines    *policy.Source
	base     int64
	file     string
	dec      *jsontext.Decoder
	warnings []*policy.Error
}

func (r *reader) offset() int64 { return r.base + r.dec.InputOffset() }

// sub returns a reader over one value of the file.
func (r *reader) sub(v span) *reader {
	return &reader{src: r.src, lines: r.lines, base: v.start, file: r.file, dec: jsontext.NewDecoder(bytes.NewReader(r.src[v.start:v.end]))}
}

func (r *reader) syntax(err error) error {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		p := r.lines.Pos(r.base + se.ByteOffset)
		return fmt.Errorf("%s:%d:%d: malformed JSON: %v", r.file, p.Line, p.Col, se.Err)
	}
	return fmt.Errorf("%s: %v", r.file, err)
}

// span is a raw JSON value with its byte range in the file.
type span struct {
	start, end int64
	raw        jsontext.Value
}

func (r *reader) readSpan() (span, error) {
	start := skipSpace(r.src, r.offset())
	v, err := r.dec.ReadValue()
	if err != nil {
		return span{}, r.syntax(err)
	}
	return span{start: start, end: r.offset(), raw: v.Clone()}, nil
}

func skipSpace(src []byte, off int64) int64 {
	for int(off) < len(src) {
		switch src[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

// readObject reads an object's members as spans, keeping order.
func (r *reader) readObject(path string) ([]string, []span, error) {
	start := skipSpace(r.src, r.offset())
	if k := r.dec.PeekKind(); k != '{' {
		if k == 0 {
			_, err := r.dec.ReadToken()
			return nil, nil, r.syntax(err)
		}
		p := r.lines.Pos(start)
		return nil, nil, fmt.Errorf("%s:%d:%d: %s: want an object", r.file, p.Line, p.Col, path)
	}
	if _, err := r.dec.ReadToken(); err != nil {
		return nil, nil, r.syntax(err)
	}
	var names []string
	var vals []span
	for r.dec.PeekKind() != '}' {
		tok, err := r.dec.ReadToken()
		if err != nil {
			return nil, nil, r.syntax(err)
		}
		name := tok.String()
		sp, err := r.readSpan()
		if err != nil {
			return nil, nil, err
		}
		names = append(names, name)
		vals = append(vals, sp)
	}
	if _, err := r.dec.ReadToken(); err != nil {
		return nil, nil, r.syntax(err)
	}
	return names, vals, nil
}

func (r *reader) readCase(index int, path string) (*Case, error) {
	start := skipSpace(r.src, r.offset())
	names, vals, err := r.readObject(path)
	if err != nil {
		return nil, err
	}
	c := &Case{File: r.file, Index: index}
	var request, policies *span
	for i, n := range names {
		v := vals[i]
		switch n {
		case "name":
			c.Err = errors.Join(c.Err, r.str(v, path+"/name", &c.Name))
		case "doc":
			c.Err = errors.Join(c.Err, r.str(v, path+"/doc", &c.Doc))
		case "note":
			// Free text for the reader of the case file.
			var note string
			c.Err = errors.Join(c.Err, r.str(v, path+"/note", &note))
		case "expect":
			c.Err = errors.Join(c.Err, r.str(v, path+"/expect", &c.Expect))
			switch c.Expect {
			case "Allow", "ExplicitDeny", "ImplicitDeny":
			default:
				c.Err = errors.Join(c.Err, r.errAt(v.start, path+"/expect", "expect must be Allow, ExplicitDeny or ImplicitDeny, not %q", c.Expect))
			}
		case "request":
			request = &vals[i]
		case "policies":
			policies = &vals[i]
		default:
			// A misspelt "expect" must not turn a case into one that
			// expects nothing and so always passes.
			c.Err = errors.Join(c.Err, r.errAt(v.start, path+"/"+n, "unknown case field %q: a case has name, doc, note, request, policies and expect", n))
		}
	}
	if request == nil {
		c.Err = errors.Join(c.Err, r.errAt(start, path, "the case has no request"))
	} else {
		c.Err = errors.Join(c.Err, r.request(c, *request, path+"/request"))
	}
	if policies != nil {
		before := len(r.warnings)
		c.Err = errors.Join(c.Err, r.policies(c, *policies, path+"/policies"))
		c.Warnings = r.warnings[before:]
	}
	return c, nil
}

func (r *reader) errAt(off int64, path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		// The JSON pointer of the element; a case that is the whole file
		// or line has none.
		msg = path + ": " + msg
	}
	p := r.lines.Pos(off)
	return fmt.Errorf("%s:%d:%d: %s", r.file, p.Line, p.Col, msg)
}

func (r *reader) str(v span, path string, dst *string) error {
	if err := json.Unmarshal(v.raw, dst); err != nil {
		return r.errAt(v.start, path, "want a string")
	}
	return nil
}

// request reads the request object, each member checked where it is written.
func (r *reader) request(c *Case, v span, path string) error {
	names, vals, err := r.sub(v).readObject(path)
	if err != nil {
		return err
	}
	var errs []error
	var principal, action *span
	for i, n := range names {
		mv, mpath := vals[i], path+"/"+n
		switch n {
		case "principal":
			principal = &vals[i]
			if err := r.str(mv, mpath, &c.Principal); err != nil {
				errs = append(errs, err)
			} else if _, err := policy.ParseCaller(c.Principal); err != nil {
				errs = append(errs, r.errAt(mv.start, mpath, "%v", err))
			}
		case "action":
			action = &vals[i]
			if err := r.str(mv, mpath, &c.Action); err != nil {
				errs = append(errs, err)
			} else if !strings.Contains(c.Action, ":") {
				errs = append(errs, r.errAt(mv.start, mpath, "malformed action %q: want service:Action, as in s3:GetObject", c.Action))
			}
		case "resource":
			errs = append(errs, r.str(mv, mpath, &c.Resource))
		case "resourceAccount":
			if err := r.str(mv, mpath, &c.ResourceAccount); err != nil {
				errs = append(errs, err)
			} else if !policy.IsAccountID(c.ResourceAccount) {
				errs = append(errs, r.errAt(mv.start, mpath, "resourceAccount %q is not a 12-digit account ID", c.ResourceAccount))
			}
		case "context":
			errs = append(errs, r.context(c, mv, mpath))
		case "federatingUser":
			errs = append(errs, r.str(mv, mpath, &c.FederatingUser))
		default:
			errs = append(errs, r.errAt(mv.start, mpath, "unknown request field %q: a request has principal, action, resource, resourceAccount, context and federatingUser", n))
		}
	}
	if principal == nil {
		errs = append(errs, r.errAt(v.start, path, "the request has no principal"))
	}
	if action == nil {
		errs = append(errs, r.errAt(v.start, path, "the request has no action"))
	}
	return errors.Join(errs...)
}

// context reads the request context: each value a string or an array of
// strings. Key names ignore case, as in AWS, so two keys that differ only in
// case are one key given twice.
func (r *reader) context(c *Case, v span, path string) error {
	names, vals, err := r.sub(v).readObject(path)
	if err != nil {
		return err
	}
	c.Context = map[string][]string{}
	first := map[string]string{}
	var errs []error
	for i, k := range names {
		kpath := path + "/" + k
		if prev, ok := first[strings.ToLower(k)]; ok {
			errs = append(errs, r.errAt(vals[i].start, kpath, "context key %q is given twice (as %q): key names ignore case", k, prev))
			continue
		}
		first[strings.ToLower(k)] = k
		var one string
		if err := json.Unmarshal(vals[i].raw, &one); err == nil {
			c.Context[k] = []string{one}
			continue
		}
		var many []string
		if err := json.Unmarshal(vals[i].raw, &many); err != nil {
			errs = append(errs, r.errAt(vals[i].start, kpath, "a context value must be a string or an array of strings"))
			continue
		}
		c.Context[k] = many
	}
	return errors.Join(errs...)
}

func cleanJSONError(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "json: ")
	return s
}

var policyTypes = map[string]policy.Type{
	"identity": policy.Identity, "boundary": policy.Boundary, "session": policy.Session,
	"resource": policy.Resource, "scp": policy.SCP, "rcp": policy.RCP, "endpoint": policy.Endpoint,
}

// policies reads the policies object: identity, boundary, session, resource
// and endpoint each hold one document or an array of documents; scp and rcp
// hold arrays of levels {"target": ..., "policies": [...]}.
func (r *reader) policies(c *Case, v span, path string) error {
	names, vals, err := r.sub(v).readObject(path)
	if err != nil {
		return err
	}
	var errs []error
	for i, n := range names {
		p := path + "/" + n
		t, ok := policyTypes[n]
		if !ok {
			errs = append(errs, r.errAt(vals[i].start, p, "unknown policy type %q: want identity, boundary, session, resource, scp, rcp or endpoint", n))
			continue
		}
		switch t {
		case policy.SCP, policy.RCP:
			levels, err := r.levels(vals[i], p, t)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if t == policy.SCP {
				c.Inputs.SCP = levels
			} else {
				c.Inputs.RCP = levels
			}
		default:
			dt := t
			if t == policy.Resource && authz.IsTrustAction(c.Action) {
				// The resource policy of sts:AssumeRole* is the role's trust policy.
				dt = policy.Trust
			}
			docs, err := r.documents(vals[i], p, dt, n)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			switch t {
			case policy.Identity:
				c.Inputs.Identity = docs
			case policy.Boundary:
				c.Inputs.Boundary = docs
			case policy.Session:
				c.Inputs.Session = docs
			case policy.Resource:
				c.Inputs.Resource = docs
			case policy.Endpoint:
				c.Inputs.Endpoint = docs
			}
		}
	}
	return errors.Join(errs...)
}

// documents reads one document or an array of documents.
func (r *reader) documents(v span, path string, t policy.Type, name string) ([]*policy.Policy, error) {
	if v.raw.Kind() == '{' {
		p, err := r.compile(v, path, t, "0")
		if err != nil {
			return nil, err
		}
		return []*policy.Policy{p}, nil
	}
	if v.raw.Kind() != '[' {
		return nil, r.errAt(v.start, path, "%s must be a policy document or an array of them", name)
	}
	sr := r.sub(v)
	if _, err := sr.dec.ReadToken(); err != nil {
		return nil, sr.syntax(err)
	}
	out := []*policy.Policy{}
	var errs []error
	for i := 0; sr.dec.PeekKind() != ']'; i++ {
		sp, err := sr.readSpan()
		if err != nil {
			return nil, err
		}
		p, err := r.compile(sp, path+"/"+strconv.Itoa(i), t, strconv.Itoa(i))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, p)
	}
	return out, errors.Join(errs...)
}

func (r *reader) compile(v span, path string, t policy.Type, name string) (*policy.Policy, error) {
	doc, err := r.lines.ParseSection(v.start, v.end, r.file, path)
	if err != nil {
		return nil, err
	}
	errs, warnings := policy.CheckLenient(doc, t, r.file)
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	r.warnings = append(r.warnings, warnings...)
	p, err := policy.Compile(doc, t, name)
	if err != nil {
		if l, ok := err.(policy.ErrorList); ok {
			for _, e := range l {
				e.File = r.file
			}
		}
		return nil, err
	}
	return p, nil
}

// levels reads an SCP or RCP chain.
func (r *reader) levels(v span, path string, t policy.Type) ([]eval.Level, error) {
	if v.raw.Kind() != '[' {
		return nil, r.errAt(v.start, path, "want an array of levels, each {\"target\": ..., \"policies\": [...]}")
	}
	sr := r.sub(v)
	if _, err := sr.dec.ReadToken(); err != nil {
		return nil, sr.syntax(err)
	}
	levels := []eval.Level{}
	var errs []error
	for i := 0; sr.dec.PeekKind() != ']'; i++ {
		lp := path + "/" + strconv.Itoa(i)
		start := skipSpace(sr.src, sr.offset())
		names, vals, err := sr.readObject(lp)
		if err != nil {
			return nil, err
		}
		lv := eval.Level{Policies: []*policy.Policy{}}
		hasTarget := false
		for j, n := range names {
			switch n {
			case "target":
				hasTarget = true
				if err := r.str(vals[j], lp+"/target", &lv.Target); err != nil {
					errs = append(errs, err)
				} else if lv.Target == "" {
					errs = append(errs, r.errAt(vals[j].start, lp+"/target", "a level's target must not be empty: the root (r-...), an OU (ou-...) or the account"))
				}
			case "policies":
				ps, err := r.documents(vals[j], lp+"/policies", t, "policies")
				if err != nil {
					errs = append(errs, err)
				}
				for k, p := range ps {
					p.Name = strconv.Itoa(k)
				}
				lv.Policies = ps
			default:
				errs = append(errs, r.errAt(vals[j].start, lp+"/"+n, "unknown field %q: a level has target and policies", n))
			}
		}
		if !hasTarget {
			errs = append(errs, r.errAt(start, lp, "the level has no target: name the root (r-...), the OU (ou-...) or the account it is attached to"))
		}
		levels = append(levels, lv)
	}
	return levels, errors.Join(errs...)
}
