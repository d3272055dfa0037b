package access

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"PT2H": 2 * time.Hour, "PT1H30M": 90 * time.Minute, "PT45S": 45 * time.Second,
		"2h": 2 * time.Hour, "30m": 30 * time.Minute} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "PT", "P1D", "PT2X", "PT-1H", "PTH", "two hours", "PT1M2H"} {
		if d, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, d)
		}
	}
}
