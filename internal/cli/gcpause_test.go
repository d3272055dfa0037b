package cli

import (
	"os"
	"path/filepath"
	"runtime/metrics"
	"sync"
	"testing"
)

// gcSettings reads the collector's target and memory limit without
// changing them.
func gcSettings() (percent, limit int64) {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64()), int64(s[1].Value.Uint64())
}

// The collector is paused while the organization loads, bounded by a
// memory limit, and restored once the last of nested or concurrent loads
// returns; GOGC or GOMEMLIMIT in the environment leave it alone.
func TestWithoutGC(t *testing.T) {
	for _, v := range []string{"GOGC", "GOMEMLIMIT"} {
		if old, had := os.LookupEnv(v); had {
			os.Unsetenv(v)
			defer os.Setenv(v, old)
		}
	}
	percent0, limit0 := gcSettings()
	var inside [][2]int64
	var mu sync.Mutex
	record := func() {
		p, l := gcSettings()
		mu.Lock()
		inside = append(inside, [2]int64{p, l})
		mu.Unlock()
	}
	withoutGC(1<<20, func() {
		record()
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				withoutGC(100<<20, record)
			}()
		}
		wg.Wait()
		record()
	})
	wantFirst := int64(gcPauseBase + gcPausePerByte<<20)
	wantLarger := int64(gcPauseBase + gcPausePerByte*(100<<20))
	if got := inside[0]; got != [2]int64{-1, wantFirst} {
		t.Errorf("inside the load: GOGC %d, limit %d; want off (-1), %d", got[0], got[1], wantFirst)
	}
	for _, got := range inside[1:] {
		if got != [2]int64{-1, wantLarger} {
			t.Errorf("inside a larger concurrent load: GOGC %d, limit %d; want off (-1), %d", got[0], got[1], wantLarger)
		}
	}
	if p, l := gcSettings(); p != percent0 || l != limit0 {
		t.Errorf("after the loads: GOGC %d, limit %d; want them restored to %d, %d", p, l, percent0, limit0)
	}

	// A resume called twice ends its own pause only.
	outer := pauseGC(1 << 20)
	inner := pauseGC(1 << 20)
	inner()
	inner()
	if p, _ := gcSettings(); p != -1 {
		t.Errorf("after an inner pause resumed twice, inside the outer one: GOGC %d, want off (-1)", p)
	}
	outer()
	if p, l := gcSettings(); p != percent0 || l != limit0 {
		t.Errorf("after both pauses: GOGC %d, limit %d; want them restored to %d, %d", p, l, percent0, limit0)
	}

	t.Setenv("GOGC", "100")
	withoutGC(1<<20, func() {
		if p, l := gcSettings(); p != percent0 || l != limit0 {
			t.Errorf("with GOGC set: GOGC %d, limit %d; want them untouched (%d, %d)", p, l, percent0, limit0)
		}
	})
}

func TestOrgSize(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.yaml"), make([]byte, 300), 0o644)
	os.WriteFile(filepath.Join(dir, "b.yaml"), make([]byte, 200), 0o644)
	os.Mkdir(filepath.Join(dir, "docs"), 0o755)
	if got := orgSize(filepath.Join(dir, "a.yaml")); got != 300 {
		t.Errorf("orgSize(file) = %d, want 300", got)
	}
	if got := orgSize(dir); got != 500 {
		t.Errorf("orgSize(folder) = %d, want 500", got)
	}
	if got := orgSize(filepath.Join(dir, "missing.yaml")); got != 0 {
		t.Errorf("orgSize(missing) = %d, want 0", got)
	}
}
