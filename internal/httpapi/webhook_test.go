package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/inbox"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
	"github.com/paybridge/paybridge/internal/store"
)

// signedProvider is a provider whose webhooks are {"payment_id":…} signed
// with the header X-Test-Signature: good (anything else is forged).
type signedProvider struct{ *crashProvider }

func (signedProvider) ParseWebhook(h http.Header, body []byte) (string, error) {
	if h.Get("X-Test-Signature") != "good" {
		return "", payment.Errorf(payment.EUNAUTHORIZED, "bad webhook signature")
	}
	var v struct {
		PaymentID string `json:"payment_id"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return "", payment.Errorf(payment.EINVALID, "malformed webhook")
	}
	return v.PaymentID, nil
}

// brokenStore fails what the test tells it to, as a database that is down.
type brokenStore struct {
	*store.Store
	failFind, failEnqueue bool
}

var errDown = errors.New("database is down")

func (b *brokenStore) FindPaymentByID(ctx context.Context, id string) (*payment.Payment, error) {
	if b.failFind {
		return nil, errDown
	}
	return b.Store.FindPaymentByID(ctx, id)
}

func (b *brokenStore) EnqueueProviderWebhook(ctx context.Context, provider, id string, now time.Time) (*payment.ProviderWebhook, error) {
	if b.failEnqueue {
		return nil, errDown
	}
	return b.Store.EnqueueProviderWebhook(ctx, provider, id, now)
}

// webhookProcess is one paybridge process receiving Toss webhooks, with an
// inbox worker that the test runs by hand.
type webhookProcess struct {
	store  *brokenStore
	svc    *service.Service
	h      http.HandlerFunc
	worker *inbox.Worker
}

func startWebhookProcess(t *testing.T, path string, prov *crashProvider) *webhookProcess {
	st, err := store.Open(context.Background(), "sqlite:"+path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bs := &brokenStore{Store: st}
	svc := service.New(bs, []payment.Provider{signedProvider{prov}}, nil, service.Config{PublicURL: "http://pb.test"})
	api := New(svc, slog.New(slog.DiscardHandler), DropInConfig{})
	w := inbox.New(st, func(ctx context.Context, id string) error { _, err := svc.Sync(ctx, id); return err }, nil, inbox.Options{})
	api.SetWebhookInbox(w.Notify)
	return &webhookProcess{store: bs, svc: svc, h: func(w http.ResponseWriter, r *http.Request) { api.handleWebhook(w, r, payment.ProviderToss) }, worker: w}
}

func (wp *webhookProcess) deliver(paymentID, signature string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/webhooks/toss", strings.NewReader(`{"payment_id":"`+paymentID+`"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Test-Signature", signature)
	w := httptest.NewRecorder()
	wp.h(w, r)
	return w
}

// readyAtPaybridgePaidAtProvider writes a ready payment whose buyer paid in
// the provider's window and closed the tab: only a webhook (or the sweep)
// can tell paybridge.
func readyAtPaybridgePaidAtProvider(t *testing.T, st *store.Store) *payment.Payment {
	ctx := context.Background()
	p := &payment.Payment{ID: payment.NewID("pay", time.Now()), MerchantID: payment.DefaultMerchantID,
		Provider: payment.ProviderToss, Channel: payment.ChannelAPI, OrderID: "o-wh", OrderName: "Tea",
		CustomerID: "c", Quantity: 1, Amount: 6000, Currency: payment.CurrencyKRW, ExpiresAt: time.Now().Add(time.Hour)}
	if err := st.CreatePayment(ctx, p); err != nil {
		t.Fatal(err)
	}
	p, err := st.TransitionPayment(ctx, p.ID, payment.StatusCreated, payment.StatusReady,
		payment.Update{ProviderTID: ptrTo("T" + p.ID), ProviderOrderID: ptrTo(p.ID)}, payment.Event{Reason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Ensure a provider webhook is durable before it is acknowledged: the 200
// is sent with the entry in the inbox and nothing looked up yet, the
// process dies, and a new process on the same database (a new worker)
// settles the payment from it.
func TestProviderWebhook_AcknowledgedThenCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pb.db")
	prov := &crashProvider{name: payment.ProviderToss, refunded: map[string]int64{}}
	first := startWebhookProcess(t, path, prov)
	p := readyAtPaybridgePaidAtProvider(t, first.store.Store)

	if w := first.deliver(p.ID, "good"); w.Code != http.StatusOK {
		t.Fatalf("webhook: %d %s", w.Code, w.Body)
	}
	ws, err := first.store.FindProviderWebhooks(context.Background(), p.ID)
	if err != nil || len(ws) != 1 || ws[0].Status != payment.InboxPending {
		t.Fatalf("inbox after the 200: %+v %v", ws, err)
	}
	if prov.lookups != 0 {
		t.Fatal("looked up before answering")
	}
	first.store.Close() // the process dies; its worker never ran

	second := startWebhookProcess(t, path, prov)
	if n, err := second.worker.ProcessDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("processed %d (%v), want 1", n, err)
	}
	got, err := second.store.FindPaymentByID(context.Background(), p.ID)
	if err != nil || got.Status != payment.StatusPaid {
		t.Fatalf("payment after the new worker = %v (%v), want paid", got.Status, err)
	}
	if ws, _ := second.store.FindProviderWebhooks(context.Background(), p.ID); ws[0].Status != payment.InboxDone {
		t.Fatalf("inbox entry = %+v", ws[0])
	}
}

// Ensure a webhook that cannot be stored, or whose payment cannot be read,
// is answered 503 so the provider sends it again, and a forged one 401,
// with nothing stored either way.
func TestProviderWebhook_Refused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pb.db")
	prov := &crashProvider{name: payment.ProviderToss, refunded: map[string]int64{}}
	wp := startWebhookProcess(t, path, prov)
	p := readyAtPaybridgePaidAtProvider(t, wp.store.Store)
	for _, tt := range []struct {
		name                  string
		failFind, failEnqueue bool
		signature             string
		want                  int
	}{
		{"StoreDown", false, true, "good", http.StatusServiceUnavailable},
		{"PaymentUnreadable", true, false, "good", http.StatusServiceUnavailable},
		{"Forged", false, false, "forged", http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wp.store.failFind, wp.store.failEnqueue = tt.failFind, tt.failEnqueue
			defer func() { wp.store.failFind, wp.store.failEnqueue = false, false }()
			if w := wp.deliver(p.ID, tt.signature); w.Code != tt.want {
				t.Fatalf("status = %d, want %d: %s", w.Code, tt.want, w.Body)
			}
			if ws, _ := wp.store.FindProviderWebhooks(context.Background(), p.ID); len(ws) != 0 {
				t.Fatalf("stored %+v", ws)
			}
		})
	}
	t.Run("NotOurPaymentAcknowledged", func(t *testing.T) {
		if w := wp.deliver("pay_unknown", "good"); w.Code != http.StatusOK {
			t.Fatalf("status = %d", w.Code)
		}
		if ws, _ := wp.store.FindProviderWebhooks(context.Background(), "pay_unknown"); len(ws) != 0 {
			t.Fatalf("stored %+v", ws)
		}
	})
	t.Run("DuplicatesJoinOneEntry", func(t *testing.T) {
		for range 3 {
			if w := wp.deliver(p.ID, "good"); w.Code != http.StatusOK {
				t.Fatalf("status = %d", w.Code)
			}
		}
		ws, _ := wp.store.FindProviderWebhooks(context.Background(), p.ID)
		if len(ws) != 1 || ws[0].Deliveries != 3 {
			t.Fatalf("inbox = %+v, want one entry for three deliveries", ws)
		}
		if n, err := wp.worker.ProcessDue(context.Background()); err != nil || n != 1 || prov.lookups != 1 {
			t.Fatalf("processed %d (%v) with %d lookups, want 1 and 1", n, err, prov.lookups)
		}
	})
}
