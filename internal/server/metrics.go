package server

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
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
	m.requests.WithLabelValues(service, action, code).Inc()
	m.latency.WithLabelValues(service, action).Observe(d.Seconds())
}
