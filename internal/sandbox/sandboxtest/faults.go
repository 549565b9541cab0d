package sandboxtest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/testutil"
)

// WantDelayedOnce runs call twice after a "delay" fault of d was queued for
// it: the first call must take at least d, the second well under it (the
// fault applies once). what names the call in failures.
func (h *Harness[S]) WantDelayedOnce(d time.Duration, what string, call func()) {
	h.T.Helper()
	start := time.Now()
	call()
	if took := time.Since(start); took < d {
		h.T.Fatalf("%s took %v, want at least the %v delay", what, took, d)
	}
	start = time.Now()
	call()
	if took := time.Since(start); took > d-50*time.Millisecond {
		h.T.Fatalf("second %s took %v: the fault applied twice", what, took)
	}
}

// WantClientDeadline sends req, held by a long "delay" fault, with a
// 100 ms deadline: the call must end with the client's deadline, not wait
// for the sandbox.
func (h *Harness[S]) WantClientDeadline(req *http.Request) {
	h.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		h.T.Fatalf("err = %v, want the client's deadline", err)
	}
}

// WantDropped sends req, which a "lost" fault must answer by dropping the
// connection: the client gets a transport error, not an answer.
func (h *Harness[S]) WantDropped(req *http.Request) {
	h.T.Helper()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		h.T.Fatalf("%s %s answered %d; want a dropped connection", req.Method, req.URL.Path, resp.StatusCode)
	}
}

// Control sends method with body to the control endpoint path
// (FaultsPath or StatsPath of package sandbox) and returns the status and
// body.
func (h *Harness[S]) Control(method, path, body string) (int, string) {
	h.T.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.URL(path), rd)
	if err != nil {
		h.T.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, b := h.Send(req)
	return resp.StatusCode, string(b)
}

// Stats is GET /__sandbox/stats, decoded.
func (h *Harness[S]) Stats() testutil.JSON {
	h.T.Helper()
	status, body := h.Control(http.MethodGet, "/__sandbox/stats", "")
	if status != http.StatusOK {
		h.T.Fatalf("GET /__sandbox/stats = %d %s", status, body)
	}
	return testutil.DecodeJSON(h.T, []byte(body))
}

// PostFault posts body to /__sandbox/faults and returns the status.
func (h *Harness[S]) PostFault(body string) int {
	h.T.Helper()
	status, _ := h.Control(http.MethodPost, "/__sandbox/faults", body)
	return status
}
