package detect

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strings"
	"unicode/utf8"
	"unsafe"

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
	// view makes decode read the same fields as views of the record's
	// bytes: strings that share its memory (escaped ones are copied), the
	// parameters in one map and the session in one context reused from
	// record to record. Such a record is the same record as read
	// otherwise (TestViewDecodeSameAsCopied, FuzzSlimDecode), read
	// without allocating but for its escaped strings, and valid only
	// while its bytes are unchanged and until the next decode: ReadStored
	// reads each record so to tell whether a rule acts on it
	// (Detector.acts), and makes it its own (own: its views copied) only
	// when one does.
	view       bool
	viewParams map[string]any
	viewSC     audit.SessionContext
	viewSI     audit.SessionIssuer
	// cuts are where the values of the members that change from call to
	// call are (cutNames), and structured whether the parameters or the
	// response are more than null: what shapes needs of a record read.
	cuts       [len(cutNames)]cut
	structured bool
}

// cut is where a value is in a record, [start, end). recordReader notes
// where each cut member's value is (quotes included) and, in n, how many
// times it read the member; a shape keeps where its cut strings'
// contents are (quotes excluded, n unused).
type cut struct{ start, end, n int }

func (rr *recordReader) noteCut(i, start int) {
	c := &rr.cuts[i]
	c.start, c.end = start, rr.lex.i
	c.n++
}

// paramSources are the event sources whose request parameters a rule
// reads (param): CloudTrail's trail changes, STS's AssumeRole, IAM's
// revocation policies.
var paramSources = map[string]bool{"cloudtrail.amazonaws.com": true, "sts.amazonaws.com": true, "iam.amazonaws.com": true}

// decode reads data into r (reset first).
func (rr *recordReader) decode(data []byte, r *audit.Record) error {
	*r = audit.Record{}
	rr.lex.reset(data)
	rr.cuts, rr.structured = [len(cutNames)]cut{}, false
	err := rr.object(func(name []byte) error {
		var dst *string
		switch string(name) {
		case "eventTime":
			at := rr.lex.valueAt()
			err := rr.unique(&r.EventTime)
			rr.noteCut(cutEventTime, at)
			return err
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
			at := rr.lex.valueAt()
			err := rr.str(&r.SourceIPAddress)
			rr.noteCut(cutSourceIP, at)
			return err
		case "userAgent":
			dst = &r.UserAgent
		case "eventID":
			at := rr.lex.valueAt()
			err := rr.unique(&r.EventID)
			rr.noteCut(cutEventID, at)
			return err
		case "requestID":
			at := rr.lex.valueAt()
			err := rr.lex.SkipValue()
			rr.noteCut(cutRequestID, at)
			return err
		case "responseElements":
			rr.structured = rr.structured || rr.lex.PeekKind() != 'n'
			return rr.lex.SkipValue()
		case "recipientAccountId":
			dst = &r.RecipientAccountID
		case "userIdentity":
			return rr.identity(&r.UserIdentity)
		case "requestParameters":
			rr.structured = rr.structured || rr.lex.PeekKind() != 'n'
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
		// As encoding/json: a later null (or anything but an object) is
		// what the parameters are.
		r.RequestParameters = nil
		return rr.lex.SkipValue()
	}
	var m map[string]any
	if rr.view {
		if rr.viewParams == nil {
			rr.viewParams = map[string]any{}
		}
		m = rr.viewParams
		clear(m)
	} else {
		m = map[string]any{}
	}
	r.RequestParameters = m
	return rr.object(func(name []byte) error {
		if rr.lex.PeekKind() != '"' {
			// Not a string: a rule reads none there (a repeated name
			// replaces the string before it, as encoding/json's does).
			delete(m, string(name))
			return rr.lex.SkipValue()
		}
		var key string
		if rr.view {
			key = viewOf(name)
		} else {
			key = string(name)
		}
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
			// As encoding/json: null sets no session, and a repeated
			// object is read into the session before it.
			if rr.lex.PeekKind() == 'n' {
				u.SessionContext = nil
				return rr.lex.SkipValue()
			}
			sc := u.SessionContext
			switch {
			case sc != nil:
			case rr.view:
				rr.viewSC = audit.SessionContext{}
				sc = &rr.viewSC
			default:
				sc = &audit.SessionContext{}
			}
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
						sc.SessionIssuer = nil
						return rr.lex.SkipValue()
					}
					switch {
					case sc.SessionIssuer != nil:
					case rr.view:
						rr.viewSI = audit.SessionIssuer{}
						sc.SessionIssuer = &rr.viewSI
					default:
						sc.SessionIssuer = &audit.SessionIssuer{}
					}
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

// str reads a string (or null) into dst, interned (a view in view
// mode).
func (rr *recordReader) str(dst *string) error {
	b, tmp, ok, err := rr.read()
	if !ok {
		return err
	}
	if rr.view {
		*dst = viewOrCopy(b, tmp)
		return nil
	}
	*dst = rr.intern(b)
	return nil
}

// intern returns b as a string of its own, the same as the last time.
func (rr *recordReader) intern(b []byte) string {
	if v, ok := rr.seen[string(b)]; ok {
		return v
	}
	if rr.seen == nil || len(rr.seen) >= 4096 {
		rr.seen = make(map[string]string, 256)
	}
	s := string(b)
	rr.seen[s] = s
	return s
}

// own makes r, read as views (view mode, or by its shape), a record of
// its own, as decode would have read it (TestOwnSameAsDecode): its
// strings copied, or interned as str interns them, its session and
// parameters new. ReadStored reads so the records a rule acts on, which
// the detector keeps parts of.
func (rr *recordReader) own(r *audit.Record) {
	r.EventTime, r.EventID = strings.Clone(r.EventTime), strings.Clone(r.EventID)
	u := &r.UserIdentity
	for _, s := range [...]*string{&r.EventSource, &r.EventName, &r.EventType, &r.ErrorCode, &r.AWSRegion, &r.SourceIPAddress,
		&r.UserAgent, &r.RecipientAccountID, &u.Type, &u.ARN, &u.AccountID, &u.AccessKeyID} {
		*s = rr.internString(*s)
	}
	if sc := u.SessionContext; sc != nil {
		own := &audit.SessionContext{}
		own.Attributes.CreationDate = rr.internString(sc.Attributes.CreationDate)
		if si := sc.SessionIssuer; si != nil {
			own.SessionIssuer = &audit.SessionIssuer{Type: rr.internString(si.Type), ARN: rr.internString(si.ARN),
				AccountID: rr.internString(si.AccountID)}
		}
		u.SessionContext = own
	}
	if m, ok := r.RequestParameters.(map[string]any); ok {
		own := make(map[string]any, len(m))
		for k, v := range m {
			s, _ := v.(string)
			own[strings.Clone(k)] = rr.internString(s)
		}
		r.RequestParameters = own
	}
}

// internString is intern for a string that may share memory.
func (rr *recordReader) internString(s string) string {
	if s == "" {
		return ""
	}
	return rr.intern(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// unique reads a string (or null) that differs from record to record
// into dst.
func (rr *recordReader) unique(dst *string) error {
	b, tmp, ok, err := rr.read()
	if ok {
		if rr.view {
			*dst = viewOrCopy(b, tmp)
		} else {
			*dst = string(b)
		}
	}
	return err
}

// viewOf returns b, part of the record being read or a member's name
// that object copied (and never writes again), as a string that shares its
// memory.
func viewOf(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// viewOrCopy is what read returned as a string: a view of the record's
// bytes, or a copy of rr.tmp (tmp: an escaped string, which the next
// overwrites).
func viewOrCopy(b []byte, tmp bool) string {
	if tmp {
		return string(b)
	}
	return viewOf(b)
}

// read reads a string's contents (valid until the next read), false for
// null or an error; tmp when they are in rr.tmp (unescaped), not the
// record's bytes.
func (rr *recordReader) read() (b []byte, tmp, ok bool, err error) {
	l := &rr.lex
	switch k := l.PeekKind(); k {
	case 'n':
		return nil, false, false, l.SkipValue()
	case '"':
	default:
		return nil, false, false, l.errorf("want a string, found %s", l.found(k))
	}
	quoted, raw, esc, err := l.string()
	if err != nil {
		return nil, false, false, err
	}
	if !esc && utf8.Valid(raw) {
		return raw, false, true, nil
	}
	if rr.tmp, err = jsontext.AppendUnquote(rr.tmp[:0], quoted); err != nil {
		return nil, false, false, l.errorf("%v", err)
	}
	return rr.tmp, true, true, nil
}

// forget drops what the reader holds of the last record's bytes (views,
// the lexer's place in them), which may be reused once it returns.
func (rr *recordReader) forget() {
	clear(rr.lex.path[:cap(rr.lex.path)])
	rr.lex.b, rr.lex.path = nil, rr.lex.path[:0]
	clear(rr.viewParams)
	rr.viewSC, rr.viewSI = audit.SessionContext{}, audit.SessionIssuer{}
}

// lexer walks a record's bytes.
type lexer struct {
	b    []byte
	i    int
	path [][]byte // the names of the members being read, for errors
}

func (l *lexer) reset(b []byte) { l.b, l.i, l.path = b, 0, l.path[:0] }

// valueAt is where the next value starts.
func (l *lexer) valueAt() int {
	l.ws()
	return l.i
}

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
// it holds escapes. It looks at 8 bytes at a time for the first that ends
// the string or needs a look: a quote, a backslash or a control character.
func (l *lexer) string() (quoted, raw []byte, esc bool, err error) {
	start := l.i
	b := l.b
	j := start + 1
	for {
		if j+8 <= len(b) {
			m := specials(binary.LittleEndian.Uint64(b[j:]))
			if m == 0 {
				j += 8
				continue
			}
			j += bits.TrailingZeros64(m) >> 3
		} else {
			for j < len(b) && b[j] != '"' && b[j] != '\\' && b[j] >= 0x20 {
				j++
			}
			if j >= len(b) {
				l.i = len(b)
				return nil, nil, false, l.errorf("unexpected end of the record (EOF) in a string")
			}
		}
		switch c := b[j]; {
		case c == '"':
			l.i = j + 1
			return b[start:l.i], b[start+1 : j], esc, nil
		case c == '\\':
			esc = true
			j += 2
		default:
			l.i = j
			return nil, nil, false, l.errorf("invalid character %q in a string", c)
		}
	}
}

// specials marks the bytes of x (little-endian) that are '"', '\\' or
// below 0x20 with their high bit, with the tests of "Bit Twiddling Hacks"
// for a zero byte and a byte less than n: a borrow can mark a byte above a
// marked one falsely, never one below, so the lowest mark is exact.
func specials(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, bs := x^(ones*'"'), x^(ones*'\\')
	return ((q-ones)&^q | (bs-ones)&^bs | (x-ones*0x20)&^x) & highs
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
