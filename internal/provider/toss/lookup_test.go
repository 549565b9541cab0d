package toss

import (
	"context"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

func TestClient_Lookup(t *testing.T) {
	t.Run("Paths", func(t *testing.T) {
		for _, tt := range []struct {
			name, tid, want string
		}{
			// The official orderId path, not /v1/payments/{orderId} (§5 item 24).
			{"ByOrderID", "", "/v1/payments/orders/pay_01hzx3k4m5n6p7q8r9s0t1v2w3"},
			{"ByPaymentKey", testPaymentKey, "/v1/payments/" + testPaymentKey},
			{"Escaped", "tgen_a/b?c", "/v1/payments/tgen_a%2Fb%3Fc"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var rec recorder
				f := newFake(t, recordAndReplay(&rec, http.StatusOK, mustTestdata(t, "payment_done.json")))
				p := testPayment()
				p.ProviderTID = tt.tid
				if _, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), p); err != nil {
					t.Fatal(err)
				}
				reqs := rec.All()
				if len(reqs) != 1 || reqs[0].Method != http.MethodGet || reqs[0].Path != tt.want || reqs[0].IdempotencyKey != "" {
					t.Fatalf("requests = %+v, want one GET %s", reqs, tt.want)
				}
			})
		}
	})

	t.Run("NotFoundIsPending", func(t *testing.T) {
		f := newFake(t, replay(http.StatusNotFound, mustTestdata(t, "error_not_found_payment.json")))
		got, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
		if err != nil {
			t.Fatalf("Lookup = %v, want no error for a payment Toss does not know", err)
		}
		if !reflect.DeepEqual(*got, payment.ProviderPayment{State: payment.ProviderPending, RawStatus: "NOT_FOUND"}) {
			t.Errorf("Lookup = %+v", got)
		}
		if f.Calls() != 1 {
			t.Errorf("%d calls: a 404 is an answer, not retried", f.Calls())
		}
	})

	t.Run("OtherNotFound", func(t *testing.T) {
		// A 404 without Toss's code is not "Toss does not know the payment".
		f := newFake(t, replay(http.StatusNotFound, []byte(`{"code":"NOT_FOUND","message":"no such path"}`)))
		_, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
		testutil.AssertCode(t, err, payment.EUPSTREAM)
	})

	t.Run("Retries", func(t *testing.T) {
		done := mustTestdata(t, "payment_done.json")
		for _, tt := range []struct {
			name     string
			failures int32
			fail     func(http.ResponseWriter, *http.Request, wireRequest)
			calls    int
			wantErr  string
		}{
			{"500ThenOK", 2, replay(500, mustTestdata(t, "error_internal.json")), 3, ""},
			{"HangUpThenOK", 1, hangUp(t), 2, ""},
			{"RateLimitedThenOK", 1, replay(403, []byte(`{"code":"FORBIDDEN_CONSECUTIVE_REQUEST","message":"slow down"}`)), 2, ""},
			{"Always500", 99, replay(502, []byte("<html>bad gateway</html>")), 3, payment.EUPSTREAM},
			{"Unauthorized", 99, replay(401, mustTestdata(t, "error_unauthorized_key.json")), 1, payment.EINVALID},
			{"AlreadyProcessed", 99, replay(400, mustTestdata(t, "error_already_processed.json")), 1, payment.EUPSTREAM},
		} {
			t.Run(tt.name, func(t *testing.T) {
				f := newFake(t, testutil.FailThenReplay(tt.failures, tt.fail, done))
				got, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
				if tt.wantErr == "" {
					if err != nil || got.State != payment.ProviderPaid {
						t.Fatalf("Lookup = %+v, %v", got, err)
					}
				} else {
					testutil.AssertCode(t, err, tt.wantErr)
				}
				if f.Calls() != tt.calls {
					t.Errorf("%d calls, want %d", f.Calls(), tt.calls)
				}
			})
		}
	})

	t.Run("RetryStopsAtContext", func(t *testing.T) {
		f := newFake(t, replay(500, mustTestdata(t, "error_internal.json")))
		c := MustClient(t, f.BaseURL())
		c.t.Backoff = []time.Duration{time.Hour, time.Hour}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		testutil.StopsAtDeadline(t, ctx, c.Lookup, testPayment(), f.Calls, http.StatusInternalServerError)
	})

	t.Run("States", func(t *testing.T) {
		for _, tt := range []struct {
			file                                  string
			state                                 payment.ProviderState
			raw                                   string
			amount, taxFree, canceled, cancelable int64
			approvalID                            string
			canceledAt                            string
		}{
			{"payment_in_progress.json", payment.ProviderPending, "IN_PROGRESS", 15000, 0, 0, 0, "", ""},
			{"payment_done.json", payment.ProviderPaid, "DONE", 15000, 0, 0, 15000, "9C62B18EEF0DE3EB7F4422EB6D14BC6E", ""},
			// After a cancel, lastTransactionKey is the cancel's: the
			// approval's key is no longer known.
			{"payment_partial_canceled.json", payment.ProviderPartiallyCanceled, "PARTIAL_CANCELED", 15000, 1000, 5000, 10000, "", "2024-02-13T13:00:00+09:00"},
			{"payment_canceled.json", payment.ProviderCanceled, "CANCELED", 15000, 1000, 15000, 0, "", "2024-02-14T09:30:00+09:00"},
			{"payment_aborted.json", payment.ProviderFailed, "ABORTED", 15000, 0, 0, 0, "", ""},
			{"payment_expired.json", payment.ProviderFailed, "EXPIRED", 15000, 0, 0, 0, "", ""},
		} {
			t.Run(tt.raw, func(t *testing.T) {
				f := newFake(t, replay(http.StatusOK, mustTestdata(t, tt.file)))
				got, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
				if err != nil {
					t.Fatal(err)
				}
				if got.State != tt.state || got.RawStatus != tt.raw || got.Amount != tt.amount || got.TaxFreeAmount != tt.taxFree ||
					got.CanceledAmount != tt.canceled || got.CancelableAmount != tt.cancelable || got.ApprovalID != tt.approvalID ||
					got.TID != testPaymentKey || got.OrderID != "pay_01hzx3k4m5n6p7q8r9s0t1v2w3" {
					t.Errorf("Lookup = %+v", got)
				}
				if tt.canceledAt != "" {
					want, _ := time.Parse(time.RFC3339, tt.canceledAt)
					if !got.CanceledAt.Equal(want) {
						t.Errorf("CanceledAt = %v, want %v", got.CanceledAt, want)
					}
				} else if !got.CanceledAt.IsZero() {
					t.Errorf("CanceledAt = %v, want zero", got.CanceledAt)
				}
			})
		}
	})
}
