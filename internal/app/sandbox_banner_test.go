package app_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/provider/kakaopay"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
)

// In test mode with KakaoPay on live credentials and the other providers on
// their sandboxes, a KakaoPay payment moves real money (livemode): its
// buyer page must not say "no real money moves", while the page of a
// payment on a sandbox, in the same paybridge, still does.
func TestPages_SandboxBannerFollowsThePaymentsMode(t *testing.T) {
	kp := httptest.NewServer(sbkakaopay.New(sbkakaopay.Options{}))
	defer kp.Close()
	a := apptest.Start(t, func(c *config.Config) {
		config.Put(c, kakaopay.Settings{SecretKey: "PRD-live-secret", CID: "CPLIVE0001", BaseURL: kp.URL})
	})
	page := func(id string) string {
		t.Helper()
		resp, err := a.Client.Get(a.URL() + "/pay/" + id + "?lang=en")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	noRealMoney := func(body string) bool {
		return strings.Contains(body, "no real money") || strings.Contains(body, "실제 돈은 오가지 않습니다")
	}

	live := MustCreatePayment(t, a.Live(), "ord-live-1", 5000, "")
	if body := page(live.ID); noRealMoney(body) {
		t.Fatalf("the page of a livemode payment (real money) says no real money moves")
	}

	status, b := do(t, a, "POST", "/v1/payments", "application/json",
		`{"provider":"toss","order_id":"ord-test-1","order_name":"Americano","amount":5000,"quantity":1,"customer_id":"cust-1"}`)
	if status != http.StatusCreated {
		t.Fatalf("create a Toss (sandbox) payment: %d %s", status, b)
	}
	sandboxed := decode[paymentJSON](t, b)
	if body := page(sandboxed.ID); !noRealMoney(body) {
		t.Fatalf("the page of a sandbox payment lost its \"no real money\" banner:\n%s", body)
	}
}
