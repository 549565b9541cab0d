package apptest

import (
	"net/http"
	"testing"
)

// KeyStatus is the status of GET path (an API path such as /v1/payments)
// with key as the bearer: how tests see whether paybridge accepts a key
// (401 once it is revoked).
func (a *App) KeyStatus(tb testing.TB, path, key string) int {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, a.URL()+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := a.Client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
