// Package testutil holds the small helpers the packages' tests share: a
// locked recorder and log buffer (handlers run on other goroutines, and the
// race detector sees no ordering through a socket), fake-server answers,
// and the check of an application error's code. Only tests import it.
package testutil

import (
	"bytes"
	"net/http"
	"sync"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
)

// Recorder collects values from server handlers under a lock.
type Recorder[T any] struct {
	mu sync.Mutex
	v  []T
}

// Add records v.
func (r *Recorder[T]) Add(v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.v = append(r.v, v)
}

// All returns a copy of everything recorded, in order.
func (r *Recorder[T]) All() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]T(nil), r.v...)
}

// LogBuffer collects log output written from many goroutines.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Len is the number of bytes written so far.
func (l *LogBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

// Reply answers a fake provider call with a JSON body.
func Reply(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// HangUp closes the connection without answering, as a crashed server or a
// dropped network does: the client's request was sent, its answer is lost.
func HangUp(t testing.TB, w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

// AssertCode fails the test unless err carries the application error code.
func AssertCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := payment.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}
