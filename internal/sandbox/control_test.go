package sandbox_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// testFault is a sandbox's own Fault, as far as Control cares.
type testFault struct {
	sandbox.Fault
	ID string `json:"id,omitempty"`
}

func newControl(statsOp string) *sandbox.Control[testFault] {
	return sandbox.NewControl(sandbox.ControlOptions[testFault]{
		Name:      "test",
		Rules:     sandbox.FaultRules{Ops: []string{"pay", "get"}, Kinds: []string{sandbox.FaultDelay, sandbox.FaultError}},
		ID:        func(f testFault) string { return f.ID },
		StatsKey:  "by_id",
		StatsOp:   statsOp,
		WriteJSON: sandbox.JSON{ContentType: "application/json"}.Write,
	}, nil)
}

func TestControlTakesMatchingFaultsOnce(t *testing.T) {
	c := newControl("")
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	c.Inject(testFault{Fault: sandbox.Fault{Op: "pay", Kind: sandbox.FaultError}, ID: "B"})
	c.Inject(testFault{Fault: sandbox.Fault{Op: "pay", Kind: "explode"}}) // invalid: dropped
	if _, kind, ok := c.Take(r, "pay", "A"); kind != "" || !ok {
		t.Fatalf("a fault for B applied to A: %q", kind)
	}
	if f, kind, ok := c.Take(r, "pay", "A", "B"); kind != sandbox.FaultError || f.ID != "B" || !ok {
		t.Fatalf("the fault for B did not apply to a call naming B: %q %+v", kind, f)
	}
	if _, kind, _ := c.Take(r, "pay", "B"); kind != "" {
		t.Fatalf("a count-1 fault applied twice, or the invalid one was queued: %q", kind)
	}
}

func TestControlSleepsTheDelay(t *testing.T) {
	c := newControl("")
	c.Inject(testFault{Fault: sandbox.Fault{Op: "get", Kind: sandbox.FaultDelay, DelayMS: 30}})
	start := time.Now()
	if _, kind, ok := c.Take(httptest.NewRequest(http.MethodGet, "/", nil), "get"); kind != sandbox.FaultDelay || !ok {
		t.Fatalf("kind %q ok %v", kind, ok)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Fatalf("took %v, want the 30ms of delay_ms", d)
	}

	c.Inject(testFault{Fault: sandbox.Fault{Op: "get", Kind: sandbox.FaultDelay, Delay: time.Minute}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, ok := c.Take(httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx), "get"); ok {
		t.Fatal("a delay outlived its client")
	}
}

func TestControlEndpoints(t *testing.T) {
	for path, want := range map[string]bool{sandbox.FaultsPath: true, sandbox.StatsPath: true, "/__sandbox": false, "/__sandbox/faults/": false} {
		if sandbox.IsControlPath(path) != want {
			t.Errorf("IsControlPath(%q) = %v", path, !want)
		}
	}
	c := newControl("pay")
	post := func(body string) int {
		w := httptest.NewRecorder()
		c.ServeHTTP(w, httptest.NewRequest(http.MethodPost, sandbox.FaultsPath, strings.NewReader(body)))
		return w.Code
	}
	if got := post(`{"op":"get","kind":"error","status":302}`); got != http.StatusBadRequest {
		t.Fatalf("an invalid fault was accepted: %d", got)
	}
	if got := post(`{"op":"get","kind":"error","id":"X"}`); got != http.StatusNoContent {
		t.Fatalf("POST = %d", got)
	}
	if _, kind, _ := c.Take(httptest.NewRequest(http.MethodGet, "/", nil), "get", "X"); kind != sandbox.FaultError {
		t.Fatal("the posted fault was not queued")
	}

	c.Count("pay", "T1", "T1")
	c.Count("get", "T2")
	w := httptest.NewRecorder()
	c.ServeHTTP(w, httptest.NewRequest(http.MethodGet, sandbox.StatsPath, nil))
	want := `{"calls":{"get":1,"pay":1},"by_id":{"T1":1}}`
	if got := w.Body.String(); got != want {
		t.Fatalf("stats = %s, want %s", got, want)
	}
}
