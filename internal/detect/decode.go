package detect

import (
	"bytes"
	"fmt"

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
// no allocation but the strings it keeps. TestSlimDecodeObservesAsFull
// holds it to what the full decoding gives the detector.
type recordReader struct {
	buf bytes.Buffer
	dec *jsontext.Decoder
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
	rr.buf.Reset()
	rr.buf.Write(data)
	// The trail writes each name once (and hashes what it wrote): no
	// duplicate-name bookkeeping.
	if rr.dec == nil {
		rr.dec = jsontext.NewDecoder(&rr.buf, jsontext.AllowDuplicateNames(true))
	} else {
		rr.dec.Reset(&rr.buf, jsontext.AllowDuplicateNames(true))
	}
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
			return rr.dec.SkipValue()
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
	if rr.dec.PeekKind() != '{' {
		return rr.dec.SkipValue()
	}
	m := map[string]any{}
	r.RequestParameters = m
	return rr.object(func(name []byte) error {
		if rr.dec.PeekKind() != '"' {
			return rr.dec.SkipValue()
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
			if rr.dec.PeekKind() == 'n' {
				return rr.dec.SkipValue()
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
						return rr.dec.SkipValue()
					})
				case "sessionIssuer":
					if rr.dec.PeekKind() == 'n' {
						return rr.dec.SkipValue()
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
						return rr.dec.SkipValue()
					})
				}
				return rr.dec.SkipValue()
			})
		}
		return rr.dec.SkipValue()
	})
}

// object reads an object (or null), calling field with each member's name
// (valid during the call), which must read the member's value.
func (rr *recordReader) object(field func(name []byte) error) error {
	if rr.dec.PeekKind() == 'n' {
		return rr.dec.SkipValue()
	}
	tok, err := rr.dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '{' {
		return fmt.Errorf("at %s: want an object, found %v", rr.dec.StackPointer(), tok.Kind())
	}
	for rr.dec.PeekKind() != '}' {
		v, err := rr.dec.ReadValue()
		if err != nil {
			return err
		}
		if rr.tmp, err = jsontext.AppendUnquote(rr.tmp[:0], v); err != nil {
			return err
		}
		if err := field(rr.tmp); err != nil {
			return err
		}
	}
	_, err = rr.dec.ReadToken()
	return err
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
	v, err := rr.dec.ReadValue()
	if err != nil {
		return nil, false, err
	}
	switch v.Kind() {
	case 'n':
		return nil, false, nil
	case '"':
	default:
		return nil, false, fmt.Errorf("at %s: want a string, found %v", rr.dec.StackPointer(), v.Kind())
	}
	rr.tmp, err = jsontext.AppendUnquote(rr.tmp[:0], v)
	return rr.tmp, err == nil, err
}
