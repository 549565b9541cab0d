package testutil

import (
	"net/http"
	"sync/atomic"
)

// FailThenReplay is a fake's handler (see FakeProvider) for a provider
// that recovers: its first failures calls go to fail, and every later one
// is answered 200 with body. The retry tests count the calls it took.
func FailThenReplay[R any](failures int32, fail func(http.ResponseWriter, *http.Request, R), body []byte) func(http.ResponseWriter, *http.Request, R) {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request, req R) {
		if n.Add(1) <= failures {
			fail(w, r, req)
			return
		}
		Reply(w, http.StatusOK, body)
	}
}
