package awsdata

import "testing"

// The load benchmarks measure the one-time cost of decoding each embedded
// file (JSON decode, index build); the package pays each at most once, and
// a service's line only when the service is used (BenchmarkLoadServices is
// the index alone, BenchmarkLoadEveryService the index and every service).

func BenchmarkLoadServices(b *testing.B) {
	for b.Loop() {
		loadServices()
	}
}

// BenchmarkLoadEveryService decodes the index and then every service, as a
// command that lists every action does.
func BenchmarkLoadEveryService(b *testing.B) {
	for b.Loop() {
		for _, s := range loadServices().list {
			s.load()
		}
	}
}

func BenchmarkLoadPolicies(b *testing.B) {
	for b.Loop() {
		loadPolicies()
	}
}

func BenchmarkLoadConditionKeys(b *testing.B) {
	for b.Loop() {
		loadConditionKeys()
	}
}

func BenchmarkLookupAction(b *testing.B) {
	services() // exclude the one-time load
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := LookupAction("s3:GetObject"); !ok {
			b.Fatal("s3:GetObject not found")
		}
	}
}

func BenchmarkLookupConditionKeyTemplated(b *testing.B) {
	conditionKeys()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := LookupConditionKey("aws:PrincipalTag/team"); !ok {
			b.Fatal("aws:PrincipalTag/team not found")
		}
	}
}

func BenchmarkMatchActions(b *testing.B) {
	services()
	b.ReportAllocs()
	for b.Loop() {
		if len(MatchActions("iam:*Role*")) == 0 {
			b.Fatal("no match for iam:*Role*")
		}
	}
}
