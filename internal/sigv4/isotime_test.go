package sigv4

import (
	"testing"
	"time"
)

// parseISOTime accepts and refuses what time.Parse with the ISO 8601 basic
// format does, and gives the same time.
func TestParseISOTimeAsTimeParse(t *testing.T) {
	cases := []string{"20261206T174501Z", "20240229T000000Z", "20230229T000000Z", "20261131T120000Z", "20261130T235959Z",
		"20261301T000000Z", "20260001T000000Z", "20260100T000000Z", "20260101T240000Z", "20260101T236000Z", "20260101T235960Z",
		"00000101T000000Z", "99991231T235959Z", "21000229T000000Z", "20000229T000000Z", "2026120T174501Z", "20261206t174501Z"}
	for _, v := range cases {
		got, ok := parseISOTime(v)
		want, err := time.Parse(timeFormat, v)
		if ok != (err == nil) || ok && !got.Equal(want) {
			t.Errorf("%s: %v %v; time.Parse: %v %v", v, got, ok, want, err)
		}
	}
}

func FuzzParseISOTime(f *testing.F) {
	f.Add("20261206T174501Z")
	f.Add("20230229T000000Z")
	f.Fuzz(func(t *testing.T, v string) {
		got, ok := parseISOTime(v)
		want, err := time.Parse(timeFormat, v)
		if ok && (err != nil || !got.Equal(want)) {
			t.Fatalf("%q: %v, time.Parse %v %v", v, got, want, err)
		}
		if !ok && err == nil && len(v) == len(timeFormat) && v[8] == 'T' && v[15] == 'Z' {
			t.Fatalf("%q refused, time.Parse gives %v", v, want)
		}
	})
}
