package cli

import (
	"os"
	"runtime/debug"
)

// serveGCPercent is the garbage collector's target while serving: a
// collection when the heap has grown 400% over what the last one left,
// rather than Go's 100%. Every call allocates its request, response and
// record (some 35 KB for an AssumeRole), while the live heap is small (the
// organization's model and caches, about 11 MB for SecureCart), so with
// Go's default the collector ran often and scanned that heap each time; at
// 400% it costs a fifth as many collections, for a heap that peaks near
// five times the live one. Measured with callgrind on the server's
// AssumeRole benchmark: 19% fewer instructions per call (BENCHMARKS.md,
// issue 10). `audit verify` sets it too: it allocates a copy of each block
// it reads (the SQLite driver's) against a live heap of a few MB, and 400%
// cut its CPU per record by 8% against Go's default (same file).
const serveGCPercent = 400

// tuneGC sets serveGCPercent unless the operator chose a target with the
// GOGC environment variable, which then applies as Go defines it (a
// GOMEMLIMIT applies in both cases).
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(serveGCPercent)
	}
}
