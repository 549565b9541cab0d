package kakaopay

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/internal/sandbox/sandboxtest"
)

func TestSandbox_Auth(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   Options
		gen    generation
		header string // "" sends none
		status int
		code   int64
	}{
		{"legacy missing", Options{}, legacy, "", 401, -400},
		{"current missing", Options{}, current, "", 401, -400},
		{"KakaoAK on current", Options{}, current, "KakaoAK abc", 401, -401},
		{"SECRET_KEY on legacy", Options{}, legacy, "SECRET_KEY abc", 401, -401},
		{"DEV_SECRET_KEY on legacy", Options{}, legacy, "DEV_SECRET_KEY abc", 401, -401},
		{"Bearer", Options{}, current, "Bearer abc", 401, -401},
		{"scheme only", Options{}, current, "SECRET_KEY", 401, -401},
		{"malformed key", Options{}, current, "SECRET_KEY ab/c", 401, -401},
		{"lowercase scheme", Options{}, legacy, "kakaoak abc", 401, -401},
		{"configured secret, wrong", Options{SecretKey: "right-key"}, current, "SECRET_KEY wrong-key", 401, -401},
		{"configured admin, wrong", Options{AdminKey: "right-key"}, legacy, "KakaoAK wrong-key", 401, -401},
		{"configured secret, right", Options{SecretKey: "right-key"}, current, "SECRET_KEY right-key", 200, 0},
		{"configured secret, dev scheme", Options{SecretKey: "right-key"}, current, "DEV_SECRET_KEY right-key", 200, 0},
		{"configured admin, right", Options{AdminKey: "right_key"}, legacy, "KakaoAK right_key", 200, 0},
		// The admin key configures only the legacy API.
		{"admin key on current", Options{AdminKey: "k1"}, current, "SECRET_KEY other", 200, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := MustHarness(t, tc.opts)
			status, m := h.do(sandboxtest.WithAuthorization(h.request(tc.gen, opReady, readyBody(nil)), tc.header))
			if tc.status == http.StatusOK {
				if status != http.StatusOK {
					t.Fatalf("status %d body %v; want 200", status, m)
				}
				return
			}
			wantError(t, tc.gen, tc.status, m, status, tc.code)
			if n := h.SB.Calls(opReady); n != 0 {
				t.Fatalf("Calls(ready) = %d after a refused auth; want 0", n)
			}
		})
	}
}

func TestSandbox_RequestErrors(t *testing.T) {
	h := MustHarness(t, Options{})
	post := func(gen generation, path, ctype string, body []byte) (int, obj) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, h.Srv.URL+mount+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if gen == legacy {
			req.Header.Set("Authorization", "KakaoAK k")
		} else {
			req.Header.Set("Authorization", "SECRET_KEY k")
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		return h.do(req)
	}
	for _, tc := range []struct {
		name   string
		gen    generation
		path   string
		ctype  string
		body   string
		status int
		code   int64
	}{
		{"JSON to legacy", legacy, "/v1/payment/ready", "application/json", `{"cid":"TC0ONETIME"}`, 400, -2},
		{"form to current", current, "/online/v1/payment/ready", "application/x-www-form-urlencoded", "cid=TC0ONETIME", 400, -2},
		{"no content type", current, "/online/v1/payment/order", "", `{}`, 400, -2},
		{"JSON array", current, "/online/v1/payment/order", "application/json", `[]`, 400, -2},
		{"broken JSON", current, "/online/v1/payment/order", "application/json; charset=utf-8", `{"cid":`, 400, -2},
		{"object for a string", current, "/online/v1/payment/order", "application/json", `{"cid":{},"tid":"T1"}`, 400, -2},
		{"fraction for an integer", current, "/online/v1/payment/cancel", "application/json",
			`{"cid":"TC0ONETIME","tid":"T1","cancel_amount":1.5,"cancel_tax_free_amount":0}`, 400, -2},
		{"unknown op legacy", legacy, "/v1/payment/refund", "", "", 404, -404},
		{"unknown op current", current, "/online/v1/payment/refund", "", "", 404, -404},
		{"unknown path current", current, "/online/v2/whatever", "", "", 404, -404},
		{"unknown path", legacy, "/nope", "", "", 404, -404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, m := post(tc.gen, tc.path, tc.ctype, []byte(tc.body))
			wantError(t, tc.gen, tc.status, m, status, tc.code)
		})
	}
	t.Run("ErrMethod", func(t *testing.T) {
		for _, g := range gens {
			req := h.request(g.gen, opOrder, nil)
			req.Method = http.MethodGet
			status, m := h.do(req)
			wantError(t, g.gen, http.StatusMethodNotAllowed, m, status, -404)
		}
	})
	t.Run("CountedAfterAuth", func(t *testing.T) {
		// A call refused for its body passed auth, so it counts.
		before := h.SB.Calls(opOrder)
		post(current, "/online/v1/payment/order", "application/json", []byte(`{"cid":"TC0ONETIME","tid":"T42"}`))
		if got := h.SB.Calls(opOrder) - before; got != 1 {
			t.Fatalf("Calls(order) grew by %d, want 1", got)
		}
		if got := h.SB.CallsFor(opOrder, "T42"); got != 1 {
			t.Fatalf("CallsFor(order, T42) = %d, want 1", got)
		}
	})
}
