package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

// idemFixture is the middleware on a real SQLite store, around a fake
// handler that counts its runs and answers what the test tells it.
type idemFixture struct {
	store *store.Store
	idem  *Idempotency
	h     http.HandlerFunc
	runs  atomic.Int64
	now   time.Time
}

// MustIdempotency returns a fixture whose handler is answer.
func MustIdempotency(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, body string)) *idemFixture {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "pb.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &idemFixture{store: st, now: time.Now()}
	f.idem = NewIdempotency(st, slog.New(slog.DiscardHandler), IdempotencyConfig{})
	f.idem.Now = func() time.Time { return f.now }
	f.h = f.idem.Wrap(func(w http.ResponseWriter, r *http.Request) {
		f.runs.Add(1)
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("handler read: %v", err)
		}
		answer(w, r, string(b))
	})
	return f
}

const noKey = "\x00no key"

// send runs one request through the middleware as merchant (the default
// when ""), with key as Idempotency-Key unless it is noKey.
func (f *idemFixture) send(method, path, merchant, key, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != noKey {
		req.Header.Set("Idempotency-Key", key)
	}
	if merchant == "" {
		merchant = payment.DefaultMerchantID
	}
	req = req.WithContext(context.WithValue(req.Context(), merchantKey, merchant))
	w := httptest.NewRecorder()
	f.h(w, req)
	return w
}

func (f *idemFixture) post(key, body string) *httptest.ResponseRecorder {
	return f.send("POST", "/v1/payments", "", key, body)
}

// echo answers 201 with a body that differs on every run, so that a replay
// is told apart from a second run.
func echo(w http.ResponseWriter, r *http.Request, body string) {
	WriteJSON(w, http.StatusCreated, map[string]string{"got": body, "run": payment.NewID("run", time.Now())})
}

func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Message == "" {
		t.Fatalf("not the error shape: %q (%v)", w.Body.String(), err)
	}
	return e.Error.Code
}

func TestIdempotency_Replay(t *testing.T) {
	// A 500 with a content type of its own and no trailing newline: the
	// replay must be the same bytes, not a re-encoding.
	const body500 = `{"error":{"code":"internal","message":"내부 오류 <&>"}}`
	f := MustIdempotency(t, func(w http.ResponseWriter, r *http.Request, body string) {
		if strings.Contains(body, "boom") {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, body500)
			return
		}
		echo(w, r, body)
	})
	first := f.post("k-1", `{"a":1}`)
	if first.Code != http.StatusCreated || first.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: %d %v", first.Code, first.Header())
	}
	for range 3 {
		again := f.post("k-1", `{"a":1}`)
		if again.Code != first.Code || again.Body.String() != first.Body.String() ||
			again.Header().Get("Content-Type") != first.Header().Get("Content-Type") ||
			again.Header().Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %q %v\nfirst: %d %q", again.Code, again.Body, again.Header(), first.Code, first.Body)
		}
	}
	if n := f.runs.Load(); n != 1 {
		t.Fatalf("handler ran %d times, want 1", n)
	}

	t.Run("ServerErrorIsReplayed", func(t *testing.T) {
		for i := range 3 {
			w := f.post("k-500", `{"boom":true}`)
			if w.Code != 500 || w.Body.String() != body500 || w.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("try %d: %d %q %q", i, w.Code, w.Body, w.Header().Get("Content-Type"))
			}
			if replayed := w.Header().Get("Idempotent-Replayed") == "true"; replayed != (i > 0) {
				t.Fatalf("try %d: replayed = %v", i, replayed)
			}
		}
		if n := f.runs.Load(); n != 2 {
			t.Fatalf("handler ran %d times in all, want 2", n)
		}
	})
	t.Run("NoKeyIsUntouched", func(t *testing.T) {
		before := f.runs.Load()
		a, b := f.post(noKey, `{"a":1}`), f.post(noKey, `{"a":1}`)
		if a.Body.String() == b.Body.String() || a.Header().Get("Idempotent-Replayed") != "" || b.Header().Get("Idempotent-Replayed") != "" {
			t.Fatalf("requests without a key were replayed: %q / %q", a.Body, b.Body)
		}
		if n := f.runs.Load() - before; n != 2 {
			t.Fatalf("handler ran %d times, want 2", n)
		}
	})
	t.Run("KeysArePerMerchant", func(t *testing.T) {
		if err := f.store.CreateMerchant(context.Background(), &payment.Merchant{ID: "mer_b", Name: "B"}); err != nil {
			t.Fatal(err)
		}
		before := f.runs.Load()
		w := f.send("POST", "/v1/payments", "mer_b", "k-1", `{"a":1}`)
		if w.Code != http.StatusCreated || w.Header().Get("Idempotent-Replayed") != "" || w.Body.String() == first.Body.String() {
			t.Fatalf("another merchant got the first merchant's response: %d %q", w.Code, w.Body)
		}
		if n := f.runs.Load() - before; n != 1 {
			t.Fatalf("handler ran %d times, want 1", n)
		}
	})
}

func TestIdempotency_ErrKeyReused(t *testing.T) {
	f := MustIdempotency(t, echo)
	f.post("k-1", `{"a":1}`)
	for _, tt := range []struct{ name, method, path, body string }{
		{"OtherBody", "POST", "/v1/payments", `{"a":2}`},
		{"SameJSONOtherBytes", "POST", "/v1/payments", `{"a": 1}`},
		{"OtherPath", "POST", "/v1/payments/pay_1/cancel", `{"a":1}`},
		{"OtherQuery", "POST", "/v1/payments?x=1", `{"a":1}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := f.send(tt.method, tt.path, "", "k-1", tt.body)
			if w.Code != http.StatusUnprocessableEntity || errorCode(t, w) != payment.EKEYREUSED {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
		})
	}
	if n := f.runs.Load(); n != 1 {
		t.Fatalf("handler ran %d times, want 1", n)
	}
}

func TestIdempotency_ErrInProgress(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	f := MustIdempotency(t, func(w http.ResponseWriter, r *http.Request, body string) {
		close(entered)
		<-release
		echo(w, r, body)
	})
	var (
		wg    sync.WaitGroup
		first *httptest.ResponseRecorder
	)
	wg.Go(func() { first = f.post("k-1", `{"a":1}`) })
	<-entered
	for range 5 {
		w := f.post("k-1", `{"a":1}`)
		if w.Code != http.StatusConflict || errorCode(t, w) != payment.EINPROGRESS {
			t.Fatalf("while running: %d %s", w.Code, w.Body)
		}
	}
	close(release)
	wg.Wait()
	if first.Code != http.StatusCreated {
		t.Fatalf("first: %d %s", first.Code, first.Body)
	}
	if w := f.post("k-1", `{"a":1}`); w.Body.String() != first.Body.String() || w.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("after: %d %s", w.Code, w.Body)
	}
	if n := f.runs.Load(); n != 1 {
		t.Fatalf("handler ran %d times, want 1", n)
	}
}

// Ensure a request rejected before it did anything stores nothing: the same
// key then serves the corrected request.
func TestIdempotency_RejectedStoresNothing(t *testing.T) {
	for _, status := range []int{400, 404, 413, 415} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			f := MustIdempotency(t, func(w http.ResponseWriter, r *http.Request, body string) {
				if strings.Contains(body, "bad") {
					WriteJSON(w, status, errorBody{Error: errorDetail{Code: "x", Message: "rejected"}})
					return
				}
				echo(w, r, body)
			})
			if w := f.post("k-1", `{"bad":1}`); w.Code != status {
				t.Fatalf("bad: %d", w.Code)
			}
			good := f.post("k-1", `{"good":1}`)
			if good.Code != http.StatusCreated || good.Header().Get("Idempotent-Replayed") != "" {
				t.Fatalf("corrected request: %d %s", good.Code, good.Body)
			}
			if w := f.post("k-1", `{"good":1}`); w.Body.String() != good.Body.String() || w.Header().Get("Idempotent-Replayed") != "true" {
				t.Fatalf("replay of the corrected request: %d %s", w.Code, w.Body)
			}
		})
	}
	t.Run("ConflictIsStored", func(t *testing.T) {
		// A 409 from the handler (a duplicate order id) is an answer, not a
		// rejection: it is replayed, and another body is refused.
		f := MustIdempotency(t, func(w http.ResponseWriter, r *http.Request, body string) {
			WriteError(w, r, slog.New(slog.DiscardHandler), payment.Errorf(payment.ECONFLICT, "duplicate"))
		})
		f.post("k-1", `{"a":1}`)
		if w := f.post("k-1", `{"a":1}`); w.Code != http.StatusConflict || w.Header().Get("Idempotent-Replayed") != "true" {
			t.Fatalf("%d %v", w.Code, w.Header())
		}
		if n := f.runs.Load(); n != 1 {
			t.Fatalf("handler ran %d times", n)
		}
	})
	t.Run("OversizedBody", func(t *testing.T) {
		f := MustIdempotency(t, func(w http.ResponseWriter, r *http.Request, body string) {
			if len(body) > MaxBodyBytes {
				WriteError(w, r, slog.New(slog.DiscardHandler), payment.Errorf(payment.ETOOLARGE, "too large"))
				return
			}
			echo(w, r, body)
		})
		big := `{"a":"` + strings.Repeat("x", MaxBodyBytes) + `"}`
		if w := f.post("k-1", big); w.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("oversized: %d", w.Code)
		}
		if w := f.post("k-1", `{"a":1}`); w.Code != http.StatusCreated || w.Header().Get("Idempotent-Replayed") != "" {
			t.Fatalf("after oversized: %d %s", w.Code, w.Body)
		}
	})
	t.Run("PanicStoresNothing", func(t *testing.T) {
		panicked := false
		f := MustIdempotency(t, func(w http.ResponseWriter, r *http.Request, body string) {
			if !panicked {
				panicked = true
				panic("bug")
			}
			echo(w, r, body)
		})
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("the panic was swallowed")
				}
			}()
			f.post("k-1", `{"a":1}`)
		}()
		if w := f.post("k-1", `{"a":1}`); w.Code != http.StatusCreated || w.Header().Get("Idempotent-Replayed") != "" {
			t.Fatalf("after panic: %d %s", w.Code, w.Body)
		}
	})
}

func TestIdempotency_ErrBadKey(t *testing.T) {
	f := MustIdempotency(t, echo)
	for name, key := range map[string]string{
		"Empty":    "",
		"TooLong":  strings.Repeat("k", 256),
		"Tab":      "a\tb",
		"NonASCII": "키",
		"Delete":   "a\x7fb",
	} {
		t.Run(name, func(t *testing.T) {
			w := f.post(key, `{"a":1}`)
			if w.Code != http.StatusBadRequest || errorCode(t, w) != payment.EINVALID {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
		})
	}
	t.Run("TwoHeaders", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/v1/payments", strings.NewReader(`{}`))
		req.Header.Add("Idempotency-Key", "a")
		req.Header.Add("Idempotency-Key", "b")
		req = req.WithContext(context.WithValue(req.Context(), merchantKey, payment.DefaultMerchantID))
		w := httptest.NewRecorder()
		f.h(w, req)
		if w.Code != http.StatusBadRequest {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	})
	if n := f.runs.Load(); n != 0 {
		t.Fatalf("handler ran %d times on bad keys", n)
	}
	if w := f.post(strings.Repeat("k", MaxIdempotencyKeyLength), `{"a":1}`); w.Code != http.StatusCreated {
		t.Fatalf("a key of %d characters: %d %s", MaxIdempotencyKeyLength, w.Code, w.Body)
	}
	if w := f.post("~ !\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}", `{"a":1}`); w.Code != http.StatusCreated {
		t.Fatalf("printable ASCII key: %d %s", w.Code, w.Body)
	}
}

// Ensure a key older than the retention counts as unknown, reaped or not,
// and that a key left started by a dead instance is taken over once its
// lock runs out.
func TestIdempotency_Expiry(t *testing.T) {
	f := MustIdempotency(t, echo)
	t0 := f.now
	first := f.post("k-1", `{"a":1}`)
	f.now = t0.Add(23 * time.Hour)
	if w := f.post("k-1", `{"a":1}`); w.Body.String() != first.Body.String() {
		t.Fatalf("within retention: %d %s", w.Code, w.Body)
	}
	f.now = t0.Add(24*time.Hour + time.Second)
	if w := f.post("k-1", `{"a":2}`); w.Code != http.StatusCreated || w.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("after retention: %d %s", w.Code, w.Body)
	}

	t.Run("StaleLockTakenOver", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/v1/payments", strings.NewReader(`{"a":1}`))
		fp := fingerprint(req, []byte(`{"a":1}`), false)
		// An instance began k-dead and died.
		dead := f.now.Add(-3 * time.Minute)
		if _, began, err := f.store.BeginIdempotent(context.Background(), payment.DefaultMerchantID, "k-dead", fp, dead, 2*time.Minute, 24*time.Hour); err != nil || !began {
			t.Fatalf("begin: %v, %v", began, err)
		}
		before := f.runs.Load()
		if w := f.post("k-dead", `{"a":1}`); w.Code != http.StatusCreated || f.runs.Load() != before+1 {
			t.Fatalf("stale key: %d %s", w.Code, w.Body)
		}
		if w := f.post("k-dead", `{"a":1}`); w.Header().Get("Idempotent-Replayed") != "true" {
			t.Fatalf("after takeover: %d %s", w.Code, w.Body)
		}
	})
}
