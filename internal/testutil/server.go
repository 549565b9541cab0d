package testutil

import (
	"net/http"
	"net/http/httptest"
	"testing"
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

// Browser is an HTTP client that does not follow redirects, so that a test
// of a checkout page can read where it sends the buyer.
func Browser() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
