package portone

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/testutil"
)

// Calls of each operation, for the classification tables.
var classifyOps = map[string]func(*Client) error{
	opPreRegister: func(c *Client) error {
		_, err := c.Ready(context.Background(), testPayment(), testURLs)
		return err
	},
	opGetPayment: func(c *Client) error {
		_, err := c.Lookup(context.Background(), testPayment())
		return err
	},
	opCancel: func(c *Client) error {
		_, err := c.Cancel(context.Background(), testPayment(), payment.CancelRequest{Amount: 1000, Cancelable: 2200, Reason: "r"})
		return err
	},
}

// TestClassify covers every rule of errors.go for every operation, through
// a real HTTP exchange.
func TestClassify(t *testing.T) {
	rules := []struct {
		status int
		typ    string
		want   map[string]string // op → code; "" for all ops in all
		all    string
		msg    string // substring of the caller-safe message
	}{
		{400, "INVALID_REQUEST", nil, payment.EINVALID, "nothing was done"},
		{401, "UNAUTHORIZED", nil, payment.EINVALID, "API secret"},
		{403, "FORBIDDEN", nil, payment.EINVALID, "store id"},
		{409, "ALREADY_PAID", nil, payment.EINVALID, "nothing was done"},
		{409, "PAYMENT_NOT_PAID", nil, payment.EINVALID, "nothing was done"},
		{409, "PAYMENT_ALREADY_CANCELLED", nil, payment.EINVALID, "nothing was done"},
		{409, "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN", nil, payment.EINVALID, "nothing was refunded"},
		{409, "CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT", nil, payment.EINVALID, "nothing was done"},
		{409, "SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT", nil, payment.EINVALID, "nothing was done"},
		{409, "CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT", nil, payment.EINVALID, "nothing was done"},
		{409, "CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT", nil, payment.EINVALID, "nothing was done"},
		{409, "MAX_CANCEL_COUNT_REACHED", nil, payment.EINVALID, "nothing was done"},
		{400, "NEGATIVE_PROMOTION_ADJUSTED_CANCEL_AMOUNT", nil, payment.EINVALID, "nothing was done"},
		{400, "PROMOTION_DISCOUNT_RETAIN_OPTION_SHOULD_NOT_BE_CHANGED", nil, payment.EINVALID, "nothing was done"},
		// Not found: nothing to act on for a pre-register or cancel; for a
		// lookup it is no error at all (see TestClient_LookupIDs).
		{404, "PAYMENT_NOT_FOUND", map[string]string{opPreRegister: payment.EINVALID, opCancel: payment.EINVALID, opGetPayment: ""}, "", "nothing was done"},
		{502, "PG_PROVIDER", nil, payment.EUPSTREAM, "outcome is unknown"},
		{500, "INTERNAL_SERVER_ERROR", nil, payment.EUPSTREAM, "outcome is unknown"},
		{503, "INVALID_REQUEST", nil, payment.EUPSTREAM, "outcome is unknown"}, // a 5xx wins over the type
		{409, "SOMETHING_NEW", nil, payment.EUPSTREAM, "outcome is unknown"},
		{400, "CANCEL_PENDING", nil, payment.EUPSTREAM, "outcome is unknown"},
	}
	for _, r := range rules {
		for op, call := range classifyOps {
			want := r.all
			if r.want != nil {
				want = r.want[op]
			}
			t.Run(fmt.Sprintf("%s/%d_%s", op, r.status, r.typ), func(t *testing.T) {
				body := fmt.Sprintf(`{"type":%q,"message":"원문 메시지 %s","pgCode":"PGC","pgMessage":"pg says"}`, r.typ, r.typ)
				f := newFake(t, replay(r.status, []byte(body)))
				err := call(MustClient(t, f.BaseURL()))
				if want == "" {
					if err != nil {
						t.Fatalf("err = %v, want none", err)
					}
					return
				}
				testutil.AssertCode(t, err, want)
				pe := payment.AsProviderError(err)
				if pe == nil || pe.Provider != "portone" || pe.HTTPStatus != r.status || pe.Code != r.typ ||
					pe.Message != "원문 메시지 "+r.typ || pe.Detail != "PGC: pg says" {
					t.Errorf("ProviderError = %+v", pe)
				}
				msg := payment.ErrorMessage(err)
				if !strings.Contains(msg, r.msg) || strings.Contains(msg, "원문") {
					t.Errorf("Message = %q, want %q and no provider free text", msg, r.msg)
				}
			})
		}
	}
}

// TestClassify_Unreadable checks answers that cannot be read: the outcome is
// unknown whatever the status.
func TestClassify_Unreadable(t *testing.T) {
	for _, tt := range []struct {
		status int
		body   string
	}{
		{400, `<html>Bad Gateway</html>`},
		{401, ``},
		{409, `{"message":"no type"}`},
		{409, `{"type":""}`},
		{500, `{"type":`},
		{200, strings.Repeat(" ", provider.MaxResponseBody+1)},
	} {
		for op, call := range classifyOps {
			t.Run(fmt.Sprintf("%s/%d/%.10s", op, tt.status, tt.body), func(t *testing.T) {
				f := newFake(t, replay(tt.status, []byte(tt.body)))
				err := call(MustClient(t, f.BaseURL()))
				testutil.AssertCode(t, err, payment.EUPSTREAM)
				if pe := payment.AsProviderError(err); pe == nil || pe.HTTPStatus != tt.status {
					t.Errorf("ProviderError = %+v", pe)
				}
			})
		}
	}
}

// TestTransportErrors checks that calls without a complete answer are
// unknown outcomes, and that only lookups (Approve is one) are tried again.
func TestTransportErrors(t *testing.T) {
	p := testPayment()
	client := func(base string, hc *http.Client) *Client {
		return MustClient(t, base, func(c *Config) { c.HTTPClient = hc })
	}
	testutil.CheckTransport(t, []testutil.TransportOp{
		{Name: opPreRegister, Calls: 1, Call: func(ctx context.Context, base string, hc *http.Client) error {
			_, err := client(base, hc).Ready(ctx, p, testURLs)
			return err
		}},
		{Name: "approve", Calls: 3, Call: func(ctx context.Context, base string, hc *http.Client) error {
			_, err := client(base, hc).Approve(ctx, p, payment.Return{Success: true})
			return err
		}},
		{Name: opGetPayment, Calls: 3, Call: func(ctx context.Context, base string, hc *http.Client) error {
			_, err := client(base, hc).Lookup(ctx, p)
			return err
		}},
		{Name: opCancel, Calls: 1, Call: func(ctx context.Context, base string, hc *http.Client) error {
			_, err := client(base, hc).Cancel(ctx, p, payment.CancelRequest{Amount: 1000, Cancelable: 2200, Reason: "r"})
			return err
		}},
	}, []byte(`{"type":"INTERNAL_SERVER_ERROR","message":"x"}`), func(t *testing.T, h http.HandlerFunc) (string, func() int) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ wireRequest) { h(w, r) })
		return f.BaseURL(), f.Calls
	})
}

// TestClassify_Redaction checks that the secret never survives in anything
// PortOne echoes.
func TestClassify_Redaction(t *testing.T) {
	body := `{"type":"UNAUTHORIZED","message":"bad Authorization: PortOne ` + testSecret + `","pgCode":"` + testSecret + `"}`
	f := newFake(t, replay(http.StatusUnauthorized, []byte(body)))
	err := classifyOps[opCancel](MustClient(t, f.BaseURL()))
	testutil.AssertCode(t, err, payment.EINVALID)
	if strings.Contains(err.Error(), "LEAK") {
		t.Errorf("the secret leaked: %v", err)
	}
	if pe := payment.AsProviderError(err); pe == nil || !strings.Contains(pe.Message, "[redacted]") {
		t.Errorf("ProviderError = %+v", pe)
	}
}

// TestRetry checks that only lookups are retried, three attempts at most,
// and only on failures another try may cure.
func TestRetry(t *testing.T) {
	paid := mustTestdata(t, "payment_paid.json")
	t.Run("LookupRecovers", func(t *testing.T) {
		for name, fail := range map[string]func(http.ResponseWriter, *http.Request, wireRequest){
			"5xx":        replay(http.StatusBadGateway, []byte(`{"type":"PG_PROVIDER","message":"x","pgCode":"a","pgMessage":"b"}`)),
			"hangUp":     hangUp(t),
			"unreadable": replay(http.StatusOK, []byte(`{"status":`)),
		} {
			t.Run(name, func(t *testing.T) {
				f := newFake(t, testutil.FailThenReplay(2, fail, paid))
				testutil.LookupRecovers(t, MustClient(t, f.BaseURL()).Lookup, testPayment(), f.Calls, 3)
			})
		}
	})
	t.Run("LookupGivesUp", func(t *testing.T) {
		f := newFake(t, replay(http.StatusInternalServerError, []byte(`{"type":"INTERNAL_SERVER_ERROR"}`)))
		_, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
		testutil.AssertCode(t, err, payment.EUPSTREAM)
		if f.Calls() != 3 {
			t.Errorf("calls = %d, want 3", f.Calls())
		}
	})
	t.Run("Lookup4xxNotRetried", func(t *testing.T) {
		for _, body := range []string{`{"type":"UNAUTHORIZED"}`, `{"type":"SOMETHING_NEW"}`} {
			f := newFake(t, replay(http.StatusBadRequest, []byte(body)))
			_, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
			if err == nil || f.Calls() != 1 {
				t.Errorf("%s: err %v after %d calls, want an error after 1", body, err, f.Calls())
			}
		}
	})
	t.Run("ApproveIsALookup", func(t *testing.T) {
		f := newFake(t, testutil.FailThenReplay(1, replay(http.StatusServiceUnavailable, []byte(`{"type":"INTERNAL_SERVER_ERROR"}`)), paid))
		got, err := MustClient(t, f.BaseURL()).Approve(context.Background(), testPayment(), payment.Return{Success: true})
		if err != nil || got.State != payment.ProviderPaid || f.Calls() != 2 {
			t.Errorf("Approve = %+v, %v after %d calls", got, err, f.Calls())
		}
	})
	// Only lookups are retried: a cancel or pre-register that failed has an
	// unknown outcome, and a second one could act twice.
	for _, tt := range []struct {
		name, op string
		fail     func(http.ResponseWriter, *http.Request, wireRequest)
	}{
		{"CancelNeverRetried/5xx", opCancel, replay(http.StatusBadGateway, []byte(`{"type":"PG_PROVIDER","message":"x"}`))},
		{"CancelNeverRetried/hangUp", opCancel, hangUp(t)},
		{"PreRegisterNeverRetried", opPreRegister, replay(http.StatusInternalServerError, []byte(`{"type":"INTERNAL_SERVER_ERROR"}`))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.fail)
			err := classifyOps[tt.op](MustClient(t, f.BaseURL()))
			testutil.AssertCode(t, err, payment.EUPSTREAM)
			if f.Calls() != 1 {
				t.Errorf("%s calls = %d, want exactly 1", tt.op, f.Calls())
			}
		})
	}
	t.Run("RespectsContext", func(t *testing.T) {
		f := newFake(t, replay(http.StatusInternalServerError, []byte(`{"type":"INTERNAL_SERVER_ERROR"}`)))
		c := MustClient(t, f.BaseURL())
		c.t.Backoff = []time.Duration{time.Minute, time.Minute}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		testutil.StopsAtDeadline(t, ctx, c.Lookup, testPayment(), f.Calls, http.StatusInternalServerError)
	})
}

func TestJitter(t *testing.T) {
	for range 100 {
		if d := provider.Jitter(100 * time.Millisecond); d < 50*time.Millisecond || d >= 150*time.Millisecond {
			t.Fatalf("jitter(100ms) = %v, want [50ms, 150ms)", d)
		}
	}
	if provider.Jitter(0) != 0 {
		t.Error("jitter(0) != 0")
	}
}
