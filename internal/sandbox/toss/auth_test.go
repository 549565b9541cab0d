package toss

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/testutil"
)

func TestSandbox_Authorize(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, tt := range []struct {
		name, header string
		want         string // "" = accepted; else a fragment of the 401's message
	}{
		{"Missing", "", "missing"},
		{"NotBasic", "Bearer " + testSecretKey, "Basic"},
		{"BadBase64", "Basic %%%notbase64", "base64"},
		{"NoColon", "Basic " + b64(testSecretKey), "':'"},
		{"Password", "Basic " + b64(testSecretKey+":secret"), "password"},
		{"EmptyKey", "Basic " + b64(":"), "empty"},
		{"ClientKey", basic(testClientKey), "client key"},
		{"LiveKey", basic("live_sk_0123456789abcdef"), "test secret keys only"},
		{"OtherShape", basic("sk_0123456789abcdef"), "test secret keys only"},
		{"TestKey", basic("test_sk_anotherKey0123"), ""},
		{"WidgetKey", basic("test_gsk_docs_OaPz8L5KdmQXkzRz3y47BMw6"), ""},
		{"LowerCaseScheme", "basic " + b64(testSecretKey+":"), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := MustHarness(t, Options{})
			req := h.request(http.MethodGet, "/v1/payments/tgen_unknown", nil)
			req.Header.Set("Authorization", tt.header)
			status, b := h.do(req)
			o := testutil.DecodeJSON(t, b)
			if tt.want == "" {
				// Past auth, the unknown key is the answer.
				wantError(t, status, o, http.StatusNotFound, "NOT_FOUND_PAYMENT")
				if n := h.SB.Calls(opGet); n != 1 {
					t.Errorf("Calls(get) = %d, want 1", n)
				}
				return
			}
			wantError(t, status, o, http.StatusUnauthorized, "UNAUTHORIZED_KEY")
			if msg := o.Str(t, "message"); !strings.Contains(msg, tt.want) {
				t.Errorf("message %q does not say %q", msg, tt.want)
			}
			if n := h.SB.Calls(opGet); n != 0 {
				t.Errorf("Calls(get) = %d, want 0: refused calls are not counted", n)
			}
		})
	}

	t.Run("ConfiguredKey", func(t *testing.T) {
		h := MustHarness(t, Options{SecretKey: "test_sk_onlyThisOne"})
		req := h.request(http.MethodGet, "/v1/payments/tgen_unknown", nil)
		status, o := h.do(req)
		wantError(t, status, testutil.DecodeJSON(t, o), http.StatusUnauthorized, "UNAUTHORIZED_KEY")
		req.Header.Set("Authorization", basic("test_sk_onlyThisOne"))
		status, o = h.do(req)
		wantError(t, status, testutil.DecodeJSON(t, o), http.StatusNotFound, "NOT_FOUND_PAYMENT")
	})
}

func TestSandbox_Routing(t *testing.T) {
	h := MustHarness(t, Options{})
	for _, tt := range []struct {
		name, method, path string
		status             int
		code               string
	}{
		{"GetOnConfirm", http.MethodGet, "/v1/payments/confirm", http.StatusMethodNotAllowed, "INVALID_REQUEST"},
		{"PutOnLookup", http.MethodPut, "/v1/payments/tgen_x", http.StatusMethodNotAllowed, "INVALID_REQUEST"},
		// POST on the paymentKey path is the earlier confirm: an empty body
		// lacks orderId.
		{"PostOnLookupIsConfirm", http.MethodPost, "/v1/payments/tgen_x", http.StatusBadRequest, "INVALID_REQUEST"},
		{"GetOnCancel", http.MethodGet, "/v1/payments/tgen_x/cancel", http.StatusMethodNotAllowed, "INVALID_REQUEST"},
		{"NoSuchPath", http.MethodGet, "/v2/payments", http.StatusNotFound, "NOT_FOUND"},
		{"Nested", http.MethodGet, "/v1/payments/a/b", http.StatusNotFound, "NOT_FOUND"},
		{"EmptyOrder", http.MethodGet, "/v1/payments/orders/", http.StatusNotFound, "NOT_FOUND"},
		// The unofficial spec's orderId path is the paymentKey path: an
		// orderId there is an unknown paymentKey (docs/providers.md §5 item 24).
		{"OrderIDAsKey", http.MethodGet, "/v1/payments/pay_not_a_key", http.StatusNotFound, "NOT_FOUND_PAYMENT"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var body any
			if tt.method == http.MethodPost || tt.method == http.MethodPut {
				body = map[string]any{}
			}
			status, o := h.call(tt.method, tt.path, body)
			wantError(t, status, o, tt.status, tt.code)
		})
	}
}
