package testutil

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// ServeMounted starts a test server that serves h under mount with the
// prefix stripped, as paybridge serve mounts a sandbox, so that tests see
// the absolute URLs a real deployment would. It is closed when the test
// ends.
func ServeMounted(t testing.TB, mount string, h http.Handler) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(mount+"/", http.StripPrefix(mount, h))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// ForwardedPrefix tells h where it is mounted, as a proxy does with
// X-Forwarded-Prefix, for a sandbox that builds its page links from the
// request.
func ForwardedPrefix(prefix string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("X-Forwarded-Prefix", prefix)
		h.ServeHTTP(w, r)
	})
}

// Browser is an HTTP client that does not follow redirects, so that a test
// of a checkout page can read where it sends the buyer. Its timeout makes
// a page that never answers fail the test instead of stalling it.
func Browser() *http.Client {
	return &http.Client{
		Timeout:       5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
