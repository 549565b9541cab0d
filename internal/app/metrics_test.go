package app_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
)

// scrape GETs a metrics URL and parses it with Prometheus's own text parser.
func scrape(t *testing.T, u string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("the scrape does not parse: %v", err)
	}
	return fams
}

// hasSample reports whether family has a sample whose labels include want.
func hasSample(f *dto.MetricFamily, want map[string]string) bool {
	if f == nil {
		return false
	}
	for _, m := range f.GetMetric() {
		ok := true
		for k, v := range want {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			ok = ok && found
		}
		if ok {
			return true
		}
	}
	return false
}

// Ensure /metrics serves every named family in the Prometheus text format,
// labelled by route pattern, provider and operation, transition and
// outcome, after a payment, a refund and a webhook delivery.
func TestMetrics_Scrape(t *testing.T) {
	a := apptest.Start(t, func(c *config.Config) { c.WebhookAllowPrivate = true })
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	defer rc.Close()
	if st, b := do(t, a, "POST", "/v1/webhook_endpoints", "application/json", `{"url":"`+rc.URL+`"}`); st != http.StatusCreated {
		t.Fatalf("endpoint: %d %s", st, b)
	}
	p := mustPaid(t, a, "o-metrics", 5000)
	if st, b := do(t, a, "POST", "/v1/payments/"+p.ID+"/cancel", "application/json", `{"reason":"metrics"}`); st != http.StatusOK {
		t.Fatalf("refund: %d %s", st, b)
	}
	deadline := time.Now().Add(15 * time.Second)
	var fams map[string]*dto.MetricFamily
	for {
		fams = scrape(t, a.URL()+"/metrics")
		if deliveredAtLeast(fams, 2) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, name := range []string{
		"paybridge_http_request_duration_seconds", "paybridge_provider_request_duration_seconds",
		"paybridge_payment_transitions_total", "paybridge_webhook_deliveries_total", "paybridge_webhook_queue_depth",
		"paybridge_sweep_runs_total", "paybridge_sweep_items_total", "paybridge_db_transaction_duration_seconds",
		"go_goroutines", "go_memstats_alloc_bytes", "process_cpu_seconds_total",
	} {
		if fams[name] == nil {
			t.Errorf("family %s is missing", name)
		}
	}
	for name, labels := range map[string]map[string]string{
		"paybridge_http_request_duration_seconds":     {"route": "POST /v1/payments", "method": "POST", "status": "201"},
		"paybridge_provider_request_duration_seconds": {"provider": "kakaopay", "op": "approve", "outcome": "ok"},
		"paybridge_payment_transitions_total":         {"provider": "kakaopay", "from": "approving", "to": "paid"},
		"paybridge_db_transaction_duration_seconds":   {"result": "commit"},
	} {
		if !hasSample(fams[name], labels) {
			t.Errorf("%s has no sample labelled %v", name, labels)
		}
	}
	if !hasSample(fams["paybridge_payment_transitions_total"], map[string]string{"from": "paid", "to": "canceled"}) {
		t.Error("the refund's transition is not counted")
	}
	if !deliveredAtLeast(fams, 2) {
		t.Errorf("webhook deliveries: %v", fams["paybridge_webhook_deliveries_total"])
	}
	// Routes are patterns: no payment id ever becomes a label value.
	for _, m := range fams["paybridge_http_request_duration_seconds"].GetMetric() {
		for _, l := range m.GetLabel() {
			if strings.Contains(l.GetValue(), "pay_") {
				t.Fatalf("a label carries an id: %s", l.GetValue())
			}
		}
	}
}

func deliveredAtLeast(fams map[string]*dto.MetricFamily, n float64) bool {
	for _, m := range fams["paybridge_webhook_deliveries_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "outcome" && l.GetValue() == "succeeded" {
				return m.GetCounter().GetValue() >= n
			}
		}
	}
	return false
}

// Ensure PAYBRIDGE_METRICS_ADDR moves /metrics to its own listener, and
// pprof is served there only, never on the main address.
func TestMetrics_SeparateAddress(t *testing.T) {
	a := apptest.Start(t, func(c *config.Config) { c.MetricsAddr, c.Pprof = "127.0.0.1:0", true })
	if a.MetricsURL() == "" {
		t.Fatal("no metrics listener")
	}
	if fams := scrape(t, a.MetricsURL()+"/metrics"); fams["paybridge_sweep_runs_total"] == nil {
		t.Fatal("the metrics listener serves no paybridge metrics")
	}
	for _, path := range []string{"/metrics", "/debug/pprof/"} {
		if st := status(t, a, "GET", path); st != http.StatusNotFound {
			t.Errorf("main address %s: %d, want 404", path, st)
		}
	}
	resp, err := http.Get(a.MetricsURL() + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("pprof on the metrics address: %d", resp.StatusCode)
	}
}
