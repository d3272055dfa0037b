package accessanalyzer

import "time"

// SetPollEvery shortens the analysis worker's period for a test.
func SetPollEvery(d time.Duration) (restore func()) {
	old := pollEvery.Swap(int64(d))
	return func() { pollEvery.Store(old) }
}
