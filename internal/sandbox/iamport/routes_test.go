package iamport

import (
	"encoding/json"
	"net/http"
	"testing"
)

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }

// TestSandbox_Routes checks that every answer outside the known routes is
// still a PortOne envelope.
func TestSandbox_Routes(t *testing.T) {
	h := MustHarness(t, Options{})
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, "/", http.StatusNotFound, ""},
		{http.MethodGet, "/payments", http.StatusNotFound, ""},
		{http.MethodGet, "/payments/imp_1/balance", http.StatusNotFound, ""},
		{http.MethodGet, "/payments//x", http.StatusNotFound, ""},
		{http.MethodGet, "/payments/find/m/paid/x", http.StatusNotFound, ""},
		{http.MethodGet, "/users/getToken", http.StatusMethodNotAllowed, "POST"},
		{http.MethodPut, "/payments/prepare", http.StatusMethodNotAllowed, "POST"},
		{http.MethodGet, "/payments/cancel", http.StatusMethodNotAllowed, "POST"},
		{http.MethodPost, "/payments/imp_1", http.StatusMethodNotAllowed, "GET"},
		{http.MethodDelete, "/payments/find/m", http.StatusMethodNotAllowed, "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req := h.request(tt.method, tt.path, nil, "Bearer "+h.token())
			a := h.send(req)
			a.wantError(t, tt.status, -1)
			if got := a.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
		})
	}
	resp, err := http.Post(h.URL("/__sandbox/stats"), "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST stats = %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}
