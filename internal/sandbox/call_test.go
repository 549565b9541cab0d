package sandbox_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paybridge/paybridge/internal/sandbox"
)

type testAnswer struct{ amount int64 }

type testError struct{ msg string }

// serveOnce runs one "pay" call through Serve and reports whether it acted
// and what it wrote; dropped is true when the connection was dropped.
func serveOnce(t *testing.T, c *sandbox.Control[testFault], actErr *testError) (acted bool, wrote string, dropped bool) {
	t.Helper()
	w := httptest.NewRecorder()
	defer func() {
		if v := recover(); v != nil {
			if err, ok := v.(error); !ok || !errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			dropped = true
		}
	}()
	sandbox.Serve(c, w, httptest.NewRequest(http.MethodPost, "/", nil), "pay", []string{"A"}, sandbox.Steps[testFault, testError]{
		ErrorAnswer: func(f testFault) *testError { return &testError{"injected"} },
		Act: func(*testFault) (any, *testError) {
			acted = true
			return &testAnswer{amount: 100}, actErr
		},
		Amount:     func(a any, n int64) { a.(*testAnswer).amount = n },
		WriteError: func(_ http.ResponseWriter, e *testError) { wrote = "error " + e.msg },
		WriteOK: func(_ http.ResponseWriter, a any) {
			wrote = map[int64]string{100: "ok 100", 7: "ok 7"}[a.(*testAnswer).amount]
		},
	})
	return acted, wrote, false
}

func TestServeAppliesTheFaultKindsInOrder(t *testing.T) {
	inject := func(c *sandbox.Control[testFault], kind string, amount int64) {
		c.Inject(testFault{Fault: sandbox.Fault{Op: "pay", Kind: kind, Amount: amount}})
	}
	c := sandbox.NewControl(sandbox.ControlOptions[testFault]{
		Name:  "test",
		Rules: sandbox.FaultRules{Ops: []string{"pay"}, Kinds: []string{sandbox.FaultError, sandbox.FaultLost, sandbox.FaultAmount}},
		ID:    func(f testFault) string { return f.ID },
	}, nil)
	if acted, wrote, _ := serveOnce(t, c, nil); !acted || wrote != "ok 100" {
		t.Fatalf("no fault: acted %v, wrote %q", acted, wrote)
	}
	inject(c, sandbox.FaultError, 0)
	if acted, wrote, _ := serveOnce(t, c, nil); acted || wrote != "error injected" {
		t.Fatalf("error fault: acted %v, wrote %q; want the error answer without acting", acted, wrote)
	}
	inject(c, sandbox.FaultLost, 0)
	if acted, wrote, dropped := serveOnce(t, c, nil); !acted || wrote != "" || !dropped {
		t.Fatalf("lost fault: acted %v, wrote %q, dropped %v; want acted and dropped", acted, wrote, dropped)
	}
	inject(c, sandbox.FaultAmount, 7)
	if _, wrote, _ := serveOnce(t, c, nil); wrote != "ok 7" {
		t.Fatalf("amount fault: wrote %q", wrote)
	}
	inject(c, sandbox.FaultAmount, 7)
	if acted, wrote, _ := serveOnce(t, c, &testError{"refused"}); !acted || wrote != "error refused" {
		t.Fatalf("amount fault on a refusal: acted %v, wrote %q; want the refusal", acted, wrote)
	}
}
