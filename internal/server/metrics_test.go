package server

import (
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// The series cache counts each label set where WithLabelValues would.
func TestMetricsObserveCountsEachLabelSet(t *testing.T) {
	m := newMetrics()
	m.observe("sts", "GetCallerIdentity", "OK", time.Millisecond)
	m.observe("sts", "GetCallerIdentity", "OK", 3*time.Millisecond)
	m.observe("sts", "GetCallerIdentity", "AccessDenied", time.Millisecond)
	m.observe("", "", "OK", time.Second)
	fams, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]float64{}
	samples := map[string]uint64{}
	sums := map[string]float64{}
	label := func(mt *dto.Metric, name string) string {
		for _, l := range mt.GetLabel() {
			if l.GetName() == name {
				return l.GetValue()
			}
		}
		return ""
	}
	for _, f := range fams {
		for _, mt := range f.GetMetric() {
			switch f.GetName() {
			case "warden_requests_total":
				counts[label(mt, "service")+"/"+label(mt, "action")+"/"+label(mt, "code")] = mt.GetCounter().GetValue()
			case "warden_request_duration_seconds":
				k := label(mt, "service") + "/" + label(mt, "action")
				samples[k], sums[k] = mt.GetHistogram().GetSampleCount(), mt.GetHistogram().GetSampleSum()
			}
		}
	}
	want := map[string]float64{"sts/GetCallerIdentity/OK": 2, "sts/GetCallerIdentity/AccessDenied": 1, "unknown/unknown/OK": 1}
	if len(counts) != len(want) {
		t.Errorf("counters %v, want %v", counts, want)
	}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("warden_requests_total{%s} = %v, want %v", k, counts[k], v)
		}
	}
	if samples["sts/GetCallerIdentity"] != 3 || samples["unknown/unknown"] != 1 {
		t.Errorf("histogram samples %v, want 3 for sts/GetCallerIdentity and 1 for unknown/unknown", samples)
	}
	if s := sums["sts/GetCallerIdentity"]; s < 0.00499 || s > 0.00501 {
		t.Errorf("histogram sum %v, want 0.005", s)
	}
}
