package store_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

const otherMerchantID = "mer_other"

// mustCreateOtherMerchant adds a second merchant, which the store API cannot
// do (yet) on its own.
func mustCreateOtherMerchant(tb testing.TB, s *store.Store) {
	tb.Helper()
	if err := s.ExecForTest(context.Background(),
		`INSERT INTO merchants (id, name, created_at) VALUES ('`+otherMerchantID+`', 'Other shop', 0)`); err != nil {
		tb.Fatal(err)
	}
}

// mustCreateListed creates a payment of merchant at the time at.
func mustCreateListed(tb testing.TB, s *store.Store, at time.Time, merchantID, orderID, provider, customerID string) *payment.Payment {
	tb.Helper()
	s.Now = func() time.Time { return at }
	p := &payment.Payment{
		ID: payment.NewID("pay", time.Now()), MerchantID: merchantID, Provider: provider, Channel: "api",
		OrderID: orderID, OrderName: "Tea", CustomerID: customerID, Quantity: 1, Amount: 1000, Currency: "KRW",
		ExpiresAt: at.Add(15 * time.Minute),
	}
	if err := s.CreatePayment(context.Background(), p); err != nil {
		tb.Fatal(err)
	}
	return p
}

// mustMove walks p along the given statuses (the first is its current one).
func mustMove(tb testing.TB, s *store.Store, p *payment.Payment, path ...payment.Status) {
	tb.Helper()
	for i := 1; i < len(path); i++ {
		got, err := s.TransitionPayment(context.Background(), p.ID, path[i-1], path[i], payment.Update{}, payment.Event{Reason: "test"})
		if err != nil {
			tb.Fatal(err)
		}
		p.Status = got.Status
	}
}

// newestFirst sorts payments the way a list must return them.
func newestFirst(ps []*payment.Payment) []string {
	ps = slices.Clone(ps)
	slices.SortFunc(ps, func(a, b *payment.Payment) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	return paymentIDs(ps)
}

func paymentIDs(ps []*payment.Payment) []string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

func mustList(tb testing.TB, s *store.Store, q payment.ListQuery) ([]string, bool) {
	tb.Helper()
	ps, more, err := s.ListPayments(context.Background(), q)
	if err != nil {
		tb.Fatalf("list %+v: %v", q, err)
	}
	return paymentIDs(ps), more
}

// walkForward pages with starting_after from the newest payment on.
func walkForward(tb testing.TB, s *store.Store, q payment.ListQuery) []string {
	tb.Helper()
	var all []string
	for range 1000 {
		page, more := mustList(tb, s, q)
		checkPage(tb, page, more, q.Limit)
		all = append(all, page...)
		if !more {
			return all
		}
		q.StartingAfter = page[len(page)-1]
	}
	tb.Fatal("walk did not end")
	return nil
}

// walkBackward pages with ending_before from the payment from on (which it
// does not return), and returns what it saw newest first.
func walkBackward(tb testing.TB, s *store.Store, q payment.ListQuery, from string) []string {
	tb.Helper()
	var all []string
	q.EndingBefore = from
	for range 1000 {
		page, more := mustList(tb, s, q)
		checkPage(tb, page, more, q.Limit)
		all = append(slices.Clone(page), all...)
		if !more {
			return all
		}
		q.EndingBefore = page[0]
	}
	tb.Fatal("walk did not end")
	return nil
}

// checkPage checks the page size against has_more: a full page when there
// is more, never an empty page that claims more.
func checkPage(tb testing.TB, page []string, more bool, limit int) {
	tb.Helper()
	if limit == 0 {
		limit = payment.DefaultListLimit
	}
	if len(page) > limit || (more && len(page) != limit) {
		tb.Fatalf("page of %d with has_more=%v at limit %d", len(page), more, limit)
	}
}

func TestStore_ListPayments(t *testing.T) { forEachStore(t, testStoreListPayments) }

func testStoreListPayments(t *testing.T, ctx context.Context, s *store.Store) {
	mustCreateOtherMerchant(t, s)
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	providers := []string{payment.ProviderKakaoPay, payment.ProviderToss, payment.ProviderPortOne}
	var ps []*payment.Payment
	for i := range 25 {
		// Three payments per second: ties on created_at are broken by id.
		at := base.Add(time.Duration(i/3) * time.Second)
		p := mustCreateListed(t, s, at, payment.DefaultMerchantID, fmt.Sprintf("o-%d", i), providers[i%3], fmt.Sprintf("c-%d", i%2))
		switch i % 5 {
		case 1:
			mustMove(t, s, p, payment.StatusCreated, payment.StatusReady)
		case 2:
			mustMove(t, s, p, payment.StatusCreated, payment.StatusReady, payment.StatusApproving, payment.StatusPaid)
		case 3:
			mustMove(t, s, p, payment.StatusCreated, payment.StatusReady, payment.StatusApproving, payment.StatusPaid, payment.StatusCanceled)
		}
		ps = append(ps, p)
		// The other merchant's payments sit among ours, same order ids and all.
		if i%4 == 0 {
			mustCreateListed(t, s, at, otherMerchantID, fmt.Sprintf("o-%d", i), providers[i%3], fmt.Sprintf("c-%d", i%2))
		}
	}
	all := newestFirst(ps)
	mine := payment.ListQuery{MerchantID: payment.DefaultMerchantID}

	t.Run("NewestFirst", func(t *testing.T) {
		q := mine
		q.Limit = payment.MaxListLimit
		if got, more := mustList(t, s, q); !slices.Equal(got, all) || more {
			t.Fatalf("list = %v (more %v)\nwant %v", got, more, all)
		}
		if got, more := mustList(t, s, mine); !slices.Equal(got, all[:payment.DefaultListLimit]) || !more {
			t.Fatalf("default page = %v (more %v), want the newest %d", got, more, payment.DefaultListLimit)
		}
		q.Limit = 25
		if _, more := mustList(t, s, q); more {
			t.Fatal("a page holding exactly the rest says has_more")
		}
	})

	t.Run("Walks", func(t *testing.T) {
		for _, limit := range []int{1, 4, 5, 10, 24, 25, 100} {
			q := mine
			q.Limit = limit
			if got := walkForward(t, s, q); !slices.Equal(got, all) {
				t.Fatalf("limit %d: forward walk = %v\nwant %v", limit, got, all)
			}
			oldest := all[len(all)-1]
			if got := walkBackward(t, s, q, oldest); !slices.Equal(append(got, oldest), all) {
				t.Fatalf("limit %d: backward walk = %v\nwant %v", limit, got, all[:len(all)-1])
			}
		}
		// From the middle, both ways: the pages next to the cursor.
		q := mine
		q.Limit, q.StartingAfter = 5, all[12]
		if got, more := mustList(t, s, q); !slices.Equal(got, all[13:18]) || !more {
			t.Fatalf("starting_after = %v (more %v), want %v", got, more, all[13:18])
		}
		q.StartingAfter, q.EndingBefore = "", all[12]
		if got, more := mustList(t, s, q); !slices.Equal(got, all[7:12]) || !more {
			t.Fatalf("ending_before = %v (more %v), want %v", got, more, all[7:12])
		}
		q.EndingBefore = all[3]
		if got, more := mustList(t, s, q); !slices.Equal(got, all[:3]) || more {
			t.Fatalf("ending_before near the top = %v (more %v), want %v", got, more, all[:3])
		}
		q.EndingBefore = all[0]
		if got, more := mustList(t, s, q); len(got) != 0 || more {
			t.Fatalf("ending_before the newest = %v (more %v), want nothing", got, more)
		}
	})

	t.Run("Filters", func(t *testing.T) {
		sec := func(n int) time.Time { return base.Add(time.Duration(n) * time.Second) }
		tests := []struct {
			name string
			q    payment.ListQuery
			keep func(p *payment.Payment) bool
		}{
			{"Status", payment.ListQuery{Statuses: []payment.Status{payment.StatusPaid}},
				func(p *payment.Payment) bool { return p.Status == payment.StatusPaid }},
			{"Statuses", payment.ListQuery{Statuses: []payment.Status{payment.StatusCanceled, payment.StatusCreated}},
				func(p *payment.Payment) bool {
					return p.Status == payment.StatusCanceled || p.Status == payment.StatusCreated
				}},
			{"StatusNone", payment.ListQuery{Statuses: []payment.Status{payment.StatusExpired}},
				func(p *payment.Payment) bool { return false }},
			{"Provider", payment.ListQuery{Provider: payment.ProviderToss},
				func(p *payment.Payment) bool { return p.Provider == payment.ProviderToss }},
			{"OrderID", payment.ListQuery{OrderID: "o-7"},
				func(p *payment.Payment) bool { return p.OrderID == "o-7" }},
			{"CustomerID", payment.ListQuery{CustomerID: "c-1"},
				func(p *payment.Payment) bool { return p.CustomerID == "c-1" }},
			{"CreatedGTE", payment.ListQuery{CreatedGTE: sec(4)},
				func(p *payment.Payment) bool { return !p.CreatedAt.Before(sec(4)) }},
			{"CreatedGT", payment.ListQuery{CreatedGT: sec(4)},
				func(p *payment.Payment) bool { return p.CreatedAt.After(sec(4)) }},
			{"CreatedLTE", payment.ListQuery{CreatedLTE: sec(4)},
				func(p *payment.Payment) bool { return !p.CreatedAt.After(sec(4)) }},
			{"CreatedLT", payment.ListQuery{CreatedLT: sec(4)},
				func(p *payment.Payment) bool { return p.CreatedAt.Before(sec(4)) }},
			// Stored times are microseconds: a bound between two of them must
			// still mean what it says.
			{"CreatedGTENanos", payment.ListQuery{CreatedGTE: sec(4).Add(time.Nanosecond)},
				func(p *payment.Payment) bool { return p.CreatedAt.After(sec(4)) }},
			{"CreatedLTNanos", payment.ListQuery{CreatedLT: sec(4).Add(time.Nanosecond)},
				func(p *payment.Payment) bool { return !p.CreatedAt.After(sec(4)) }},
			{"CreatedRange", payment.ListQuery{CreatedGT: sec(1), CreatedLTE: sec(5)},
				func(p *payment.Payment) bool { return p.CreatedAt.After(sec(1)) && !p.CreatedAt.After(sec(5)) }},
			{"Together", payment.ListQuery{Statuses: []payment.Status{payment.StatusCreated, payment.StatusReady},
				Provider: payment.ProviderKakaoPay, CustomerID: "c-0", CreatedLT: sec(7)},
				func(p *payment.Payment) bool {
					return (p.Status == payment.StatusCreated || p.Status == payment.StatusReady) &&
						p.Provider == payment.ProviderKakaoPay && p.CustomerID == "c-0" && p.CreatedAt.Before(sec(7))
				}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				want := newestFirst(slices.DeleteFunc(slices.Clone(ps), func(p *payment.Payment) bool { return !tt.keep(p) }))
				q := tt.q
				q.MerchantID, q.Limit = payment.DefaultMerchantID, payment.MaxListLimit
				if got, more := mustList(t, s, q); !slices.Equal(got, want) || more {
					t.Fatalf("list = %v (more %v)\nwant %v", got, more, want)
				}
				if tt.name != "StatusNone" && len(want) == 0 {
					t.Fatal("the filter matches nothing: the test proves little")
				}
				// Filters and cursors compose: a walk two at a time sees the same.
				q.Limit = 2
				if got := walkForward(t, s, q); !slices.Equal(got, want) {
					t.Fatalf("walk = %v\nwant %v", got, want)
				}
			})
		}
	})

	t.Run("MerchantScope", func(t *testing.T) {
		theirs, _ := mustList(t, s, payment.ListQuery{MerchantID: otherMerchantID, Limit: payment.MaxListLimit})
		if len(theirs) != 7 {
			t.Fatalf("the other merchant lists %d payments, want 7", len(theirs))
		}
		for _, id := range theirs {
			if slices.Contains(all, id) {
				t.Fatalf("payment %s listed for both merchants", id)
			}
		}
		// Another merchant's payment is no cursor, and is answered exactly as
		// an id that does not exist.
		for _, q := range []payment.ListQuery{
			{MerchantID: payment.DefaultMerchantID, StartingAfter: theirs[0]},
			{MerchantID: payment.DefaultMerchantID, EndingBefore: theirs[0]},
		} {
			_, _, err := s.ListPayments(ctx, q)
			if payment.ErrorCode(err) != payment.EINVALID || payment.ErrorMessage(err) != "no such payment: "+theirs[0] {
				t.Fatalf("cursor of another merchant: %v", err)
			}
		}
		_, _, err := s.ListPayments(ctx, payment.ListQuery{MerchantID: payment.DefaultMerchantID, StartingAfter: "pay_nope"})
		if payment.ErrorCode(err) != payment.EINVALID || payment.ErrorMessage(err) != "no such payment: pay_nope" {
			t.Fatalf("unknown cursor: %v", err)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		tests := []struct {
			name string
			q    payment.ListQuery
			msg  string
		}{
			{"NoMerchant", payment.ListQuery{}, "merchant"},
			{"LimitTooLarge", payment.ListQuery{MerchantID: payment.DefaultMerchantID, Limit: payment.MaxListLimit + 1}, "limit"},
			{"LimitNegative", payment.ListQuery{MerchantID: payment.DefaultMerchantID, Limit: -1}, "limit"},
			{"BothCursors", payment.ListQuery{MerchantID: payment.DefaultMerchantID, StartingAfter: all[1], EndingBefore: all[2]}, "together"},
			{"BadStatus", payment.ListQuery{MerchantID: payment.DefaultMerchantID, Statuses: []payment.Status{"settled"}}, "settled"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ps, _, err := s.ListPayments(ctx, tt.q)
				if payment.ErrorCode(err) != payment.EINVALID || !strings.Contains(payment.ErrorMessage(err), tt.msg) || ps != nil {
					t.Fatalf("list = %v, %v; want invalid mentioning %q", ps, err, tt.msg)
				}
			})
		}
	})
}

// Ensure a client paging through the list while payments keep being created
// sees every payment that existed when it started exactly once: keyset
// pagination, unlike an offset, does not shift when rows are added.
func TestStore_ListPaymentsWhileInserting(t *testing.T) {
	forEachEngine(t, testStoreListPaymentsWhileInserting)
}

func testStoreListPaymentsWhileInserting(t *testing.T, url string) {
	s := MustOpen(t, url)
	var before []*payment.Payment
	for i := range 30 {
		before = append(before, MustCreatePayment(t, s, fmt.Sprintf("before-%d", i)))
	}
	want := newestFirst(before)

	var (
		inserted atomic.Int64
		stop     = make(chan struct{})
		wg       sync.WaitGroup
	)
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			createPaymentOffTest(t, s, fmt.Sprintf("during-%d", i))
			inserted.Add(1)
		}
	})
	defer func() { close(stop); wg.Wait() }()

	// awaitInsert returns once a payment was created after the call began:
	// the second insert counted from now started after now.
	awaitInsert := func() {
		n := inserted.Load()
		deadline := time.Now().Add(10 * time.Second)
		for inserted.Load() < n+2 {
			if time.Now().After(deadline) {
				t.Fatal("no payment was inserted during the walk")
			}
			time.Sleep(time.Millisecond)
		}
	}

	seen := map[string]bool{}
	var got []string
	q := payment.ListQuery{MerchantID: payment.DefaultMerchantID, Limit: 4}
	// The walk goes to older payments: it meets what existed when its first
	// page was read (the 30, and however many the inserter managed before
	// that: on a loaded machine hundreds) and at most one insert still in
	// flight per page. More pages than that is a walk that does not end.
	maxPages := -1
	for pages := 0; ; pages++ {
		if maxPages >= 0 && pages > maxPages {
			t.Fatalf("walk did not end after %d pages", pages)
		}
		page, more := mustList(t, s, q)
		if maxPages < 0 {
			maxPages = (len(before)+int(inserted.Load()))/3 + 10
		}
		for _, id := range page {
			if seen[id] {
				t.Fatalf("payment %s listed twice", id)
			}
			seen[id] = true
			if slices.Contains(want, id) {
				got = append(got, id)
			}
		}
		if !more {
			break
		}
		q.StartingAfter = page[len(page)-1]
		awaitInsert()
	}
	if !slices.Equal(got, want) {
		t.Fatalf("payments that existed at the start, as walked:\n%v\nwant\n%v", got, want)
	}
	if inserted.Load() < 2 {
		t.Fatal("no payment was inserted during the walk")
	}
}

// createPaymentOffTest is MustCreatePayment for another goroutine: it
// reports with Errorf, since Fatal must not be called off the test's own.
func createPaymentOffTest(tb testing.TB, s *store.Store, orderID string) {
	p := &payment.Payment{
		ID: payment.NewID("pay", time.Now()), MerchantID: payment.DefaultMerchantID, Provider: payment.ProviderKakaoPay,
		Channel: "api", OrderID: orderID, OrderName: "Tea", CustomerID: "c", Quantity: 1, Amount: 1000,
		Currency: "KRW", ExpiresAt: time.Now().Add(15 * time.Minute),
	}
	if err := s.CreatePayment(context.Background(), p); err != nil {
		tb.Errorf("create %s: %v", orderID, err)
	}
}

func TestStore_FindCancellationsOf(t *testing.T) { forEachStore(t, testStoreFindCancellationsOf) }

func testStoreFindCancellationsOf(t *testing.T, ctx context.Context, s *store.Store) {
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var ps []*payment.Payment
	for i := range 3 {
		p := mustCreateListed(t, s, base, payment.DefaultMerchantID, fmt.Sprintf("o-%d", i), payment.ProviderKakaoPay, "c")
		mustMove(t, s, p, payment.StatusCreated, payment.StatusReady, payment.StatusApproving, payment.StatusPaid)
		ps = append(ps, p)
	}
	refund := func(p *payment.Payment, at time.Time, amount int64, to payment.Status) *payment.Cancellation {
		t.Helper()
		s.Now = func() time.Time { return at }
		c := &payment.Cancellation{ID: payment.NewID("can", at), PaymentID: p.ID, Amount: amount, Reason: "r"}
		if err := s.CreateCancellation(ctx, c, p.Status); err != nil {
			t.Fatal(err)
		}
		got, err := s.CompleteCancellation(ctx, c, true, payment.Update{}, payment.Event{Reason: "refunded"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != to {
			t.Fatalf("status after refund = %s, want %s", got.Status, to)
		}
		*p = *got
		return c
	}
	// The later refund gets the smaller id: order must come from the time.
	c2 := refund(ps[0], base.Add(2*time.Second), 600, payment.StatusPartiallyCanceled)
	c1 := &payment.Cancellation{ID: "can_zzzzzzzzzzzzzzzzzzzzzzzzzz", PaymentID: ps[0].ID, Amount: 100, Reason: "r"}
	s.Now = func() time.Time { return base.Add(time.Second) }
	if err := s.CreateCancellation(ctx, c1, ps[0].Status); err != nil {
		t.Fatal(err)
	}
	c3 := refund(ps[1], base.Add(3*time.Second), 1000, payment.StatusCanceled)

	got, err := s.FindCancellationsOf(ctx, []string{ps[0].ID, ps[1].ID, ps[2].ID, ps[0].ID, "pay_nope"})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(cs []*payment.Cancellation) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID+":"+c.Status)
		}
		return out
	}
	if len(got) != 2 || !slices.Equal(ids(got[ps[0].ID]), []string{c1.ID + ":pending", c2.ID + ":succeeded"}) ||
		!slices.Equal(ids(got[ps[1].ID]), []string{c3.ID + ":succeeded"}) {
		t.Fatalf("cancellations = %v / %v / %d keys", ids(got[ps[0].ID]), ids(got[ps[1].ID]), len(got))
	}
	if c := got[ps[1].ID][0]; c.Amount != 1000 || c.PaymentID != ps[1].ID || !c.CreatedAt.Equal(base.Add(3*time.Second)) {
		t.Fatalf("cancellation = %+v", c)
	}
	if _, ok := got[ps[2].ID]; ok {
		t.Fatal("a payment without cancellations has a key")
	}
	for _, in := range [][]string{nil, {}} {
		if got, err := s.FindCancellationsOf(ctx, in); err != nil || got == nil || len(got) != 0 {
			t.Fatalf("no ids: %v, %v", got, err)
		}
	}
}
