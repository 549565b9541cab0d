package sandboxtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// Webhook is one webhook as a Receiver got it.
type Webhook struct {
	Method string
	Header http.Header
	Body   []byte
}

// Receiver is a webhook endpoint for a sandbox that sends webhooks: it
// hands every delivery to the test and answers each attempt with the
// status the test chooses.
type Receiver struct {
	*httptest.Server
	got      chan Webhook
	attempts atomic.Int32
}

// NewReceiver starts a Receiver, closed when the test ends. status gives
// the answer to the n-th attempt (from 1); nil answers 200 to all.
func NewReceiver(t *testing.T, status func(attempt int32) int) *Receiver {
	t.Helper()
	rc := &Receiver{got: make(chan Webhook, 16)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := rc.attempts.Add(1)
		body, _ := io.ReadAll(r.Body)
		rc.got <- Webhook{Method: r.Method, Header: r.Header.Clone(), Body: body}
		if status != nil {
			w.WriteHeader(status(n))
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

// Attempts is how many deliveries have arrived.
func (rc *Receiver) Attempts() int32 { return rc.attempts.Load() }

// Next waits (up to 5 s) for the next delivery.
func (rc *Receiver) Next(t *testing.T) Webhook {
	t.Helper()
	select {
	case d := <-rc.got:
		return d
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook arrived")
		return Webhook{}
	}
}

// None checks that no delivery arrives within wait.
func (rc *Receiver) None(t *testing.T, wait time.Duration) {
	t.Helper()
	select {
	case d := <-rc.got:
		t.Fatalf("unexpected webhook %s", d.Body)
	case <-time.After(wait):
	}
}
