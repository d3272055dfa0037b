package awsproto

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// WriteQueryResult writes an action's XML reply in the service's namespace.
// result is a struct whose fields carry xml tags; nil writes an empty result
// element.
func WriteQueryResult(w http.ResponseWriter, namespace, action, requestID string, result any) {
	pb := replyBufs.Get().(*[]byte)
	if b, ok := appendQueryResult((*pb)[:0], namespace, action, requestID, result); ok {
		h := w.Header()
		h["Content-Type"] = textXML
		h["X-Amzn-Requestid"] = []string{requestID}
		if len(b) > autoLengthMax {
			h["Content-Length"] = []string{strconv.Itoa(len(b))}
		}
		w.WriteHeader(http.StatusOK)
		w.Write(b)
		if cap(b) <= 64<<10 {
			*pb = b
			replyBufs.Put(pb)
		}
		return
	}
	replyBufs.Put(pb)
	x := xmlBufs.Get().(*xmlBuf)
	err := x.encode(namespace, action, requestID, result)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	if err != nil {
		// An encoder that failed mid-document keeps its open elements: it is
		// not reused.
		WriteQueryError(w, namespace, requestID, &Error{Code: "InternalFailure", Message: "The response could not be encoded.", Status: http.StatusInternalServerError})
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(x.buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(x.buf.Bytes())
	if x.buf.Cap() <= 64<<10 {
		xmlBufs.Put(x)
	}
}

// textXML is the Content-Type of query replies, set into a reply's header
// as it is: net/http copies header values when the header is written, and
// a slice whose capacity is its length is never appended to in place.
var textXML = []string{"text/xml"}

// autoLengthMax is the largest body net/http gives a Content-Length of its
// own (one written whole before the handler returns, within its 2,048-byte
// buffer; see http.ResponseWriter's Write): a reply up to this size leaves
// the header to it, which writes the number without allocating.
const autoLengthMax = 2048

// encode writes the reply into x.buf with encoding/xml.
func (x *xmlBuf) encode(namespace, action, requestID string, result any) error {
	x.buf.Reset()
	enc := x.enc
	root := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: namespace}}}
	err := enc.EncodeToken(root)
	if result != nil && err == nil {
		err = enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}})
	}
	if err == nil {
		err = enc.EncodeElement(struct {
			RequestID string `xml:"RequestId"`
		}{requestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	}
	if err == nil {
		err = enc.EncodeToken(root.End())
	}
	if err == nil {
		err = enc.Flush()
	}
	return err
}

// appendQueryResult writes the reply with result's plan (xmlplan.go),
// false when result's type has none.
func appendQueryResult(b []byte, namespace, action, requestID string, result any) ([]byte, bool) {
	var v reflect.Value
	var p *xmlPlan
	if result != nil {
		v = reflect.ValueOf(result)
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return nil, false
			}
			v = v.Elem()
		}
		if p = planFor(v.Type()); p == nil {
			return nil, false
		}
	}
	b = append(b, '<')
	b = append(b, action...)
	b = append(b, `Response xmlns="`...)
	b = appendEscaped(b, namespace)
	b = append(b, `">`...)
	if p != nil {
		b = append(b, '<')
		b = append(b, action...)
		b = append(b, "Result>"...)
		b = p.appendStruct(b, v)
		b = append(b, "</"...)
		b = append(b, action...)
		b = append(b, "Result>"...)
	}
	b = append(b, "<ResponseMetadata><RequestId>"...)
	b = appendEscaped(b, requestID)
	b = append(b, "</RequestId></ResponseMetadata></"...)
	b = append(b, action...)
	b = append(b, "Response>"...)
	return b, true
}

// xmlBuf is a buffer with an XML encoder writing into it, reused across
// responses: the encoder's own buffer and the response's are allocated
// once, not per request.
type xmlBuf struct {
	buf bytes.Buffer
	enc *xml.Encoder
}

// replyBufs are the buffers replies are written into by plan.
var replyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

var xmlBufs = sync.Pool{New: func() any {
	x := new(xmlBuf)
	x.enc = xml.NewEncoder(&x.buf)
	return x
}}

// WriteQueryError writes an ErrorResponse in the service's namespace.
func WriteQueryError(w http.ResponseWriter, namespace, requestID string, e *Error) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(e.Status)
	typ := "Sender"
	if !e.Sender {
		typ = "Receiver"
	}
	body := struct {
		XMLName xml.Name `xml:"ErrorResponse"`
		Xmlns   string   `xml:"xmlns,attr"`
		Error   struct {
			Type    string `xml:"Type"`
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Error"`
		RequestID string `xml:"RequestId"`
	}{Xmlns: namespace, RequestID: requestID}
	body.Error.Type, body.Error.Code, body.Error.Message = typ, e.Code, e.Message
	xml.NewEncoder(w).Encode(body)
}

// WriteS3Error writes an error as Amazon S3 does: an Error element at the
// root, unwrapped (the SDKs' S3 clients read no ErrorResponse), with the
// request ID and the host ID (S3's extended request ID, which Warden
// makes of the request ID) as headers (x-amz-request-id, x-amz-id-2) and
// elements. The answer to a HEAD carries no body (net/http sends none):
// clients name the error by its status (botocore: the status code as the
// code; the Go SDK: the status text without spaces, NotImplemented for
// 501).
func WriteS3Error(w http.ResponseWriter, requestID string, e *Error) {
	hostID := base64.StdEncoding.EncodeToString([]byte(requestID))
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.Header().Set("X-Amz-Request-Id", requestID)
	w.Header().Set("X-Amz-Id-2", hostID)
	w.WriteHeader(e.Status)
	body := struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string   `xml:"Code"`
		Message   string   `xml:"Message"`
		RequestID string   `xml:"RequestId"`
		HostID    string   `xml:"HostId"`
	}{Code: e.Code, Message: e.Message, RequestID: requestID, HostID: hostID}
	io.WriteString(w, xml.Header)
	xml.NewEncoder(w).Encode(body)
}

// Params are a query request's parameters.
type Params url.Values

// Get returns a parameter, "" when absent.
func (p Params) Get(name string) string { return url.Values(p).Get(name) }

// Has reports whether a parameter is present.
func (p Params) Has(name string) bool { _, ok := p[name]; return ok }

// Required returns a parameter or a MissingParameter error... AWS's STS and
// IAM answer a missing required parameter with ValidationError.
func (p Params) Required(name string) (string, *Error) {
	v, ok := p[name]
	if !ok || len(v) == 0 || v[0] == "" {
		return "", Errorf("ValidationError", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name))
	}
	return v[0], nil
}

// Int returns an integer parameter, or def when absent.
func (p Params) Int(name string, def int) (int, *Error) {
	v := p.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, Errorf("ValidationError", "Value '%s' at '%s' failed to satisfy constraint: Member must be a number", v, lowerFirst(name))
	}
	return n, nil
}

// List returns a query list: Name.member.1, Name.member.2, ... in order.
func (p Params) List(name string) []string {
	return p.members(name+".member.", "")
}

// Structs returns a list of structures: Name.member.N.Field, as maps from
// field to value, in N order.
func (p Params) Structs(name string) []map[string]string {
	prefix := name + ".member."
	byIndex := map[int]map[string]string{}
	for k, v := range p {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok || len(v) == 0 {
			continue
		}
		idx, field, ok := strings.Cut(rest, ".")
		n, err := strconv.Atoi(idx)
		if !ok || err != nil {
			continue
		}
		if byIndex[n] == nil {
			byIndex[n] = map[string]string{}
		}
		byIndex[n][field] = v[0]
	}
	keys := make([]int, 0, len(byIndex))
	for k := range byIndex {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	out := make([]map[string]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, byIndex[k])
	}
	return out
}

func (p Params) members(prefix, suffix string) []string {
	type kv struct {
		n int
		v string
	}
	var items []kv
	for k, v := range p {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok || len(v) == 0 {
			continue
		}
		if suffix != "" {
			if rest, ok = strings.CutSuffix(rest, suffix); !ok {
				continue
			}
		}
		n, err := strconv.Atoi(rest)
		if err != nil {
			continue
		}
		items = append(items, kv{n, v[0]})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].n < items[j].n })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// WriteXMLReply writes a REST-XML reply: result is encoded as its own root
// element (its XMLName names it and its namespace), nil writes no body.
func WriteXMLReply(w http.ResponseWriter, requestID string, status int, result any) {
	w.Header().Set("X-Amzn-Requestid", requestID)
	if result == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	io.WriteString(w, xml.Header)
	xml.NewEncoder(w).Encode(result)
}
