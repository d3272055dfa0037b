package state

import (
	"encoding/json"
	"testing"

	landingzones "github.com/securecart/warden/landing-zones"
)

// BenchmarkRoundTrip is what every change and every refresh of a replica
// does with the stored document: decode it, load the org, encode it.
func BenchmarkRoundTrip(b *testing.B) {
	d, err := FromFiles(landingzones.FS, landingzones.SecureCart)
	if err != nil {
		b.Fatal(err)
	}
	raw, err := json.Marshal(d)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var d Doc
		if err := json.Unmarshal(raw, &d); err != nil {
			b.Fatal(err)
		}
		if _, err := Build(&d); err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(&d); err != nil {
			b.Fatal(err)
		}
	}
}
