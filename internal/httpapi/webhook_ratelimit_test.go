package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
	"github.com/paybridge/paybridge/internal/stdwebhook"
	"github.com/paybridge/paybridge/internal/store"
)

// countingParser is a signedProvider that counts the deliveries it was
// asked to parse: a delivery refused by the limit never gets that far.
type countingParser struct {
	signedProvider
	parsed *atomic.Int32
}

func (c countingParser) ParseWebhook(h http.Header, body []byte) (string, error) {
	c.parsed.Add(1)
	return c.signedProvider.ParseWebhook(h, body)
}

// Ensure the provider webhook routes, as Register mounts them, limit
// unsigned deliveries per client IP: past the burst one address gets 429
// rate_limited with Retry-After before its delivery is even parsed, on
// every unsigned route (one bucket per address), while another address
// and a signed delivery from the limited one still go through.
func TestProviderWebhookRoutes_PerIPLimit(t *testing.T) {
	const burst = 3
	var tossParsed, portoneParsed atomic.Int32
	provs := []payment.Provider{
		countingParser{signedProvider{&crashProvider{name: payment.ProviderToss, refunded: map[string]int64{}}}, &tossParsed},
		countingParser{signedProvider{&crashProvider{name: payment.ProviderPortOne, refunded: map[string]int64{}}}, &portoneParsed},
	}
	// No payment is stored: a parsed delivery names one paybridge does not
	// have and is acknowledged without a lookup.
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "pb.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	api := New(service.New(st, provs, nil, service.Config{}), slog.New(slog.DiscardHandler), DropInConfig{})
	// A bucket refills one token in 1000 s: none comes back during the test.
	api.SetPublicLimiter(NewPublicLimiter(RateLimit{Rate: 0.001, Burst: burst}, ""))
	mux := http.NewServeMux()
	api.Register(mux)

	deliver := func(path, ip string, signed bool) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest("POST", path, strings.NewReader(`{"payment_id":"pay_unknown"}`))
		r.RemoteAddr = ip + ":40000"
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Test-Signature", "good")
		if signed {
			r.Header.Set(stdwebhook.HeaderID, "msg_1")
			r.Header.Set(stdwebhook.HeaderTimestamp, "1700000000")
			r.Header.Set(stdwebhook.HeaderSignature, "v1,abc")
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w
	}
	received := func(w *httptest.ResponseRecorder) bool {
		return w.Code == http.StatusOK && strings.TrimSpace(w.Body.String()) == `{"received":true}`
	}
	const limited, other = "203.0.113.7", "198.51.100.9"

	for i := range burst {
		if w := deliver("/webhooks/toss", limited, false); !received(w) {
			t.Fatalf("delivery %d within the burst: %d %s", i+1, w.Code, w.Body)
		}
	}
	retryMsg := regexp.MustCompile(`^too many requests from this address: retry after (\d+) s$`)
	for _, path := range []string{"/webhooks/toss", "/webhooks/portone"} {
		w := deliver(path, limited, false)
		var body struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != http.StatusTooManyRequests {
			t.Fatalf("%s past the burst: %d %s (%v)", path, w.Code, w.Body, err)
		}
		m := retryMsg.FindStringSubmatch(body.Error.Message)
		secs, _ := strconv.Atoi(w.Header().Get("Retry-After"))
		if body.Error.Code != payment.ERATELIMITED || m == nil || secs < 1 || m[1] != strconv.Itoa(secs) {
			t.Fatalf("%s past the burst: Retry-After %q, body %s", path, w.Header().Get("Retry-After"), w.Body)
		}
	}
	if n := tossParsed.Load(); n != burst {
		t.Fatalf("toss parsed %d deliveries, want %d: a refused one was parsed", n, burst)
	}

	// Another address has its own bucket.
	for i := range burst {
		if w := deliver("/webhooks/toss", other, false); !received(w) {
			t.Fatalf("another address, delivery %d: %d %s", i+1, w.Code, w.Body)
		}
	}
	// A signed delivery is verified before any provider call and is not
	// limited, even from the limited address.
	if w := deliver("/webhooks/portone", limited, true); !received(w) || portoneParsed.Load() != 1 {
		t.Fatalf("signed delivery from the limited address: %d %s, parsed %d", w.Code, w.Body, portoneParsed.Load())
	}
	// The limited address is still limited.
	if w := deliver("/webhooks/toss", limited, false); w.Code != http.StatusTooManyRequests {
		t.Fatalf("the limited address again: %d %s", w.Code, w.Body)
	}
}
