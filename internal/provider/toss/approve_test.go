package toss

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// tossReturn is the success return of the testdata payment.
func tossReturn() payment.Return {
	return payment.Return{Success: true, TID: testPaymentKey, OrderID: "pay_01hzx3k4m5n6p7q8r9s0t1v2w3", Amount: 15000, HasAmount: true}
}

func TestClient_Approve(t *testing.T) {
	t.Run("Request", func(t *testing.T) {
		var rec recorder
		f := newFake(t, recordAndReplay(&rec, http.StatusOK, mustTestdata(t, "payment_done.json")))
		c := MustClient(t, f.BaseURL())
		p := testPayment()
		// The browser claims another order and amount; confirm must not
		// care: both come from paybridge's record (§5 item 20).
		ret := tossReturn()
		ret.OrderID, ret.Amount = "pay_someone_elses_order", 100
		if _, err := c.Approve(context.Background(), p, ret); err != nil {
			t.Fatal(err)
		}
		reqs := rec.All()
		if len(reqs) != 1 {
			t.Fatalf("%d calls, want 1", len(reqs))
		}
		req := reqs[0]
		if req.Method != http.MethodPost || req.Path != "/v1/payments/confirm" {
			t.Errorf("%s %s, want POST /v1/payments/confirm", req.Method, req.Path)
		}
		if want := confirmKey(p, testPaymentKey); req.IdempotencyKey != want || !strings.HasPrefix(want, "confirm-"+p.ID+"-") {
			t.Errorf("Idempotency-Key = %q, want %q (confirm-<payment id>-<the paymentKey's hash>)", req.IdempotencyKey, want)
		}
		assertFields(t, req, map[string]any{"paymentKey": testPaymentKey, "orderId": p.ID, "amount": 15000})
	})

	t.Run("RepeatHasItsOwnKey", func(t *testing.T) {
		var rec recorder
		f := newFake(t, recordAndReplay(&rec, http.StatusOK, mustTestdata(t, "payment_done.json")))
		c := MustClient(t, f.BaseURL())
		p := testPayment()
		p.FinishAttempts = 2 // the service's second repeat
		if _, err := c.Approve(context.Background(), p, tossReturn()); err != nil {
			t.Fatal(err)
		}
		if got, want := rec.All()[0].IdempotencyKey, confirmKey(p, testPaymentKey); got != want || !strings.HasSuffix(want, "-retry-2") {
			t.Errorf("Idempotency-Key = %q, want %q", got, want)
		}
	})

	t.Run("Translation", func(t *testing.T) {
		f := newFake(t, replay(http.StatusOK, mustTestdata(t, "payment_done.json")))
		c := MustClient(t, f.BaseURL())
		got, err := c.Approve(context.Background(), testPayment(), tossReturn())
		if err != nil {
			t.Fatal(err)
		}
		want := payment.ProviderPayment{
			TID: testPaymentKey, OrderID: "pay_01hzx3k4m5n6p7q8r9s0t1v2w3",
			State: payment.ProviderPaid, RawStatus: "DONE", Amount: 15000, CancelableAmount: 15000, TaxFreeKnown: true,
			MethodType: "카드", ApprovalID: "9C62B18EEF0DE3EB7F4422EB6D14BC6E",
			CreatedAt: kstTime(2024, 2, 13, 12, 17, 57), ApprovedAt: kstTime(2024, 2, 13, 12, 18, 14),
		}
		if !got.ApprovedAt.Equal(want.ApprovedAt) || !got.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("times = %v / %v, want %v / %v", got.CreatedAt, got.ApprovedAt, want.CreatedAt, want.ApprovedAt)
		}
		// Equal instants may differ in zone; compare the rest exactly.
		got.ApprovedAt, got.CreatedAt = want.ApprovedAt, want.CreatedAt
		if len(got.Raw) == 0 {
			t.Error("Approve kept no raw answer")
		}
		got.Raw = nil // its content is checked by TestRawAnswer
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("Approve = %+v\nwant %+v", *got, want)
		}
	})

	t.Run("RefusesBeforeSending", func(t *testing.T) {
		f := newFake(t, hangUp(t))
		c := MustClient(t, f.BaseURL())
		for name, ret := range map[string]payment.Return{
			"NoPaymentKey":   {Success: true, OrderID: "x"},
			"LongPaymentKey": {Success: true, TID: strings.Repeat("k", 201)},
		} {
			_, err := c.Approve(context.Background(), testPayment(), ret)
			if payment.ErrorCode(err) != payment.EINVALID {
				t.Errorf("%s: err = %v, want EINVALID", name, err)
			}
		}
		if f.Calls() != 0 {
			t.Errorf("%d calls, want none", f.Calls())
		}
	})

	t.Run("NeverRetried", func(t *testing.T) {
		// Every failure, including the ones a lookup would retry, reaches
		// Toss exactly once.
		for name, handle := range map[string]func(http.ResponseWriter, *http.Request, wireRequest){
			"HangUp":   hangUp(t),
			"500":      replay(http.StatusInternalServerError, mustTestdata(t, "error_internal.json")),
			"503-HTML": replay(http.StatusServiceUnavailable, []byte("<html>busy</html>")),
		} {
			t.Run(name, func(t *testing.T) {
				done := mustTestdata(t, "payment_done.json")
				f := newFake(t, func(w http.ResponseWriter, r *http.Request, req wireRequest) {
					if req.Method == http.MethodGet {
						testutil.Reply(w, http.StatusOK, done)
						return
					}
					handle(w, r, req)
				})
				c := MustClient(t, f.BaseURL())
				// Warm a keep-alive connection first: net/http resends a
				// request with an Idempotency-Key by itself, but only on
				// a reused connection.
				if _, err := c.Lookup(context.Background(), testPayment()); err != nil {
					t.Fatal(err)
				}
				before := f.Calls()
				_, err := c.Approve(context.Background(), testPayment(), tossReturn())
				testutil.AssertCode(t, err, payment.EUPSTREAM)
				if n := f.Calls() - before; n != 1 {
					t.Errorf("confirm reached Toss %d times, want exactly 1", n)
				}
			})
		}
	})
}

// Ensure a confirm with a forged paymentKey, refused by Toss, does not block
// the buyer's own confirm of the same payment: the two are different
// requests with keys of their own, so Toss does not answer the second with
// the first's stored refusal (or IDEMPOTENCY_KEY_REUSED). The service puts
// the payment back to ready after such a refusal (service.refusedReturn);
// here the sandbox plays Toss.
func TestApprove_ForgedConfirmDoesNotBlockTheBuyers(t *testing.T) {
	env := MustSandbox(t)
	ctx := context.Background()
	p := sandboxPayment()
	ret := env.mustAuthenticate(t, p)
	p.Status = payment.StatusApproving
	forged := ret
	forged.TID = "tgen_forged0000000000000000000000"
	if _, err := env.c.Approve(ctx, p, forged); err == nil || payment.ErrorCode(err) == payment.EUPSTREAM {
		t.Fatalf("forged confirm: %v (class %s), want a refusal", err, payment.ErrorCode(err))
	}
	paid, err := env.c.Approve(ctx, p, ret)
	if err != nil {
		t.Fatalf("the buyer's confirm after a forged one: class %s: %v", payment.ErrorCode(err), err)
	}
	if paid.State != payment.ProviderPaid {
		t.Fatalf("the buyer's confirm: %+v, want paid", paid)
	}
	again, err := env.c.Approve(ctx, p, ret) // a lost answer's repeat: the same key, the first result
	if err != nil || again.State != payment.ProviderPaid || again.TID != paid.TID {
		t.Fatalf("repeat of the buyer's confirm: %+v, %v", again, err)
	}
}
