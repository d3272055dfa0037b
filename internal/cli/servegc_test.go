package cli

import (
	"os"
	"runtime/debug"
	"testing"
)

// serve collects garbage at serveGCPercent, unless GOGC says otherwise.
func TestTuneGC(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	gogc, had := os.LookupEnv("GOGC")
	defer func() {
		if had {
			os.Setenv("GOGC", gogc)
		} else {
			os.Unsetenv("GOGC")
		}
	}()

	os.Unsetenv("GOGC")
	tuneGC()
	if got := debug.SetGCPercent(100); got != serveGCPercent {
		t.Errorf("without GOGC the target is %d%%, want %d%%", got, serveGCPercent)
	}
	os.Setenv("GOGC", "100")
	tuneGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC=100 the target is %d%%, want GOGC's 100%%", got)
	}
}
