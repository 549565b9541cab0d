package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
)

func postForm(t *testing.T, a *apptest.App, path string, form url.Values, origin string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", a.URL()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := a.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// Ensure the original sample's client works: POST /ready, the buyer approves,
// the browser lands on the sample's success page with pg_token, and
// POST /approve answers KakaoPay's approve JSON.
func TestDropIn_ReadyApprove(t *testing.T) {
	a := apptest.Start(t, func(c *config.Config) { c.CORSOrigins = []string{"http://localhost:8080"} })

	resp, b := postForm(t, a, "/ready", url.Values{"userId": {"user 7"}, "product": {"Latte"}, "price": {"5000"}, "quantity": {"3"}}, "http://localhost:8080")
	if resp.StatusCode != 200 {
		t.Fatalf("/ready: %d %s", resp.StatusCode, b)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "http://localhost:8080" {
		t.Fatalf("CORS origin = %q", got)
	}
	var ready struct {
		TID               string `json:"tid"`
		NextRedirectPCURL string `json:"next_redirect_pc_url"`
		CreatedAt         string `json:"created_at"`
	}
	json.Unmarshal(b, &ready)
	if len(ready.TID) != 20 || ready.NextRedirectPCURL == "" || len(ready.CreatedAt) != len("2006-01-02T15:04:05") {
		t.Fatalf("/ready JSON = %s", b)
	}

	_, loc := follow(t, a, buyer(t, a, ready.NextRedirectPCURL, "approve"))
	u, err := url.Parse(loc)
	if err != nil || u.Host != "localhost:8080" || u.Path != "/Client/success.html" {
		t.Fatalf("browser sent to %q, want the sample's success page", loc)
	}
	q := u.Query()
	if q.Get("userId") != "user 7" || q.Get("pg_token") == "" || q.Get("payment_id") == "" {
		t.Fatalf("success page query = %v", q)
	}

	// What success.html posts: userId and pg_token from its URL, tid from sessionStorage.
	form := url.Values{"userId": {"user 7"}, "pg_token": {q.Get("pg_token")}, "tid": {ready.TID}}
	resp, b = postForm(t, a, "/approve", form, "http://localhost:8080")
	if resp.StatusCode != 200 {
		t.Fatalf("/approve: %d %s", resp.StatusCode, b)
	}
	var approve struct {
		TID           string `json:"tid"`
		PartnerUserID string `json:"partner_user_id"`
		ItemName      string `json:"item_name"`
		Quantity      int64  `json:"quantity"`
		Amount        struct {
			Total int64 `json:"total"`
		} `json:"amount"`
		CreatedAt  string `json:"created_at"`
		ApprovedAt string `json:"approved_at"`
	}
	json.Unmarshal(b, &approve)
	if approve.TID != ready.TID || approve.PartnerUserID != "user 7" || approve.ItemName != "Latte" ||
		approve.Quantity != 3 || approve.Amount.Total != 15000 || approve.ApprovedAt == "" {
		t.Fatalf("/approve JSON = %s", b)
	}
	// Posting again is answered from the database: still one approve call.
	if resp, b := postForm(t, a, "/approve", form, ""); resp.StatusCode != 200 {
		t.Fatalf("second /approve: %d %s", resp.StatusCode, b)
	}
	if n := a.KakaoPaySandbox.Calls("approve"); n != 1 {
		t.Fatalf("approve calls = %d, want 1", n)
	}
	if got := getPayment(t, a, q.Get("payment_id")); got.Status != "paid" || got.Amount != 15000 {
		t.Fatalf("payment = %+v", got)
	}

	t.Run("ErrOtherUser", func(t *testing.T) {
		f := url.Values{"userId": {"user 8"}, "pg_token": form["pg_token"], "tid": form["tid"]}
		if resp, b := postForm(t, a, "/approve", f, ""); resp.StatusCode != 404 {
			t.Fatalf("other user's tid: %d %s", resp.StatusCode, b)
		}
	})
	t.Run("ErrWrongToken", func(t *testing.T) {
		f := url.Values{"userId": {"user 7"}, "pg_token": {"forged"}, "tid": form["tid"]}
		if resp, b := postForm(t, a, "/approve", f, ""); resp.StatusCode != 400 {
			t.Fatalf("wrong pg_token: %d %s", resp.StatusCode, b)
		}
	})
}

func TestDropIn_ReadyRejectsBadInput(t *testing.T) {
	a := apptest.Start(t)
	tests := map[string]url.Values{
		"Overflow":      {"userId": {"u"}, "product": {"p"}, "price": {"9223372036854775807"}, "quantity": {"2"}},
		"OverMax":       {"userId": {"u"}, "product": {"p"}, "price": {"50000001"}, "quantity": {"2"}},
		"NegativePrice": {"userId": {"u"}, "product": {"p"}, "price": {"-5000"}, "quantity": {"1"}},
		"NotANumber":    {"userId": {"u"}, "product": {"p"}, "price": {"5,000"}, "quantity": {"1"}},
		"ZeroQuantity":  {"userId": {"u"}, "product": {"p"}, "price": {"5000"}, "quantity": {"0"}},
		"NoUser":        {"product": {"p"}, "price": {"5000"}, "quantity": {"1"}},
		"NoProduct":     {"userId": {"u"}, "price": {"5000"}, "quantity": {"1"}},
	}
	for name, form := range tests {
		t.Run(name, func(t *testing.T) {
			resp, b := postForm(t, a, "/ready", form, "")
			if resp.StatusCode != 400 || !strings.Contains(string(b), `"invalid"`) {
				t.Fatalf("status %d: %s", resp.StatusCode, b)
			}
		})
	}
	if n := countPayments(t, a); n != 0 {
		t.Fatalf("%d payments written by rejected requests", n)
	}
}

func TestDropIn_CORS(t *testing.T) {
	a := apptest.Start(t, func(c *config.Config) { c.CORSOrigins = []string{"http://shop.test"} })
	for _, tt := range []struct {
		origin string
		want   int
		allow  string
	}{
		{"http://shop.test", 204, "http://shop.test"},
		{"http://evil.test", 403, ""},
	} {
		req, _ := http.NewRequest("OPTIONS", a.URL()+"/ready", nil)
		req.Header.Set("Origin", tt.origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		resp, err := a.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want || resp.Header.Get("Access-Control-Allow-Origin") != tt.allow {
			t.Fatalf("preflight from %s: %d %q", tt.origin, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
	}
}

// POST /approve with a made-up pg_token while the buyer is still in
// KakaoPay's window (the tid and userId are on the public /pay/{id} page)
// is answered 409 "not approved yet" in the drop-in's error shape, without
// calling KakaoPay; the buyer who then approves lands on the success page.
func TestDropIn_ApproveWithWrongTokenWhileReady(t *testing.T) {
	a := apptest.Start(t, func(c *config.Config) { c.CORSOrigins = []string{"http://localhost:8080"} })
	resp, b := postForm(t, a, "/ready", url.Values{"userId": {"u1"}, "product": {"Latte"}, "price": {"5000"}, "quantity": {"1"}}, "http://localhost:8080")
	if resp.StatusCode != 200 {
		t.Fatalf("/ready: %d %s", resp.StatusCode, b)
	}
	var ready struct {
		TID               string `json:"tid"`
		NextRedirectPCURL string `json:"next_redirect_pc_url"`
	}
	json.Unmarshal(b, &ready)
	resp, b = postForm(t, a, "/approve", url.Values{"userId": {"u1"}, "pg_token": {"not-the-token"}, "tid": {ready.TID}}, "")
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil || resp.StatusCode != 409 || e.Error.Code != "conflict" ||
		!strings.Contains(e.Error.Message, "not approved yet") {
		t.Fatalf("/approve on a ready payment: %d %s, want 409 conflict, not approved yet", resp.StatusCode, b)
	}
	if n := a.KakaoPaySandbox.Calls("approve"); n != 0 {
		t.Fatalf("approve calls to KakaoPay = %d, want 0", n)
	}
	_, loc := follow(t, a, buyer(t, a, ready.NextRedirectPCURL, "approve"))
	u, err := url.Parse(loc)
	if err != nil || u.Path != "/Client/success.html" {
		t.Fatalf("after a stranger's wrong-token /approve, the buyer's approval landed on %q, want the success page", loc)
	}
}
