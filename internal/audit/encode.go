package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/securecart/warden/internal/call"
)

// appendRecord appends r as JSON: byte for byte what encoding/json's
// Encoder writes for it (HTML-safe escaping, map keys sorted, no newline),
// which TestAppendRecordMatchesEncodingJSON checks field by field, without
// reflection and without allocating. Every call's record is encoded on the
// request path, where encoding/json cost a tenth of the server's CPU.
func appendRecord(b []byte, r *Record) ([]byte, error) {
	var err error
	b = append(b, `{"eventVersion":`...)
	b = appendString(b, r.EventVersion)
	b = append(b, `,"userIdentity":`...)
	b = appendUserIdentity(b, &r.UserIdentity)
	b = appendField(b, "eventTime", r.EventTime)
	b = appendField(b, "eventSource", r.EventSource)
	b = appendField(b, "eventName", r.EventName)
	b = appendField(b, "awsRegion", r.AWSRegion)
	b = appendField(b, "sourceIPAddress", r.SourceIPAddress)
	b = appendField(b, "userAgent", r.UserAgent)
	b = appendOmitEmpty(b, "errorCode", r.ErrorCode)
	b = appendOmitEmpty(b, "errorMessage", r.ErrorMessage)
	b = append(b, `,"requestParameters":`...)
	if b, err = appendAny(b, r.RequestParameters); err != nil {
		return b, err
	}
	b = append(b, `,"responseElements":`...)
	if b, err = appendAny(b, r.ResponseElements); err != nil {
		return b, err
	}
	if r.AdditionalEventData != nil {
		b = append(b, `,"additionalEventData":`...)
		if b, err = appendAny(b, r.AdditionalEventData); err != nil {
			return b, err
		}
	}
	b = appendOmitEmpty(b, "requestID", r.RequestID)
	b = appendField(b, "eventID", r.EventID)
	b = append(b, `,"readOnly":`...)
	b = strconv.AppendBool(b, r.ReadOnly)
	if len(r.Resources) > 0 {
		b = append(b, `,"resources":[`...)
		for i := range r.Resources {
			if i > 0 {
				b = append(b, ',')
			}
			res := &r.Resources[i]
			b = append(b, `{"ARN":`...)
			b = appendString(b, res.ARN)
			b = appendField(b, "accountId", res.AccountID)
			b = appendField(b, "type", res.Type)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendField(b, "eventType", r.EventType)
	b = append(b, `,"managementEvent":`...)
	b = strconv.AppendBool(b, r.ManagementEvent)
	b = appendField(b, "recipientAccountId", r.RecipientAccountID)
	if r.ServiceEventDetails != nil {
		b = append(b, `,"serviceEventDetails":`...)
		if b, err = appendAny(b, r.ServiceEventDetails); err != nil {
			return b, err
		}
	}
	b = appendOmitEmpty(b, "sharedEventID", r.SharedEventID)
	b = appendField(b, "eventCategory", r.EventCategory)
	if len(r.TLSDetails) > 0 {
		b = append(b, `,"tlsDetails":`...)
		if b, err = appendRaw(b, r.TLSDetails); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

func appendUserIdentity(b []byte, u *UserIdentity) []byte {
	if u.Type != "" {
		b = append(b, `{"type":`...)
		b = appendString(b, u.Type)
	} else {
		b = append(b, '{') // a service event's: the comma before the first field goes (below)
	}
	first := len(b)
	b = appendOmitEmpty(b, "principalId", u.PrincipalID)
	b = appendOmitEmpty(b, "arn", u.ARN)
	b = appendOmitEmpty(b, "accountId", u.AccountID)
	b = appendOmitEmpty(b, "accessKeyId", u.AccessKeyID)
	b = appendOmitEmpty(b, "userName", u.UserName)
	b = appendOmitEmpty(b, "identityProvider", u.IdentityProvider)
	if sc := u.SessionContext; sc != nil {
		b = append(b, `,"sessionContext":{`...)
		if si := sc.SessionIssuer; si != nil {
			b = append(b, `"sessionIssuer":{"type":`...)
			b = appendString(b, si.Type)
			b = appendField(b, "principalId", si.PrincipalID)
			b = appendField(b, "arn", si.ARN)
			b = appendField(b, "accountId", si.AccountID)
			b = appendField(b, "userName", si.UserName)
			b = append(b, "},"...)
		}
		b = append(b, `"attributes":{"creationDate":`...)
		b = appendString(b, sc.Attributes.CreationDate)
		b = appendField(b, "mfaAuthenticated", sc.Attributes.MFAAuthenticated)
		b = append(b, '}')
		b = appendOmitEmpty(b, "sourceIdentity", sc.SourceIdentity)
		b = append(b, '}')
	}
	if o := u.OnBehalfOf; o != nil {
		b = append(b, `,"onBehalfOf":{"userId":`...)
		b = appendString(b, o.UserID)
		b = appendField(b, "identityStoreArn", o.IdentityStoreARN)
		b = append(b, '}')
	}
	b = appendOmitEmpty(b, "credentialId", u.CredentialID)
	b = appendOmitEmpty(b, "invokedBy", u.InvokedBy)
	if u.Type == "" && len(b) > first && b[first] == ',' {
		b = append(b[:first], b[first+1:]...)
	}
	return append(b, '}')
}

// appendField appends ,"name":value; name needs no escaping.
func appendField(b []byte, name, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, value)
}

func appendOmitEmpty(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	return appendField(b, name, value)
}

// appendAny appends the values records carry in requestParameters and
// responseElements (what Scrub returns); anything else goes through
// encoding/json.
func appendAny(b []byte, v any) ([]byte, error) {
	var err error
	switch t := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, t), nil
	case bool:
		return strconv.AppendBool(b, t), nil
	case float64:
		return appendFloat(b, t)
	case int:
		return strconv.AppendInt(b, int64(t), 10), nil
	case int64:
		return strconv.AppendInt(b, t, 10), nil
	case call.Fields:
		return appendAny(b, map[string]any(t))
	case map[string]any:
		if t == nil {
			return append(b, "null"...), nil
		}
		keys := make([]string, 0, 16)
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			if b, err = appendAny(b, t[k]); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	case []any:
		if t == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendAny(b, e); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, data...), nil
}

// appendFloat writes f as encoding/json does (ES6 number formatting).
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, errors.New("json: unsupported value: " + strconv.FormatFloat(f, 'g', -1, 64))
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendRaw appends a json.RawMessage as encoding/json does: validated,
// compacted, and HTML-escaped.
func appendRaw(b []byte, raw json.RawMessage) ([]byte, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return b, err
	}
	out := bytes.NewBuffer(b)
	json.HTMLEscape(out, compact.Bytes())
	return out.Bytes(), nil
}

const hexDigits = "0123456789abcdef"

// plainByte tells the bytes appendString copies as they are: ASCII other
// than control characters, the quote, the backslash and the characters
// encoding/json escapes for HTML.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString appends s quoted as encoding/json quotes with HTML escaping:
// ", \ and control characters escaped (\b \f \n \r \t by name), <, > and &
// as \u003c \u003e \u0026, U+2028 and U+2029 escaped, and each byte of
// invalid UTF-8 as \ufffd.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		for i < len(s) && plainByte[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
