package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// Ensure the payment page shows the provider's last answer, as the KakaoPay
// adapter kept it from the sandbox's approve answer, pretty-printed with
// the time it was received in KST, in English and Korean; and that a
// provider's string in it is shown as text, never as markup.
func TestConsole_PaymentPageLastAnswer(t *testing.T) {
	a := start(t)
	p := paidPayment(t, a, payment.DefaultMerchantID, "Tea set", 12000)
	if len(p.ProviderLastAnswer) == 0 || p.ProviderLastAnswerAt.IsZero() {
		t.Fatalf("the paid payment stored no provider answer: %q at %v", p.ProviderLastAnswer, p.ProviderLastAnswerAt)
	}
	b := signInNew(t, a, "v@example.com", payment.RoleViewer, "")

	resp, page := b.get("/console/payments/" + p.ID)
	mustStatus(t, resp, page, http.StatusOK)
	received := p.ProviderLastAnswerAt.In(time.FixedZone("KST", 9*3600)).Format("2006-01-02 15:04:05") + " KST"
	for _, want := range []string{`<details id="last-answer">`, "Provider&#39;s last answer", "Received", received,
		// Indented, quotes escaped by html/template.
		"\n  &#34;tid&#34;: &#34;" + p.ProviderTID + "&#34;", "&#34;aid&#34;: &#34;" + p.ProviderApprovalID + "&#34;"} {
		if !strings.Contains(page, want) {
			t.Errorf("payment page lacks %q", want)
		}
	}

	req, _ := http.NewRequest(http.MethodGet, a.URL()+"/console/payments/"+p.ID, nil)
	req.Header.Set("Accept-Language", "ko")
	resp, page = b.do(req)
	mustStatus(t, resp, page, http.StatusOK)
	if !strings.Contains(page, "PG사의 마지막 응답") || !strings.Contains(page, received) {
		t.Error("the Korean payment page lacks the last answer's label or time")
	}

	t.Run("ProviderStringIsText", func(t *testing.T) {
		q := readyPayment(t, a, payment.DefaultMerchantID, payment.ProviderKakaoPay, "Hostile", 3000)
		body := `{"status":"QUIT_PAYMENT","item_name":"</pre><script>alert(1)</script>"}`
		if _, err := a.Store.TransitionPayment(context.Background(), q.ID, payment.StatusReady, payment.StatusAborted,
			payment.Update{ProviderAnswer: &payment.ProviderAnswer{Body: []byte(body), At: time.Now()}},
			payment.Event{Reason: "buyer_quit"}); err != nil {
			t.Fatal(err)
		}
		resp, page := b.get("/console/payments/" + q.ID)
		mustStatus(t, resp, page, http.StatusOK)
		if strings.Contains(page, "<script>alert") || strings.Contains(page, "</pre><script>") {
			t.Fatal("a provider's string became markup on the payment page")
		}
		if !strings.Contains(page, "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Error("the provider's string is not shown escaped")
		}
	})

	t.Run("NoAnswerYet", func(t *testing.T) {
		q := readyPayment(t, a, payment.DefaultMerchantID, payment.ProviderKakaoPay, "Waiting", 3000)
		resp, page := b.get("/console/payments/" + q.ID)
		mustStatus(t, resp, page, http.StatusOK)
		if strings.Contains(page, `id="last-answer"`) || !strings.Contains(page, "No answer from the provider is stored yet.") {
			t.Error("a payment without an answer does not say so")
		}
	})
}
