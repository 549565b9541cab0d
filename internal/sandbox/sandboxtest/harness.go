// Package sandboxtest is what the provider sandboxes' tests share: a
// sandbox started behind a real HTTP server under the path paybridge serve
// mounts it at, with a fake clock and a browser that does not follow
// redirects, and the request helpers every sandbox's tests use. Each
// sandbox's helpers_test.go keeps only what is its provider's: its
// credentials, its request bodies, its error shape.
package sandboxtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/testutil"
)

// Epoch is the fake clock's start: any fixed time serves, and a fixed one
// makes ids and timestamps in failures reproducible.
var Epoch = time.Date(2025, 3, 1, 1, 2, 3, 0, time.UTC)

// Harness is a sandbox S behind a real HTTP server.
type Harness[S http.Handler] struct {
	T       *testing.T
	SB      S                // the sandbox
	Srv     *httptest.Server // serves SB under Mount
	Mount   string           // e.g. "/sandbox/kakaopay"
	Clock   *testutil.Clock  // the sandbox's clock, unless the test gave its own
	Browser *http.Client     // does not follow redirects, so tests can read them
}

// Start starts a sandbox mounted under mount, with the prefix stripped, as
// paybridge serve mounts it. Before build makes the sandbox, an empty
// *publicURL (its Options.PublicURL) is set to where the server serves it,
// and a nil *now (its Options.Now) to a fake clock's.
func Start[S http.Handler](t *testing.T, mount string, publicURL *string, now *func() time.Time, build func() S) *Harness[S] {
	t.Helper()
	h := &Harness[S]{T: t, Mount: mount, Clock: testutil.NewClock(Epoch), Browser: testutil.Browser()}
	h.Srv = testutil.ServeMounted(t, mount, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.SB.ServeHTTP(w, r)
	}))
	if *publicURL == "" {
		*publicURL = h.Srv.URL + mount
	}
	if *now == nil {
		*now = h.Clock.Now
	}
	h.SB = build()
	return h
}

// URL is the absolute URL of path (query included) under the mount.
func (h *Harness[S]) URL(path string) string { return h.Srv.URL + h.Mount + path }

// Request builds a request for path under the mount. body is sent as is
// when it is a string or []byte, as a form when it is url.Values, and as
// JSON otherwise; nil sends none. header holds name, value pairs set after
// the body's Content-Type, so they may replace it.
func (h *Harness[S]) Request(method, path string, body any, header ...string) *http.Request {
	h.T.Helper()
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		js, err := json.Marshal(b)
		if err != nil {
			h.T.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, h.URL(path), rd)
	if err != nil {
		h.T.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", ctype)
		// Otherwise net/http silently resends a request whose reused
		// connection drops (one with an Idempotency-Key, say), and a
		// "lost" fault test would see the resend instead of the drop.
		req.GetBody = nil
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// Send sends req as an API client does and returns the answer with its
// body read (and closed).
func (h *Harness[S]) Send(req *http.Request) (*http.Response, []byte) {
	h.T.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.T.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.T.Fatalf("%s %s: read answer: %v", req.Method, req.URL.Path, err)
	}
	return resp, b
}

// SendJSON sends req and decodes the JSON object it answers.
func (h *Harness[S]) SendJSON(req *http.Request) (int, testutil.JSON) {
	h.T.Helper()
	resp, b := h.Send(req)
	return resp.StatusCode, testutil.DecodeJSON(h.T, b)
}

// Page is the buyer's browser on a page URL: a GET, or a POST of form when
// it is not nil. It returns the answer and its body (closed).
func (h *Harness[S]) Page(u string, form url.Values) (*http.Response, string) {
	h.T.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if form != nil {
		req, err = http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	}
	if err != nil {
		h.T.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return h.Browse(req)
}

// Browse sends req from the buyer's browser (Browser: no redirect is
// followed) and returns the answer and its body (closed).
func (h *Harness[S]) Browse(req *http.Request) (*http.Response, string) {
	h.T.Helper()
	resp, err := h.Browser.Do(req)
	if err != nil {
		h.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// SeeOther fails the test unless resp is a 303, and returns where it sends
// the browser.
func (h *Harness[S]) SeeOther(resp *http.Response) *url.URL {
	h.T.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		h.T.Fatalf("%s %s = %s, want 303", resp.Request.Method, resp.Request.URL.Path, resp.Status)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		h.T.Fatal(err)
	}
	return u
}

// WantOK fails the test unless an API answer of status with body o is a
// 200, and returns o; what names the call in the failure.
func (h *Harness[S]) WantOK(what string, status int, o testutil.JSON) testutil.JSON {
	h.T.Helper()
	if status != http.StatusOK {
		h.T.Fatalf("%s = %d %v, want 200", what, status, o)
	}
	return o
}

// WithQuery is the URL of path under the mount with the query q, extra's
// parameters replacing or adding to q's.
func (h *Harness[S]) WithQuery(path string, q, extra url.Values) string {
	for k, v := range extra {
		q[k] = v
	}
	return h.URL(path + "?" + q.Encode())
}

// WithAuthorization is req with its Authorization header replaced by
// header, or removed when header is "": a request with a wrong key, or
// none, for the tests of a sandbox's authentication.
func WithAuthorization(req *http.Request, header string) *http.Request {
	req.Header.Del("Authorization")
	if header != "" {
		req.Header.Set("Authorization", header)
	}
	return req
}
