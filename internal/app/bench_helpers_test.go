package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
)

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

func decodeBody(tb testing.TB, resp *http.Response, v any) {
	tb.Helper()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		tb.Fatal(err)
	}
}

func loopbackB(a *apptest.App, u string) string {
	return strings.Replace(u, a.Config.PublicURL, a.URL(), 1)
}
