package server

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// series holds each label set's counter and histogram once looked up:
	// WithLabelValues validates, hashes and looks up its labels at each
	// call. Its keys are the vectors' own label sets (service and action
	// names Warden serves, or "unknown", and the codes it answers), so it
	// grows no further than they do.
	series sync.Map // seriesKey → *series
}

type seriesKey struct{ service, action, code string }

type series struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "warden_requests_total", Help: "AWS API requests by service, action and result code.",
	}, []string{"service", "action", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "warden_request_duration_seconds", Help: "AWS API request latency.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
	}, []string{"service", "action"})
	m.reg.MustRegister(m.requests, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observe(service, action, code string, d time.Duration) {
	if service == "" {
		service = "unknown"
	}
	if action == "" {
		action = "unknown"
	}
	k := seriesKey{service, action, code}
	v, ok := m.series.Load(k)
	if !ok {
		v, _ = m.series.LoadOrStore(k, &series{requests: m.requests.WithLabelValues(service, action, code),
			latency: m.latency.WithLabelValues(service, action)})
	}
	se := v.(*series)
	se.requests.Inc()
	se.latency.Observe(d.Seconds())
}
