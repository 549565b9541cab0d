package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/stdwebhook"
)

// Inbound provider webhooks. A webhook's body is never trusted for state: it
// only names the payment, which is then looked up at the provider (Sync).
// PortOne V2 signs its webhooks (Standard Webhooks) and a bad signature is
// refused; PortOne V1 and Toss do not sign, so all they can do is make
// paybridge ask the provider, which is harmless.

// maxWebhookWork bounds the lookups running in the background at once.
const maxWebhookWork = 32

type webhookWork struct {
	sem chan struct{}
	wg  sync.WaitGroup
}

func (a *API) handlePortOneWebhook(w http.ResponseWriter, r *http.Request) {
	// One URL serves both PortOne generations: V2 deliveries carry the
	// Standard Webhooks headers, V1 deliveries never do.
	provider := payment.ProviderIamport
	if r.Header.Get(stdwebhook.HeaderSignature) != "" || r.Header.Get(stdwebhook.HeaderID) != "" {
		provider = payment.ProviderPortOne
	}
	a.handleWebhook(w, r, provider)
}

func (a *API) handleTossWebhook(w http.ResponseWriter, r *http.Request) {
	a.handleWebhook(w, r, payment.ProviderToss)
}

func (a *API) handleWebhook(w http.ResponseWriter, r *http.Request, provider string) {
	parser, ok := a.svc.WebhookParser(provider)
	if !ok {
		WriteError(w, r, a.log, payment.Errorf(payment.ENOTFOUND, "%s is not configured", provider))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			WriteError(w, r, a.log, payment.Errorf(payment.ETOOLARGE, "webhook body must be at most %d bytes", MaxBodyBytes))
			return
		}
		WriteError(w, r, a.log, payment.Errorf(payment.EINVALID, "could not read the webhook body"))
		return
	}
	id, err := parser.ParseWebhook(r.Header, body)
	if err != nil {
		a.log.Warn("webhook refused", "provider", provider, "request_id", RequestID(r.Context()), "error", err)
		WriteError(w, r, a.log, err)
		return
	}
	log := a.log.With("provider", provider, "payment_id", id, "request_id", RequestID(r.Context()))
	if id == "" {
		WriteJSON(w, http.StatusOK, map[string]any{"received": true})
		return
	}
	p, err := a.svc.Store().FindPaymentByID(r.Context(), id)
	if err != nil || p.Provider != provider {
		// Acknowledge, so the provider stops retrying something that is not ours.
		log.Info("webhook for no payment of this provider; ignored")
		WriteJSON(w, http.StatusOK, map[string]any{"received": true})
		return
	}
	log.Info("webhook received; looking the payment up")
	a.background(r.Context(), func(ctx context.Context) {
		if _, err := a.svc.Sync(ctx, id); err != nil {
			log.Warn("lookup after webhook failed; the sweep will settle it", "error", err)
		}
	})
	WriteJSON(w, http.StatusOK, map[string]any{"received": true})
}

// background runs fn after the response, detached from the request, with at
// most maxWebhookWork at once; when that many are running it runs fn before
// answering instead, so a burst slows the provider down rather than losing
// work. Close waits for everything started here.
func (a *API) background(ctx context.Context, fn func(context.Context)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	select {
	case a.work.sem <- struct{}{}:
		a.work.wg.Add(1)
		go func() {
			defer func() { <-a.work.sem; a.work.wg.Done(); cancel() }()
			fn(ctx)
		}()
	default:
		defer cancel()
		fn(ctx)
	}
}

// Close waits for background work started by webhooks.
func (a *API) Close() { a.work.wg.Wait() }
