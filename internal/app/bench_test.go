package app_test

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
)

// BenchmarkCheckout measures one whole checkout over real HTTP on loopback:
// create through the API, the buyer's page and approval at the built-in
// sandbox, the return that approves, and the payment paid in the database.
// Run: go test -run x -bench Checkout ./internal/app
// (PAYBRIDGE_TEST_DATABASE=postgres for PostgreSQL).
func BenchmarkCheckout(b *testing.B) {
	a := apptest.Start(b)
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			checkoutOnce(b, a, "bench-"+strconv.FormatInt(i, 10))
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checkouts/s")
}

func checkoutOnce(b *testing.B, a *apptest.App, orderID string) {
	req, _ := http.NewRequest("POST", a.URL()+"/v1/payments", stringsReader(
		`{"provider":"kakaopay","order_id":"`+orderID+`","order_name":"Tea","amount":1000,"quantity":1,"customer_id":"c"}`))
	req.Header.Set("Authorization", "Bearer "+a.Key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.Client.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		b.Fatalf("create: %v %v", err, resp)
	}
	var p paymentJSON
	decodeBody(b, resp, &p)
	form := map[string][]string{"action": {"approve"}}
	resp, err = a.Client.PostForm(loopbackB(a, p.RedirectURL), form)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	resp, err = a.Client.Get(loopbackB(a, resp.Header.Get("Location")))
	if err != nil || resp.Header.Get("Location") != "/pay/"+p.ID {
		b.Fatalf("return: %v", err)
	}
	resp.Body.Close()
}
