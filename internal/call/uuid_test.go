package call

import (
	"regexp"
	"sync"
	"testing"
)

// NewUUID returns version-4 UUIDs (RFC 9562, section 5.4: the version
// nibble 4, the variant bits 10) in their 8-4-4-4-12 lower-case form, none
// repeated across goroutines (each generator of the pool has its own seed).
func TestNewUUIDIsRandomVersion4(t *testing.T) {
	form := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	const goroutines, each = 8, 2000
	ids := make([][]string, goroutines)
	var wg sync.WaitGroup
	for g := range ids {
		wg.Go(func() {
			for range each {
				ids[g] = append(ids[g], NewUUID())
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	var ones [128]int // how often each bit of the 128 is set
	for _, list := range ids {
		for _, id := range list {
			if !form.MatchString(id) {
				t.Fatalf("%q is not a version-4 UUID", id)
			}
			if seen[id] {
				t.Fatalf("%q returned twice", id)
			}
			seen[id] = true
			hexDigits := id[0:8] + id[9:13] + id[14:18] + id[19:23] + id[24:36]
			for i := 0; i < 32; i++ {
				c := hexDigits[i]
				v := int(c - '0')
				if c >= 'a' {
					v = int(c-'a') + 10
				}
				for bit := 0; bit < 4; bit++ {
					if v&(8>>bit) != 0 {
						ones[i*4+bit]++
					}
				}
			}
		}
	}
	// The 122 random bits are each set about half the time (the 6 fixed
	// bits: the version's 4 and the variant's 2).
	n := goroutines * each
	fixed := map[int]bool{48: true, 49: true, 50: true, 51: true, 64: true, 65: true}
	for bit, c := range ones {
		if fixed[bit] {
			continue
		}
		if c < n*45/100 || c > n*55/100 {
			t.Errorf("bit %d set in %d of %d UUIDs: not uniformly random", bit, c, n)
		}
	}
}
