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

// appendISOTime writes what AppendFormat writes with timeFormat and
// dayFormat, in UTC, for times of every field's range, other zones and
// years beyond four digits.
func TestAppendISOTimeAsAppendFormat(t *testing.T) {
	east := time.FixedZone("east", 5*3600+30*60)
	times := []time.Time{
		time.Date(2026, 12, 7, 1, 2, 3, 999999999, time.UTC), time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(999, 9, 9, 9, 9, 9, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 6, 15, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 3, 0, 0, 0, east), // the previous day in UTC
	}
	for s := int64(0); s < 400*24*3600; s += 7*3600 + 1301 {
		times = append(times, time.Unix(1767225600+s, 0).In(east))
	}
	for _, tm := range times {
		if got, want := string(appendISOTime(nil, tm, true)), tm.UTC().Format(timeFormat); got != want {
			t.Errorf("%v: %s, AppendFormat %s", tm, got, want)
		}
		if got, want := string(appendISOTime([]byte("x"), tm, false)), "x"+tm.UTC().Format(dayFormat); got != want {
			t.Errorf("%v: day %s, AppendFormat %s", tm, got, want)
		}
	}
}
