package accessanalyzer

import "time"

// SetRefreshEvery shortens the watcher's period for a test.
func SetRefreshEvery(d time.Duration) (restore func()) {
	old := refreshEvery.Swap(int64(d))
	return func() { refreshEvery.Store(old) }
}
