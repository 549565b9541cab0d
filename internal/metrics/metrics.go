// Package metrics exposes paybridge's Prometheus metrics with the standard
// Go client. Each running paybridge has its own registry (tests run several
// in one process), holding the families below and the Go runtime and
// process collectors. Labels are bounded sets: route patterns (never raw
// paths), provider and operation names, statuses; no id ever becomes a
// label.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds paybridge's collectors.
type Metrics struct {
	Registry *prometheus.Registry

	httpDuration     *prometheus.HistogramVec
	providerDuration *prometheus.HistogramVec
	transitions      *prometheus.CounterVec
	deliveries       *prometheus.CounterVec
	sweepRuns        *prometheus.CounterVec
	sweepItems       *prometheus.CounterVec
	txDuration       *prometheus.HistogramVec
}

// New registers every collector on a fresh registry. queueDepth, when not
// nil, is asked for the number of pending webhook deliveries at each scrape.
func New(queueDepth func(context.Context) (int64, error)) *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "paybridge_http_request_duration_seconds", Help: "HTTP requests served, by route pattern, method and status.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route", "method", "status"})
	m.providerDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "paybridge_provider_request_duration_seconds", Help: "Calls to payment providers, by provider, operation and outcome (ok, client_error, server_error, error).",
		Buckets: []float64{.05, .1, .25, .5, 1, 2, 5, 10, 15, 20, 30},
	}, []string{"provider", "op", "outcome"})
	m.transitions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "paybridge_payment_transitions_total", Help: "Committed payment state changes, by provider and from/to status (from is empty for creation).",
	}, []string{"provider", "from", "to"})
	m.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "paybridge_webhook_deliveries_total", Help: "Outbound webhook attempts, by outcome (succeeded, retry, dead).",
	}, []string{"outcome"})
	m.sweepRuns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "paybridge_sweep_runs_total", Help: "Sweeps run, by result (ok, error).",
	}, []string{"result"})
	m.sweepItems = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "paybridge_sweep_items_total", Help: "Payments and refunds the sweep settled, by kind.",
	}, []string{"kind"})
	m.txDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "paybridge_db_transaction_duration_seconds", Help: "Database write transactions, by result (commit, error).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"result"})
	m.Registry.MustRegister(m.httpDuration, m.providerDuration, m.transitions, m.deliveries, m.sweepRuns,
		m.sweepItems, m.txDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Children that exist from the start, so every family is scraped (at
	// zero) before anything happened.
	for _, r := range []string{"ok", "error"} {
		m.sweepRuns.WithLabelValues(r)
	}
	for _, k := range []string{"expired", "settled", "refunds", "orphaned", "refunded"} {
		m.sweepItems.WithLabelValues(k)
	}
	for _, o := range []string{"succeeded", "retry", "dead"} {
		m.deliveries.WithLabelValues(o)
	}
	if queueDepth != nil {
		m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "paybridge_webhook_queue_depth", Help: "Outbound webhook deliveries pending (due or waiting for a retry).",
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			n, err := queueDepth(ctx)
			if err != nil {
				return -1
			}
			return float64(n)
		}))
	}
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// ObserveHTTP records one served request; route is the matched pattern.
func (m *Metrics) ObserveHTTP(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.httpDuration.WithLabelValues(route, method, strconv.Itoa(status)).Observe(d.Seconds())
}

// ObserveProvider records one provider call (a provider.Observer).
func (m *Metrics) ObserveProvider(provider, op, outcome string, d time.Duration) {
	m.providerDuration.WithLabelValues(provider, op, outcome).Observe(d.Seconds())
}

// Transition counts one committed payment state change.
func (m *Metrics) Transition(provider, from, to string) {
	m.transitions.WithLabelValues(provider, from, to).Inc()
}

// Delivery counts one webhook attempt's outcome.
func (m *Metrics) Delivery(outcome string) { m.deliveries.WithLabelValues(outcome).Inc() }

// Sweep counts one sweep run and what it settled.
func (m *Metrics) Sweep(err error, items map[string]int) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.sweepRuns.WithLabelValues(result).Inc()
	for kind, n := range items {
		if n > 0 {
			m.sweepItems.WithLabelValues(kind).Add(float64(n))
		}
	}
}

// Tx records one write transaction.
func (m *Metrics) Tx(d time.Duration, err error) {
	result := "commit"
	if err != nil {
		result = "error"
	}
	m.txDuration.WithLabelValues(result).Observe(d.Seconds())
}
