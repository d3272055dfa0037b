package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/securecart/warden/internal/call"
)

// encodingJSON is what the trail stored before appendRecord: the Encoder's
// output without its newline.
func encodingJSON(t testing.TB, r *Record) []byte {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(r); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func checkSame(t testing.TB, r *Record) {
	t.Helper()
	want := encodingJSON(t, r)
	got, err := appendRecord(nil, r)
	if err != nil {
		t.Fatalf("appendRecord: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("appendRecord differs from encoding/json:\n got %s\nwant %s", got, want)
	}
}

// trickyStrings exercise every escaping rule of encoding/json.
var trickyStrings = []string{"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "\b\f\n\r\t\x00\x01\x1f\x7f",
	"caf\u00e9 \u65e5\u672c", "line\u2028para\u2029", "bad \xff\xfe utf8 \xc3", "emoji \U0001F600", "é\xe2\x82"}

// fill sets every field reachable from v (pointers allocated, slices given
// two elements, interface fields a random JSON value), so that a field added
// to Record and not to appendRecord fails the comparison.
func fill(v reflect.Value, rng *rand.Rand, empty bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if !empty || rng.IntN(2) == 0 {
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem(), rng, empty)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), rng, empty)
		}
	case reflect.String:
		if !empty || rng.IntN(2) == 0 {
			v.SetString(trickyStrings[rng.IntN(len(trickyStrings))])
		}
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			if !empty || rng.IntN(2) == 0 {
				v.SetBytes([]byte(` { "tlsVersion" : "TLSv1.3", "cipherSuite":"<&>", "n" : [1, 2.5e-9] } `))
			}
			return
		}
		n := 2
		if empty {
			n = rng.IntN(3)
		}
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fill(v.Index(i), rng, empty)
		}
	case reflect.Interface:
		if x := randomValue(rng, 3); x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		panic("fill: unexpected kind " + v.Kind().String())
	}
}

// randomValue is a JSON value of the kinds requestParameters and
// responseElements hold.
func randomValue(rng *rand.Rand, depth int) any {
	k := rng.IntN(11)
	if depth == 0 {
		k %= 6
	}
	switch k {
	case 0:
		return nil
	case 1:
		return trickyStrings[rng.IntN(len(trickyStrings))]
	case 2:
		return rng.IntN(2) == 0
	case 3:
		return []float64{0, 1, -1.5, 1e21, 1e-7, 123456789012, 3.14159, 1e20, -2.5e-9, math.MaxFloat64}[rng.IntN(10)]
	case 4:
		return rng.Int64() - math.MaxInt64/2
	case 5:
		return int(rng.Int32())
	case 6, 7:
		m := map[string]any{}
		for range rng.IntN(5) {
			m[trickyStrings[rng.IntN(len(trickyStrings))]+fmt.Sprint(rng.IntN(3))] = randomValue(rng, depth-1)
		}
		if k == 7 {
			return call.Fields(m)
		}
		return m
	case 8:
		s := make([]any, rng.IntN(4))
		for i := range s {
			s[i] = randomValue(rng, depth-1)
		}
		return s
	case 9:
		return map[string]string{"a": "<b>", "c": "d"}
	default:
		return struct {
			A string `json:"a"`
			N int    `json:"n,omitempty"`
		}{"x&y", rng.IntN(2)}
	}
}

// appendRecord writes exactly what encoding/json writes, for records with
// every field set and with fields left empty (omitempty), strings needing
// every kind of escaping, and every kind of value in the parameters.
func TestAppendRecordMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		var r Record
		fill(reflect.ValueOf(&r).Elem(), rng, i%2 == 1)
		checkSame(t, &r)
	}
	checkSame(t, &Record{})
	e := &call.Event{Call: &call.Call{Service: "sts", Action: "GetCallerIdentity", RequestID: "r",
		RequestParameters: call.Fields{"roleArn": "arn:aws:iam::1:role/R", "password": "secret", "n": 3, "tags": []any{map[string]any{"k": "v"}}}},
		EventSource: "sts.amazonaws.com"}
	for _, r := range Records(e) {
		checkSame(t, r)
	}
	// A service event (no type, no requestID), and userIdentity elements
	// with no type beside other members.
	svc := &call.Event{Call: &call.Call{Service: "access", Action: "ExpireAccessGrant", RequestID: "r", InvokedBy: "access.warden.local",
		EventType: "AwsServiceEvent", RecipientAccount: "111122223333", ServiceEventDetails: call.Fields{"requestId": "ar-1"}}, EventSource: "access.warden.local"}
	for _, r := range Records(svc) {
		if r.RequestID != "" || r.UserIdentity.Type != "" {
			t.Errorf("service event: requestID %q, userIdentity %+v", r.RequestID, r.UserIdentity)
		}
		checkSame(t, r)
	}
	for _, u := range []UserIdentity{{InvokedBy: "kms.amazonaws.com"}, {}, {AccountID: "1", InvokedBy: "x"},
		{SessionContext: &SessionContext{SourceIdentity: "s"}}, {OnBehalfOf: &OnBehalfOf{UserID: "u"}}, {CredentialID: "ps-1"}} {
		checkSame(t, &Record{UserIdentity: u, EventID: "e"})
	}
}

// Values encoding/json refuses are refused.
func TestAppendRecordRefusesWhatEncodingJSONRefuses(t *testing.T) {
	for _, r := range []*Record{
		{RequestParameters: map[string]any{"x": math.NaN()}},
		{ResponseElements: []any{math.Inf(1)}},
		{TLSDetails: json.RawMessage(`{"open":`)},
		{RequestParameters: map[string]any{"c": make(chan int)}},
	} {
		if _, err := appendRecord(nil, r); err == nil {
			t.Errorf("appendRecord accepted %+v", r)
		}
		if err := json.NewEncoder(&bytes.Buffer{}).Encode(r); err == nil {
			t.Errorf("encoding/json accepted %+v: the test is wrong", r)
		}
	}
}

func FuzzAppendRecord(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		r := &Record{EventName: a, UserAgent: b, UserIdentity: UserIdentity{Type: a, ARN: b},
			RequestParameters: map[string]any{a: b, b: []any{a, map[string]any{a: a}}}}
		checkSame(t, r)
	})
}

func BenchmarkEncodeRecord(b *testing.B) {
	e := &call.Event{Call: &call.Call{Service: "sts", Action: "AssumeRole", Region: "us-east-1", RequestID: "req-1",
		SourceIP: "127.0.0.1", UserAgent: "aws-sdk-go-v2/1.47.7 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 api/sts#1.51.8",
		Identity:          &call.Identity{ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333", UserID: "AIDAEXAMPLE", AccessKeyID: "AKIAEXAMPLE"},
		RequestParameters: call.Fields{"roleArn": "arn:aws:iam::444455556666:role/R", "roleSessionName": "s", "durationSeconds": 3600},
		ResponseElements:  call.Fields{"credentials": call.Fields{"accessKeyId": "ASIAEXAMPLE", "sessionToken": "t", "expiration": "2026-12-06T16:00:00Z"}, "assumedRoleUser": call.Fields{"assumedRoleId": "AROAEXAMPLE:s", "arn": "arn:aws:sts::444455556666:assumed-role/R/s"}}},
		EventSource: "sts.amazonaws.com"}
	r := Records(e)[0]
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			json.NewEncoder(&buf).Encode(r)
		}
	})
	b.Run("appendRecord", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf, _ = appendRecord(buf[:0], r)
		}
	})
}

// Scrub passes JSON's own values through as the JSON round trip it uses
// for other values would return them.
func TestScrubKeepsPrimitivesAsJSONWould(t *testing.T) {
	for _, v := range []any{"s", "<&>", "bad \xff", true, 2.5, 3, int64(1) << 60, -7, 1e21} {
		data, _ := json.Marshal(v)
		var viaJSON any
		if err := json.Unmarshal(data, &viaJSON); err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(Scrub(v))
		want, _ := json.Marshal(viaJSON)
		if !bytes.Equal(got, want) {
			t.Errorf("Scrub(%#v) encodes as %s, want %s", v, got, want)
		}
	}
}

// isoTime writes what time.Format writes with CloudTrail's layout, in
// every year from 0 to 9999 and outside it, at any time of day and in any
// zone.
func TestISOTimeAsFormat(t *testing.T) {
	zone := time.FixedZone("x", -7*3600-1800)
	for _, tm := range []time.Time{time.Date(2026, 12, 6, 23, 59, 58, 999999999, time.UTC), time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 3, 4, 5, 6, 7, 0, time.UTC),
		time.Date(999, 10, 9, 8, 7, 6, 0, zone), time.Date(2024, 2, 29, 12, 30, 0, 0, zone), {}} {
		if got, want := isoTime(tm), tm.UTC().Format("2006-01-02T15:04:05Z"); got != want {
			t.Errorf("isoTime(%v) = %s, want %s", tm, got, want)
		}
	}
}

// parseISOTime agrees with time.Parse on isoTime's layout, valid or not.
func TestParseISOTime(t *testing.T) {
	for _, s := range []string{"2026-12-07T07:45:09Z", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2024-02-29T12:00:00Z",
		"2023-02-29T12:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-12-07T24:00:00Z",
		"2026-12-07T23:60:00Z", "2026-12-07T23:59:60Z", "2026-12-07 07:45:09Z", "2026-12-07T07:45:09", "2026-12-07T07:45:09.5Z",
		"+026-12-07T07:45:09Z", "2026-1a-07T07:45:09Z", "", "2026-12-07T07:45:0-Z"} {
		want, werr := time.Parse("2006-01-02T15:04:05Z", s)
		got, err := parseISOTime(s)
		if (err != nil) != (werr != nil) || !got.Equal(want) {
			t.Errorf("parseISOTime(%q) = %v, %v; time.Parse: %v, %v", s, got, err, want, werr)
		}
	}
}
