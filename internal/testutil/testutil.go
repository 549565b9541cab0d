// Package testutil holds the helpers the packages' tests share: a locked
// recorder, log buffer and clock (handlers run on other goroutines, and the
// race detector sees no ordering through a socket), fake-server answers
// and the scripted fake provider server the adapters' tests build on, the
// mounted server, browser and JSON reader the sandboxes' tests build on,
// testdata loading, and the checks of an application error's code, of a
// request's fields and of a validation's problems. Each provider's tests
// keep only what is its own: its conventions, credentials and fixtures.
// Only tests import it.
package testutil

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
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

// AssertProblems checks a validation error that joins one error per
// problem (errors.Join): exactly len(want) problems, each of want named in
// the message, so that a config with several mistakes reports them all at
// once.
func AssertProblems(t testing.TB, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatal("Validate() = nil, want an error")
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != len(want) {
		t.Errorf("Validate() reported %v, want %d problems", err, len(want))
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Validate() = %q, want it to mention %q", err, w)
		}
	}
}
