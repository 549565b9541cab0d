package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
)

// paymentListJSON is a page of GET /v1/payments.
type paymentListJSON struct {
	Object  string        `json:"object"`
	Data    []paymentJSON `json:"data"`
	HasMore bool          `json:"has_more"`
	URL     string        `json:"url"`
}

// mustListPayments GETs /v1/payments with query and returns the page.
func mustListPayments(t *testing.T, a *apptest.App, query url.Values) paymentListJSON {
	t.Helper()
	status, b := do(t, a, "GET", "/v1/payments?"+query.Encode(), "", "")
	if status != http.StatusOK {
		t.Fatalf("GET /v1/payments?%s: status %d: %s", query.Encode(), status, b)
	}
	l := decode[paymentListJSON](t, b)
	if l.Object != "list" || l.URL != "/v1/payments" || l.Data == nil {
		t.Fatalf("not a list: %s", b)
	}
	return l
}

func listedIDs(l paymentListJSON) []string {
	var ids []string
	for _, p := range l.Data {
		ids = append(ids, p.ID)
	}
	return ids
}

// Ensure a merchant can page through its payments newest first, filter them,
// and see each refunded payment with its cancellations, through the real
// program and the KakaoPay sandbox.
func TestAPI_ListPayments(t *testing.T) {
	a := apptest.Start(t)
	start := time.Now().Add(-time.Second)
	var ids []string // oldest first
	for i := range 7 {
		p := MustCreatePayment(t, a, fmt.Sprintf("list-%d", i), int64(1000*(i+1)), "")
		ids = append(ids, p.ID)
	}
	newest := slices.Clone(ids)
	slices.Reverse(newest)

	// One payment is paid, then refunded in two steps.
	paid := getPayment(t, a, ids[2])
	follow(t, a, buyer(t, a, paid.RedirectURL, "approve"))
	for _, body := range []string{`{"amount":1000,"reason":"one back"}`, `{"reason":"the rest"}`} {
		if status, b := do(t, a, "POST", "/v1/payments/"+paid.ID+"/cancel", "application/json", body); status != http.StatusOK {
			t.Fatalf("refund: %d %s", status, b)
		}
	}

	t.Run("NewestFirst", func(t *testing.T) {
		// Until GET /v1/payments is registered, this is the catch-all's 404.
		l := mustListPayments(t, a, nil)
		if got := listedIDs(l); !slices.Equal(got, newest) || l.HasMore {
			t.Fatalf("list = %v (has_more %v)\nwant %v", got, l.HasMore, newest)
		}
	})

	t.Run("Cursors", func(t *testing.T) {
		var walked []string
		q := url.Values{"limit": {"3"}}
		for _, wantMore := range []bool{true, true, false} {
			l := mustListPayments(t, a, q)
			if l.HasMore != wantMore || len(l.Data) == 0 {
				t.Fatalf("page %v: has_more %v, want %v", listedIDs(l), l.HasMore, wantMore)
			}
			walked = append(walked, listedIDs(l)...)
			q.Set("starting_after", l.Data[len(l.Data)-1].ID)
		}
		if !slices.Equal(walked, newest) {
			t.Fatalf("walk = %v\nwant %v", walked, newest)
		}
		// Back up from the oldest: the three just newer, still newest first.
		l := mustListPayments(t, a, url.Values{"limit": {"3"}, "ending_before": {ids[0]}})
		if got := listedIDs(l); !slices.Equal(got, newest[3:6]) || !l.HasMore {
			t.Fatalf("ending_before = %v (has_more %v), want %v", got, l.HasMore, newest[3:6])
		}
	})

	t.Run("RefundedPaymentCarriesItsCancellations", func(t *testing.T) {
		l := mustListPayments(t, a, url.Values{"status": {"canceled,partially_canceled"}})
		if len(l.Data) != 1 {
			t.Fatalf("refunded payments = %v, want %s", listedIDs(l), paid.ID)
		}
		p := l.Data[0]
		if p.ID != paid.ID || p.Status != "canceled" || p.CanceledAmount != 3000 || len(p.Cancellations) != 2 ||
			p.Cancellations[0].Amount != 1000 || p.Cancellations[1].Amount != 2000 || p.Cancellations[1].Status != "succeeded" {
			t.Fatalf("refunded payment = %+v", p)
		}
		// The same payment object as GET /v1/payments/{id}.
		if one := getPayment(t, a, paid.ID); !reflect.DeepEqual(one, p) {
			t.Fatalf("listed %+v\nget    %+v", p, one)
		}
		for _, p := range mustListPayments(t, a, url.Values{"limit": {"100"}}).Data {
			if p.ID != paid.ID && len(p.Cancellations) != 0 {
				t.Fatalf("payment %s lists cancellations: %+v", p.ID, p.Cancellations)
			}
		}
	})

	t.Run("Filters", func(t *testing.T) {
		ready := slices.DeleteFunc(slices.Clone(newest), func(id string) bool { return id == paid.ID })
		future := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
		tests := []struct {
			name  string
			query url.Values
			want  []string
		}{
			{"Status", url.Values{"status": {"ready"}}, ready},
			{"StatusRepeated", url.Values{"status": {"ready", "canceled"}}, newest},
			{"OrderID", url.Values{"order_id": {"list-4"}}, []string{ids[4]}},
			{"CustomerID", url.Values{"customer_id": {"cust-1"}}, newest},
			{"CustomerIDOfNobody", url.Values{"customer_id": {"cust-2"}}, nil},
			{"Provider", url.Values{"provider": {"kakaopay"}}, newest},
			{"OtherProvider", url.Values{"provider": {"toss"}}, nil},
			{"CreatedSince", url.Values{"created[gte]": {start.UTC().Format(time.RFC3339)}}, newest},
			{"CreatedInTheFuture", url.Values{"created[gt]": {future}}, nil},
			{"CreatedBefore", url.Values{"created[lt]": {future}, "limit": {"2"}}, newest[:2]},
			{"Together", url.Values{"status": {"ready"}, "customer_id": {"cust-1"}, "created[lte]": {future}, "limit": {"2"},
				"starting_after": {newest[0]}}, ready[1:3]},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if got := listedIDs(mustListPayments(t, a, tt.query)); !slices.Equal(got, tt.want) {
					t.Fatalf("list = %v\nwant %v", got, tt.want)
				}
			})
		}
	})

	t.Run("ErrBadQuery", func(t *testing.T) {
		for _, query := range []string{
			"limit=0", "limit=101", "starting_after=" + ids[1] + "&ending_before=" + ids[2], "offset=3",
			"created[gte]=yesterday", "status=settled", "starting_after=pay_nope",
		} {
			status, b := do(t, a, "GET", "/v1/payments?"+query, "", "")
			if status != http.StatusBadRequest || decode[errorJSON](t, b).Error.Code != "invalid" {
				t.Fatalf("GET /v1/payments?%s: %d %s, want 400 invalid", query, status, b)
			}
		}
	})
}
