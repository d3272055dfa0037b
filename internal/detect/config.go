package detect

import (
	"fmt"
	"time"
)

// Config holds the detections' thresholds.
type Config struct {
	// DeniedCount access-denied errors for one principal within
	// DeniedWindow make a burst (Discovery:IAMUser/AnomalousBehavior).
	DeniedCount  int
	DeniedWindow time.Duration
	// Baseline is how long an account or a source network stays usual for
	// AssumeRole after it was last seen.
	Baseline time.Duration
	// MinHistory is how many AssumeRole calls a principal must have made
	// within the baseline before a new source network is unusual for it.
	MinHistory int
	// ArchiveAfter archives a finding whose activity has not recurred for
	// that long.
	ArchiveAfter time.Duration
	// Every is how often `warden serve` reads the trail's new records.
	Every time.Duration
}

// Defaults are the thresholds `warden serve` and `warden audit detect`
// use unless told otherwise.
func Defaults() Config {
	return Config{DeniedCount: 10, DeniedWindow: 5 * time.Minute, Baseline: 30 * 24 * time.Hour,
		MinHistory: 5, ArchiveAfter: 90 * 24 * time.Hour, Every: 5 * time.Second}
}

// Check reports a threshold that cannot work, naming it as its flag does.
func (c Config) Check() error {
	switch {
	case c.DeniedCount < 2:
		return fmt.Errorf("denied-count %d: a burst is at least 2 errors", c.DeniedCount)
	case c.DeniedWindow <= 0:
		return fmt.Errorf("denied-window %v: want a positive duration", c.DeniedWindow)
	case c.Baseline <= 0:
		return fmt.Errorf("baseline %v: want a positive duration", c.Baseline)
	case c.MinHistory < 1:
		return fmt.Errorf("min-history %d: want at least 1", c.MinHistory)
	case c.ArchiveAfter <= 0:
		return fmt.Errorf("archive-after %v: want a positive duration", c.ArchiveAfter)
	case c.Every < 0:
		return fmt.Errorf("every %v: want a positive duration", c.Every)
	}
	return nil
}
