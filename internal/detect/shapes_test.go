package detect

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

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
		t.Errorf("%d of %d readings by shape, want at least %d: most of the trail has known shapes", known, 2*len(datas), len(datas))
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

// callerRecord is a GetCallerIdentity by a role session named name, with
// the user agent ua, as the trail encodes it.
func callerRecord(i int, name, ua string) []byte {
	r := &audit.Record{EventVersion: "1.11", EventTime: t0.Add(time.Duration(i) * time.Millisecond).Format(time.RFC3339),
		EventSource: "sts.amazonaws.com", EventName: "GetCallerIdentity", AWSRegion: "us-east-1", SourceIPAddress: "127.0.0.1",
		UserAgent: ua, RequestID: fmt.Sprint("req-", i), EventID: fmt.Sprint("ev-", i), EventType: "AwsApiCall", RecipientAccountID: prod,
		UserIdentity: audit.UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::" + prod + ":assumed-role/Load/" + name, AccountID: prod,
			AccessKeyID: "ASIA", SessionContext: &audit.SessionContext{Attributes: audit.SessionAttributes{CreationDate: "2026-03-01T11:00:00Z"},
				SessionIssuer: &audit.SessionIssuer{Type: "Role", ARN: "arn:aws:iam::" + prod + ":role/Load", AccountID: prod}}}}
	return must(json.Marshal(r))
}

// callerTrails are trails of n GetCallerIdentity calls that the shapes
// read well (one caller: same) or that defeat them: a signed-in caller
// changing its user agent at every call (uniqueUA) or its session name's
// length (nameLength), and more callers at once than shapes remembers
// (principals300, principals1000, round robin).
func callerTrails(n int) []struct {
	name  string
	datas [][]byte
} {
	trail := func(rec func(i int) []byte) [][]byte {
		out := make([][]byte, n)
		for i := range out {
			out[i] = rec(i)
		}
		return out
	}
	return []struct {
		name  string
		datas [][]byte
	}{
		{"same", trail(func(i int) []byte { return callerRecord(i, "w", sdkAgent) })},
		{"uniqueUA", trail(func(i int) []byte { return callerRecord(i, "w", fmt.Sprintf("%s/%d", sdkAgent, i)) })},
		{"nameLength", trail(func(i int) []byte { return callerRecord(i, strings.Repeat("x", 1+i%300), sdkAgent) })},
		{"principals300", trail(func(i int) []byte { return callerRecord(i, fmt.Sprintf("user-%04d", i%300), sdkAgent) })},
		{"principals1000", trail(func(i int) []byte { return callerRecord(i, fmt.Sprintf("user-%04d", i%1000), sdkAgent) })},
		{"principals3000", trail(func(i int) []byte { return callerRecord(i, fmt.Sprintf("user-%04d", i%3000), sdkAgent) })},
	}
}

// The shapes bound their work per record on any trail: the bytes they
// search, hash, compare and copy stay within 3 a byte of the trail, well
// under what reading the record as views costs (it reads each byte once,
// but lexes it, several times slower a byte than searching, hashing or
// comparing memory: BenchmarkStoredCallers measures both), and on trails
// that defeat them (a caller changing its user agent at every call, more
// callers than maxShapes) they remember few records; on the trails they
// are for, nearly every record is read by shape. Without the bounds, a
// record of a new shape was compared with every shape of its head and
// looked up by every head length: hundreds of bytes a byte.
func TestShapesBoundedWork(t *testing.T) {
	hitsAtLeast := map[string]float64{"same": 0.99, "nameLength": 0.9, "principals300": 0.9, "principals1000": 0.5}
	for _, tc := range callerTrails(20000) {
		rd := &storedReader{view: recordReader{view: true}}
		size := 0
		for _, b := range tc.datas {
			size += len(b)
			readByShape(t, &rd.shapes, rd, b)
		}
		st, n := rd.shapes.stats, len(tc.datas)
		perByte := float64(st.work) / float64(size)
		t.Logf("%s: %d of %d records read by shape, %d remembered, %d shapes, %.2f bytes of work a byte", tc.name, st.hits, n, st.remembered, rd.shapes.n, perByte)
		if st.records != n {
			t.Errorf("%s: %d records counted, want %d", tc.name, st.records, n)
		}
		if perByte > 3 {
			t.Errorf("%s: the shapes worked %.1f bytes a byte of the trail, want at most 3", tc.name, perByte)
		}
		if st.hits < n/2 && st.remembered > n/20 {
			t.Errorf("%s: %d of %d records remembered, %d read by shape", tc.name, st.remembered, n, st.hits)
		}
		if rd.shapes.n > maxShapes {
			t.Errorf("%s: %d shapes remembered, more than %d", tc.name, rd.shapes.n, maxShapes)
		}
		if min := hitsAtLeast[tc.name]; float64(st.hits) < min*float64(n) {
			t.Errorf("%s: %d of %d records read by shape, want at least %.0f%%", tc.name, st.hits, n, 100*min)
		}
	}
}

// ReadStored on the callerTrails, per record: with the shapes, and with
// views alone (the shapes off).
//
//	go test -run '^$' -bench StoredCallers -count 6 ./internal/detect/
func BenchmarkStoredCallers(b *testing.B) {
	const n = 20000
	for _, tc := range callerTrails(n) {
		st := storeRecords(b, tc.datas)
		for _, off := range []bool{false, true} {
			name := tc.name + "/shapes"
			if off {
				name = tc.name + "/views"
			}
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					d := New(Defaults(), inOrg)
					d.reader = &storedReader{view: recordReader{view: true}}
					d.reader.shapes.off = off
					if last, err := d.ReadStored(context.Background(), st, 0, nil); err != nil || last != n {
						b.Fatal(last, err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
			})
		}
	}
}
