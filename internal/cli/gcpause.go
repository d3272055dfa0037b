package cli

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
)

// Loading a large organization allocates about thirty times its files' size,
// most of it the files' node tree, which stays alive until the model is
// built, and a fifth of that lives on in the model. A collection during the
// load finds little garbage but marks the whole growing tree, again and
// again: it was a third of a one-shot command's CPU (see BENCHMARKS.md, "The
// org load, fourth pass"). A command that loads an organization and exits
// therefore pauses the collector while it loads, with a memory limit that
// brings it back if the heap grows past a bound well above what the load
// needs (gcPauseBase plus gcPausePerByte times the files' size). who-can
// and can keep it paused until they exit: resuming it after the load cost
// a collection of the whole model, 7 % of a who-can's instructions, for the
// few MB one principal's or one request's answer allocates. What they
// allocate past the limit is collected when the heap reaches it, so that a
// long analysis on a small organization (can on a broad principal) stays
// near gcPauseBase. An operator who set GOGC or GOMEMLIMIT keeps the
// collector as they set it.

const (
	gcPauseBase    = 128 << 20
	gcPausePerByte = 64
)

var gcPause struct {
	sync.Mutex
	depth     int
	percent   int
	limit     int64
	prevLimit int64
}

// withoutGC runs f with the collector paused (pauseGC).
func withoutGC(size int64, f func()) {
	defer pauseGC(size)()
	f()
}

// pauseGC pauses the collector, bounded by a memory limit for an
// organization of the given size in bytes, until the returned function is
// called. Nested and concurrent pauses (the CLI's tests run commands in
// parallel) keep it paused until the last one ends, which restores the
// previous settings.
func pauseGC(size int64) (resume func()) {
	if gcChosen() {
		return func() {}
	}
	limit := int64(gcPauseBase)
	if size > 0 && size < (math.MaxInt64-limit)/gcPausePerByte {
		limit += size * gcPausePerByte
	}
	gcPause.Lock()
	if gcPause.depth == 0 {
		gcPause.prevLimit = debug.SetMemoryLimit(limit)
		gcPause.limit = limit
		gcPause.percent = debug.SetGCPercent(-1)
	} else if limit > gcPause.limit {
		debug.SetMemoryLimit(limit)
		gcPause.limit = limit
	}
	gcPause.depth++
	gcPause.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			gcPause.Lock()
			defer gcPause.Unlock()
			gcPause.depth--
			if gcPause.depth == 0 {
				debug.SetGCPercent(gcPause.percent)
				debug.SetMemoryLimit(gcPause.prevLimit)
			}
		})
	}
}

// gcChosen reports whether the environment sets the collector's target or
// memory limit.
func gcChosen() bool {
	_, gogc := os.LookupEnv("GOGC")
	_, limit := os.LookupEnv("GOMEMLIMIT")
	return gogc || limit
}

// orgSize is the size in bytes of the organization files at path: the file,
// or a folder's files (those the loader reads at its top level; document
// files they name are small beside them). It is 0 when path cannot be read.
func orgSize(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	if !info.IsDir() {
		return info.Size()
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return 0
	}
	var n int64
	for _, e := range entries {
		if fi, err := os.Stat(filepath.Join(path, e.Name())); err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
	}
	return n
}
