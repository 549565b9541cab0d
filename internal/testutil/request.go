package testutil

import (
	"io"
	"net/http"
	"testing"
)

// RequestCheck collects a fake provider's findings about one request: each
// breach of the provider's conventions is a test error, and any breach
// makes the fake refuse the request (see FakeProvider), so that a test
// fails on a wrong path, header or body whatever its handler answers.
type RequestCheck struct {
	t  testing.TB
	ok bool
}

// CheckRequest starts a RequestCheck that has found nothing yet.
func CheckRequest(t testing.TB) *RequestCheck { return &RequestCheck{t: t, ok: true} }

// Failf records a breach.
func (c *RequestCheck) Failf(format string, args ...any) {
	c.t.Helper()
	c.t.Errorf(format, args...)
	c.ok = false
}

// Header records a breach unless r's header name is exactly want.
func (c *RequestCheck) Header(r *http.Request, name, want string) {
	c.t.Helper()
	if got := r.Header.Get(name); got != want {
		c.Failf("%s = %q, want %q", name, got, want)
	}
}

// Body reads r's body; a failed read is a breach.
func (c *RequestCheck) Body(r *http.Request) []byte {
	c.t.Helper()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		c.Failf("read body: %v", err)
	}
	return body
}

// And records a breach that a decoder already reported when good is false.
func (c *RequestCheck) And(good bool) { c.ok = c.ok && good }

// OK reports whether the request kept every convention checked.
func (c *RequestCheck) OK() bool { return c.ok }
