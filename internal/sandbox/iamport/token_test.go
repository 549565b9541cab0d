package iamport

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestSandbox_GetToken(t *testing.T) {
	creds := map[string]any{"imp_key": testKey, "imp_secret": testSecret}
	getToken := func(h *harness, body any) answer {
		return h.send(h.request(http.MethodPost, "/users/getToken", body, ""))
	}
	t.Run("JSONAndForm", func(t *testing.T) {
		h := MustHarness(t, Options{})
		a := getToken(h, creds).obj(t)
		if !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(a.Str(t, "access_token")) {
			t.Errorf("access_token = %q", a["access_token"])
		}
		if now := a.Int(t, "now"); now != h.Clock.Now().Unix() || a.Int(t, "expired_at")-now != 1800 {
			t.Errorf("now, expired_at = %d, %d; want the clock and 30 minutes later", now, a.Int(t, "expired_at"))
		}
		form := getToken(h, url.Values{"imp_key": {testKey}, "imp_secret": {testSecret}}).obj(t)
		if form.Str(t, "access_token") != a.Str(t, "access_token") {
			t.Error("a second getToken before expiry issued another token")
		}
		if n := h.SB.Calls(opGetToken); n != 2 {
			t.Errorf("Calls(getToken) = %d, want 2", n)
		}
	})
	t.Run("Lifetime", func(t *testing.T) {
		h := MustHarness(t, Options{})
		tok := getToken(h, creds).obj(t).Str(t, "access_token")
		h.Clock.Advance(29 * time.Minute) // one minute left: extended by 5
		a := getToken(h, creds).obj(t)
		if a.Str(t, "access_token") != tok || a.Int(t, "expired_at")-a.Int(t, "now") != 6*60 {
			t.Errorf("in the last minute: token %v, lifetime %d s; want the same token with 6 min left",
				a.Str(t, "access_token") == tok, a.Int(t, "expired_at")-a.Int(t, "now"))
		}
		h.Clock.Advance(time.Minute) // 5 min left: not extended
		if a = getToken(h, creds).obj(t); a.Int(t, "expired_at")-a.Int(t, "now") != 5*60 {
			t.Errorf("lifetime %d s, want 300: only the last minute extends", a.Int(t, "expired_at")-a.Int(t, "now"))
		}
		h.Clock.Advance(5 * time.Minute) // expired: a new one
		if a = getToken(h, creds).obj(t); a.Str(t, "access_token") == tok {
			t.Error("an expired token was handed out again")
		}
		old := h.send(h.request(http.MethodGet, "/payments/imp_000000000000?include_sandbox=true", nil, "Bearer "+tok))
		old.wantError(t, http.StatusUnauthorized, -1)
	})
	t.Run("ExpiredTokenRefused", func(t *testing.T) {
		h := MustHarness(t, Options{})
		tok := getToken(h, creds).obj(t).Str(t, "access_token")
		path := "/payments/find/pay_x"
		h.send(h.request(http.MethodGet, path, nil, "Bearer "+tok)).wantError(t, http.StatusNotFound, -1)
		h.Clock.Advance(30 * time.Minute) // no getToken in between: nothing extends it
		h.send(h.request(http.MethodGet, path, nil, "Bearer "+tok)).wantError(t, http.StatusUnauthorized, -1)
	})
	t.Run("ErrCredentials", func(t *testing.T) {
		h := MustHarness(t, Options{})
		for name, body := range map[string]any{
			"wrong secret": map[string]any{"imp_key": testKey, "imp_secret": "nope"},
			"wrong key":    map[string]any{"imp_key": "nope", "imp_secret": testSecret},
			"missing":      map[string]any{"imp_key": testKey},
			"not strings":  map[string]any{"imp_key": testKey, "imp_secret": map[string]any{}},
		} {
			t.Run(name, func(t *testing.T) { getToken(h, body).wantError(t, http.StatusUnauthorized, -1) })
		}
	})
	t.Run("AnyPairWhenUnconfigured", func(t *testing.T) {
		srv := httptest.NewServer(New(Options{}))
		defer srv.Close()
		for body, want := range map[string]int{
			`{"imp_key":"a","imp_secret":"b"}`: http.StatusOK,
			`{"imp_key":"a","imp_secret":""}`:  http.StatusUnauthorized,
			`{"imp_key":"","imp_secret":"b"}`:  http.StatusUnauthorized,
		} {
			resp, err := http.Post(srv.URL+"/users/getToken", "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("getToken %s = %d, want %d", body, resp.StatusCode, want)
			}
		}
	})
}

func TestSandbox_Authorization(t *testing.T) {
	h := MustHarness(t, Options{})
	imp := h.MustPaid("pay_auth", 1000)
	tok := h.token()
	path := "/payments/" + imp + "?include_sandbox=true"
	for _, auth := range []string{"Bearer " + tok, tok, "bearer " + tok} {
		if a := h.send(h.request(http.MethodGet, path, nil, auth)); a.code != 0 {
			t.Errorf("Authorization %q refused: %v", auth[:6], a.message)
		}
	}
	before := h.SB.Calls(opPayment)
	for name, auth := range map[string]string{
		"none": "", "unknown": "Bearer 0000", "scheme only": "Bearer", "other scheme": "Basic " + tok,
	} {
		t.Run(name, func(t *testing.T) {
			a := h.send(h.request(http.MethodGet, path, nil, auth))
			a.wantError(t, http.StatusUnauthorized, -1)
			if a.message != "Unauthorized" {
				t.Errorf("message = %v", a.message)
			}
		})
	}
	if n := h.SB.Calls(opPayment); n != before {
		t.Errorf("refused calls were counted: %d → %d", before, n)
	}
}
