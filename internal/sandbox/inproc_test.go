package sandbox_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/sandbox"
	"github.com/paybridge/paybridge/internal/sandbox/kakaopay"
)

func TestTransport(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		var gotURI, gotHost, gotBody string
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			gotURI, gotHost = r.RequestURI, r.Host
			b, _ := io.ReadAll(r.Body)
			gotBody = string(b)
			w.Header().Set("X-Test", "1")
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, "hello")
			w.Header().Set("X-Late", "ignored") // after WriteHeader, as on the wire
		})
		c := &http.Client{Transport: sandbox.Transport(h)}
		resp, err := c.Post("http://sandbox.internal/a/b?x=1", "text/plain", strings.NewReader("ping"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusCreated || resp.Status != "201 Created" || string(body) != "hello" ||
			resp.Header.Get("X-Test") != "1" || resp.Header.Get("X-Late") != "" || resp.Request == nil ||
			resp.ContentLength != 5 {
			t.Fatalf("response %+v body %q", resp, body)
		}
		if gotURI != "/a/b?x=1" || gotHost != "sandbox.internal" || gotBody != "ping" {
			t.Fatalf("handler saw RequestURI %q Host %q body %q", gotURI, gotHost, gotBody)
		}
	})
	t.Run("DefaultStatusAndType", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html></html>") })
		resp, err := (&http.Client{Transport: sandbox.Transport(h)}).Get("http://x/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("status %d Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	})
	t.Run("ErrAbortHandler", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
		_, err := (&http.Client{Transport: sandbox.Transport(h)}).Get("http://x/")
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("err = %v, want one wrapping io.ErrUnexpectedEOF", err)
		}
	})
	t.Run("ErrPanic", func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") })
		_, err := (&http.Client{Transport: sandbox.Transport(h)}).Get("http://x/")
		if err == nil || !strings.Contains(err.Error(), "boom") {
			t.Fatalf("err = %v, want the panic reported", err)
		}
	})
	t.Run("ErrContext", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release })
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://x/", nil)
		start := time.Now()
		_, err := (&http.Client{Transport: sandbox.Transport(h)}).Do(req)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
			t.Fatalf("err = %v after %v, want the deadline, promptly", err, time.Since(start))
		}
	})
}

// The reason Transport exists: paybridge serve talks to its own KakaoPay
// sandbox without a network hop, and a lost approve still looks lost.
func TestTransport_KakaoPayLostApprove(t *testing.T) {
	sb := kakaopay.New(kakaopay.Options{PublicURL: "http://pay.local/sandbox/kakaopay"})
	rt := sandbox.Transport(sb)
	api := &http.Client{Transport: rt}
	browser := &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(op string, form url.Values) (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodPost, "http://kapi.local/v1/payment/"+op, strings.NewReader(form.Encode()))
		req.Header.Set("Authorization", "KakaoAK key")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return api.Do(req)
	}
	resp, err := post("ready", url.Values{"cid": {"TC0ONETIME"}, "partner_order_id": {"o"}, "partner_user_id": {"u"},
		"item_name": {"tea"}, "quantity": {"1"}, "total_amount": {"3000"}, "tax_free_amount": {"0"},
		"approval_url": {"http://shop/ok"}, "cancel_url": {"http://shop/cancel"}, "fail_url": {"http://shop/fail"}})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("ready: %v %v", resp, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tid := between(string(b), `"tid":"`, `"`)

	resp, err = browser.PostForm("http://pay.local/checkout/"+tid, url.Values{"action": {"approve"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("buyer approve: %v %v", resp, err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))

	sb.InjectFault(kakaopay.Fault{Fault: sandbox.Fault{Op: "approve", Kind: "lost"}})
	_, err = post("approve", url.Values{"cid": {"TC0ONETIME"}, "tid": {tid}, "partner_order_id": {"o"},
		"partner_user_id": {"u"}, "pg_token": {loc.Query().Get("pg_token")}})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("approve err = %v, want a dropped connection", err)
	}
	resp, err = post("order", url.Values{"cid": {"TC0ONETIME"}, "tid": {tid}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"status":"SUCCESS_PAYMENT"`) || sb.CallsFor("approve", tid) != 1 {
		t.Fatalf("order after the lost approve: %s (approve calls %d)", b, sb.CallsFor("approve", tid))
	}
}

func between(s, start, end string) string {
	_, rest, _ := strings.Cut(s, start)
	v, _, _ := strings.Cut(rest, end)
	return v
}
