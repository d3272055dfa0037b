package detect

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/securecart/warden/internal/audit"
)

// readByShape reads b by its shape when ss knows it; else it reads b as
// views and remembers its shape. It returns the record and whether its
// shape was known.
func readByShape(t *testing.T, ss *shapes, rd *storedReader, b []byte) (audit.Record, bool) {
	t.Helper()
	var r audit.Record
	if ss.read(b, &r) {
		return r, true
	}
	if err := rd.view.decode(b, &r); err == nil {
		ss.remember(b, &rd.view, &rd.own)
	}
	return r, false
}

// A record read by its shape is the record read whole: on the diverse
// trail (records of the same shapes, and the same records changed in one
// place), read twice, so that every shape is known the second time.
func TestShapeReadsAsDecode(t *testing.T) {
	datas := diverseTrail(t)
	var ss shapes
	rd := &storedReader{view: recordReader{view: true}}
	known := 0
	for pass := range 2 {
		for _, b := range datas {
			got, ok := readByShape(t, &ss, rd, b)
			if !ok {
				continue
			}
			known++
			var want audit.Record
			if err := (&recordReader{}).decode(b, &want); err != nil {
				t.Fatalf("pass %d: %s was read by its shape, but reading it whole fails: %v", pass, b, err)
			}
			if g, w := must(json.Marshal(got)), must(json.Marshal(want)); string(g) != string(w) {
				t.Errorf("pass %d: %s\nread by its shape:\n%s\nwhole:\n%s", pass, b, g, w)
			}
		}
	}
	if known < len(datas) {
		t.Errorf("%d readings of %d by shape: most of the trail has known shapes", known, 2*len(datas))
	}
}

// Which records have a shape: those whose varying members are plain
// strings, once, and whose parameters and response are null.
func TestShapeNeedsPlainValues(t *testing.T) {
	base := `{"userIdentity":{"type":"IAMUser"},"eventTime":"2026-03-01T12:00:00Z","eventID":"e1","requestParameters":null,"responseElements":null}`
	for _, tc := range []struct {
		doc   string
		shape bool
	}{
		{base, true},
		{strings.Replace(base, `"eventID":"e1"`, `"eventID":"e\u0031"`, 1), false},
		{strings.Replace(base, `"eventID":"e1"`, `"eventID":"é1"`, 1), false},
		{strings.Replace(base, `"eventID":"e1"`, `"eventID":null`, 1), false},
		{strings.Replace(base, `"eventID":"e1"`, `"eventID":"e1","eventID":"e2"`, 1), false},
		{strings.Replace(base, `"requestParameters":null`, `"requestParameters":{}`, 1), false},
		{strings.Replace(base, `"responseElements":null`, `"responseElements":[]`, 1), false},
		{`{"userIdentity":{"type":"IAMUser"}}`, false},
	} {
		var ss shapes
		rd := &storedReader{view: recordReader{view: true}}
		readByShape(t, &ss, rd, []byte(tc.doc))
		if got := ss.n > 0; got != tc.shape {
			t.Errorf("%s: shape %v, want %v", tc.doc, got, tc.shape)
		}
	}
}

// A record changed anywhere (bytes replaced, inserted or removed) is
// read by its shape only when it is the record read whole.
func FuzzShapes(f *testing.F) {
	base := []string{
		`{"eventVersion":"1.11","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:w","arn":"arn:aws:sts::222222222222:assumed-role/Load/w","accountId":"222222222222","accessKeyId":"ASIA2","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::222222222222:role/Load","accountId":"222222222222","userName":"Load"},"attributes":{"creationDate":"2026-03-01T11:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"2026-03-01T12:00:00Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","awsRegion":"us-east-1","sourceIPAddress":"127.0.0.1","userAgent":"aws-sdk-go-v2/1.36.3","requestParameters":null,"responseElements":null,"requestID":"req-1","eventID":"43eac81f","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"222222222222","eventCategory":"Management"}`,
		`{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","principalId":"AIDAload","arn":"arn:aws:iam::222222222222:user/load","accountId":"222222222222","accessKeyId":"AKIA2","userName":"load"},"eventTime":"2026-03-01T12:00:00Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","awsRegion":"us-east-1","sourceIPAddress":"127.0.0.1","userAgent":"ua","requestParameters":null,"responseElements":null,"requestID":"req-2","eventID":"53f04f4f","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"222222222222","eventCategory":"Management"}`,
	}
	f.Add(0, 120, 4, `"Root"`)
	f.Add(1, 300, 0, `\`)
	f.Add(0, 500, 3, "é")
	f.Add(1, 200, 1, `","eventTime":"2030-01-01T00:00:00Z`)
	f.Add(1, 230, 20, "")
	f.Fuzz(func(t *testing.T, which, at, cut int, insert string) {
		b := base[uint(which)%uint(len(base))]
		at = int(uint(at) % uint(len(b)+1))
		end := min(len(b), at+int(uint(cut)%32))
		changed := []byte(b[:at] + insert + b[end:])
		var ss shapes
		rd := &storedReader{view: recordReader{view: true}}
		if _, ok := readByShape(t, &ss, rd, []byte(b)); ok || ss.n != 1 {
			t.Fatalf("the base record: known %v, %d shapes", ok, ss.n)
		}
		var got audit.Record
		if !ss.read(changed, &got) {
			return
		}
		var want audit.Record
		if err := (&recordReader{}).decode(changed, &want); err != nil {
			t.Fatalf("%s was read by its shape, but reading it whole fails: %v", changed, err)
		}
		if g, w := fmt.Sprintf("%q", must(json.Marshal(got))), fmt.Sprintf("%q", must(json.Marshal(want))); g != w {
			t.Errorf("%s\nread by its shape:\n%s\nwhole:\n%s", changed, g, w)
		}
	})
}
