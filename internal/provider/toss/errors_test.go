package toss

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/testutil"
)

// tossErr is a Toss error body.
func tossErr(code, msg string) []byte {
	return fmt.Appendf(nil, `{"code":%q,"message":%q}`, code, msg)
}

// TestClassify covers every rule of errors.go through a real HTTP exchange:
// confirm and cancel, and the lookup where the rules differ.
func TestClassify(t *testing.T) {
	type rule struct {
		name    string
		status  int
		body    []byte
		want    string // for confirm and cancel
		wantGet string // for a lookup; "" = same as want
		msg     string // fragment of the caller-safe confirm message
	}
	rules := []rule{
		// Declines: nothing was charged.
		{"RejectCardCompany", 403, mustTestdata(t, "error_reject_card_company.json"), payment.EDECLINED, payment.EUPSTREAM, "Toss declined the payment: REJECT_CARD_COMPANY"},
		{"SessionExpired", 404, mustTestdata(t, "error_session_expired.json"), payment.EDECLINED, payment.EUPSTREAM, "authentication expired"},
		{"BuyerCanceled", 400, tossErr("PAY_PROCESS_CANCELED", "사용자에 의해 결제가 취소되었습니다."), payment.EDECLINED, payment.EUPSTREAM, "buyer cancelled"},
		{"BelowMinimum", 400, tossErr("BELOW_MINIMUM_AMOUNT", "100원 이상"), payment.EDECLINED, payment.EUPSTREAM, "BELOW_MINIMUM_AMOUNT"},
		{"RejectCardPayment", 403, tossErr("REJECT_CARD_PAYMENT", "한도초과"), payment.EDECLINED, payment.EUPSTREAM, "REJECT_CARD_PAYMENT"},
		{"StoppedCard", 400, tossErr("INVALID_STOPPED_CARD", "정지된 카드"), payment.EDECLINED, payment.EUPSTREAM, "INVALID_STOPPED_CARD"},
		{"Fraud", 403, tossErr("FDS_ERROR", "위험거래"), payment.EDECLINED, payment.EUPSTREAM, "FDS_ERROR"},
		{"AmountMismatch", 400, tossErr("NOT_MATCHES_AMOUNT", "금액 불일치"), payment.EDECLINED, payment.EUPSTREAM, "amount differs"},
		// Our request or credentials: nothing was done.
		{"UnauthorizedKey", 401, mustTestdata(t, "error_unauthorized_key.json"), payment.EINVALID, "", "configuration problem with the Toss keys"},
		{"InvalidAPIKey", 400, tossErr("INVALID_API_KEY", "잘못된 시크릿키"), payment.EINVALID, "", "secret key"},
		{"IncorrectBasicAuth", 400, tossErr("INCORRECT_BASIC_AUTH_FORMAT", "':' 를 포함해 인코딩해주세요"), payment.EINVALID, "", "secret key"},
		{"InvalidRequest", 400, tossErr("INVALID_REQUEST", "잘못된 요청입니다."), payment.EINVALID, "", "invalid"},
		{"Forbidden", 403, tossErr("FORBIDDEN_REQUEST", "허용되지 않은 요청입니다."), payment.EINVALID, "", "same Toss merchant"},
		{"NotFoundPayment", 404, mustTestdata(t, "error_not_found_payment.json"), payment.EINVALID, "", "does not know"},
		{"NotCancelableAmount", 403, mustTestdata(t, "error_not_cancelable_amount.json"), payment.EINVALID, "", "nothing was refunded"},
		{"NotCancelablePayment", 403, tossErr("NOT_CANCELABLE_PAYMENT", "취소 할 수 없는 결제"), payment.EINVALID, "", "nothing was refunded"},
		{"AlreadyCanceled", 400, tossErr("ALREADY_CANCELED_PAYMENT", "이미 취소된 결제"), payment.EINVALID, "", "nothing was refunded"},
		{"ExceedMaxRefundDue", 403, tossErr("EXCEED_MAX_REFUND_DUE", "환불 기한 초과"), payment.EINVALID, "", "nothing was refunded"},
		// Unknown outcome: look the payment up.
		{"AlreadyProcessed", 400, mustTestdata(t, "error_already_processed.json"), payment.EUPSTREAM, "", "outcome is unknown"},
		{"DuplicatedOrder", 400, tossErr("DUPLICATED_ORDER_ID", "중복된 주문번호"), payment.EUPSTREAM, "", "outcome is unknown"},
		{"ProviderError", 400, tossErr("PROVIDER_ERROR", "일시적인 오류"), payment.EUPSTREAM, "", "outcome is unknown"},
		{"CommonError", 400, tossErr("COMMON_ERROR", "일시적인 오류"), payment.EUPSTREAM, "", "outcome is unknown"},
		{"UnknownError", 400, tossErr("UNKNOWN_ERROR", "?"), payment.EUPSTREAM, "", "outcome is unknown"},
		{"Consecutive", 403, tossErr("FORBIDDEN_CONSECUTIVE_REQUEST", "반복 요청"), payment.EUPSTREAM, "", "outcome is unknown"},
		{"FailedInternal", 500, mustTestdata(t, "error_internal.json"), payment.EUPSTREAM, "", "outcome is unknown"},
		{"FailedPaymentInternal", 500, tossErr("FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING", "결제가 완료되지 않았어요"), payment.EUPSTREAM, "", "outcome is unknown"},
		{"UnlistedCode", 400, tossErr("SOMETHING_NEW", "new"), payment.EUPSTREAM, "", "SOMETHING_NEW"},
		// A 5xx wins over any code: Toss failed mid-way.
		{"DeclineOn500", 500, tossErr("REJECT_CARD_COMPANY", "거절"), payment.EUPSTREAM, "", "outcome is unknown"},
		{"InvalidOn502", 502, tossErr("INVALID_REQUEST", "?"), payment.EUPSTREAM, "", "outcome is unknown"},
		// Not Toss talking.
		{"HTML", 502, []byte("<html>Bad Gateway</html>"), payment.EUPSTREAM, "", "unreadable body"},
		{"NoCode", 400, []byte(`{"message":"no code"}`), payment.EUPSTREAM, "", "unreadable body"},
		{"Empty", 400, nil, payment.EUPSTREAM, "", "unreadable body"},
		{"WeirdCode", 400, tossErr("<script>", "x"), payment.EUPSTREAM, "", "(unrecognised)"},
	}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			f := newFake(t, replay(r.status, r.body))
			c := MustClient(t, f.BaseURL())
			_, err := c.Approve(context.Background(), testPayment(), tossReturn())
			testutil.AssertCode(t, err, r.want)
			if msg := payment.ErrorMessage(err); !strings.Contains(msg, r.msg) {
				t.Errorf("message %q lacks %q", msg, r.msg)
			}
			pe := payment.AsProviderError(err)
			if pe == nil || pe.Provider != "toss" || pe.HTTPStatus != r.status {
				t.Errorf("provider error = %+v", pe)
			}

			_, err = c.Cancel(context.Background(), paidPayment(), payment.CancelRequest{Amount: 1000, Cancelable: 15000, IdempotencyKey: "k"})
			testutil.AssertCode(t, err, r.want)

			wantGet := r.wantGet
			if wantGet == "" {
				wantGet = r.want
			}
			if r.name == "NotFoundPayment" {
				return // a lookup reads it as "not known yet"; see TestClient_Lookup
			}
			p := paidPayment()
			_, err = c.Lookup(context.Background(), p)
			testutil.AssertCode(t, err, wantGet)
		})
	}
}

func TestClassify_Messages(t *testing.T) {
	t.Run("ProviderWords", func(t *testing.T) {
		f := newFake(t, replay(400, tossErr("REJECT_CARD_COMPANY", "카드사 거절 "+strings.Repeat("x", 1000))))
		_, err := MustClient(t, f.BaseURL()).Approve(context.Background(), testPayment(), tossReturn())
		pe := payment.AsProviderError(err)
		if pe == nil || pe.Code != "REJECT_CARD_COMPANY" || !strings.HasPrefix(pe.Message, "카드사 거절") || len([]rune(pe.Message)) != provider.MaxProviderText {
			t.Fatalf("provider error = %+v", pe)
		}
		if strings.Contains(payment.ErrorMessage(err), "카드사") {
			t.Error("the caller-safe message repeats Toss's free text")
		}
		if msg := declineMessage(opCancel, "REJECT_CARD_COMPANY"); msg != "Toss declined the refund: REJECT_CARD_COMPANY" {
			t.Errorf("cancel decline message = %q", msg)
		}
	})

	t.Run("SecretsRedacted", func(t *testing.T) {
		f := newFake(t, replay(401, tossErr("UNAUTHORIZED_KEY", "bad key "+testSecretKey+" in "+testAuth)))
		_, err := MustClient(t, f.BaseURL()).Approve(context.Background(), testPayment(), tossReturn())
		if s := fmt.Sprintf("%v %+v", err, payment.AsProviderError(err)); strings.Contains(s, "LEAK") ||
			strings.Contains(s, strings.TrimPrefix(testAuth, "Basic ")) {
			t.Fatalf("the error shows a secret: %s", s)
		}
	})

	t.Run("UnreadableSuccess", func(t *testing.T) {
		for name, body := range map[string]string{
			"NotJSON":       "<html>ok</html>",
			"FractionWon":   `{"paymentKey":"k","status":"DONE","totalAmount":15000.5}`,
			"TooLarge":      `{"paymentKey":"` + strings.Repeat("k", provider.MaxResponseBody) + `"}`,
			"AmountIsArray": `{"paymentKey":"k","status":"DONE","totalAmount":[1]}`,
		} {
			f := newFake(t, replay(200, []byte(body)))
			_, err := MustClient(t, f.BaseURL()).Approve(context.Background(), testPayment(), tossReturn())
			if payment.ErrorCode(err) != payment.EUPSTREAM {
				t.Errorf("%s: err = %v, want EUPSTREAM: Toss answered 2xx, so it acted", name, err)
			}
		}
	})
}

// TestErrors_BareBasicCredentialRedacted: the base64 credential of the
// Basic header decodes to the secret key, so it is a secret on its own. A
// message that quotes only the token ("invalid credential <token>", as many
// APIs do) must not carry it into an error or a log line, on any call.
func TestErrors_BareBasicCredentialRedacted(t *testing.T) {
	bare := strings.TrimPrefix(testAuth, "Basic ")
	body := tossErr("UNAUTHORIZED_KEY", "invalid credential "+bare)
	calls := map[string]func(*Client) error{
		"confirm": func(c *Client) error {
			_, err := c.Approve(context.Background(), testPayment(), tossReturn())
			return err
		},
		"lookup": func(c *Client) error { _, err := c.Lookup(context.Background(), paidPayment()); return err },
		"cancel": func(c *Client) error {
			_, err := c.Cancel(context.Background(), paidPayment(), payment.CancelRequest{Amount: 1000, Cancelable: 15000})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			var logs testutil.LogBuffer
			f := newFake(t, replay(http.StatusUnauthorized, body))
			c := MustClient(t, f.BaseURL(), func(c *Config) {
				c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			})
			err := call(c)
			testutil.AssertHidesSecrets(t, err, logs.String(), bare, testSecretKey)
			if pe := payment.AsProviderError(err); pe == nil || !strings.Contains(pe.Message, "[redacted]") {
				t.Errorf("ProviderError = %+v, want the credential replaced by [redacted]", pe)
			}
		})
	}
}

// TestTransportErrors checks that calls without a complete answer are
// unknown outcomes (IsUnknownOutcome), and that only lookups are tried
// again.
func TestTransportErrors(t *testing.T) {
	p := testPayment()
	p.ProviderTID = testPaymentKey
	client := func(base string, hc *http.Client) *Client {
		return MustClient(t, base, func(c *Config) { c.HTTPClient = hc })
	}
	testutil.CheckTransport(t, []testutil.TransportOp{
		{Name: opConfirm, Calls: 1, Call: func(ctx context.Context, base string, hc *http.Client) error {
			_, err := client(base, hc).Approve(ctx, p, tossReturn())
			return err
		}},
		{Name: opGet, Calls: 3, Call: func(ctx context.Context, base string, hc *http.Client) error {
			_, err := client(base, hc).Lookup(ctx, p)
			return err
		}},
		{Name: opCancel, Calls: 1, Call: func(ctx context.Context, base string, hc *http.Client) error {
			_, err := client(base, hc).Cancel(ctx, p, payment.CancelRequest{Amount: 1000, Cancelable: 15000, Reason: "r"})
			return err
		}},
	}, tossErr("UNKNOWN_ERROR", "internal"), func(t *testing.T, h http.HandlerFunc) (string, func() int) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ wireRequest) { h(w, r) })
		return f.BaseURL(), f.Calls
	})
}
