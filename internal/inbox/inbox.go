// Package inbox processes the webhooks the providers (PortOne, Toss) send
// paybridge. The HTTP handler only authenticates a delivery and writes it to
// the inbox table before answering 200; this worker then claims due entries
// with a lease (as the sweep claims payments, so several instances never
// process one entry at once and a dead instance's entries are picked up when
// its lease runs out), looks each payment up at the provider through the
// service, and retries a failed lookup with exponential backoff. Processed
// entries are kept for a while for the operator, then reaped.
package inbox

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// SyncFunc brings a payment in line with the provider (service.Sync).
type SyncFunc func(ctx context.Context, paymentID string) error

// Options tune a Worker. Zero fields take the defaults.
type Options struct {
	// Lease is how long a claimed entry is this worker's (default 2
	// minutes); it must outlast one lookup with everything it may lead to
	// (a late charge's refund), or another instance would redo it.
	Lease time.Duration
	// PollInterval is how often Run looks for due entries besides being
	// notified of new ones (default 1 s): retries, and other instances'
	// deliveries.
	PollInterval time.Duration
	// Concurrency is how many lookups run at once (default 4).
	Concurrency int
	// MaxAttempts is how many lookups of one entry are tried before it is
	// marked dead (default 12: 12 to 24 minutes with the default backoff).
	MaxAttempts int
	// BaseDelay and MaxDelay shape the backoff: BaseDelay·2^(attempt-1),
	// at most MaxDelay, with full jitter (defaults 2 s and 5 minutes).
	BaseDelay, MaxDelay time.Duration
	// Retention is how long done and dead entries are kept (default 72 h).
	Retention time.Duration
	// Owner names this instance in leases (default a random name).
	Owner string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Rand draws the jitter in [0, 1) (default math/rand/v2).
	Rand func() float64
}

// Worker processes the inbox.
type Worker struct {
	store  payment.InboxStore
	sync   SyncFunc
	log    *slog.Logger
	o      Options
	notify chan struct{}
}

// New returns a worker; call Run to start it, Notify when an entry was added.
func New(store payment.InboxStore, sync SyncFunc, log *slog.Logger, o Options) *Worker {
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 12
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = 2 * time.Second
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 5 * time.Minute
	}
	if o.Retention <= 0 {
		o.Retention = 72 * time.Hour
	}
	if o.Owner == "" {
		o.Owner = "inbox-" + payment.RandomToken(12)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{store: store, sync: sync, log: log, o: o, notify: make(chan struct{}, 1)}
}

// Notify wakes Run: an entry was just added. It never blocks.
func (w *Worker) Notify() {
	select {
	case w.notify <- struct{}{}:
	default:
	}
}

// Run processes due entries until ctx is cancelled; lookups in flight then
// finish (each within the lease) before it returns. Once an hour it reaps
// old entries.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.o.PollInterval)
	defer t.Stop()
	var lastReap time.Time
	for {
		if _, err := w.ProcessDue(ctx); err != nil && !errors.Is(err, context.Canceled) {
			w.log.Error("inbox: claim failed", "error", err)
		}
		if now := w.o.Now(); now.Sub(lastReap) > time.Hour {
			lastReap = now
			if n, err := w.Reap(ctx); err != nil && !errors.Is(err, context.Canceled) {
				w.log.Error("inbox: reap failed", "error", err)
			} else if n > 0 {
				w.log.Info("inbox: reaped processed provider webhooks", "count", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-w.notify:
		case <-t.C:
		}
	}
}

// ProcessDue claims every entry due now, in batches, looks their payments
// up (Concurrency at once) and records the outcomes; it returns how many it
// processed. Cancelling ctx stops it claiming more, not the lookups it
// claimed: those run to their end, detached, within the lease.
func (w *Worker) ProcessDue(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		batch, err := w.store.ClaimProviderWebhooks(ctx,
			payment.Claim{Owner: w.o.Owner, Now: w.o.Now(), Lease: w.o.Lease}, w.o.Concurrency)
		if err != nil || len(batch) == 0 {
			return total, err
		}
		var wg sync.WaitGroup
		for _, e := range batch {
			wg.Go(func() { w.process(ctx, e) })
		}
		wg.Wait()
		total += len(batch)
	}
	return total, ctx.Err()
}

// process looks one entry's payment up and records the outcome.
func (w *Worker) process(ctx context.Context, e *payment.ProviderWebhook) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.o.Lease)
	defer cancel()
	log := w.log.With("provider", e.Provider, "payment_id", e.PaymentID, "inbox_id", e.ID, "attempt", e.Attempts)
	err := w.sync(ctx, e.PaymentID)
	now := w.o.Now()
	var (
		msg  string
		next = now
		dead bool
	)
	switch code := payment.ErrorCode(err); {
	case err == nil:
		log.Info("provider webhook processed", "deliveries", e.Deliveries)
	case code == payment.ENOTFOUND || code == payment.EINVALID:
		// Nothing a retry can change (the payment or its provider is gone).
		msg, dead = payment.ErrorMessage(err), true
		log.Error("provider webhook cannot be processed; giving up", "error", err)
	case e.Attempts >= w.o.MaxAttempts:
		msg, dead = payment.ErrorMessage(err), true
		log.Error("provider webhook lookups kept failing; giving up, the sweep settles the payment", "error", err)
	default:
		msg, next = payment.ErrorMessage(err), now.Add(w.backoff(e.Attempts))
		log.Warn("lookup after a provider webhook failed; retrying", "error", err, "next_attempt_at", next)
	}
	if msg == "" && err != nil {
		msg = "failed"
	}
	if ferr := w.store.FinishProviderWebhook(ctx, e.ID, w.o.Owner, msg, next, dead, now); ferr != nil {
		log.Error("inbox: record the outcome failed; the entry is retried when its lease runs out", "error", ferr)
	}
}

// backoff is the delay before attempt n+1: BaseDelay·2^(n-1), at most
// MaxDelay, with full jitter but never under half of it.
func (w *Worker) backoff(n int) time.Duration {
	d := float64(w.o.BaseDelay) * math.Pow(2, float64(max(n-1, 0)))
	d = min(d, float64(w.o.MaxDelay))
	return time.Duration(d/2 + w.o.Rand()*d/2)
}

// Reap deletes processed entries older than Retention.
func (w *Worker) Reap(ctx context.Context) (int, error) {
	return w.store.ReapProviderWebhooks(ctx, w.o.Now().Add(-w.o.Retention), 1000)
}
