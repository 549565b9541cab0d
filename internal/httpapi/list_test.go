package httpapi

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
	"github.com/paybridge/paybridge/internal/store"
)

func TestParsePaymentListQuery(t *testing.T) {
	const m = "mer_x"
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ok := []struct {
		name, query string
		want        payment.ListQuery
	}{
		{"Empty", "", payment.ListQuery{MerchantID: m}},
		{"Everything", "limit=100&starting_after=pay_1&status=paid&provider=toss&order_id=o%201&customer_id=c-1" +
			"&created%5Bgte%5D=1772355600&created[gt]=1772355601&created[lte]=2026-03-01T18:00:00%2B09:00&created[lt]=2026-03-02T00:00:00.5Z",
			payment.ListQuery{MerchantID: m, Limit: 100, StartingAfter: "pay_1", Statuses: []payment.Status{"paid"},
				Provider: "toss", OrderID: "o 1", CustomerID: "c-1",
				CreatedGTE: at("2026-03-01T09:00:00Z"), CreatedGT: at("2026-03-01T09:00:01Z"),
				CreatedLTE: at("2026-03-01T09:00:00Z"), CreatedLT: at("2026-03-02T00:00:00.5Z")}},
		{"EndingBefore", "ending_before=pay_2&limit=1", payment.ListQuery{MerchantID: m, EndingBefore: "pay_2", Limit: 1}},
		{"StatusesRepeatedAndCommaSeparated", "status=paid,canceled&status=partially_canceled&status=paid%2C%20expired",
			payment.ListQuery{MerchantID: m, Statuses: []payment.Status{"paid", "canceled", "partially_canceled", "expired"}}},
		// + in a query string is a space: "+09:00" unescaped still means an offset.
		{"UnescapedPlusOffset", "created[lt]=2026-03-01T18:00:00+09:00",
			payment.ListQuery{MerchantID: m, CreatedLT: at("2026-03-01T09:00:00Z")}},
		{"UnixZero", "created[gte]=0", payment.ListQuery{MerchantID: m, CreatedGTE: time.Unix(0, 0)}},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePaymentListQuery(m, tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if !equalListQuery(got, tt.want) {
				t.Fatalf("query = %+v\nwant    %+v", got, tt.want)
			}
		})
	}

	bad := []struct {
		name, query, msg string
	}{
		{"LimitZero", "limit=0", "limit must be an integer between 1 and 100"},
		{"LimitTooLarge", "limit=101", "limit must be"},
		{"LimitNotANumber", "limit=ten", "limit must be"},
		{"LimitTwice", "limit=1&limit=2", "limit must be given once"},
		{"LimitEmpty", "limit=", "limit must not be empty"},
		{"BothCursors", "starting_after=pay_1&ending_before=pay_2", "starting_after and ending_before"},
		{"CursorTwice", "starting_after=pay_1&starting_after=pay_2", "starting_after must be given once"},
		{"UnknownParameter", "limit=5&offset=10", `unknown parameter "offset"`},
		{"UnknownCreatedBound", "created[eq]=1", `unknown parameter "created[eq]"`},
		{"CreatedAlone", "created=1", `unknown parameter "created"`},
		{"ParameterCase", "Limit=5", `unknown parameter "Limit"`},
		{"BadTime", "created[gte]=yesterday", "created[gte] must be Unix seconds or an RFC 3339 time"},
		{"BadTimeNegative", "created[lt]=-5", "created[lt] must be"},
		{"BadTimeTooLate", "created[lte]=99999999999999", "created[lte] must be"},
		{"BadTimeBefore1970", "created[gt]=1969-12-31T23:59:59Z", "created[gt] must be"},
		{"BadTimeNoZone", "created[gt]=2026-03-01T09:00:00", "created[gt] must be"},
		{"BadStatus", "status=settled", `status "settled" is not one of created, ready`},
		{"BadStatusInList", "status=paid,nope", `status "nope"`},
		{"EmptyStatusInList", "status=paid,", `status ""`},
		{"EmptyFilter", "order_id=", "order_id must not be empty"},
		{"InvalidUTF8", "customer_id=%FF", "customer_id must be valid UTF-8"},
		{"NUL", "order_id=a%00b", "order_id must be valid UTF-8 without control characters"},
		{"TooLong", "provider=" + strings.Repeat("k", 256), "provider must be at most 255 bytes"},
		{"MalformedQuery", "limit=%zz", "malformed query string"},
	}
	for _, tt := range bad {
		t.Run("Err"+tt.name, func(t *testing.T) {
			_, err := parsePaymentListQuery(m, tt.query)
			if payment.ErrorCode(err) != payment.EINVALID || !strings.Contains(payment.ErrorMessage(err), tt.msg) {
				t.Fatalf("err = %v, want invalid containing %q", err, tt.msg)
			}
		})
	}
}

func equalListQuery(a, b payment.ListQuery) bool {
	times := func(q payment.ListQuery) []time.Time {
		return []time.Time{q.CreatedGTE, q.CreatedGT, q.CreatedLTE, q.CreatedLT}
	}
	ta, tb := times(a), times(b)
	for i := range ta {
		if !ta[i].Equal(tb[i]) {
			return false
		}
	}
	a.CreatedGTE, a.CreatedGT, a.CreatedLTE, a.CreatedLT = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	b.CreatedGTE, b.CreatedGT, b.CreatedLTE, b.CreatedLT = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	sa, sb := a.Statuses, b.Statuses
	a.Statuses, b.Statuses = nil, nil
	return slices.Equal(sa, sb) && fmt.Sprint(a) == fmt.Sprint(b)
}

// countingStore is the real store, counting how cancellations are fetched
// and remembering the last list query.
type countingStore struct {
	*store.Store
	mu       sync.Mutex
	last     payment.ListQuery
	perPage  int // FindCancellationsOf calls
	perItem  int // FindCancellations calls
	listings int
}

func (c *countingStore) ListPayments(ctx context.Context, q payment.ListQuery) ([]*payment.Payment, bool, error) {
	c.mu.Lock()
	c.last, c.listings = q, c.listings+1
	c.mu.Unlock()
	return c.Store.ListPayments(ctx, q)
}

func (c *countingStore) FindCancellationsOf(ctx context.Context, ids []string) (map[string][]*payment.Cancellation, error) {
	c.mu.Lock()
	c.perPage++
	c.mu.Unlock()
	return c.Store.FindCancellationsOf(ctx, ids)
}

func (c *countingStore) FindCancellations(ctx context.Context, id string) ([]*payment.Cancellation, error) {
	c.mu.Lock()
	c.perItem++
	c.mu.Unlock()
	return c.Store.FindCancellations(ctx, id)
}

// listFixture is a store with payments of two merchants, the handler behind
// authentication, and a key for each merchant.
type listFixture struct {
	s          *countingStore
	h          http.Handler
	key, other string
	ids        []string // the default merchant's payments, newest first
	otherIDs   []string
	refunded   string // a payment with two cancellations
}

func newListFixture(t *testing.T) *listFixture {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pb.db")
	st, err := store.Open(ctx, "sqlite:"+path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// A second merchant, written beside the store: the store has no API for it here.
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`INSERT INTO merchants (id, name, created_at) VALUES ('mer_other', 'Other', 0)`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	f := &listFixture{s: &countingStore{Store: st}}
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	create := func(merchant string, i int) *payment.Payment {
		at := base.Add(time.Duration(i) * time.Second)
		st.Now = func() time.Time { return at }
		p := &payment.Payment{ID: payment.NewID("pay", at), MerchantID: merchant, Provider: payment.ProviderKakaoPay,
			Channel: "api", OrderID: fmt.Sprintf("o-%d", i), OrderName: "Tea", CustomerID: "c", Quantity: 1,
			Amount: 1000, Currency: "KRW", ExpiresAt: at.Add(time.Hour)}
		if err := st.CreatePayment(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for i := range 12 {
		p := create(payment.DefaultMerchantID, i)
		f.ids = append([]string{p.ID}, f.ids...)
		if i%4 == 0 {
			f.otherIDs = append(f.otherIDs, create("mer_other", i).ID)
		}
	}
	// The fourth newest is paid, then refunded in two steps.
	f.refunded = f.ids[3]
	for _, step := range [][2]payment.Status{{"created", "ready"}, {"ready", "approving"}, {"approving", "paid"}} {
		if _, err := st.TransitionPayment(ctx, f.refunded, step[0], step[1], payment.Update{}, payment.Event{}); err != nil {
			t.Fatal(err)
		}
	}
	for i, step := range []struct {
		from, to payment.Status
		amount   int64
	}{{"paid", "partially_canceled", 300}, {"partially_canceled", "canceled", 700}} {
		at := base.Add(time.Hour + time.Duration(i)*time.Second)
		st.Now = func() time.Time { return at }
		c := &payment.Cancellation{ID: payment.NewID("can", at), PaymentID: f.refunded, Amount: step.amount, Reason: "r"}
		if err := st.CreateCancellation(ctx, c, step.from); err != nil {
			t.Fatal(err)
		}
		if got, err := st.CompleteCancellation(ctx, c, true, payment.Update{}, payment.Event{}); err != nil || got.Status != step.to {
			t.Fatalf("refund: %v, %v", got, err)
		}
	}

	f.key, f.other = twoMerchantKeys(t, st)
	api := New(service.New(f.s, nil, nil, service.Config{}), slog.New(slog.DiscardHandler), DropInConfig{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/payments", api.authenticate(api.handlePaymentList))
	f.h = mux
	return f
}

type listResponse struct {
	Object  string            `json:"object"`
	Data    []json.RawMessage `json:"data"`
	HasMore bool              `json:"has_more"`
	URL     string            `json:"url"`
	Error   *errorDetail      `json:"error"`
}

func (f *listFixture) get(t *testing.T, key, query string) (int, listResponse, string) {
	t.Helper()
	r := httptest.NewRequest("GET", "/v1/payments"+query, nil)
	if key != "" {
		r.Header.Set("Authorization", "Bearer "+key)
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	var body listResponse
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("GET %s: %d %s: %v", query, w.Code, w.Body, err)
	}
	return w.Code, body, w.Body.String()
}

func pageIDs(t *testing.T, data []json.RawMessage) []string {
	t.Helper()
	var ids []string
	for _, d := range data {
		var p struct {
			ID     string `json:"id"`
			Object string `json:"object"`
		}
		if err := json.Unmarshal(d, &p); err != nil || p.Object != "payment" {
			t.Fatalf("list item %s: %v", d, err)
		}
		ids = append(ids, p.ID)
	}
	return ids
}

func TestAPI_PaymentList(t *testing.T) {
	f := newListFixture(t)
	tests := []struct {
		name, query string
		key         func(f *listFixture) string
		status      int
		want        func(f *listFixture) []string // the page, when status is 200
		more        bool
		code, msg   string // the error, otherwise
	}{
		{name: "DefaultPage", query: "", status: 200, more: true,
			want: func(f *listFixture) []string { return f.ids[:10] }},
		{name: "Limit", query: "?limit=3", status: 200, more: true,
			want: func(f *listFixture) []string { return f.ids[:3] }},
		{name: "StartingAfter", query: "?limit=3&starting_after=ID2", status: 200, more: true,
			want: func(f *listFixture) []string { return f.ids[3:6] }},
		{name: "LastPage", query: "?limit=3&starting_after=ID8", status: 200, more: false,
			want: func(f *listFixture) []string { return f.ids[9:] }},
		{name: "EndingBefore", query: "?limit=3&ending_before=ID9", status: 200, more: true,
			want: func(f *listFixture) []string { return f.ids[6:9] }},
		{name: "Status", query: "?status=canceled", status: 200,
			want: func(f *listFixture) []string { return f.ids[3:4] }},
		{name: "Statuses", query: "?status=canceled,paid&status=expired", status: 200,
			want: func(f *listFixture) []string { return f.ids[3:4] }},
		{name: "NothingMatches", query: "?status=expired", status: 200,
			want: func(f *listFixture) []string { return nil }},
		{name: "CreatedRange", query: "?created[gte]=2026-03-01T09:00:02Z&created%5Blt%5D=1772355605", status: 200,
			want: func(f *listFixture) []string { return f.ids[7:10] }},
		{name: "OtherMerchant", query: "?limit=100", key: func(f *listFixture) string { return f.other }, status: 200,
			want: func(f *listFixture) []string { r := slices.Clone(f.otherIDs); slices.Reverse(r); return r }},
		{name: "ErrOtherMerchantsCursor", query: "?starting_after=OTHER0", status: 400, code: "invalid", msg: "no such payment: OTHER0"},
		{name: "ErrUnknownCursor", query: "?ending_before=pay_nope", status: 400, code: "invalid", msg: "no such payment: pay_nope"},
		{name: "ErrBadLimit", query: "?limit=1000", status: 400, code: "invalid", msg: "limit"},
		{name: "ErrBothCursors", query: "?starting_after=ID1&ending_before=ID2", status: 400, code: "invalid", msg: "starting_after and ending_before"},
		{name: "ErrUnknownParameter", query: "?page=2", status: 400, code: "invalid", msg: `unknown parameter "page"`},
		{name: "ErrBadTime", query: "?created[gte]=2026-13-01", status: 400, code: "invalid", msg: "created[gte]"},
		{name: "ErrBadStatus", query: "?status=refunded", status: 400, code: "invalid", msg: `status "refunded"`},
		{name: "ErrNoKey", query: "", key: func(*listFixture) string { return "" }, status: 401, code: "unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			query := tt.query
			for i, id := range f.ids {
				query = strings.ReplaceAll(query, fmt.Sprintf("ID%d", i), id)
			}
			query = strings.ReplaceAll(query, "OTHER0", f.otherIDs[0])
			key := f.key
			if tt.key != nil {
				key = tt.key(f)
			}
			status, body, raw := f.get(t, key, query)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, raw)
			}
			if tt.status != 200 {
				msg := strings.ReplaceAll(tt.msg, "OTHER0", f.otherIDs[0])
				if body.Error == nil || body.Error.Code != tt.code || !strings.Contains(body.Error.Message, msg) {
					t.Fatalf("error = %s, want %s containing %q", raw, tt.code, msg)
				}
				return
			}
			if body.Object != "list" || body.URL != "/v1/payments" || body.HasMore != tt.more || !strings.Contains(raw, `"data":[`) {
				t.Fatalf("list = %s, want has_more %v", raw, tt.more)
			}
			if got, want := pageIDs(t, body.Data), tt.want(f); !slices.Equal(got, want) {
				t.Fatalf("page = %v\nwant %v", got, want)
			}
		})
	}
}

// Ensure each payment of a page carries its own cancellations, fetched for
// the whole page in one query, and that the page is the authenticated
// merchant's.
func TestAPI_PaymentListCancellations(t *testing.T) {
	f := newListFixture(t)
	status, body, raw := f.get(t, f.key, "?limit=100")
	if status != 200 || len(body.Data) != 12 {
		t.Fatalf("list: %d %s", status, raw)
	}
	for _, d := range body.Data {
		var p struct {
			ID             string `json:"id"`
			Status         string `json:"status"`
			CanceledAmount int64  `json:"canceled_amount"`
			Cancellations  []struct {
				Amount int64  `json:"amount"`
				Status string `json:"status"`
			} `json:"cancellations"`
		}
		if err := json.Unmarshal(d, &p); err != nil {
			t.Fatal(err)
		}
		if p.ID != f.refunded {
			if p.Cancellations != nil {
				t.Fatalf("payment %s lists cancellations it does not have: %s", p.ID, d)
			}
			continue
		}
		if p.Status != "canceled" || p.CanceledAmount != 1000 || len(p.Cancellations) != 2 ||
			p.Cancellations[0].Amount != 300 || p.Cancellations[1].Amount != 700 || p.Cancellations[1].Status != "succeeded" {
			t.Fatalf("refunded payment = %s", d)
		}
	}
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	if f.s.perPage != 1 || f.s.perItem != 0 {
		t.Fatalf("cancellations fetched %d times per page and %d times per payment, want 1 and 0", f.s.perPage, f.s.perItem)
	}
	if f.s.last.MerchantID != payment.DefaultMerchantID || f.s.last.Limit != 100 {
		t.Fatalf("store was asked %+v", f.s.last)
	}
}
