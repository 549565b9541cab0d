package kakaopay

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// TestClient_Ready checks the translation of ready's answer.
func TestClient_Ready(t *testing.T) {
	for _, gen := range generations {
		t.Run(gen, func(t *testing.T) {
			f := newFake(t, gen, replay(http.StatusOK, mustTestdata(t, "ready.json")))
			got, err := MustClient(t, gen, f.BaseURL()).Ready(context.Background(), testPayment(), testURLs)
			if err != nil {
				t.Fatal(err)
			}
			const web = "https://mockup-pg-web.kakao.com/v1/xxxxxxxxxx/"
			want := &payment.ReadyResult{
				TID:              "T1234567890123456789",
				CID:              DefaultCID,
				RedirectPC:       web + "info",
				RedirectMobile:   web + "mInfo",
				RedirectApp:      web + "aInfo",
				AndroidAppScheme: "kakaotalk://kakaopay/pg?url=" + web + "order",
				IOSAppScheme:     "kakaotalk://kakaopay/pg?url=" + web + "order",
				CreatedAt:        kstTime(2016, 11, 15, 21, 18, 22),
			}
			if !got.CreatedAt.Equal(want.CreatedAt) {
				t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, want.CreatedAt)
			}
			got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Ready =\n%+v\nwant\n%+v", got, want)
			}
		})
	}

	t.Run("ErrNoTID", func(t *testing.T) {
		f := newFake(t, GenerationCurrent, replay(http.StatusOK, []byte(`{"next_redirect_pc_url":"x"}`)))
		_, err := MustClient(t, GenerationCurrent, f.BaseURL()).Ready(context.Background(), testPayment(), testURLs)
		testutil.AssertCode(t, err, payment.EUPSTREAM)
	})
}

// approved is the common part of the expected translations of the testdata.
func approved(state payment.ProviderState, raw, method, aid string) payment.ProviderPayment {
	return payment.ProviderPayment{
		TID:        "T1234567890123456789",
		CID:        "TC0ONETIME",
		OrderID:    "pay_01hzx3k4m5n6p7q8r9s0t1v2w3",
		CustomerID: "cus_1001",
		State:      state,
		RawStatus:  raw,
		Amount:     2200,
		// KakaoPay always reports the tax-free part; the service compares it.
		TaxFreeKnown: true,
		MethodType:   method,
		ApprovalID:   aid,
		ItemName:     "초코파이",
		Quantity:     1,
		CreatedAt:    kstTime(2016, 11, 15, 21, 18, 22),
		ApprovedAt:   kstTime(2016, 11, 15, 21, 20, 47),
	}
}

// unapproved is approved for an order that never reached approval: no
// approval time, no approval id.
func unapproved(state payment.ProviderState, raw, method string) payment.ProviderPayment {
	w := approved(state, raw, method, "")
	w.ApprovedAt = time.Time{}
	return w
}

// TestClient_Approve checks the translation of approve's answer for both
// methods; card_info must not disturb it.
func TestClient_Approve(t *testing.T) {
	for _, gen := range generations {
		for _, tt := range []struct {
			file   string
			method string
			aid    string
		}{
			{"approve_money.json", "MONEY", "A5678901234567890123"},
			{"approve_card.json", "CARD", "A5678901234567890124"},
		} {
			t.Run(gen+"/"+tt.file, func(t *testing.T) {
				f := newFake(t, gen, replay(http.StatusOK, mustTestdata(t, tt.file)))
				got, err := MustClient(t, gen, f.BaseURL()).Approve(context.Background(), testPayment(), payment.Return{Success: true, Token: "tok"})
				if err != nil {
					t.Fatal(err)
				}
				testutil.AssertProviderPayment(t, got, approved(payment.ProviderPaid, "SUCCESS_PAYMENT", tt.method, tt.aid))
			})
		}
	}

	// The adapter translates and never judges: a different amount is
	// reported as is, for the service to catch.
	t.Run("AmountMismatchPassedThrough", func(t *testing.T) {
		f := newFake(t, GenerationCurrent, replay(http.StatusOK, []byte(`{"aid":"A1","tid":"T1","amount":{"total":1}}`)))
		got, err := MustClient(t, GenerationCurrent, f.BaseURL()).Approve(context.Background(), testPayment(), payment.Return{Success: true, Token: "tok"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Amount != 1 || got.TID != "T1" {
			t.Errorf("Amount, TID = %d, %s; want 1, T1", got.Amount, got.TID)
		}
	})
}

// TestClient_Lookup checks the translation of order answers of every status
// family, including the approval's aid from payment_action_details.
func TestClient_Lookup(t *testing.T) {
	tests := []struct {
		file string
		want func() payment.ProviderPayment
	}{
		{"order_ready.json", func() payment.ProviderPayment { return unapproved(payment.ProviderPending, "READY", "") }},
		{"order_success.json", func() payment.ProviderPayment {
			w := approved(payment.ProviderPaid, "SUCCESS_PAYMENT", "CARD", "A5678901234567890124")
			w.CancelableAmount = 2200
			return w
		}},
		{"order_part_cancel.json", func() payment.ProviderPayment {
			w := approved(payment.ProviderPartiallyCanceled, "PART_CANCEL_PAYMENT", "MONEY", "A5678901234567890123")
			w.CanceledAmount, w.CancelableAmount = 1000, 1200
			w.CanceledAt = kstTime(2016, 11, 15, 21, 35, 2)
			return w
		}},
		{"order_cancel.json", func() payment.ProviderPayment {
			w := approved(payment.ProviderCanceled, "CANCEL_PAYMENT", "MONEY", "A5678901234567890123")
			w.CanceledAmount = 2200
			w.CanceledAt = kstTime(2016, 11, 15, 21, 40, 11)
			return w
		}},
		{"order_quit.json", func() payment.ProviderPayment { return unapproved(payment.ProviderQuit, "QUIT_PAYMENT", "") }},
		{"order_fail.json", func() payment.ProviderPayment { return unapproved(payment.ProviderFailed, "FAIL_PAYMENT", "CARD") }},
	}
	for _, gen := range generations {
		for _, tt := range tests {
			t.Run(gen+"/"+tt.file, func(t *testing.T) {
				f := newFake(t, gen, replay(http.StatusOK, mustTestdata(t, tt.file)))
				got, err := MustClient(t, gen, f.BaseURL()).Lookup(context.Background(), testPayment())
				if err != nil {
					t.Fatal(err)
				}
				testutil.AssertProviderPayment(t, got, tt.want())
			})
		}
	}
}

// TestClient_Cancel checks the translation of partial and full cancels: the
// cumulative cancelled amount, the remainder, and this cancel's aid.
func TestClient_Cancel(t *testing.T) {
	tests := []struct {
		file string
		req  payment.CancelRequest
		want func() payment.ProviderPayment
	}{
		{"cancel_partial.json", payment.CancelRequest{Amount: 1000, Cancelable: 2200}, func() payment.ProviderPayment {
			w := approved(payment.ProviderPartiallyCanceled, "PART_CANCEL_PAYMENT", "MONEY", "A5678901234567890200")
			w.CanceledAmount, w.CancelableAmount = 1000, 1200
			w.CanceledAt = kstTime(2016, 11, 15, 21, 35, 2)
			return w
		}},
		{"cancel_full.json", payment.CancelRequest{Amount: 1200, Cancelable: 1200}, func() payment.ProviderPayment {
			w := approved(payment.ProviderCanceled, "CANCEL_PAYMENT", "MONEY", "A5678901234567890300")
			w.CanceledAmount, w.CancelableAmount = 2200, 0
			w.CanceledAt = kstTime(2016, 11, 15, 21, 40, 11)
			return w
		}},
	}
	for _, gen := range generations {
		for _, tt := range tests {
			t.Run(gen+"/"+tt.file, func(t *testing.T) {
				f := newFake(t, gen, replay(http.StatusOK, mustTestdata(t, tt.file)))
				got, err := MustClient(t, gen, f.BaseURL()).Cancel(context.Background(), testPayment(), tt.req)
				if err != nil {
					t.Fatal(err)
				}
				testutil.AssertProviderPayment(t, got, tt.want())
			})
		}
	}
}

// TestStateOf covers every status of docs/providers.md §1.6 and an unknown one.
func TestStateOf(t *testing.T) {
	tests := map[string]payment.ProviderState{
		"READY":               payment.ProviderPending,
		"SEND_TMS":            payment.ProviderPending,
		"OPEN_PAYMENT":        payment.ProviderPending,
		"SELECT_METHOD":       payment.ProviderPending,
		"ARS_WAITING":         payment.ProviderPending,
		"AUTH_PASSWORD":       payment.ProviderPending,
		"SUCCESS_PAYMENT":     payment.ProviderPaid,
		"PART_CANCEL_PAYMENT": payment.ProviderPartiallyCanceled,
		"CANCEL_PAYMENT":      payment.ProviderCanceled,
		"QUIT_PAYMENT":        payment.ProviderQuit,
		"FAIL_AUTH_PASSWORD":  payment.ProviderFailed,
		"FAIL_PAYMENT":        payment.ProviderFailed,
		"ISSUED_SID":          payment.ProviderUnknown, // subscriptions: not this adapter's
		"REFUND_PENDING":      payment.ProviderUnknown, // made up: a status nobody mapped
		"success_payment":     payment.ProviderUnknown, // case matters
		"":                    payment.ProviderUnknown,
	}
	for status, want := range tests {
		if got := states.Of(status); got != want {
			t.Errorf("states.Of(%q) = %s, want %s", status, got, want)
		}
	}

	t.Run("UnknownKeepsRawStatus", func(t *testing.T) {
		f := newFake(t, GenerationLegacy, replay(http.StatusOK, []byte(`{"tid":"T1","status":"REFUND_PENDING"}`)))
		got, err := MustClient(t, GenerationLegacy, f.BaseURL()).Lookup(context.Background(), testPayment())
		if err != nil {
			t.Fatal(err)
		}
		if got.State != payment.ProviderUnknown || got.RawStatus != "REFUND_PENDING" {
			t.Errorf("State, RawStatus = %s, %s", got.State, got.RawStatus)
		}
	})
}

// TestApprovalAID checks that the approval's aid is found among cancels.
func TestApprovalAID(t *testing.T) {
	got := approvalAID([]paymentAction{
		{AID: "C1", PaymentActionType: actionCancel},
		{AID: "P1", PaymentActionType: actionPayment},
	})
	if got != "P1" {
		t.Errorf("approvalAID = %q, want P1", got)
	}
	if got := approvalAID(nil); got != "" {
		t.Errorf("approvalAID(nil) = %q", got)
	}
}

func TestClient_ParseReturn(t *testing.T) {
	c := MustClient(t, GenerationCurrent, "http://unused.invalid")
	if r := c.ParseReturn(url.Values{"pg_token": {"abc"}}); !r.Success || r.Token != "abc" {
		t.Fatalf("with pg_token: %+v", r)
	}
	if r := c.ParseReturn(url.Values{"pg_token": {""}, "amount": {"1"}}); r.Success || r.HasAmount {
		t.Fatalf("without pg_token: %+v", r)
	}
}
