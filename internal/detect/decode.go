package detect

import (
	"fmt"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/securecart/warden/internal/audit"
)

// recordReader decodes stored trail records for the detections: only the
// fields the rules and a Finding read, and the request parameters only of
// the services whose calls the rules read parameters of. A full
// json.Unmarshal into audit.Record (maps for the parameters and the
// response, every string copied) cost Security Hub's background detection
// a tenth of `warden serve`'s CPU under load, for records of which almost
// none show anything; this reads a record in one pass over its bytes with
// no allocation but the strings it keeps, skipping what it does not read
// by its brackets (it reads what the trail wrote, whose hashes verify
// checks: it is no JSON validator). The detection tests run every case
// through it and through encoding/json and require the same findings;
// TestSlimDecodeReadsWhatTheRulesRead and FuzzSlimDecode hold its fields to
// encoding/json's.
type recordReader struct {
	lex lexer
	tmp []byte
	// seen interns the values that repeat from record to record (sources,
	// names, principals, agents), so that reading them allocates nothing.
	seen map[string]string
}

// paramSources are the event sources whose request parameters a rule
// reads (param): CloudTrail's trail changes, STS's AssumeRole, IAM's
// revocation policies.
var paramSources = map[string]bool{"cloudtrail.amazonaws.com": true, "sts.amazonaws.com": true, "iam.amazonaws.com": true}

// decode reads data into r (reset first).
func (rr *recordReader) decode(data []byte, r *audit.Record) error {
	*r = audit.Record{}
	rr.lex.reset(data)
	err := rr.object(func(name []byte) error {
		var dst *string
		switch string(name) {
		case "eventTime":
			return rr.unique(&r.EventTime)
		case "eventSource":
			dst = &r.EventSource
		case "eventName":
			dst = &r.EventName
		case "eventType":
			dst = &r.EventType
		case "errorCode":
			dst = &r.ErrorCode
		case "awsRegion":
			dst = &r.AWSRegion
		case "sourceIPAddress":
			dst = &r.SourceIPAddress
		case "userAgent":
			dst = &r.UserAgent
		case "eventID":
			return rr.unique(&r.EventID)
		case "recipientAccountId":
			dst = &r.RecipientAccountID
		case "userIdentity":
			return rr.identity(&r.UserIdentity)
		case "requestParameters":
			return rr.params(r)
		default:
			return rr.lex.SkipValue()
		}
		return rr.str(dst)
	})
	if err != nil {
		return err
	}
	if !paramSources[r.EventSource] {
		r.RequestParameters = nil
	}
	return nil
}

// params reads requestParameters: its string members, the only ones a rule
// reads (param). The record's eventSource may come after them, so they are
// read for every record and dropped by decode where no rule reads them.
func (rr *recordReader) params(r *audit.Record) error {
	if rr.lex.PeekKind() != '{' {
		return rr.lex.SkipValue()
	}
	m := map[string]any{}
	r.RequestParameters = m
	return rr.object(func(name []byte) error {
		if rr.lex.PeekKind() != '"' {
			return rr.lex.SkipValue()
		}
		key := string(name)
		var v string
		if err := rr.str(&v); err != nil {
			return err
		}
		m[key] = v
		return nil
	})
}

func (rr *recordReader) identity(u *audit.UserIdentity) error {
	return rr.object(func(name []byte) error {
		switch string(name) {
		case "type":
			return rr.str(&u.Type)
		case "arn":
			return rr.str(&u.ARN)
		case "accountId":
			return rr.str(&u.AccountID)
		case "accessKeyId":
			return rr.str(&u.AccessKeyID)
		case "sessionContext":
			if rr.lex.PeekKind() == 'n' {
				return rr.lex.SkipValue()
			}
			sc := &audit.SessionContext{}
			u.SessionContext = sc
			return rr.object(func(name []byte) error {
				switch string(name) {
				case "attributes":
					return rr.object(func(name []byte) error {
						if string(name) == "creationDate" {
							return rr.str(&sc.Attributes.CreationDate)
						}
						return rr.lex.SkipValue()
					})
				case "sessionIssuer":
					if rr.lex.PeekKind() == 'n' {
						return rr.lex.SkipValue()
					}
					sc.SessionIssuer = &audit.SessionIssuer{}
					return rr.object(func(name []byte) error {
						switch string(name) {
						case "type":
							return rr.str(&sc.SessionIssuer.Type)
						case "arn":
							return rr.str(&sc.SessionIssuer.ARN)
						case "accountId":
							return rr.str(&sc.SessionIssuer.AccountID)
						}
						return rr.lex.SkipValue()
					})
				}
				return rr.lex.SkipValue()
			})
		}
		return rr.lex.SkipValue()
	})
}

// object reads an object (or null), calling field with each member's name
// (valid during the call), which must read the member's value.
func (rr *recordReader) object(field func(name []byte) error) error {
	l := &rr.lex
	switch k := l.PeekKind(); k {
	case 'n':
		return l.SkipValue()
	case '{':
	default:
		return l.errorf("want an object, found %s", l.found(k))
	}
	l.i++
	l.ws()
	if l.i < len(l.b) && l.b[l.i] == '}' {
		l.i++
		return nil
	}
	for {
		if k := l.PeekKind(); k != '"' {
			return l.errorf("want a member's name, found %s", l.found(k))
		}
		quoted, raw, esc, err := l.string()
		if err != nil {
			return err
		}
		name := raw
		if esc {
			if rr.tmp, err = jsontext.AppendUnquote(rr.tmp[:0], quoted); err != nil {
				return l.errorf("%v", err)
			}
			name = append([]byte(nil), rr.tmp...)
		}
		l.ws()
		if l.i >= len(l.b) || l.b[l.i] != ':' {
			return l.errorf("want ':' after the name %q, found %s", name, l.found(l.PeekKind()))
		}
		l.i++
		l.path = append(l.path, name)
		err = field(name)
		l.path = l.path[:len(l.path)-1]
		if err != nil {
			return err
		}
		l.ws()
		if l.i >= len(l.b) {
			return l.errorf("unexpected end of the record (EOF)")
		}
		switch l.b[l.i] {
		case ',':
			l.i++
			l.ws()
			continue
		case '}':
			l.i++
			return nil
		}
		return l.errorf("invalid character %q after a member", l.b[l.i])
	}
}

// str reads a string (or null) into dst, interned.
func (rr *recordReader) str(dst *string) error {
	b, ok, err := rr.read()
	if !ok {
		return err
	}
	if v, ok := rr.seen[string(b)]; ok {
		*dst = v
		return nil
	}
	if rr.seen == nil || len(rr.seen) >= 4096 {
		rr.seen = make(map[string]string, 256)
	}
	*dst = string(b)
	rr.seen[*dst] = *dst
	return nil
}

// unique reads a string (or null) that differs from record to record
// into dst.
func (rr *recordReader) unique(dst *string) error {
	b, ok, err := rr.read()
	if ok {
		*dst = string(b)
	}
	return err
}

// read reads a string's contents (valid until the next read), false for
// null or an error.
func (rr *recordReader) read() ([]byte, bool, error) {
	l := &rr.lex
	switch k := l.PeekKind(); k {
	case 'n':
		return nil, false, l.SkipValue()
	case '"':
	default:
		return nil, false, l.errorf("want a string, found %s", l.found(k))
	}
	quoted, raw, esc, err := l.string()
	if err != nil {
		return nil, false, err
	}
	if !esc && utf8.Valid(raw) {
		return raw, true, nil
	}
	if rr.tmp, err = jsontext.AppendUnquote(rr.tmp[:0], quoted); err != nil {
		return nil, false, l.errorf("%v", err)
	}
	return rr.tmp, true, nil
}

// lexer walks a record's bytes.
type lexer struct {
	b    []byte
	i    int
	path [][]byte // the names of the members being read, for errors
}

func (l *lexer) reset(b []byte) { l.b, l.i, l.path = b, 0, l.path[:0] }

func (l *lexer) ws() {
	for l.i < len(l.b) {
		switch l.b[l.i] {
		case ' ', '\t', '\n', '\r':
			l.i++
		default:
			return
		}
	}
}

// PeekKind is the kind of the next value: '{', '[', '"', 'n', 't', 'f',
// '0' for a number, 0 at the end or before anything else.
func (l *lexer) PeekKind() byte {
	l.ws()
	if l.i >= len(l.b) {
		return 0
	}
	switch c := l.b[l.i]; c {
	case '{', '[', '"', 'n', 't', 'f':
		return c
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return '0'
	}
	return 0
}

// found names what is next, for errors.
func (l *lexer) found(k byte) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '0':
		return "a number"
	}
	if l.i >= len(l.b) {
		return "the end of the record (EOF)"
	}
	return fmt.Sprintf("invalid character %q", l.b[l.i])
}

func (l *lexer) errorf(format string, args ...any) error {
	var p []byte
	for _, n := range l.path {
		p = append(append(p, '/'), n...)
	}
	return fmt.Errorf("at %s (byte %d): %s", p, l.i, fmt.Sprintf(format, args...))
}

// string reads a string: quoted with its quotes, raw without, and whether
// it holds escapes.
func (l *lexer) string() (quoted, raw []byte, esc bool, err error) {
	start := l.i
	for j := start + 1; j < len(l.b); j++ {
		switch c := l.b[j]; {
		case c == '"':
			l.i = j + 1
			return l.b[start:l.i], l.b[start+1 : j], esc, nil
		case c == '\\':
			esc = true
			j++
		case c < 0x20:
			l.i = j
			return nil, nil, false, l.errorf("invalid character %q in a string", c)
		}
	}
	l.i = len(l.b)
	return nil, nil, false, l.errorf("unexpected end of the record (EOF) in a string")
}

// SkipValue skips the next value: a string to its closing quote, an object
// or array to its closing bracket (strings inside included), a literal to
// its end.
func (l *lexer) SkipValue() error {
	switch k := l.PeekKind(); k {
	case '"':
		_, _, _, err := l.string()
		return err
	case '{', '[':
		depth := 0
		for l.i < len(l.b) {
			switch l.b[l.i] {
			case '"':
				if _, _, _, err := l.string(); err != nil {
					return err
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					l.i++
					return nil
				}
			}
			l.i++
		}
		return l.errorf("unexpected end of the record (EOF)")
	case 'n', 't', 'f', '0':
		for l.i < len(l.b) {
			switch c := l.b[l.i]; {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '+', c == '.', c == 'E':
				l.i++
				continue
			}
			break
		}
		return nil
	default:
		return l.errorf("want a value, found %s", l.found(k))
	}
}
