package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

func TestStore_ProviderLastAnswer(t *testing.T) { forEachStore(t, testStoreProviderLastAnswer) }

// testStoreProviderLastAnswer: a transition carrying the provider's answer
// stores it with its time; one without leaves it as it was.
func testStoreProviderLastAnswer(t *testing.T, ctx context.Context, s *store.Store) {
	p := MustCreatePayment(t, s, "o-answer")
	if p2, err := s.FindPaymentByID(ctx, p.ID); err != nil || p2.ProviderLastAnswer != nil || !p2.ProviderLastAnswerAt.IsZero() {
		t.Fatalf("new payment: answer %q at %v, %v; want none", p2.ProviderLastAnswer, p2.ProviderLastAnswerAt, err)
	}
	at := time.Date(2026, 12, 2, 3, 4, 5, 678000, time.UTC)
	body := `{"status":"READY","item_name":"초코파이 <b>"}`
	got, err := s.TransitionPayment(ctx, p.ID, payment.StatusCreated, payment.StatusReady,
		payment.Update{ProviderAnswer: &payment.ProviderAnswer{Body: []byte(body), At: at}}, payment.Event{Reason: "provider_ready"})
	if err != nil {
		t.Fatal(err)
	}
	if string(got.ProviderLastAnswer) != body || !got.ProviderLastAnswerAt.Equal(at) {
		t.Errorf("returned answer %q at %v, want %q at %v", got.ProviderLastAnswer, got.ProviderLastAnswerAt, body, at)
	}
	got, err = s.TransitionPayment(ctx, p.ID, payment.StatusReady, payment.StatusApproving, payment.Update{}, payment.Event{Reason: "buyer_returned"})
	if err != nil {
		t.Fatal(err)
	}
	found, err := s.FindPaymentByID(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for name, q := range map[string]*payment.Payment{"returned": got, "found": found} {
		if string(q.ProviderLastAnswer) != body || !q.ProviderLastAnswerAt.Equal(at) {
			t.Errorf("%s after an update without an answer: %q at %v, want it kept", name, q.ProviderLastAnswer, q.ProviderLastAnswerAt)
		}
	}
}
