package detect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/securecart/warden/internal/audit"
)

// A record as `warden serve` writes it, with every element the detections
// skip (nested parameters and response, resources, TLS details) and
// escapes in the fields they read: ReadStored's reader gives the rules the
// same fields as a full decoding.
func TestSlimDecodeReadsWhatTheRulesRead(t *testing.T) {
	full := &audit.Record{EventVersion: "1.11", EventTime: "2026-03-01T12:00:00Z", EventSource: "sts.amazonaws.com",
		EventName: "AssumeRole", AWSRegion: "eu-west-1", SourceIPAddress: "192.0.2.1", UserAgent: "aws-cli/2 \"quoted\" \u00e9\u2028",
		ErrorCode: "AccessDenied", ErrorMessage: "no <b>", RequestID: "r", EventID: "e\\1", EventType: "AwsApiCall",
		RecipientAccountID: prod, EventCategory: "Management", ManagementEvent: true, ReadOnly: true,
		RequestParameters: map[string]any{"roleArn": "arn:aws:iam::" + prod + ":role/x", "tags": []any{map[string]any{"key": "k", "value": "v"}}, "durationSeconds": 900.0},
		ResponseElements:  map[string]any{"credentials": map[string]any{"accessKeyId": "ASIA", "nested": []any{nil, true, 1.5}}},
		Resources:         []audit.Resource{{ARN: "arn:aws:iam::" + prod + ":role/x", AccountID: prod, Type: "AWS::IAM::Role"}},
		TLSDetails:        json.RawMessage(`{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256"}`),
		UserIdentity: audit.UserIdentity{Type: "AssumedRole", PrincipalID: "AROA:s", ARN: "arn:aws:sts::" + dev + ":assumed-role/R/s",
			AccountID: dev, AccessKeyID: "ASIAX", UserName: "u", OnBehalfOf: &audit.OnBehalfOf{UserID: "u1", IdentityStoreARN: "arn"},
			SessionContext: &audit.SessionContext{SourceIdentity: "si", Attributes: audit.SessionAttributes{CreationDate: "2026-03-01T11:00:00Z", MFAAuthenticated: "false"},
				SessionIssuer: &audit.SessionIssuer{Type: "Role", PrincipalID: "AROA", ARN: "arn:aws:iam::" + dev + ":role/R", AccountID: dev, UserName: "R"}}}}
	b, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	var rr recordReader
	var got audit.Record
	for range 2 { // the reader is reused across records
		if err := rr.decode(b, &got); err != nil {
			t.Fatal(err)
		}
	}
	want := audit.Record{EventTime: full.EventTime, EventSource: full.EventSource, EventName: full.EventName, AWSRegion: full.AWSRegion,
		SourceIPAddress: full.SourceIPAddress, UserAgent: full.UserAgent, ErrorCode: full.ErrorCode, EventID: full.EventID,
		EventType: full.EventType, RecipientAccountID: full.RecipientAccountID,
		UserIdentity: audit.UserIdentity{Type: "AssumedRole", ARN: full.UserIdentity.ARN, AccountID: dev, AccessKeyID: "ASIAX",
			SessionContext: &audit.SessionContext{Attributes: audit.SessionAttributes{CreationDate: "2026-03-01T11:00:00Z"},
				SessionIssuer: &audit.SessionIssuer{Type: "Role", ARN: "arn:aws:iam::" + dev + ":role/R", AccountID: dev}}}}
	if param(&got, "roleArn") != "arn:aws:iam::"+prod+":role/x" {
		t.Errorf("roleArn parameter: %q", param(&got, "roleArn"))
	}
	got.RequestParameters = nil
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Errorf("read:\n%s\nwant:\n%s", gb, wb)
	}

	// Parameters of a service no rule reads parameters of are not decoded.
	other := strings.Replace(string(b), `"sts.amazonaws.com"`, `"s3.amazonaws.com"`, 1)
	if err := rr.decode([]byte(other), &got); err != nil || got.RequestParameters != nil || got.EventSource != "s3.amazonaws.com" {
		t.Errorf("an s3 record: %v, parameters %v", err, got.RequestParameters)
	}
	// Null elements read as absent.
	if err := rr.decode([]byte(`{"userIdentity":{"type":"Root","sessionContext":null},"eventTime":null,"requestParameters":null}`), &got); err != nil ||
		got.UserIdentity.Type != "Root" || got.UserIdentity.SessionContext != nil {
		t.Errorf("null elements: %v, %+v", err, got)
	}
}

// A stored record that is not what the trail writes is an error naming
// where, not a record read wrong.
func TestSlimDecodeRejectsMalformed(t *testing.T) {
	var rr recordReader
	var r audit.Record
	for doc, want := range map[string]string{
		`{"eventTime":5}`:                    "/eventTime",
		`{"userIdentity":{"type":["Root"]}}`: "/userIdentity/type",
		`{"userIdentity":"Root"}`:            "/userIdentity",
		`{"eventSource":"sts.amazonaws.com","requestParameters":{"roleArn":}`: "invalid",
		`{"eventTime":"x"`: "EOF",
	} {
		err := rr.decode([]byte(doc), &r)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want an error mentioning %q", doc, err, want)
		}
	}
}

// go test -run '^$' -bench ReadRecord -benchmem ./internal/detect/
func BenchmarkReadRecord(b *testing.B) {
	r := assume("arn:aws:sts::"+dev+":assumed-role/CI/run", dev, "192.0.2.10", 0).record()
	r.ResponseElements = map[string]any{"credentials": map[string]any{"accessKeyId": "ASIAEXAMPLE", "expiration": "Mar 1, 2026, 1:00:00 PM",
		"sessionToken": strings.Repeat("x", 40)}, "assumedRoleUser": map[string]any{"assumedRoleId": "AROA:s", "arn": "arn"}}
	r.Resources = []audit.Resource{{ARN: "arn:aws:iam::" + prod + ":role/Deploy", AccountID: prod, Type: "AWS::IAM::Role"}}
	data, _ := json.Marshal(r)
	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var r audit.Record
			if err := json.Unmarshal(data, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stored", func(b *testing.B) {
		b.ReportAllocs()
		var rr recordReader
		var r audit.Record
		for b.Loop() {
			if err := rr.decode(data, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("view", func(b *testing.B) {
		b.ReportAllocs()
		rr := recordReader{view: true}
		var r audit.Record
		for b.Loop() {
			if err := rr.decode(data, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Records as the trail writes them, their strings fuzzed (escapes,
// Unicode, invalid UTF-8, JSON in strings): ReadStored's reader gives the
// fields the rules read as encoding/json does, or refuses where
// encoding/json would have to guess (invalid UTF-8). Any bytes at all:
// no panic.
func FuzzSlimDecode(f *testing.F) {
	f.Add("arn:aws:iam::111122223333:user/a", "sts.amazonaws.com", "AssumeRole", `{"x":[1,{"y":"}"}]}`, "192.0.2.1")
	f.Add("\"}\\", "iam.amazonaws.com", "PutRolePolicy", "\u2028\x00", "\xff")
	f.Fuzz(func(t *testing.T, who, src, event, text, ip string) {
		r := &audit.Record{EventTime: "2026-03-01T12:00:00Z", EventSource: src, EventName: event, SourceIPAddress: ip, UserAgent: text,
			ErrorCode: who, RecipientAccountID: dev, EventID: text + who,
			RequestParameters: map[string]any{"roleArn": who, "policyDocument": text, "n": 1.5, "nested": map[string]any{text: []any{who, nil}}},
			ResponseElements:  map[string]any{"s": text, "a": []any{map[string]any{"k": who}}},
			UserIdentity: audit.UserIdentity{Type: who, ARN: who, AccountID: dev, AccessKeyID: text,
				SessionContext: &audit.SessionContext{Attributes: audit.SessionAttributes{CreationDate: text},
					SessionIssuer: &audit.SessionIssuer{ARN: who, Type: src}}}}
		data, err := json.Marshal(r)
		if err != nil {
			t.Skip()
		}
		var full audit.Record
		if err := json.Unmarshal(data, &full); err != nil {
			t.Fatal(err)
		}
		var rr recordReader
		var got audit.Record
		if err := rr.decode(data, &got); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		want := audit.Record{EventTime: full.EventTime, EventSource: full.EventSource, EventName: full.EventName, SourceIPAddress: full.SourceIPAddress,
			UserAgent: full.UserAgent, ErrorCode: full.ErrorCode, EventID: full.EventID, RecipientAccountID: full.RecipientAccountID,
			UserIdentity: audit.UserIdentity{Type: full.UserIdentity.Type, ARN: full.UserIdentity.ARN, AccountID: full.UserIdentity.AccountID,
				AccessKeyID: full.UserIdentity.AccessKeyID, SessionContext: &audit.SessionContext{
					Attributes:    audit.SessionAttributes{CreationDate: full.UserIdentity.SessionContext.Attributes.CreationDate},
					SessionIssuer: &audit.SessionIssuer{ARN: full.UserIdentity.SessionContext.SessionIssuer.ARN, Type: full.UserIdentity.SessionContext.SessionIssuer.Type}}}}
		for _, k := range []string{"roleArn", "policyDocument", "n", "nested"} {
			if param(&got, k) != param(&full, k) && paramSources[full.EventSource] {
				t.Errorf("parameter %s: %q, encoding/json %q", k, param(&got, k), param(&full, k))
			}
		}
		got.RequestParameters = nil
		if gb, wb := fmt.Sprintf("%q", must(json.Marshal(got))), fmt.Sprintf("%q", must(json.Marshal(want))); gb != wb {
			t.Errorf("read:\n%s\nencoding/json:\n%s", gb, wb)
		}
		// Read as views, the record is the same, parameters included.
		view := recordReader{view: true}
		var fromViews audit.Record
		if err := view.decode(data, &fromViews); err != nil {
			t.Fatalf("view: %s: %v", data, err)
		}
		if err := rr.decode(data, &got); err != nil {
			t.Fatal(err)
		}
		if gv, g := must(json.Marshal(fromViews)), must(json.Marshal(got)); string(gv) != string(g) {
			t.Errorf("read as views:\n%s\ncopied:\n%s", gv, g)
		}
		rr.decode([]byte(who+src+event+text), &got)   // any bytes: an error or a record, no panic
		view.decode([]byte(who+src+event+text), &got) // the same as views
	})
}

// A record read as views (view mode) is the record read otherwise, and
// the same errors stop both readings.
func TestViewDecodeSameAsCopied(t *testing.T) {
	for _, b := range append(diverseTrail(t), []byte(`{"eventTime":5}`), []byte(`{"userIdentity":{"type":["Root"]}}`),
		[]byte(`{"eventSource":"sts.amazonaws.com","requestParameters":{"roleArn":}`), []byte(`{"eventTime":"x"`),
		[]byte(`{"requestParameters":{"roleArn":"\x"},"eventSource":"sts.amazonaws.com"}`), []byte("{\"userAgent\":\"\xff\"}")) {
		view, own := recordReader{view: true}, recordReader{}
		var v, o audit.Record
		verr, oerr := view.decode(b, &v), own.decode(b, &o)
		if fmt.Sprint(verr) != fmt.Sprint(oerr) {
			t.Errorf("%s: error %v as views, %v copied", b, verr, oerr)
			continue
		}
		if vb, ob := must(json.Marshal(v)), must(json.Marshal(o)); string(vb) != string(ob) {
			t.Errorf("%s: read as views\n%s\ncopied\n%s", b, vb, ob)
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// A record read as views (view mode, or by its shape) and then made its
// own (own) is the record decode reads, and shares no memory with what it
// was read from: after its bytes are overwritten and the readers have read
// other records, it is still the same.
func TestOwnSameAsDecode(t *testing.T) {
	datas := diverseTrail(t)
	rd := &storedReader{view: recordReader{view: true}}
	byShape := 0
	for pass := range 2 {
		for i, b := range datas {
			var want audit.Record
			if err := (&recordReader{}).decode(b, &want); err != nil {
				continue
			}
			data := bytes.Clone(b)
			var r audit.Record
			if rd.shapes.read(data, &r) {
				byShape++
			} else {
				if err := rd.view.decode(data, &r); err != nil {
					t.Fatalf("%s: %v", b, err)
				}
				rd.shapes.remember(data, &rd.view, &rd.own)
			}
			rd.own.own(&r)
			for j := range data {
				data[j] = 'x'
			}
			var other audit.Record
			rd.view.decode(datas[(i+1)%len(datas)], &other)
			rd.own.decode(datas[(i+2)%len(datas)], &other)
			if g, w := must(json.Marshal(r)), must(json.Marshal(want)); string(g) != string(w) {
				t.Fatalf("pass %d: %s\nread as views, made its own:\n%s\ndecoded:\n%s", pass, b, g, w)
			}
		}
	}
	if byShape == 0 {
		t.Error("no record read by its shape")
	}
}

// own copies every field decode sets: on a record with every string
// field of audit.Record set (filled by reflection, so a field decode
// reads in the future is set too), read as views and made its own, no
// string reachable from the record (fields, parameters' keys and values)
// shares the record's bytes, and no session or parameters are the
// reader's, reused from record to record.
func TestOwnCopiesEveryFieldDecodeReads(t *testing.T) {
	var full audit.Record
	n := 0
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			n++
			v.SetString(fmt.Sprintf("value-%d", n))
		case reflect.Pointer:
			if v.Type().Elem().Kind() == reflect.Struct {
				v.Set(reflect.New(v.Type().Elem()))
				fill(v.Elem())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					fill(v.Field(i))
				}
			}
		}
	}
	fill(reflect.ValueOf(&full).Elem())
	full.EventTime, full.EventSource = "2026-03-01T12:00:00Z", "sts.amazonaws.com"
	full.RequestParameters = map[string]any{"roleArn": "arn:aws:iam::" + prod + ":role/R", "roleSessionName": "s"}
	data := must(json.Marshal(full))
	lo, hi := uintptr(unsafe.Pointer(unsafe.SliceData(data))), uintptr(unsafe.Pointer(unsafe.SliceData(data)))+uintptr(len(data))
	rd := &storedReader{view: recordReader{view: true}}
	var r audit.Record
	if err := rd.view.decode(data, &r); err != nil {
		t.Fatal(err)
	}
	rd.own.own(&r)
	checked := 0
	var check func(path string, v reflect.Value)
	check = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			if s := v.String(); s != "" {
				checked++
				if p := uintptr(unsafe.Pointer(unsafe.StringData(s))); p >= lo && p < hi {
					t.Errorf("%s (%q) shares the record's bytes: own does not copy it", path, s)
				}
			}
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				check(path, v.Elem())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					check(path+"."+v.Type().Field(i).Name, v.Field(i))
				}
			}
		case reflect.Map:
			for it := v.MapRange(); it.Next(); {
				check(path+"[key]", it.Key())
				check(path+"["+it.Key().String()+"]", it.Value())
			}
		}
	}
	check("Record", reflect.ValueOf(r))
	if sc := r.UserIdentity.SessionContext; sc == nil || sc == &rd.view.viewSC || sc.SessionIssuer == nil || sc.SessionIssuer == &rd.view.viewSI {
		t.Errorf("session context %p, the reader's %p: want one of its own, with an issuer", sc, &rd.view.viewSC)
	}
	if m, ok := r.RequestParameters.(map[string]any); !ok || len(m) != 2 || reflect.ValueOf(m).UnsafePointer() == reflect.ValueOf(rd.view.viewParams).UnsafePointer() {
		t.Errorf("parameters %v: want two, in a map of their own", r.RequestParameters)
	}
	if checked < 15 {
		t.Errorf("%d strings checked: decode reads more", checked)
	}
}

// Members repeated, or null after a value, read as encoding/json reads
// them: a later null parameters, session or issuer is none, a parameter
// repeated with another value than a string is none, and a repeated
// session object is read into the session before it. Read copied, as
// views, and as views made their own.
func TestDecodeRepeatedMembersAsJSON(t *testing.T) {
	const at = `"eventTime":"2026-03-01T12:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole"`
	sc := `"sessionContext":{"attributes":{"creationDate":"2026-01-01T00:00:00Z"},"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::` + dev + `:role/R"}}`
	for _, doc := range []string{
		`{` + at + `,"userIdentity":{"type":"AssumedRole",` + sc + `,"sessionContext":null}}`,
		`{` + at + `,"userIdentity":{"type":"AssumedRole","sessionContext":{"attributes":{"creationDate":"2026-01-01T00:00:00Z"}},"sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::` + dev + `:role/R"}}}}`,
		`{` + at + `,"userIdentity":{"type":"AssumedRole",` + sc + `},"userIdentity":{"sessionContext":{"attributes":{"mfaAuthenticated":"true"}}}}`,
		`{` + at + `,"userIdentity":{"type":"AssumedRole",` + sc + `,"sessionContext":{"sessionIssuer":null}}}`,
		`{` + at + `,"userIdentity":{"type":"AssumedRole",` + sc + `,"sessionContext":{"sessionIssuer":{"accountId":"` + dev + `"}}}}`,
		`{` + at + `,"requestParameters":{"roleArn":"x"},"requestParameters":null}`,
		`{` + at + `,"requestParameters":{"roleArn":"x"},"requestParameters":"x"}`,
		`{` + at + `,"requestParameters":{"roleArn":"x"},"requestParameters":{"roleSessionName":"s"}}`,
		`{` + at + `,"requestParameters":{"roleArn":"x","roleArn":null,"roleSessionName":"s"}}`,
		`{` + at + `,"requestParameters":{"roleArn":"x","roleArn":5}}`,
		`{` + at + `,"requestParameters":{"roleArn":"x","roleArn":{"a":"b"},"roleArn":"y"}}`,
	} {
		var full audit.Record
		if err := json.Unmarshal([]byte(doc), &full); err != nil {
			t.Fatal(err)
		}
		want := must(json.Marshal(readFields(&full)))
		for _, mode := range []string{"copied", "views", "own"} {
			rd := &storedReader{view: recordReader{view: true}}
			rr := &rd.view
			if mode == "copied" {
				rr = &rd.own
			}
			var r audit.Record
			if err := rr.decode([]byte(doc), &r); err != nil {
				t.Fatalf("%s: %v", doc, err)
			}
			if mode == "own" {
				rd.own.own(&r)
			}
			if got := must(json.Marshal(readFields(&r))); string(got) != string(want) {
				t.Errorf("%s, %s:\n%s\nencoding/json:\n%s", doc, mode, got, want)
			}
		}
	}
}

// readFields is what the rules read of r: the fields decode reads, the
// string parameters.
func readFields(r *audit.Record) audit.Record {
	out := audit.Record{EventTime: r.EventTime, EventSource: r.EventSource, EventName: r.EventName, EventType: r.EventType, ErrorCode: r.ErrorCode,
		AWSRegion: r.AWSRegion, SourceIPAddress: r.SourceIPAddress, UserAgent: r.UserAgent, EventID: r.EventID, RecipientAccountID: r.RecipientAccountID,
		UserIdentity: audit.UserIdentity{Type: r.UserIdentity.Type, ARN: r.UserIdentity.ARN, AccountID: r.UserIdentity.AccountID, AccessKeyID: r.UserIdentity.AccessKeyID}}
	if sc := r.UserIdentity.SessionContext; sc != nil {
		c := &audit.SessionContext{Attributes: audit.SessionAttributes{CreationDate: sc.Attributes.CreationDate}}
		if si := sc.SessionIssuer; si != nil {
			c.SessionIssuer = &audit.SessionIssuer{Type: si.Type, ARN: si.ARN, AccountID: si.AccountID}
		}
		out.UserIdentity.SessionContext = c
	}
	if m, ok := r.RequestParameters.(map[string]any); ok {
		params := map[string]any{}
		for k, v := range m {
			if s, ok := v.(string); ok {
				params[k] = s
			}
		}
		out.RequestParameters = params
	}
	return out
}
