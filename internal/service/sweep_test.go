package service_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/payment/paymenttest"
	"github.com/paybridge/paybridge/internal/service"
)

// TestSweep_StopsBetweenItemsWhenCtxDone: once the sweep's context is
// done, no further item is started, and Sweep returns (item 10).
func TestSweep_StopsBetweenItemsWhenCtxDone(t *testing.T) {
	e := newEnv(t)
	e.cfg.SweepConcurrency = 1
	e.restart()
	for range 5 {
		e.create(approver, 1000, 0)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	e.appr.On(paymenttest.OpLookup, paymenttest.Step{Hook: cancel})
	e.clock.Advance(16 * time.Minute)
	done := make(chan error, 1)
	go func() { _, err := e.svc.Sweep(ctx); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("sweep = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sweep did not return after its context was cancelled")
	}
	if n := e.appr.Calls(paymenttest.OpLookup); n != 1 {
		t.Fatalf("lookups = %d: items were started after the context was done", n)
	}
}

// TestSweep_SlowProviderDoesNotStallOthers: each provider's items are
// worked on side by side, so a provider that hangs does not hold the others
// up (item 10).
func TestSweep_SlowProviderDoesNotStallOthers(t *testing.T) {
	e := newEnv(t)
	e.cfg.SweepConcurrency = 2
	e.cfg.ProviderTimeout = 10 * time.Second
	e.restart()
	release := make(chan struct{})
	block := func() {
		select {
		case <-release:
		case <-time.After(5 * time.Second):
		}
	}
	for range 4 {
		e.create(approver, 1000, 0)
		e.appr.On(paymenttest.OpLookup, paymenttest.Step{Hook: block})
	}
	var fast []*payment.Payment
	for range 4 {
		fast = append(fast, e.create(verifier, 1000, 0))
	}
	e.clock.Advance(16 * time.Minute)
	done := make(chan struct{})
	go func() { defer close(done); e.svc.Sweep(e.ctx) }()
	deadline := time.Now().Add(3 * time.Second)
	for _, p := range fast {
		for e.get(p.ID).Status != payment.StatusExpired {
			if time.Now().After(deadline) {
				close(release)
				<-done
				t.Fatal("the fast provider's payments waited for the slow provider")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	close(release)
	<-done
}

// TestSweep_LeaseHeldWhileInProgress: a payment being worked on is not
// re-claimed by another instance when the claim's lease runs out, because
// the sweep extends it for the item's provider calls (item 10).
func TestSweep_LeaseHeldWhileInProgress(t *testing.T) {
	e := newEnv(t)
	e.cfg.SweepLease = time.Second
	e.restart()
	e.create(approver, 1000, 0)
	e.clock.Advance(16 * time.Minute)
	started, release := make(chan struct{}), make(chan struct{})
	e.appr.On(paymenttest.OpLookup, paymenttest.Step{Hook: func() { close(started); <-release }})
	done := make(chan struct{})
	go func() { defer close(done); e.svc.Sweep(e.ctx) }()
	<-started
	e.clock.Advance(2 * time.Second) // the claim's one-second lease has run out
	other := service.New(e.st, []payment.Provider{e.appr, e.ver}, slog.New(slog.DiscardHandler), e.cfg)
	other.SetNow(e.clock.Now)
	if _, err := other.Sweep(e.ctx); err != nil {
		t.Fatal(err)
	}
	close(release)
	<-done
	if n := e.appr.Calls(paymenttest.OpLookup); n != 1 {
		t.Fatalf("lookups = %d: another instance re-claimed a payment in progress", n)
	}
}
