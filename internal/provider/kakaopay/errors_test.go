package kakaopay

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/testutil"
)

// legacyErr and currentErr build the two generations' error bodies.
func legacyErr(code any, extras string) string {
	return fmt.Sprintf(`{"code":%v,"msg":"message %s"%s}`, code, bare(code), extrasJSON(extras))
}

func currentErr(code any, extras string) string {
	return fmt.Sprintf(`{"error_code":%v,"error_message":"message %s"%s}`, code, bare(code), extrasJSON(extras))
}

// bare is code without JSON quotes, for use inside a message.
func bare(code any) string { return strings.Trim(fmt.Sprint(code), `"`) }

func extrasJSON(resultCode string) string {
	if resultCode == "" {
		return ""
	}
	return fmt.Sprintf(`,"extras":{"method_result_code":%q,"method_result_message":"은행 응답 %s"}`, resultCode, resultCode)
}

// TestClassify covers every rule of errors.go, for both error shapes, sent
// through a real HTTP exchange with clients of both generations (an error
// body is read whatever the generation).
func TestClassify(t *testing.T) {
	type rule struct {
		name     string
		status   int
		code     any    // error code as it appears in JSON: -780 or "-780"
		extras   string // method_result_code, "" for no extras
		want     string
		wantPC   string // ProviderError.Code
		wantMsg  string // substring of the caller-safe message
		wantNote string // why, for failure output
	}
	rules := []rule{
		{"decline", 400, -780, "CARD_DECLINED", payment.EDECLINED, "-780", "KakaoPay declined the payment: CARD_DECLINED", "card or bank refused"},
		{"transaction in progress", 400, -780, "USER_LOCKED", payment.EUPSTREAM, "-780", "transaction in progress (USER_LOCKED); the outcome is unknown", "the transaction in progress may charge"},
		{"decline without extras", 400, -780, "", payment.EDECLINED, "-780", "KakaoPay declined the payment", "card or bank refused"},
		{"decline, code as string", 400, `"-780"`, "EXCEED_LIMIT", payment.EDECLINED, "-780", "EXCEED_LIMIT", "string codes count too"},
		{"bank result unknown", 400, -780, "BANK_FIRM_UNKNOWN", payment.EUPSTREAM, "-780", "outcome is unknown", "money may have moved"},
		{"decline on a 500", 500, -780, "USER_LOCKED", payment.EUPSTREAM, "-780", "outcome is unknown", "5xx wins"},
		{"already approved", 400, -702, "", payment.EUPSTREAM, "-702", "outcome is unknown", "it did happen"},
		{"duplicate", 400, -785, "", payment.EUPSTREAM, "-785", "outcome is unknown", "the first may have worked"},
		{"quota", 429, -429, "", payment.EUPSTREAM, "-429", "outcome is unknown", "listed as unknown"},
		{"approve stage", 400, -781, "", payment.EUPSTREAM, "-781", "outcome is unknown", "meaning undocumented"},
		{"unlisted -703", 400, -703, "", payment.EUPSTREAM, "-703", "outcome is unknown", "unknown codes are unknown outcomes"},
		{"unlisted text code", 400, `"E_NEW"`, "", payment.EUPSTREAM, "E_NEW", "outcome is unknown", "unknown codes are unknown outcomes"},
		{"internal", 500, -500, "", payment.EUPSTREAM, "-500", "outcome is unknown", "KakaoPay failed"},
		{"internal on a 400", 400, -500, "", payment.EUPSTREAM, "-500", "outcome is unknown", "the code says failed"},
		{"maintenance", 503, -503, "", payment.EUPSTREAM, "-503", "outcome is unknown", "maintenance"},
		{"maintenance on a 400", 400, -503, "", payment.EUPSTREAM, "-503", "outcome is unknown", "the code says maintenance"},
		{"bad parameter", 400, -2, "", payment.EINVALID, "-2", "request or configuration problem", "nothing done"},
		{"no auth header", 401, -400, "", payment.EINVALID, "-400", "configuration problem with the KakaoPay key", "credentials"},
		{"bad key", 401, -401, "", payment.EINVALID, "-401", "configuration problem with the KakaoPay key", "credentials"},
		{"not registered", 403, -403, "", payment.EINVALID, "-403", "configuration problem", "app setup"},
		{"wrong url", 404, -404, "", payment.EINVALID, "-404", "base URL", "configuration"},
		{"bad cid", 400, -731, "", payment.EINVALID, "-731", "CID", "configuration"},
	}
	for _, gen := range generations {
		for _, shape := range []string{"legacy-shape", "current-shape"} {
			for _, r := range rules {
				t.Run(gen+"/"+shape+"/"+r.name, func(t *testing.T) {
					body := legacyErr(r.code, r.extras)
					if shape == "current-shape" {
						body = currentErr(r.code, r.extras)
					}
					f := newFake(t, gen, replay(r.status, []byte(body)))
					_, err := MustClient(t, gen, f.BaseURL()).Approve(context.Background(), testPayment(), payment.Return{Success: true, Token: "tok"})
					if got := payment.ErrorCode(err); got != r.want {
						t.Fatalf("code = %s, want %s (%s); err: %v", got, r.want, r.wantNote, err)
					}
					pe := payment.AsProviderError(err)
					if pe == nil {
						t.Fatalf("no ProviderError in %v", err)
					}
					if pe.Provider != "kakaopay" || pe.HTTPStatus != r.status || pe.Code != r.wantPC {
						t.Errorf("ProviderError = %+v, want kakaopay/%d/%s", pe, r.status, r.wantPC)
					}
					if pe.Message == "" {
						t.Error("ProviderError.Message is empty")
					}
					if r.extras != "" && pe.Detail != r.extras+": 은행 응답 "+r.extras {
						t.Errorf("Detail = %q", pe.Detail)
					}
					if r.extras == "" && pe.Detail != "" {
						t.Errorf("Detail = %q, want empty", pe.Detail)
					}
					msg := payment.ErrorMessage(err)
					if !strings.Contains(msg, r.wantMsg) {
						t.Errorf("Message = %q, want it to contain %q", msg, r.wantMsg)
					}
					if strings.Contains(msg, "은행") {
						t.Errorf("Message repeats the provider's free text: %q", msg)
					}
					if IsUnknownOutcome(err) != (r.want == payment.EUPSTREAM) {
						t.Errorf("IsUnknownOutcome = %v", IsUnknownOutcome(err))
					}
				})
			}
		}
	}
}

// TestClassify_Testdata replays the documented error samples: a -780
// USER_LOCKED, another transaction in progress, which proves nothing about
// the money (shared reference §5 item 4).
func TestClassify_Testdata(t *testing.T) {
	for _, gen := range generations {
		for _, file := range []string{"error_legacy.json", "error_current.json"} {
			t.Run(gen+"/"+file, func(t *testing.T) {
				f := newFake(t, gen, replay(http.StatusBadRequest, mustTestdata(t, file)))
				_, err := MustClient(t, gen, f.BaseURL()).Approve(context.Background(), testPayment(), payment.Return{Success: true, Token: "tok"})
				testutil.AssertCode(t, err, payment.EUPSTREAM)
				if msg := payment.ErrorMessage(err); msg != "KakaoPay reports a transaction in progress (USER_LOCKED); the outcome is unknown" {
					t.Errorf("Message = %q", msg)
				}
				pe := payment.AsProviderError(err)
				want := payment.ProviderError{
					Provider: "kakaopay", HTTPStatus: 400, Code: "-780", Message: "approval failure!",
					Detail: "USER_LOCKED: 진행중인 거래가 있습니다. 잠시 후 다시 시도해 주세요.",
				}
				if pe == nil || *pe != want {
					t.Errorf("ProviderError = %+v, want %+v", pe, want)
				}
			})
		}
	}
}

// TestApprove_UserLockedOnRepeatLeavesOutcomeOpen is the case USER_LOCKED
// matters for: an approve timed out, the sweep repeats it
// (FinishAttempts 1), and KakaoPay answers that a transaction is in
// progress. That transaction may be the first approve, still charging the
// buyer: read as a decline, the service would fail the payment, and a
// KakaoPay payment is never looked at again once closed.
func TestApprove_UserLockedOnRepeatLeavesOutcomeOpen(t *testing.T) {
	for _, gen := range generations {
		t.Run(gen, func(t *testing.T) {
			f := newFake(t, gen, replay(http.StatusBadRequest, []byte(currentErr(-780, "USER_LOCKED"))))
			p := testPayment()
			p.FinishAttempts = 1
			_, err := MustClient(t, gen, f.BaseURL()).Approve(context.Background(), p, payment.Return{Success: true, Token: "tok"})
			testutil.AssertProviderCode(t, err, payment.EUPSTREAM, "-780")
			if !IsUnknownOutcome(err) {
				t.Errorf("IsUnknownOutcome = false for %v", err)
			}
		})
	}
}

// TestClassify_Unreadable checks that answers nobody can read are unknown
// outcomes, never declines.
func TestClassify_Unreadable(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"html 502", 502, "<html><body>Bad Gateway</body></html>"},
		{"html 400", 400, "<html>bad</html>"},
		{"empty 400", 400, ""},
		{"empty object", 400, "{}"},
		{"null code", 400, `{"code":null,"msg":"x"}`},
		{"truncated", 400, `{"code":-78`},
		{"array", 400, `[-780]`},
		{"2xx garbage", 200, "not json"},
		{"2xx wrong type", 200, `{"aid":"A","amount":{"total":"2200"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, GenerationCurrent, replay(tt.status, []byte(tt.body)))
			_, err := MustClient(t, GenerationCurrent, f.BaseURL()).Approve(context.Background(), testPayment(), payment.Return{Success: true, Token: "tok"})
			testutil.AssertCode(t, err, payment.EUPSTREAM)
			if pe := payment.AsProviderError(err); pe == nil || pe.HTTPStatus != tt.status {
				t.Errorf("ProviderError = %+v, want HTTP %d", pe, tt.status)
			}
		})
	}
}

// TestParseErrorBody_Extras checks tolerance of odd extras: the code next to
// them must still be read.
func TestParseErrorBody_Extras(t *testing.T) {
	for body, wantResult := range map[string]string{
		`{"code":-780,"msg":"m","extras":null}`:                            "",
		`{"code":-780,"msg":"m","extras":"text"}`:                          "",
		`{"code":-780,"msg":"m","extras":{"method_result_code":7001}}`:     "7001",
		`{"error_code":-780,"error_message":"m","extras":{"other":"x"}}`:   "",
		`{"error_code":-780,"code":-2,"error_message":"m","msg":"legacy"}`: "",
	} {
		eb, ok := parseErrorBody([]byte(body))
		if !ok || eb.code != "-780" || eb.resultCode != wantResult {
			t.Errorf("parseErrorBody(%s) = %+v, %v; want -780 and result %q", body, eb, ok, wantResult)
		}
	}
}

// TestTransportErrors checks that calls without a complete answer are
// unknown outcomes, and that only the lookup is tried again.
func TestTransportErrors(t *testing.T) {
	p := testPayment()
	for _, gen := range generations {
		client := func(base string, hc *http.Client) *Client {
			return MustClient(t, gen, base, func(c *Config) { c.HTTPClient = hc })
		}
		t.Run(gen, func(t *testing.T) {
			testutil.CheckTransport(t, []testutil.TransportOp{
				{Name: opReady, Calls: 1, Call: func(ctx context.Context, base string, hc *http.Client) error {
					_, err := client(base, hc).Ready(ctx, p, testURLs)
					return err
				}},
				{Name: opApprove, Calls: 1, Call: func(ctx context.Context, base string, hc *http.Client) error {
					_, err := client(base, hc).Approve(ctx, p, payment.Return{Success: true, Token: "tok"})
					return err
				}},
				{Name: opOrder, Calls: 3, Call: func(ctx context.Context, base string, hc *http.Client) error {
					_, err := client(base, hc).Lookup(ctx, p)
					return err
				}},
				{Name: opCancel, Calls: 1, Call: func(ctx context.Context, base string, hc *http.Client) error {
					_, err := client(base, hc).Cancel(ctx, p, payment.CancelRequest{Amount: 100, Cancelable: 2200})
					return err
				}},
			}, []byte(currentErr(-500, "")), func(t *testing.T, h http.HandlerFunc) (string, func() int) {
				f := newFake(t, gen, func(w http.ResponseWriter, r *http.Request, _ wireRequest) { h(w, r) })
				return f.BaseURL(), f.Calls
			})
		})
	}
}

// TestClient_LookupRetry checks the lookup's retries: up to 3 attempts on
// transport errors and 5xx, none on 4xx, and none once the context is done.
func TestClient_LookupRetry(t *testing.T) {
	for _, gen := range generations {
		for _, tt := range []struct {
			name            string
			failures, calls int
			fail            func(http.ResponseWriter, *http.Request, wireRequest)
		}{
			{"5xxThenSuccess", 2, 3, replay(http.StatusServiceUnavailable, []byte(legacyErr(-503, "")))},
			{"HangUpThenSuccess", 1, 2, hangUp(t)},
		} {
			t.Run(tt.name+"/"+gen, func(t *testing.T) {
				f := newFake(t, gen, testutil.FailThenReplay(int32(tt.failures), tt.fail, mustTestdata(t, "order_success.json")))
				testutil.LookupRecovers(t, MustClient(t, gen, f.BaseURL()).Lookup, testPayment(), f.Calls, tt.calls)
			})
		}
	}

	t.Run("4xxNotRetried", func(t *testing.T) {
		for _, body := range []string{legacyErr(-2, ""), currentErr(-785, ""), "<html>"} {
			f := newFake(t, GenerationCurrent, replay(http.StatusBadRequest, []byte(body)))
			_, err := MustClient(t, GenerationCurrent, f.BaseURL()).Lookup(context.Background(), testPayment())
			if err == nil || f.Calls() != 1 {
				t.Errorf("%s: err %v after %d calls; want an error after 1", body, err, f.Calls())
			}
		}
	})

	t.Run("ContextCanceledDuringBackoff", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := newFake(t, GenerationCurrent, replay(http.StatusInternalServerError, []byte(currentErr(-500, ""))))
		c := MustClient(t, GenerationCurrent, f.BaseURL(), func(c *Config) {
			// The retry warning is logged just before the pause: cancel then.
			c.Logger = slog.New(testutil.CancelOnWarn{Cancel: cancel})
		})
		c.t.Backoff = []time.Duration{time.Hour, time.Hour}
		err := testutil.StopsAtDeadline(t, ctx, c.Lookup, testPayment(), f.Calls, http.StatusInternalServerError)
		testutil.AssertProviderCode(t, err, payment.EUPSTREAM, "-500")
	})
}

// TestErrors_NeverLeakKeys forces every error path with each generation's
// key and asserts the key appears in no error text and no log line, even
// when KakaoPay (here: a hostile fake) echoes the Authorization header.
func TestErrors_NeverLeakKeys(t *testing.T) {
	echo := func(shape func(any, string) string) func(http.ResponseWriter, *http.Request, wireRequest) {
		return func(w http.ResponseWriter, r *http.Request, _ wireRequest) {
			auth := r.Header.Get("Authorization")
			body := fmt.Sprintf(`{"code":-401,"msg":"bad key %s","error_code":-401,"error_message":"bad key %s","extras":{"method_result_code":%q,"method_result_message":%q}}`,
				auth, auth, auth, "for "+auth)
			if shape != nil {
				body = shape(-780, "USER_LOCKED")
				body = strings.Replace(body, "message -780", "declined "+auth, 1)
			}
			testutil.Reply(w, http.StatusBadRequest, []byte(body))
		}
	}
	handlers := map[string]func(*testing.T) func(http.ResponseWriter, *http.Request, wireRequest){
		"echo both shapes": func(*testing.T) func(http.ResponseWriter, *http.Request, wireRequest) { return echo(nil) },
		"echo legacy -780": func(*testing.T) func(http.ResponseWriter, *http.Request, wireRequest) { return echo(legacyErr) },
		"echo current -780": func(*testing.T) func(http.ResponseWriter, *http.Request, wireRequest) {
			return echo(currentErr)
		},
		"echo html": func(*testing.T) func(http.ResponseWriter, *http.Request, wireRequest) {
			return func(w http.ResponseWriter, r *http.Request, _ wireRequest) {
				testutil.Reply(w, http.StatusBadGateway, []byte("<pre>"+r.Header.Get("Authorization")+"</pre>"))
			}
		},
		"echo 2xx garbage": func(*testing.T) func(http.ResponseWriter, *http.Request, wireRequest) {
			return func(w http.ResponseWriter, r *http.Request, _ wireRequest) {
				testutil.Reply(w, http.StatusOK, []byte(r.Header.Get("Authorization")))
			}
		},
		"500": func(*testing.T) func(http.ResponseWriter, *http.Request, wireRequest) {
			return replay(500, []byte(currentErr(-500, "")))
		},
		"-702": func(*testing.T) func(http.ResponseWriter, *http.Request, wireRequest) {
			return replay(400, []byte(legacyErr(-702, "")))
		},
		"hang up": hangUp,
		"slow": func(*testing.T) func(http.ResponseWriter, *http.Request, wireRequest) {
			return func(w http.ResponseWriter, r *http.Request, _ wireRequest) { <-r.Context().Done() }
		},
	}
	p := testPayment()
	calls := map[string]func(*Client) error{
		"ready": func(c *Client) error { _, err := c.Ready(context.Background(), p, testURLs); return err },
		"approve": func(c *Client) error {
			_, err := c.Approve(context.Background(), p, payment.Return{Success: true, Token: "tok"})
			return err
		},
		"lookup": func(c *Client) error { _, err := c.Lookup(context.Background(), p); return err },
		"cancel": func(c *Client) error {
			_, err := c.Cancel(context.Background(), p, payment.CancelRequest{Amount: 1, Cancelable: 1})
			return err
		},
	}
	keys := []string{testSecretKey, testAdminKey}
	assertNoKey := func(t *testing.T, what, s string) {
		t.Helper()
		testutil.AssertNoSecret(t, what, s, keys...)
	}
	for _, gen := range generations {
		for hname, h := range handlers {
			for cname, call := range calls {
				t.Run(gen+"/"+hname+"/"+cname, func(t *testing.T) {
					var logs bytes.Buffer
					f := newFake(t, gen, h(t))
					c := MustClient(t, gen, f.BaseURL(), func(c *Config) {
						c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond}
						c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
					})
					testutil.AssertHidesSecrets(t, call(c), logs.String(), keys...)
				})
			}
		}
	}

	t.Run("ValidateAndPreconditions", func(t *testing.T) {
		_, err := New(Config{SecretKey: testSecretKey, AdminKey: testAdminKey, CID: testAdminKey})
		assertNoKey(t, "New", err.Error())
		c := MustClient(t, GenerationLegacy, "http://127.0.0.1:1")
		noTID := testPayment()
		noTID.ProviderTID = ""
		_, err = c.Approve(context.Background(), noTID, payment.Return{Success: true, Token: ""})
		assertNoKey(t, "Approve", err.Error())
	})
}

// TestRedact checks that redaction happens before truncation, so a key
// straddling the cut cannot survive in part.
func TestRedact(t *testing.T) {
	body := fmt.Sprintf(`{"code":-2,"msg":"%s%s"}`, strings.Repeat("x", provider.MaxProviderText-5), testSecretKey)
	err := MustClient(t, GenerationCurrent, "http://unused").classify(opApprove, 400, []byte(body))
	pe := payment.AsProviderError(err)
	if strings.Contains(pe.Message, testSecretKey[:5]) {
		t.Errorf("Message keeps the start of the key: ...%s", pe.Message[len(pe.Message)-20:])
	}
}
