package detect

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// Cutting the sorted history keeps exactly the times a full scan keeps,
// with records arriving slightly out of order.
func TestRecentHistoryKeepsWhatAScanKeeps(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	base := time.Unix(1_800_000_000, 0)
	const baseline = 50 * time.Second
	var sorted, scanned []time.Time
	for i := range 5000 {
		at := base.Add(time.Duration(i)*time.Second/10 - time.Duration(rng.IntN(3))*time.Second)
		var keep []time.Time
		for _, t := range scanned {
			if at.Sub(t) < baseline {
				keep = append(keep, t)
			}
		}
		scanned = append(keep, at)
		sorted = insertSorted(recentHistory(sorted, at, baseline), at)
		want := slices.Clone(scanned)
		slices.SortFunc(want, time.Time.Compare)
		if !slices.EqualFunc(sorted, want, time.Time.Equal) {
			t.Fatalf("after %d calls: %d times kept, a scan keeps %d", i+1, len(sorted), len(want))
		}
	}
}
