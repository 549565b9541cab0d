package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

// MustCreateEndpoint registers a webhook endpoint for a merchant.
func MustCreateEndpoint(tb testing.TB, s *store.Store, merchantID string, events ...string) *payment.WebhookEndpoint {
	tb.Helper()
	e := &payment.WebhookEndpoint{
		ID: payment.NewID("we", time.Now()), MerchantID: merchantID, URL: "https://shop.example/hooks",
		EnabledEvents: events, Secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTIzNA==",
	}
	if err := s.CreateWebhookEndpoint(context.Background(), e); err != nil {
		tb.Fatal(err)
	}
	return e
}

// mustPay moves a payment created by MustCreatePayment to paid.
func mustPay(tb testing.TB, s *store.Store, id string) *payment.Payment {
	tb.Helper()
	ctx := context.Background()
	var p *payment.Payment
	for _, st := range [][2]payment.Status{
		{payment.StatusCreated, payment.StatusReady}, {payment.StatusReady, payment.StatusApproving},
		{payment.StatusApproving, payment.StatusPaid},
	} {
		var err error
		if p, err = s.TransitionPayment(ctx, id, st[0], st[1], payment.Update{}, payment.Event{Reason: "test"}); err != nil {
			tb.Fatal(err)
		}
	}
	return p
}

func mustEvents(tb testing.TB, s *store.Store, merchantID string) []*payment.WebhookEvent {
	tb.Helper()
	evs, err := s.FindWebhookEvents(context.Background(), payment.WebhookEventFilter{MerchantID: merchantID, Limit: 100})
	if err != nil {
		tb.Fatal(err)
	}
	return evs
}

func TestStore_Outbox(t *testing.T) { forEachEngine(t, testStoreOutbox) }

func testStoreOutbox(t *testing.T, url string) {
	ctx := context.Background()
	s := MustOpen(t, url)
	if err := s.CreateMerchant(ctx, &payment.Merchant{ID: "mer_other", Name: "Other"}); err != nil {
		t.Fatal(err)
	}
	all := MustCreateEndpoint(t, s, payment.DefaultMerchantID, "*")
	paidOnly := MustCreateEndpoint(t, s, payment.DefaultMerchantID, payment.EventPaymentPaid)
	MustCreateEndpoint(t, s, payment.DefaultMerchantID, payment.EventPaymentFailed)
	MustCreateEndpoint(t, s, "mer_other", "*")

	p := MustCreatePayment(t, s, "o-outbox")
	if evs := mustEvents(t, s, payment.DefaultMerchantID); len(evs) != 0 {
		t.Fatalf("events after create = %d, want 0", len(evs))
	}
	paid := mustPay(t, s, p.ID)

	evs := mustEvents(t, s, payment.DefaultMerchantID)
	if len(evs) != 1 {
		t.Fatalf("events = %d, want exactly 1 (created/ready/approving announce nothing)", len(evs))
	}
	ev := evs[0]
	if ev.Type != payment.EventPaymentPaid || ev.PaymentID != p.ID || !ev.CreatedAt.Equal(paid.UpdatedAt) {
		t.Fatalf("event = %+v", ev)
	}
	var body struct {
		ID, Type string
		Data     struct {
			Object struct{ ID, Status string }
		}
	}
	if err := json.Unmarshal(ev.Payload, &body); err != nil || body.ID != ev.ID || body.Type != "payment.paid" ||
		body.Data.Object.ID != p.ID || body.Data.Object.Status != "paid" {
		t.Fatalf("payload %s: %v", ev.Payload, err)
	}
	got := map[string]bool{}
	for _, d := range ev.Deliveries {
		if d.Status != payment.DeliveryPending || d.Attempts != 0 {
			t.Errorf("delivery = %+v", d)
		}
		got[d.EndpointID] = true
	}
	if len(ev.Deliveries) != 2 || !got[all.ID] || !got[paidOnly.ID] {
		t.Fatalf("deliveries to %v, want exactly the '*' and payment.paid endpoints", got)
	}
	if evs := mustEvents(t, s, "mer_other"); len(evs) != 0 {
		t.Fatalf("another merchant got %d events", len(evs))
	}

	t.Run("FailedCompareAndSetWritesNothing", func(t *testing.T) {
		_, err := s.TransitionPayment(ctx, p.ID, payment.StatusApproving, payment.StatusPaid, payment.Update{}, payment.Event{})
		if payment.ErrorCode(err) != payment.ECONFLICT {
			t.Fatalf("err = %v, want conflict", err)
		}
		if evs := mustEvents(t, s, payment.DefaultMerchantID); len(evs) != 1 {
			t.Fatalf("events = %d, want still 1", len(evs))
		}
	})

	t.Run("RollbackWritesNothing", func(t *testing.T) {
		// A failure inside the outbox write rolls the transition back too.
		s.SetEventRenderer(func(string, string, *payment.Payment, []*payment.Cancellation, time.Time) ([]byte, error) {
			return nil, errors.New("render failed")
		})
		defer s.SetEventRenderer(nil)
		q := MustCreatePayment(t, s, "o-rollback")
		if _, err := s.TransitionPayment(ctx, q.ID, payment.StatusCreated, payment.StatusFailed, payment.Update{}, payment.Event{}); err == nil {
			t.Fatal("transition succeeded although its event could not be written")
		}
		if cur, _ := s.FindPaymentByID(ctx, q.ID); cur.Status != payment.StatusCreated {
			t.Fatalf("status = %s, want created (rolled back)", cur.Status)
		}
		if evs := mustEvents(t, s, payment.DefaultMerchantID); len(evs) != 1 {
			t.Fatalf("events = %d, want still 1", len(evs))
		}
	})

	t.Run("Cancellation", func(t *testing.T) {
		c := &payment.Cancellation{ID: payment.NewID("can", time.Now()), PaymentID: p.ID, Amount: 4000, Reason: "r"}
		if err := s.CreateCancellation(ctx, c, payment.StatusPaid); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CompleteCancellation(ctx, c, true, payment.Update{}, payment.Event{Reason: "refund"}); err != nil {
			t.Fatal(err)
		}
		evs := mustEvents(t, s, payment.DefaultMerchantID)
		if len(evs) != 2 || evs[0].Type != payment.EventPaymentPartiallyCanceled {
			t.Fatalf("newest event = %+v of %d, want payment.partially_canceled", evs[0], len(evs))
		}
		// Only the "*" endpoint wants it.
		if ds := evs[0].Deliveries; len(ds) != 1 || ds[0].EndpointID != all.ID {
			t.Fatalf("deliveries = %+v", ds)
		}
	})

	t.Run("SurvivesRestart", func(t *testing.T) {
		s2, err := store.Open(ctx, url, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		jobs, err := s2.ClaimWebhookDeliveries(ctx, payment.Claim{Owner: "w2", Now: time.Now(), Lease: time.Minute}, payment.WebhookClaimFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != 3 {
			t.Fatalf("claimed %d deliveries after reopening, want 3", len(jobs))
		}
		for _, j := range jobs {
			if j.Event == nil || j.Endpoint == nil || len(j.Event.Payload) == 0 || j.Endpoint.Secret == "" {
				t.Fatalf("job = %+v", j)
			}
		}
	})
}

func TestStore_WebhookDeliveries(t *testing.T) { forEachStore(t, testStoreWebhookDeliveries) }

func testStoreWebhookDeliveries(t *testing.T, ctx context.Context, s *store.Store) {
	e1 := MustCreateEndpoint(t, s, payment.DefaultMerchantID, "*")
	e2 := MustCreateEndpoint(t, s, payment.DefaultMerchantID, "*")
	for _, o := range []string{"o-1", "o-2"} {
		mustPay(t, s, MustCreatePayment(t, s, o).ID)
	}
	now := time.Now()
	claim := func(owner string, at time.Time) []*payment.WebhookJob {
		t.Helper()
		jobs, err := s.ClaimWebhookDeliveries(ctx, payment.Claim{Owner: owner, Now: at, Lease: time.Minute}, payment.WebhookClaimFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return jobs
	}
	jobs := claim("a", now)
	if len(jobs) != 4 {
		t.Fatalf("claimed %d, want 4", len(jobs))
	}
	if again := claim("b", now); len(again) != 0 {
		t.Fatalf("leased deliveries claimed again: %d", len(again))
	}

	t.Run("ErrNotLeaseOwner", func(t *testing.T) {
		err := s.RecordWebhookAttempt(ctx, payment.WebhookAttempt{DeliveryID: jobs[0].Delivery.ID, Owner: "b",
			Status: payment.DeliverySucceeded, StatusCode: 200, At: now})
		if payment.ErrorCode(err) != payment.ECONFLICT {
			t.Fatalf("err = %v, want conflict", err)
		}
	})

	// One succeeds, one is retried later; the endpoint of the third
	// answers 410 and so kills its other pending delivery.
	var e1Jobs, e2Jobs []*payment.WebhookJob
	for _, j := range jobs {
		if j.Endpoint.ID == e1.ID {
			e1Jobs = append(e1Jobs, j)
		} else {
			e2Jobs = append(e2Jobs, j)
		}
	}
	record := func(a payment.WebhookAttempt) {
		t.Helper()
		a.Owner, a.At = "a", now
		if err := s.RecordWebhookAttempt(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	record(payment.WebhookAttempt{DeliveryID: e1Jobs[0].Delivery.ID, Status: payment.DeliverySucceeded, StatusCode: 204})
	record(payment.WebhookAttempt{DeliveryID: e1Jobs[1].Delivery.ID, Status: payment.DeliveryPending, StatusCode: 500,
		Error: "500", NextAttemptAt: now.Add(time.Hour)})
	record(payment.WebhookAttempt{DeliveryID: e2Jobs[0].Delivery.ID, Status: payment.DeliveryDead, StatusCode: 410, DisableEndpoint: true})

	if got, _ := s.FindWebhookEndpointByID(ctx, payment.DefaultMerchantID, e2.ID); got.Status != payment.EndpointDisabled || got.DisabledReason == "" {
		t.Fatalf("endpoint after 410 = %+v", got)
	}
	if got := claim("b", now.Add(2*time.Minute)); len(got) != 0 {
		t.Fatalf("claimed %d before the retry is due (the 410 endpoint's deliveries must be dead)", len(got))
	}
	due := claim("b", now.Add(time.Hour+time.Second))
	if len(due) != 1 || due[0].Delivery.ID != e1Jobs[1].Delivery.ID || due[0].Delivery.Attempts != 1 {
		t.Fatalf("due = %+v", due)
	}
	d, err := s.FindWebhookEventByID(ctx, payment.DefaultMerchantID, e2Jobs[1].Delivery.EventID)
	if err != nil {
		t.Fatal(err)
	}
	for _, dl := range d.Deliveries {
		if dl.EndpointID == e2.ID && dl.Status != payment.DeliveryDead {
			t.Fatalf("delivery to the disabled endpoint = %+v, want dead", dl)
		}
	}

	t.Run("Resend", func(t *testing.T) {
		ev, err := s.ResendWebhookEvent(ctx, payment.DefaultMerchantID, e1Jobs[0].Delivery.EventID, "")
		if err != nil {
			t.Fatal(err)
		}
		// Two before, plus one to the only enabled endpoint.
		if len(ev.Deliveries) != 3 || ev.Deliveries[2].EndpointID != e1.ID || ev.Deliveries[2].Status != payment.DeliveryPending {
			t.Fatalf("deliveries = %+v", ev.Deliveries)
		}
		if _, err := s.ResendWebhookEvent(ctx, payment.DefaultMerchantID, ev.ID, e2.ID); payment.ErrorCode(err) != payment.ECONFLICT {
			t.Fatalf("resend to a disabled endpoint: err = %v, want conflict", err)
		}
		if _, err := s.ResendWebhookEvent(ctx, "mer_nope", ev.ID, ""); payment.ErrorCode(err) != payment.ENOTFOUND {
			t.Fatalf("resend of another merchant's event: err = %v, want not_found", err)
		}
	})

	t.Run("Pagination", func(t *testing.T) {
		all := mustEvents(t, s, payment.DefaultMerchantID)
		if len(all) != 2 || all[0].ID < all[1].ID {
			t.Fatalf("events not newest first: %v, %v", all[0].ID, all[1].ID)
		}
		page, err := s.FindWebhookEvents(ctx, payment.WebhookEventFilter{MerchantID: payment.DefaultMerchantID, StartingAfter: all[0].ID, Limit: 10})
		if err != nil || len(page) != 1 || page[0].ID != all[1].ID {
			t.Fatalf("page after %s = %v, %v", all[0].ID, page, err)
		}
	})

	t.Run("RotateAndDelete", func(t *testing.T) {
		until := now.Add(24 * time.Hour)
		got, err := s.RotateWebhookSecret(ctx, payment.DefaultMerchantID, e1.ID, "whsec_bmV3bmV3bmV3bmV3", until)
		if err != nil {
			t.Fatal(err)
		}
		if got.Secret != "whsec_bmV3bmV3bmV3bmV3" || got.PreviousSecret != e1.Secret || !got.PreviousSecretExpiresAt.Equal(until.UTC().Truncate(time.Microsecond)) {
			t.Fatalf("rotated = %+v", got)
		}
		if _, err := s.RotateWebhookSecret(ctx, "mer_nope", e1.ID, "whsec_eA==", until); payment.ErrorCode(err) != payment.ENOTFOUND {
			t.Fatalf("rotate across merchants: err = %v", err)
		}
		if err := s.DeleteWebhookEndpoint(ctx, "mer_nope", e1.ID); payment.ErrorCode(err) != payment.ENOTFOUND {
			t.Fatalf("delete across merchants: err = %v", err)
		}
		if err := s.DeleteWebhookEndpoint(ctx, payment.DefaultMerchantID, e1.ID); err != nil {
			t.Fatal(err)
		}
		if got := claim("c", now.Add(48*time.Hour)); len(got) != 0 {
			t.Fatalf("deliveries to a deleted endpoint still claimed: %d", len(got))
		}
		if es, _ := s.FindWebhookEndpoints(ctx, payment.DefaultMerchantID); len(es) != 1 || es[0].ID != e2.ID {
			t.Fatalf("endpoints after delete = %v", es)
		}
	})
}

func TestStore_ClaimWebhookDeliveriesPerEndpoint(t *testing.T) {
	forEachStore(t, testStoreClaimWebhookDeliveriesPerEndpoint)
}

func testStoreClaimWebhookDeliveriesPerEndpoint(t *testing.T, ctx context.Context, s *store.Store) {
	busy := MustCreateEndpoint(t, s, payment.DefaultMerchantID, payment.EventPaymentPaid)
	for i := range 5 {
		mustPay(t, s, MustCreatePayment(t, s, "o-busy-"+string(rune('a'+i))).ID)
	}
	// Created after the backlog, so its deliveries come last in due order.
	quiet := MustCreateEndpoint(t, s, payment.DefaultMerchantID, payment.EventPaymentCanceled)
	p := mustPay(t, s, MustCreatePayment(t, s, "o-quiet").ID)
	if _, err := s.TransitionPayment(ctx, p.ID, payment.StatusPaid, payment.StatusCanceled, payment.Update{}, payment.Event{}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(time.Second)
	claim := func(owner string, limit int) map[string]int {
		t.Helper()
		jobs, err := s.ClaimWebhookDeliveries(ctx, payment.Claim{Owner: owner, Now: now, Lease: time.Minute},
			payment.WebhookClaimFilter{Limit: limit, PerEndpoint: 2})
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, j := range jobs {
			n[j.Endpoint.ID]++
		}
		return n
	}
	// busy has 6 due (5 paid + 1 paid of o-quiet), quiet 1.
	if got := claim("a", 2); got[busy.ID] != 2 || got[quiet.ID] != 0 {
		t.Fatalf("first claim = %v, want 2 of the busy endpoint", got)
	}
	// busy is at its cap, whoever holds the leases: quiet's turn.
	if got := claim("b", 10); got[busy.ID] != 0 || got[quiet.ID] != 1 {
		t.Fatalf("second claim = %v, want only the quiet endpoint's delivery", got)
	}
	if got := claim("c", 10); len(got) != 0 {
		t.Fatalf("third claim = %v, want nothing", got)
	}
}

// TestStore_OutboxCancellations: the event announcing a change carries the
// payment's cancellations, read in the same transaction, except when the
// payment was never paid before it (neverSettled): then there are none to
// read, and CreateCancellation keeps it so by refusing a payment that is
// not settled.
func TestStore_OutboxCancellations(t *testing.T) {
	forEachStore(t, func(t *testing.T, ctx context.Context, s *store.Store) {
		MustCreateEndpoint(t, s, payment.DefaultMerchantID, "*")
		rendered := map[string]int{} // event type → cancellations handed to the renderer
		s.SetEventRenderer(func(id, typ string, p *payment.Payment, cs []*payment.Cancellation, at time.Time) ([]byte, error) {
			rendered[typ] = len(cs)
			return []byte(`{}`), nil
		})
		p := MustCreatePayment(t, s, "o-outbox-cs")
		for _, st := range [][2]payment.Status{{payment.StatusCreated, payment.StatusReady}, {payment.StatusReady, payment.StatusApproving}} {
			if _, err := s.TransitionPayment(ctx, p.ID, st[0], st[1], payment.Update{}, payment.Event{Reason: "test"}); err != nil {
				t.Fatal(err)
			}
		}
		early := &payment.Cancellation{ID: payment.NewID("can", time.Now()), PaymentID: p.ID, Amount: 1, Reason: "r"}
		if err := s.CreateCancellation(ctx, early, payment.StatusApproving); payment.ErrorCode(err) != payment.ECONFLICT {
			t.Fatalf("refund of an approving payment: err = %v, want conflict", err)
		}
		if cs, err := s.FindCancellations(ctx, p.ID); err != nil || len(cs) != 0 {
			t.Fatalf("cancellations = %d, %v, want none", len(cs), err)
		}
		if _, err := s.TransitionPayment(ctx, p.ID, payment.StatusApproving, payment.StatusPaid, payment.Update{}, payment.Event{Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		c := &payment.Cancellation{ID: payment.NewID("can", time.Now()), PaymentID: p.ID, Amount: 4000, Reason: "r"}
		if err := s.CreateCancellation(ctx, c, payment.StatusPaid); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CompleteCancellation(ctx, c, true, payment.Update{}, payment.Event{Reason: "refund"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AnnouncePayment(ctx, p.ID, payment.StatusPartiallyCanceled, payment.Update{}, payment.Event{Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		want := map[string]int{payment.EventPaymentPaid: 0, payment.EventPaymentPartiallyCanceled: 1, payment.EventPaymentUpdated: 1}
		if len(rendered) != len(want) {
			t.Fatalf("rendered %v, want %v", rendered, want)
		}
		for typ, n := range want {
			if got, ok := rendered[typ]; !ok || got != n {
				t.Errorf("%s rendered with %d cancellations (seen %v), want %d", typ, got, ok, n)
			}
		}
	})
}
