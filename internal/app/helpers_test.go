package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/sandbox"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
)

// paymentJSON is the part of the API's payment object the tests read.
type paymentJSON struct {
	ID               string `json:"id"`
	Status           string `json:"status"`
	Amount           int64  `json:"amount"`
	CanceledAmount   int64  `json:"canceled_amount"`
	CancelableAmount int64  `json:"cancelable_amount"`
	RedirectURL      string `json:"redirect_url"`
	RedirectURLs     struct {
		PC, Mobile, App string
	} `json:"redirect_urls"`
	ProviderIDs struct {
		ProviderPaymentID string `json:"provider_payment_id"`
		PaymentKey        string `json:"payment_key"`
		ImpUID            string `json:"imp_uid"`
		PaymentID         string `json:"payment_id"`
		TID               string `json:"tid"`
		PartnerOrderID    string `json:"partner_order_id"`
		PartnerUserID     string `json:"partner_user_id"`
		AID               string `json:"aid"`
	} `json:"provider_ids"`
	Failure *struct {
		Code            string `json:"code"`
		Message         string `json:"message"`
		ProviderCode    string `json:"provider_code"`
		ProviderMessage string `json:"provider_message"`
	} `json:"failure"`
	Cancellations []struct {
		Amount int64  `json:"amount"`
		Status string `json:"status"`
	} `json:"cancellations"`
}

type errorJSON struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// do sends a request with the app's key and returns status and body.
func do(t *testing.T, a *apptest.App, method, path, contentType, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, a.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.Key)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := a.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// MustCreatePayment creates a KakaoPay payment of amount won through the API.
func MustCreatePayment(t *testing.T, a *apptest.App, orderID string, amount int64, extra string) paymentJSON {
	t.Helper()
	body := `{"provider":"kakaopay","order_id":"` + orderID + `","order_name":"Americano","amount":` +
		itoa(amount) + `,"quantity":1,"customer_id":"cust-1"` + extra + `}`
	status, b := do(t, a, "POST", "/v1/payments", "application/json", body)
	if status != http.StatusCreated {
		t.Fatalf("create payment: status %d: %s", status, b)
	}
	p := decode[paymentJSON](t, b)
	if p.Status != "ready" || p.RedirectURL == "" || p.ProviderIDs.TID == "" {
		t.Fatalf("created payment is not ready with a redirect: %s", b)
	}
	return p
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func getPayment(t *testing.T, a *apptest.App, id string) paymentJSON {
	t.Helper()
	status, b := do(t, a, "GET", "/v1/payments/"+id, "", "")
	if status != http.StatusOK {
		t.Fatalf("get payment: status %d: %s", status, b)
	}
	return decode[paymentJSON](t, b)
}

// buyer acts at the sandbox's buyer page (approve, cancel or fail) and
// returns where the sandbox sends the browser: paybridge's return URL.
func buyer(t *testing.T, a *apptest.App, redirectURL, action string) string {
	t.Helper()
	resp, err := a.Client.Get(loopback(a, redirectURL))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("buyer page: status %d", resp.StatusCode)
	}
	resp, err = a.Client.PostForm(loopback(a, redirectURL), url.Values{"action": {action}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("buyer %s: status %d, want 303", action, resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// follow GETs a URL with the app's client (no redirects) and returns the
// status and the Location header.
func follow(t *testing.T, a *apptest.App, u string) (int, string) {
	t.Helper()
	resp, err := a.Client.Get(loopback(a, u))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// loopback points a public URL (http://localhost:port/…) at the server's
// loopback address, which is what it is in tests.
func loopback(a *apptest.App, u string) string {
	return strings.Replace(u, a.Config.PublicURL, a.URL(), 1)
}

func mustEvents(t *testing.T, a *apptest.App, id string) []string {
	t.Helper()
	evs, err := a.Store.FindEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, string(e.ToStatus))
	}
	return out
}

func countPayments(t *testing.T, a *apptest.App) int {
	t.Helper()
	ps, err := a.Store.FindPayments(context.Background(), payment.PaymentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(ps)
}

func sbFault(op, kind string, status, code int) sbkakaopay.Fault {
	return sbkakaopay.Fault{Fault: sandbox.Fault{Op: op, Kind: kind, Status: status}, Code: code}
}
