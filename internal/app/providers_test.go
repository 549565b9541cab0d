package app_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/sandbox"
	sbiamport "github.com/paybridge/paybridge/internal/sandbox/iamport"
	sbportone "github.com/paybridge/paybridge/internal/sandbox/portone"
	sbtoss "github.com/paybridge/paybridge/internal/sandbox/toss"
)

// newProviders are the providers of issue 4, each behind its built-in sandbox.
var newProviders = []string{"portone", "iamport", "toss"}

// MustCreateWith creates a payment of amount won with the given provider.
func MustCreateWith(t *testing.T, a *apptest.App, provider, orderID string, amount int64) paymentJSON {
	t.Helper()
	status, b := do(t, a, "POST", "/v1/payments", "application/json",
		`{"provider":"`+provider+`","order_id":"`+orderID+`","order_name":"Latte","amount":`+itoa(amount)+`,"quantity":1,"customer_id":"cust-9"}`)
	if status != http.StatusCreated {
		t.Fatalf("create %s payment: %d %s", provider, status, b)
	}
	p := decode[paymentJSON](t, b)
	if p.Status != "ready" || !strings.Contains(p.RedirectURL, "/sandbox/"+provider+"/") {
		t.Fatalf("created %s payment: %s", provider, b)
	}
	return p
}

// waitStatus polls until the payment has status want (webhook work runs
// after the webhook's response).
func waitStatus(t *testing.T, a *apptest.App, id, want string) paymentJSON {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := getPayment(t, a, id)
		if got.Status == want || time.Now().After(deadline) {
			if got.Status != want {
				t.Fatalf("payment %s is %s, want %s", id, got.Status, want)
			}
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// finishCalls counts the calls that finish a payment at the provider: Toss
// confirms (PortOne only verifies with lookups).
func finishCalls(a *apptest.App, provider string) int {
	if provider == "toss" {
		return a.TossSandbox.Calls("confirm")
	}
	return 0
}

func cancelCalls(a *apptest.App, provider string) int {
	switch provider {
	case "portone":
		return a.PortOneSandbox.Calls("cancel")
	case "iamport":
		return a.IamportSandbox.Calls("cancel")
	}
	return a.TossSandbox.Calls("cancel")
}

func TestProviders_PaidThenRefunded(t *testing.T) {
	a := apptest.Start(t)
	for _, prov := range newProviders {
		t.Run(prov, func(t *testing.T) {
			p := MustCreateWith(t, a, prov, "order-"+prov, 10000)
			ret := buyer(t, a, p.RedirectURL, "approve")
			if u, _ := url.Parse(ret); u.Path != "/pay/"+p.ID+"/approve" {
				t.Fatalf("the provider returned the buyer to %s", ret)
			}
			if status, loc := follow(t, a, ret); status != http.StatusSeeOther || loc != "/pay/"+p.ID {
				t.Fatalf("return: %d → %q", status, loc)
			}
			got := getPayment(t, a, p.ID)
			if got.Status != "paid" || got.Amount != 10000 || got.ProviderIDs.TID == "" {
				t.Fatalf("after return: %+v", got)
			}
			// The provider's id under its own name, and as provider_payment_id.
			ids := got.ProviderIDs
			own := map[string]string{"toss": ids.PaymentKey, "iamport": ids.ImpUID, "portone": ids.PaymentID}[prov]
			prefix := map[string]string{"toss": "tgen_", "iamport": "imp_", "portone": p.ID}[prov]
			if !strings.HasPrefix(own, prefix) || ids.ProviderPaymentID != own || ids.TID != own ||
				len(ids.PaymentKey+ids.ImpUID+ids.PaymentID) != len(own) {
				t.Fatalf("provider ids of %s: %+v", prov, ids)
			}
			// A refresh shows the result; Toss is not confirmed twice.
			follow(t, a, ret)
			if prov == "toss" && finishCalls(a, prov) != 1 {
				t.Fatalf("confirm calls = %d, want 1", finishCalls(a, prov))
			}
			status, b := do(t, a, "POST", "/v1/payments/"+p.ID+"/cancel", "application/json", `{"amount":3000,"reason":"part"}`)
			if got := decode[paymentJSON](t, b); status != 200 || got.Status != "partially_canceled" || got.CancelableAmount != 7000 {
				t.Fatalf("partial refund: %d %s", status, b)
			}
			status, b = do(t, a, "POST", "/v1/payments/"+p.ID+"/cancel", "application/json", `{"reason":"rest"}`)
			if got := decode[paymentJSON](t, b); status != 200 || got.Status != "canceled" || got.CanceledAmount != 10000 {
				t.Fatalf("refund of the rest: %d %s", status, b)
			}
			want := []string{"created", "ready", "approving", "paid", "partially_canceled", "canceled"}
			if evs := mustEvents(t, a, p.ID); !slices.Equal(evs, want) {
				t.Fatalf("events = %v, want %v", evs, want)
			}
		})
	}
}

func TestProviders_BuyerCancelsOrFails(t *testing.T) {
	a := apptest.Start(t)
	for _, prov := range newProviders {
		for _, action := range []string{"cancel", "fail"} {
			t.Run(prov+"/"+action, func(t *testing.T) {
				p := MustCreateWith(t, a, prov, "order-"+prov+"-"+action, 4000)
				follow(t, a, buyer(t, a, p.RedirectURL, action))
				got := getPayment(t, a, p.ID)
				// A buyer's cancel is aborted for every provider once a lookup
				// shows nothing was charged (issue 13 item 6), and the
				// provider's own reason is kept (item 5).
				switch {
				case action == "cancel":
					if got.Status != "aborted" || finishCalls(a, prov) != 0 {
						t.Fatalf("status %s, finishing calls %d", got.Status, finishCalls(a, prov))
					}
					if got.Failure == nil || !strings.Contains(got.Failure.ProviderMessage, "취소") {
						t.Fatalf("the provider's reason is lost: %+v", got.Failure)
					}
				case prov == "toss":
					// Toss knows nothing of an unconfirmed payment, so a decline
					// on the fail URL is not believed: the payment stays ready
					// until it expires (the buyer may pay in a new window).
					if got.Status != "ready" || finishCalls(a, prov) != 0 {
						t.Fatalf("status %s, confirms %d", got.Status, finishCalls(a, prov))
					}
				default:
					// PortOne records the failed attempt; the lookup confirms it,
					// and its reason is kept.
					if got.Status != "failed" || got.Failure == nil || got.Failure.ProviderMessage == "" {
						t.Fatalf("status %s, failure %+v", got.Status, got.Failure)
					}
				}
			})
		}
	}
}

// Ensure no tampered return becomes paid, and none spoils the payment: a
// return whose claims are wrong (an amount edited in the return URL,
// another order's id) is never finished; a lookup by paybridge's own ids
// decides, and the payment, still open at the provider, goes back to ready
// for its buyer. A provider payment for another amount is refunded.
func TestProviders_TamperedReturns(t *testing.T) {
	// The sandboxes' own webhooks would settle payments before the test's
	// faults are in place: these cases are about the buyer's return.
	a := apptest.Start(t, func(c *config.Config) { c.SandboxWebhooks = false })

	t.Run("toss/AmountEditedInReturnURL", func(t *testing.T) {
		p := MustCreateWith(t, a, "toss", "tamper-amount", 50000)
		ret := buyer(t, a, p.RedirectURL, "approve")
		forged := strings.Replace(ret, "amount=50000", "amount=100", 1)
		if forged == ret {
			t.Fatalf("return has no amount to edit: %s", ret)
		}
		confirms := finishCalls(a, "toss")
		follow(t, a, forged)
		got := getPayment(t, a, p.ID)
		if got.Status != "ready" || got.Failure != nil || finishCalls(a, "toss") != confirms {
			t.Fatalf("after an edited amount: %s %+v, confirms %d→%d", got.Status, got.Failure, confirms, finishCalls(a, "toss"))
		}
		// The genuine return pays the amount of the order.
		follow(t, a, ret)
		if got := getPayment(t, a, p.ID); got.Status != "paid" || got.Amount != 50000 || finishCalls(a, "toss") != confirms+1 {
			t.Fatalf("after the genuine return: %s %d, confirms %d→%d", got.Status, got.Amount, confirms, finishCalls(a, "toss"))
		}
	})

	for _, prov := range newProviders {
		t.Run(prov+"/AnotherOrdersReturn", func(t *testing.T) {
			victim := MustCreateWith(t, a, prov, "victim-"+prov, 90000)
			cheap := MustCreateWith(t, a, prov, "cheap-"+prov, 1000)
			cheapRet := buyer(t, a, cheap.RedirectURL, "approve")
			// The cheap order's return replayed on the expensive one.
			forged := strings.Replace(cheapRet, "/pay/"+cheap.ID+"/", "/pay/"+victim.ID+"/", 1)
			cancels := cancelCalls(a, prov)
			follow(t, a, forged)
			got := getPayment(t, a, victim.ID)
			if got.Status != "ready" || got.Failure != nil || cancelCalls(a, prov) != cancels {
				t.Fatalf("victim after a replayed return: %s %+v, cancels %d→%d", got.Status, got.Failure, cancels, cancelCalls(a, prov))
			}
			// The cheap order itself is unharmed and finishes normally.
			follow(t, a, cheapRet)
			if got := getPayment(t, a, cheap.ID); got.Status != "paid" || got.Amount != 1000 {
				t.Fatalf("cheap order: %s", got.Status)
			}
		})
	}

	t.Run("iamport/AnotherPaymentsImpUID", func(t *testing.T) {
		victim := MustCreateWith(t, a, "iamport", "victim-imp", 90000)
		cheap := MustCreateWith(t, a, "iamport", "cheap-imp", 1000)
		cheapRet, _ := url.Parse(buyer(t, a, cheap.RedirectURL, "approve"))
		// Keep the victim's merchant_uid but slip in the cheap payment's imp_uid.
		q := url.Values{"imp_uid": {cheapRet.Query().Get("imp_uid")}, "merchant_uid": {victim.ID}, "imp_success": {"true"}}
		follow(t, a, a.URL()+"/pay/"+victim.ID+"/approve?"+q.Encode())
		// The answer about another merchant_uid is ignored (the lookup by
		// paybridge's own merchant_uid finds nothing paid yet): the victim is
		// neither paid nor failed, and its buyer can still pay.
		got := getPayment(t, a, victim.ID)
		if got.Status == "failed" || got.Status == "paid" {
			t.Fatalf("victim: %s %+v", got.Status, got.Failure)
		}
		if cancelCalls(a, "iamport") != 0 {
			t.Fatal("another order's payment was cancelled")
		}
		buyer(t, a, victim.RedirectURL, "approve")
		a.Service.SetNow(func() time.Time { return time.Now().Add(time.Minute) })
		defer a.Service.SetNow(time.Now)
		if _, err := a.Service.Sweep(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := getPayment(t, a, victim.ID); got.Status != "paid" || got.Amount != 90000 {
			t.Fatalf("victim after paying: %s", got.Status)
		}
	})

	faults := map[string]func(amount int64){
		"portone": func(n int64) {
			a.PortOneSandbox.InjectFault(sbportone.Fault{Fault: sandbox.Fault{Op: "getPayment", Kind: "amount", Amount: n}})
		},
		"iamport": func(n int64) {
			a.IamportSandbox.InjectFault(sbiamport.Fault{Fault: sandbox.Fault{Op: "payment", Kind: "amount", Amount: n}})
		},
		"toss": func(n int64) {
			a.TossSandbox.InjectFault(sbtoss.Fault{Fault: sandbox.Fault{Op: "confirm", Kind: "amount", Amount: n}})
		},
	}
	for _, prov := range newProviders {
		t.Run(prov+"/PaidAmountDiffers", func(t *testing.T) {
			p := MustCreateWith(t, a, prov, "differs-"+prov, 20000)
			ret := buyer(t, a, p.RedirectURL, "approve")
			before := cancelCalls(a, prov)
			faults[prov](100)
			follow(t, a, ret)
			got := getPayment(t, a, p.ID)
			if got.Status != "failed" || got.Failure == nil || got.Failure.Code != "amount_mismatch" ||
				!strings.Contains(got.Failure.Message, "20000 won refunded at the provider") {
				t.Fatalf("after a differing amount: %s %+v", got.Status, got.Failure)
			}
			if cancelCalls(a, prov) != before+1 {
				t.Fatalf("cancel calls %d → %d, want one refund of the charge", before, cancelCalls(a, prov))
			}
		})
	}
}
