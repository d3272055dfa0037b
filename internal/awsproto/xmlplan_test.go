package awsproto

import (
	"math"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"
)

type planInner struct {
	Name  string   `xml:"Name"`
	Tags  []string `xml:"Tags>member,omitempty"` // a>b: no plan
	Count int      `xml:"Count"`
}

type planLeaf struct {
	Key   string  `xml:"Key"`
	Value *string `xml:"Value"`
}

type planResult struct {
	Arn        string `xml:"Arn"`
	Empty      string `xml:"Empty"`
	Skipped    string `xml:"Skipped,omitempty"`
	Untagged   string
	Hidden     string     `xml:"-"`
	unexported string     //nolint:unused // encoding/xml skips it
	Flag       bool       `xml:"Flag"`
	NoFlag     bool       `xml:"NoFlag,omitempty"`
	N          int        `xml:"N"`
	N8         int8       `xml:"N8"`
	U          uint32     `xml:"U"`
	Zero       int64      `xml:"Zero,omitempty"`
	F          float64    `xml:"F"`
	F32        float32    `xml:"F32"`
	NegZero    float64    `xml:"NegZero,omitempty"`
	Ptr        *int       `xml:"Ptr,omitempty"`
	NilPtr     *string    `xml:"NilPtr"`
	EmptyPtr   *string    `xml:"EmptyPtr,omitempty"`
	Leaf       planLeaf   `xml:"Leaf"`
	LeafPtr    *planLeaf  `xml:"LeafPtr"`
	Leaves     []planLeaf `xml:"member"`
	Strings    []string   `xml:"S"`
	NoStrings  []string   `xml:"NoS,omitempty"`
	Bytes      []byte     `xml:"Bytes"`
	NoBytes    []byte     `xml:"NoBytes,omitempty"`
}

// The escapes and the characters XML cannot hold, as encoding/xml writes
// them.
var planStrings = []string{"", "plain", `<a href="x">&'`, "tab\tnl\ncr\r", "nul\x00bell\x07", "é ü 日本 😀",
	"bad \xff utf8 \xc3", "\uFFFD", "\uFFFE\uFFFF", "surrogate \xed\xa0\x80", "]]>", "trailing <"}

func planValue(s string, i int) planResult {
	n, e := i*7-3, ""
	return planResult{Arn: s, Untagged: s + "u", Hidden: "no", unexported: "no", Flag: i%2 == 0, N: -i, N8: -8, U: 1 << 31,
		F: 1.5e-7 * float64(i), F32: 3.25, NegZero: math.Copysign(0, -1), Ptr: &n, EmptyPtr: &e,
		Leaf: planLeaf{Key: s, Value: &s}, LeafPtr: &planLeaf{Key: "k"}, Leaves: []planLeaf{{Key: "a"}, {Key: s, Value: &s}},
		Strings: []string{s, "two"}, Bytes: []byte(s)}
}

// The plan writes byte for byte what encoding/xml writes, for every kind
// of field it takes, empty and not, and every escape.
func TestXMLPlanWritesWhatEncodingXMLWrites(t *testing.T) {
	if planFor(reflect.TypeFor[planResult]()) == nil {
		t.Fatal("planResult has no plan")
	}
	x := xmlBufs.Get().(*xmlBuf)
	for i, s := range planStrings {
		for _, v := range []any{planValue(s, i), &planResult{}, planResult{Leaves: []planLeaf{}}} {
			got, ok := appendQueryResult(nil, "https://sts.amazonaws.com/doc/2011-06-15/", "AssumeRole", "req-"+s, v)
			if !ok {
				t.Fatalf("%T: no plan", v)
			}
			if err := x.encode("https://sts.amazonaws.com/doc/2011-06-15/", "AssumeRole", "req-"+s, v); err != nil {
				t.Fatal(err)
			}
			if want := x.buf.String(); string(got) != want {
				t.Errorf("%q:\nplan:         %s\nencoding/xml: %s", s, got, want)
			}
		}
	}
	// No result: the reply holds only the request's ID.
	got, _ := appendQueryResult(nil, "ns", "DeleteRole", "r", nil)
	x.encode("ns", "DeleteRole", "r", nil)
	if string(got) != x.buf.String() {
		t.Errorf("no result: %s, want %s", got, x.buf.String())
	}
}

// Types with what the plan does not write go to encoding/xml, and
// WriteQueryResult answers them as before.
func TestXMLPlanLeavesTheRestToEncodingXML(t *testing.T) {
	type withTime struct {
		At time.Time `xml:"At"`
	}
	type withAttr struct {
		ID string `xml:"id,attr"`
	}
	type withAny struct {
		V any `xml:"V"`
	}
	type withMap struct {
		M map[string]string `xml:"M"`
	}
	type embedded struct {
		planLeaf
	}
	for _, v := range []any{planInner{Tags: []string{"a"}}, withTime{At: time.Unix(0, 0).UTC()}, withAttr{ID: "x"}, withAny{V: "s"}, embedded{}, withMap{}} {
		if p := planFor(reflect.TypeOf(v)); p != nil {
			t.Errorf("%T has a plan", v)
		}
		rec := httptest.NewRecorder()
		WriteQueryResult(rec, "ns", "Op", "r", v)
		x := xmlBufs.Get().(*xmlBuf)
		err := x.encode("ns", "Op", "r", v)
		if err != nil {
			if rec.Code != 500 {
				t.Errorf("%T: encoding/xml fails (%v) but the reply is %d", v, err, rec.Code)
			}
			continue
		}
		if rec.Body.String() != x.buf.String() || rec.Code != 200 {
			t.Errorf("%T: %d %s, want %s", v, rec.Code, rec.Body, x.buf.String())
		}
	}
}

func FuzzXMLPlan(f *testing.F) {
	for _, s := range planStrings {
		f.Add(s, int64(len(s)))
	}
	x := xmlBufs.Get().(*xmlBuf)
	f.Fuzz(func(t *testing.T, s string, n int64) {
		v := planValue(s, int(n%1000))
		got, _ := appendQueryResult(nil, "ns", "Op", s, v)
		if err := x.encode("ns", "Op", s, v); err != nil {
			t.Fatal(err)
		}
		if string(got) != x.buf.String() {
			t.Fatalf("%q:\nplan:         %s\nencoding/xml: %s", s, got, x.buf.String())
		}
	})
}
