package awsproto

import (
	"encoding"
	"encoding/xml"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// A query reply's result is written by a plan made once per result type
// (xmlPlan) rather than by encoding/xml, whose reflection, token stack and
// escaping through an io.Writer cost every STS and IAM reply more than the
// reply's own work: a plan writes byte for byte what encoding/xml writes
// (TestXMLPlanWritesWhatEncodingXMLWrites) for the subset of its struct
// rules the results use. A type with anything else (an attribute,
// chardata, a>b paths, XMLName, embedded structs, interfaces, maps,
// marshalers, time.Time) has no plan and goes to encoding/xml.

// xmlPlan writes one struct type's fields as elements.
type xmlPlan struct {
	fields []xmlField
}

type xmlField struct {
	index     int
	name      string // the element's name
	omitEmpty bool
	kind      reflect.Kind
	// For a pointer, slice or array: the element type's kind, and for
	// structs their plan (sub).
	elemKind reflect.Kind
	sub      *xmlPlan
	bits     int // a float's size
}

var (
	xmlPlans            sync.Map // reflect.Type -> *xmlPlan (nil: no plan)
	xmlMarshalerType    = reflect.TypeFor[xml.Marshaler]()
	textMarshalerType   = reflect.TypeFor[encoding.TextMarshaler]()
	xmlMarshalerAttrTyp = reflect.TypeFor[xml.MarshalerAttr]()
)

// planFor returns t's plan, nil when t needs encoding/xml.
func planFor(t reflect.Type) *xmlPlan {
	if p, ok := xmlPlans.Load(t); ok {
		return p.(*xmlPlan)
	}
	p, ok := makePlan(t, map[reflect.Type]bool{})
	if !ok {
		p = nil
	}
	xmlPlans.Store(t, p)
	return p
}

func marshals(t reflect.Type) bool {
	for _, m := range []reflect.Type{xmlMarshalerType, textMarshalerType, xmlMarshalerAttrTyp} {
		if t.Implements(m) || reflect.PointerTo(t).Implements(m) {
			return true
		}
	}
	return false
}

// simple reports whether values of kind k are written by strconv alone.
func simple(k reflect.Kind) bool {
	switch k {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

func makePlan(t reflect.Type, busy map[reflect.Type]bool) (*xmlPlan, bool) {
	if t.Kind() != reflect.Struct || marshals(t) || busy[t] {
		return nil, false
	}
	busy[t] = true
	defer delete(busy, t)
	p := &xmlPlan{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous || sf.Name == "XMLName" {
			return nil, false
		}
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("xml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		f := xmlField{index: i, name: name, kind: sf.Type.Kind()}
		for o := range strings.SplitSeq(opts, ",") {
			switch o {
			case "":
			case "omitempty":
				f.omitEmpty = true
			default: // attr, chardata, cdata, innerxml, comment, any
				return nil, false
			}
		}
		if f.name == "" {
			f.name = sf.Name
		}
		if strings.ContainsAny(f.name, "> ") {
			return nil, false
		}
		ft := sf.Type
		if marshals(ft) {
			return nil, false
		}
		switch {
		case simple(f.kind):
			if f.kind == reflect.Float32 || f.kind == reflect.Float64 {
				f.bits = ft.Bits()
			}
		case f.kind == reflect.Struct:
			sub, ok := makePlan(ft, busy)
			if !ok {
				return nil, false
			}
			f.sub = sub
		case f.kind == reflect.Pointer || f.kind == reflect.Slice:
			et := ft.Elem()
			f.elemKind = et.Kind()
			if marshals(et) {
				return nil, false
			}
			switch {
			case f.kind == reflect.Slice && f.elemKind == reflect.Uint8:
				// []byte is text.
			case simple(f.elemKind):
				if f.elemKind == reflect.Float32 || f.elemKind == reflect.Float64 {
					f.bits = et.Bits()
				}
			case f.elemKind == reflect.Struct:
				sub, ok := makePlan(et, busy)
				if !ok {
					return nil, false
				}
				f.sub = sub
			default:
				return nil, false
			}
		default:
			return nil, false
		}
		p.fields = append(p.fields, f)
	}
	return p, true
}

// appendStruct writes v's fields (v is the plan's struct type).
func (p *xmlPlan) appendStruct(b []byte, v reflect.Value) []byte {
	for i := range p.fields {
		f := &p.fields[i]
		fv := v.Field(f.index)
		switch f.kind {
		case reflect.Pointer:
			if fv.IsNil() {
				continue
			}
			b = f.appendOne(b, f.elemKind, fv.Elem())
		case reflect.Slice:
			if f.elemKind == reflect.Uint8 {
				if f.omitEmpty && fv.Len() == 0 {
					continue
				}
				b = appendOpen(b, f.name)
				b = appendEscaped(b, fv.Bytes())
				b = appendClose(b, f.name)
				continue
			}
			for j := range fv.Len() {
				b = f.appendOne(b, f.elemKind, fv.Index(j))
			}
		default:
			if f.omitEmpty && f.kind != reflect.Struct && fv.IsZero() {
				continue
			}
			b = f.appendOne(b, f.kind, fv)
		}
	}
	return b
}

// appendOne writes one element of the field's name holding v, of kind k.
func (f *xmlField) appendOne(b []byte, k reflect.Kind, v reflect.Value) []byte {
	b = appendOpen(b, f.name)
	switch k {
	case reflect.Struct:
		b = f.sub.appendStruct(b, v)
	case reflect.String:
		b = appendEscaped(b, v.String())
	case reflect.Bool:
		b = strconv.AppendBool(b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b = strconv.AppendInt(b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		b = strconv.AppendUint(b, v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		b = strconv.AppendFloat(b, v.Float(), 'g', -1, f.bits)
	}
	return appendClose(b, f.name)
}

func appendOpen(b []byte, name string) []byte {
	b = append(b, '<')
	b = append(b, name...)
	return append(b, '>')
}

func appendClose(b []byte, name string) []byte {
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

// appendEscaped writes s as encoding/xml escapes text (its EscapeString):
// the five markup characters and tab, newline and carriage return as
// character references, what is not an XML character (or not UTF-8) as
// U+FFFD.
func appendEscaped[S ~string | ~[]byte](b []byte, s S) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if xmlPlain[c] {
			i++
			continue
		}
		var r rune
		width := 1
		if c < utf8.RuneSelf {
			r = rune(c)
		} else {
			r, width = utf8.DecodeRuneInString(string(s[i:min(len(s), i+utf8.UTFMax)]))
		}
		var esc string
		switch r {
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\t':
			esc = "&#x9;"
		case '\n':
			esc = "&#xA;"
		case '\r':
			esc = "&#xD;"
		default:
			if !xmlChar(r) || (r == utf8.RuneError && width == 1) {
				esc = "\uFFFD"
				break
			}
			i += width
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		i += width
		last = i
	}
	return append(b, s[last:]...)
}

// xmlPlain marks the bytes appendEscaped copies as they are: printable
// ASCII other than the five markup characters (one load per byte instead
// of six comparisons).
var xmlPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\'' && c != '&' && c != '<' && c != '>'
	}
	return t
}()

// xmlChar is XML 1.0's Char production.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
