package sandbox

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCallsCountsOpsAndIDs(t *testing.T) {
	var c Calls
	c.Count("confirm", "pk_1", "order_1")
	c.Count("confirm", "pk_1", "pk_1", "") // one id twice counts once; empty ids not at all
	c.Count("get")
	c.CountIDs("get", "pk_1")
	if got := c.Of("confirm"); got != 2 {
		t.Errorf("Of(confirm) = %d, want 2", got)
	}
	if got := c.For("confirm", "pk_1"); got != 2 {
		t.Errorf("For(confirm, pk_1) = %d, want 2", got)
	}
	if got := c.For("confirm", ""); got != 0 {
		t.Errorf("an empty id was counted %d times", got)
	}
	if c.Of("get") != 1 || c.For("get", "pk_1") != 1 {
		t.Errorf("get: %d calls, %d for pk_1; want 1 and 1 (CountIDs adds no call)", c.Of("get"), c.For("get", "pk_1"))
	}
	calls, byID := c.Snapshot("confirm", "cancel")
	if calls["confirm"] != 2 || calls["cancel"] != 0 || len(byID["cancel"]) != 0 || byID["confirm"]["order_1"] != 1 {
		t.Errorf("Snapshot = %v %v", calls, byID)
	}
	byID["confirm"]["order_1"] = 99
	if c.For("confirm", "order_1") != 1 {
		t.Error("Snapshot shares its maps with the counter")
	}
}

func TestBaseURL(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/checkout", nil)
	r.Host = "pay.example:8080"
	if got := BaseURL(r, "https://shop.example/sandbox/toss"); got != "https://shop.example/sandbox/toss" {
		t.Errorf("configured public URL: %s", got)
	}
	if got := BaseURL(r, ""); got != "http://pay.example:8080" {
		t.Errorf("from the request: %s", got)
	}
	r.Header.Set("X-Forwarded-Prefix", "sandbox/toss/")
	r.TLS = &tls.ConnectionState{}
	if got := BaseURL(r, ""); got != "https://pay.example:8080/sandbox/toss" {
		t.Errorf("behind a prefixing proxy over TLS: %s", got)
	}
}

func TestServeStatsRefusesWrites(t *testing.T) {
	write := func(w http.ResponseWriter, status int, _ any) { w.WriteHeader(status) }
	rec := httptest.NewRecorder()
	ServeStats(rec, httptest.NewRequest(http.MethodPost, "/__sandbox/stats", nil), func() any { return nil }, write)
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
	rec = httptest.NewRecorder()
	ServeStats(rec, httptest.NewRequest(http.MethodGet, "/__sandbox/stats", nil), func() any { return nil }, write)
	if rec.Code != http.StatusOK {
		t.Errorf("GET: %d", rec.Code)
	}
}
