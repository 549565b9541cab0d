package sandbox_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/sandbox"
)

type fault struct {
	Op string `json:"op"`
	ID string `json:"id"`
}

func TestFaultQueue(t *testing.T) {
	var q sandbox.FaultQueue[fault]
	q.Add(fault{Op: "approve"}, 2)
	q.Add(fault{Op: "cancel", ID: "T1"}, 0)
	match := func(op, id string) func(fault) bool {
		return func(f fault) bool { return f.Op == op && (f.ID == "" || f.ID == id) }
	}
	if _, ok := q.Take(match("cancel", "T2")); ok {
		t.Fatal("a fault for T1 matched T2")
	}
	for i := range 2 {
		if _, ok := q.Take(match("approve", "T9")); !ok {
			t.Fatalf("use %d of a count-2 fault missing", i+1)
		}
	}
	if _, ok := q.Take(match("approve", "T9")); ok {
		t.Fatal("a count-2 fault applied three times")
	}
	if f, ok := q.Take(match("cancel", "T1")); !ok || f.ID != "T1" {
		t.Fatal("the zero count did not mean once")
	}
	q.Add(fault{Op: "x"}, 5)
	q.Clear()
	if _, ok := q.Take(match("x", "")); ok {
		t.Fatal("Clear left a fault")
	}
}

func TestServeFaults(t *testing.T) {
	var q sandbox.FaultQueue[fault]
	validate := func(f *fault) error {
		if f.Op == "" {
			return errString("op is required")
		}
		return nil
	}
	serve := func(method, body string) int {
		w := httptest.NewRecorder()
		sandbox.ServeFaults(w, httptest.NewRequest(method, "/__sandbox/faults", strings.NewReader(body)), validate,
			func(f fault) { q.Add(f, 1) }, q.Clear)
		return w.Code
	}
	for _, tt := range []struct {
		method, body string
		want         int
	}{
		{"POST", `{"op":"approve"}`, http.StatusNoContent},
		{"POST", `{"op":"approve","oops":1}`, http.StatusBadRequest},
		{"POST", `{}`, http.StatusBadRequest},
		{"GET", ``, http.StatusMethodNotAllowed},
	} {
		if got := serve(tt.method, tt.body); got != tt.want {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.body, got, tt.want)
		}
	}
	if _, ok := q.Take(func(f fault) bool { return f.Op == "approve" }); !ok {
		t.Fatal("the posted fault was not queued")
	}
	q.Add(fault{Op: "x"}, 1)
	if serve("DELETE", "") != http.StatusNoContent {
		t.Fatal("DELETE")
	}
	if _, ok := q.Take(func(fault) bool { return true }); ok {
		t.Fatal("DELETE left a fault")
	}
}

type errString string

func (e errString) Error() string { return string(e) }
