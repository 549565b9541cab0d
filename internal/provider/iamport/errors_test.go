package iamport

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

// Calls under test, by the op whose rules apply.
var (
	callLookup = func(c *Client) error { _, err := c.Lookup(context.Background(), testPayment()); return err }
	callReady  = func(c *Client) error { _, err := c.Ready(context.Background(), testPayment(), testURLs); return err }
	callCancel = func(c *Client) error {
		_, err := c.Cancel(context.Background(), testPayment(), payment.CancelRequest{Amount: 1000, Cancelable: 2200})
		return err
	}
)

// TestClassify covers every rule of errors.go through a real HTTP exchange.
func TestClassify(t *testing.T) {
	tests := []struct {
		name    string
		call    func(*Client) error
		status  int
		body    []byte
		want    string
		wantPC  string // ProviderError.Code
		wantMsg string // substring of the caller-safe message
	}{
		// A refund PortOne refused before asking the PG: nothing refunded.
		{"cancel: nothing to cancel", callCancel, 200, mustTestdata(t, "cancel_nothing.json"), payment.EINVALID, "1", "before refunding anything"},
		{"cancel: already fully cancelled", callCancel, 200, mustTestdata(t, "cancel_all_cancelled.json"), payment.EINVALID, "1", "before refunding anything"},
		{"cancel: checksum", callCancel, 200, envelopeError(1, "checksum(2200)이 취소가능잔액(1200)과 일치하지 않아 취소하지 않았습니다."), payment.EINVALID, "1", "before refunding anything"},
		{"cancel: over the balance", callCancel, 200, envelopeError(1, "취소요청금액(1000)이 취소가능잔액(500)을 초과합니다."), payment.EINVALID, "1", "before refunding anything"},
		{"cancel: on a 400 too", callCancel, 400, mustTestdata(t, "cancel_nothing.json"), payment.EINVALID, "1", "before refunding anything"},
		// The PG's refusal, or words we do not know: the refund may be done.
		{"cancel: PG failure", callCancel, 200, envelopeError(-1, "[PG사 취소실패] 취소 처리 중 오류가 발생했습니다"), payment.EUPSTREAM, "-1", "outcome is unknown"},
		{"cancel: unknown 400", callCancel, 400, envelopeError(-1, "잘못된 요청"), payment.EUPSTREAM, "-1", "outcome is unknown"},
		{"cancel: 500", callCancel, 500, envelopeError(-1, "internal"), payment.EUPSTREAM, "-1", "outcome is unknown"},
		{"cancel: 500 with a refusal's words", callCancel, 500, mustTestdata(t, "cancel_nothing.json"), payment.EUPSTREAM, "1", "outcome is unknown"},
		{"cancel: 401", callCancel, 401, mustTestdata(t, "error_unauthorized.json"), payment.EINVALID, "-1", "access token"},
		{"cancel: 2xx without a code", callCancel, 200, []byte(`{"message":null,"response":null}`), payment.EUPSTREAM, "", "could not be read"},
		// Lookups change nothing: a refusal is our request's fault.
		{"lookup: 400", callLookup, 400, envelopeError(-1, "bad"), payment.EINVALID, "-1", "request or configuration problem"},
		{"lookup: 403", callLookup, 403, envelopeError(-1, "tier"), payment.EINVALID, "-1", "request or configuration problem"},
		{"lookup: 429", callLookup, 429, envelopeError(-1, "slow down"), payment.EUPSTREAM, "-1", "rate-limiting"},
		{"lookup: 2xx with a non-zero code", callLookup, 200, envelopeError(-1, "?"), payment.EUPSTREAM, "-1", "outcome is unknown"},
		{"lookup: code 0 without response", callLookup, 200, []byte(`{"code":0,"message":null,"response":null}`), payment.EUPSTREAM, "", "could not be read"},
		{"lookup: payment without imp_uid", callLookup, 200, []byte(`{"code":0,"response":{"amount":2200,"status":"paid"}}`), payment.EUPSTREAM, "", "could not be read"},
		{"lookup: fractional amount", callLookup, 200, []byte(`{"code":0,"response":{"imp_uid":"imp_1","amount":2200.5,"status":"paid"}}`), payment.EUPSTREAM, "", "could not be read"},
		{"lookup: amount as a string", callLookup, 200, []byte(`{"code":0,"response":{"imp_uid":"imp_1","amount":"2200","status":"paid"}}`), payment.EUPSTREAM, "", "could not be read"},
		{"lookup: HTML 404", callLookup, 404, []byte("<html>Not Found</html>"), payment.EUPSTREAM, "", "could not be read"},
		{"lookup: code as a string", callLookup, 400, []byte(`{"code":"-1","message":"bad","response":null}`), payment.EINVALID, "-1", "request or configuration problem"},
		// Pre-registration moves no money.
		{"ready: 400", callReady, 400, envelopeError(-1, "amount is required"), payment.EINVALID, "-1", "request or configuration problem"},
		{"ready: 401", callReady, 401, mustTestdata(t, "error_unauthorized.json"), payment.EINVALID, "-1", "access token"},
		{"ready: 2xx with another refusal", callReady, 200, envelopeError(1, "결제정보 사전등록에 실패하였습니다"), payment.EUPSTREAM, "1", "outcome is unknown"},
		{"ready: 503", callReady, 503, []byte("Service Unavailable"), payment.EUPSTREAM, "", "could not be read"},
		// A 401 is a refusal of our token even without an envelope.
		{"lookup: bare 401", callLookup, 401, nil, payment.EINVALID, "", "access token"},
		{"cancel: HTML 401", callCancel, 401, []byte("<html>Unauthorized</html>"), payment.EINVALID, "", "access token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, replay(tt.status, tt.body))
			err := tt.call(MustClient(t, f.BaseURL()))
			testutil.AssertCode(t, err, tt.want)
			pe := payment.AsProviderError(err)
			if pe == nil {
				t.Fatalf("no ProviderError in %v", err)
			}
			if pe.Provider != "iamport" || pe.HTTPStatus != tt.status || pe.Code != tt.wantPC || pe.Message == "" {
				t.Errorf("ProviderError = %+v, want iamport/%d/%q with a message", pe, tt.status, tt.wantPC)
			}
			if msg := payment.ErrorMessage(err); !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("Message = %q, want it to contain %q", msg, tt.wantMsg)
			}
		})
	}
}

// TestClassify_NotFound checks the 404 of a lookup: pending, not an error,
// whether looked up by imp_uid or by merchant_uid.
func TestClassify_NotFound(t *testing.T) {
	noTID := testPayment()
	noTID.ProviderTID = ""
	for name, call := range map[string]func(*Client) (*payment.ProviderPayment, error){
		"by imp_uid": func(c *Client) (*payment.ProviderPayment, error) {
			return c.Lookup(context.Background(), testPayment())
		},
		"by merchant_uid": func(c *Client) (*payment.ProviderPayment, error) { return c.Lookup(context.Background(), noTID) },
		"approve": func(c *Client) (*payment.ProviderPayment, error) {
			return c.Approve(context.Background(), noTID, payment.Return{Success: true, TID: "imp_000000000000"})
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, replay(http.StatusNotFound, mustTestdata(t, "error_not_found.json")))
			got, err := call(MustClient(t, f.BaseURL()))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, payment.ProviderPayment{State: payment.ProviderPending, RawStatus: "NOT_FOUND"}) {
				t.Errorf("got %+v, want pending/NOT_FOUND", got)
			}
			if f.Calls() != 1 {
				t.Errorf("calls = %d, want 1: a 404 is an answer, not a failure", f.Calls())
			}
		})
	}
}

// TestClassify_NotFoundNeedsPortOnesEnvelope: only PortOne's own "no such
// payment" (HTTP 404, code -1, response null) reads as a payment not made
// yet. Any other JSON 404, a gateway's {"code":404,…} above all, is an
// error, so that a wrong base URL never passes for "not paid yet".
func TestClassify_NotFoundNeedsPortOnesEnvelope(t *testing.T) {
	for name, body := range map[string]string{
		"gateway's code":           `{"code":404,"message":"Not Found"}`,
		"gateway's code, null":     `{"code":404,"message":"Not Found","response":null}`,
		"code -1 without response": `{"code":-1,"message":"존재하지 않는 결제정보입니다."}`,
		"code -1 with a response":  `{"code":-1,"message":"?","response":{"imp_uid":"imp_1"}}`,
		"a refusal's code 1":       `{"code":1,"message":"?","response":null}`,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, replay(http.StatusNotFound, []byte(body)))
			got, err := MustClient(t, f.BaseURL()).Lookup(context.Background(), testPayment())
			if err == nil {
				t.Fatalf("a 404 %s reads as %+v", body, got)
			}
			if pe := payment.AsProviderError(err); pe == nil || pe.HTTPStatus != http.StatusNotFound {
				t.Errorf("ProviderError = %+v, want the 404 kept", pe)
			}
		})
	}
}

// TestTransportErrors checks that calls without a complete answer are
// unknown outcomes, and that only lookups are tried again.
func TestTransportErrors(t *testing.T) {
	p := testPayment()
	client := func(base string, hc *http.Client) *Client {
		c := MustClient(t, base, func(c *Config) { c.HTTPClient = hc })
		// The token arrives in time; warm it up so the API call is what
		// fails (against an unreachable server, the call's own fetch does).
		c.tokens.get(context.Background())
		return c
	}
	testutil.CheckTransport(t, []testutil.TransportOp{
		{Name: "ready", Calls: 1, Call: func(ctx context.Context, base string, hc *http.Client) error {
			_, err := client(base, hc).Ready(ctx, p, testURLs)
			return err
		}},
		{Name: "approve", Calls: 3, Call: func(ctx context.Context, base string, hc *http.Client) error {
			_, err := client(base, hc).Approve(ctx, p, payment.Return{Success: true, TID: testImpUID})
			return err
		}},
		{Name: "lookup", Calls: 3, Call: func(ctx context.Context, base string, hc *http.Client) error {
			_, err := client(base, hc).Lookup(ctx, p)
			return err
		}},
		{Name: "cancel", Calls: 1, Call: func(ctx context.Context, base string, hc *http.Client) error {
			_, err := client(base, hc).Cancel(ctx, p, payment.CancelRequest{Amount: 100, Cancelable: 2200})
			return err
		}},
	}, envelopeError(-1, "internal"), func(t *testing.T, h http.HandlerFunc) (string, func() int) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ wireRequest) { h(w, r) })
		return f.BaseURL(), f.Calls
	})
}

// TestClient_LookupRetry checks the lookup's retries: up to 3 attempts on
// transport errors and 5xx, none on 4xx, and none once the context is done.
func TestClient_LookupRetry(t *testing.T) {
	for _, tt := range []struct {
		name            string
		failures, calls int
		fail            func(http.ResponseWriter, *http.Request, wireRequest)
	}{
		{"5xxThenSuccess", 2, 3, replay(http.StatusServiceUnavailable, envelopeError(-1, "busy"))},
		{"HangUpThenSuccess", 1, 2, hangUp(t)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, testutil.FailThenReplay(int32(tt.failures), tt.fail, mustTestdata(t, "payment_paid.json")))
			testutil.LookupRecovers(t, MustClient(t, f.BaseURL()).Lookup, testPayment(), f.Calls, tt.calls)
		})
	}
	t.Run("4xxNotRetried", func(t *testing.T) {
		for _, body := range [][]byte{envelopeError(-1, "bad"), []byte("<html>")} {
			f := newFake(t, replay(http.StatusBadRequest, body))
			err := callLookup(MustClient(t, f.BaseURL()))
			if err == nil || f.Calls() != 1 {
				t.Errorf("%s: err %v after %d calls; want an error after 1", body, err, f.Calls())
			}
		}
	})
	t.Run("ContextCanceledDuringBackoff", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := newFake(t, replay(http.StatusInternalServerError, envelopeError(-1, "internal")))
		c := MustClient(t, f.BaseURL(), func(c *Config) {
			// The retry warning is logged just before the pause: cancel then.
			c.Logger = slog.New(testutil.CancelOnWarn{Cancel: cancel})
		})
		c.t.Backoff = []time.Duration{time.Hour, time.Hour}
		testutil.StopsAtDeadline(t, ctx, c.Lookup, testPayment(), f.Calls, http.StatusInternalServerError)
	})
}

// TestErrors_NeverLeakSecrets forces every error path and asserts that
// neither the API secret nor the access token appears in any error text or
// log line, even when PortOne (here: a hostile fake) echoes them back.
func TestErrors_NeverLeakSecrets(t *testing.T) {
	echo := func(status int) func(http.ResponseWriter, *http.Request, wireRequest) {
		return func(w http.ResponseWriter, r *http.Request, _ wireRequest) {
			testutil.Reply(w, status, envelopeError(1, fmt.Sprintf("취소할 결제건이 존재하지 않습니다 %s %s imp_key=%s", r.Header.Get("Authorization"), testSecret, testKey)))
		}
	}
	handlers := map[string]func(*testing.T) func(http.ResponseWriter, *http.Request, wireRequest){
		"echo 200": func(*testing.T) func(http.ResponseWriter, *http.Request, wireRequest) { return echo(200) },
		"echo 401": func(*testing.T) func(http.ResponseWriter, *http.Request, wireRequest) { return echo(401) },
		"echo 500": func(*testing.T) func(http.ResponseWriter, *http.Request, wireRequest) { return echo(500) },
		"echo 404": func(*testing.T) func(http.ResponseWriter, *http.Request, wireRequest) { return echo(400) },
		"echo html": func(*testing.T) func(http.ResponseWriter, *http.Request, wireRequest) {
			return func(w http.ResponseWriter, r *http.Request, _ wireRequest) {
				testutil.Reply(w, http.StatusBadGateway, []byte("<pre>"+r.Header.Get("Authorization")+testSecret+"</pre>"))
			}
		},
		"echo in a bad 2xx": func(*testing.T) func(http.ResponseWriter, *http.Request, wireRequest) {
			return func(w http.ResponseWriter, r *http.Request, _ wireRequest) {
				// The decoder's error quotes the bad value.
				testutil.Reply(w, http.StatusOK, []byte(`{"code":0,"response":{"imp_uid":"imp_1","amount":"`+r.Header.Get("Authorization")+testSecret+`"}}`))
			}
		},
		"hang up": hangUp,
	}
	calls := map[string]func(*Client) error{"ready": callReady, "lookup": callLookup, "cancel": callCancel}
	// imp_key is not a secret on its own, but PortOne echoes it in errors
	// and it must not reach failure.provider_message, events and the CLI.
	secrets := []string{testSecret, testToken, testKey}
	assertNoSecret := func(t *testing.T, what, s string) {
		t.Helper()
		testutil.AssertNoSecret(t, what, s, secrets...)
	}
	for hname, h := range handlers {
		for cname, call := range calls {
			t.Run(hname+"/"+cname, func(t *testing.T) {
				var logs bytes.Buffer
				f := newFake(t, h(t))
				c := MustClient(t, f.BaseURL(), func(c *Config) {
					c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				})
				testutil.AssertHidesSecrets(t, call(c), logs.String(), secrets...)
			})
		}
	}
	t.Run("GetTokenEcho", func(t *testing.T) {
		f := newFake(t, replayFile(t, "payment_paid.json"))
		f.token = func(w http.ResponseWriter, _ int32) {
			testutil.Reply(w, http.StatusUnauthorized, envelopeError(-1, "bad secret "+testSecret+" for imp_key "+testKey))
		}
		err := callLookup(MustClient(t, f.BaseURL()))
		assertNoSecret(t, "Error()", err.Error())
	})
	t.Run("Validate", func(t *testing.T) {
		_, err := New(Config{APIKey: testKey, APISecret: testSecret + "\n", BaseURL: "ftp://" + testSecret})
		assertNoSecret(t, "New", err.Error())
	})
}
