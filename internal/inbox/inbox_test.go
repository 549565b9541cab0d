package inbox_test

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/inbox"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), "sqlite:"+path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// clock is a test clock shared by workers.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock    { c := &clock{}; c.ns.Store(t.UnixNano()); return c }
func (c *clock) Now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// syncer records the lookups a worker asks for and fails the first fail of
// them for each payment.
type syncer struct {
	mu    sync.Mutex
	calls map[string]int
	fail  int
}

func (s *syncer) sync(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	s.calls[id]++
	if s.calls[id] <= s.fail {
		return payment.Errorf(payment.EUPSTREAM, "provider unavailable")
	}
	return nil
}

func (s *syncer) count(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[id]
}

func status(t *testing.T, st *store.Store, id string) *payment.ProviderWebhook {
	t.Helper()
	ws, err := st.FindProviderWebhooks(context.Background(), id)
	if err != nil || len(ws) == 0 {
		t.Fatalf("entries of %s: %v %v", id, ws, err)
	}
	return ws[len(ws)-1]
}

// Ensure a failed lookup is retried after its backoff, not before, and the
// entry is done once a lookup succeeds.
func TestWorker_Retry(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "pb.db"))
	clk := newClock(time.Now())
	sy := &syncer{fail: 2}
	w := inbox.New(st, sy.sync, nil, inbox.Options{Now: clk.Now, Rand: func() float64 { return 1 }, BaseDelay: time.Second})
	if _, err := st.EnqueueProviderWebhook(context.Background(), payment.ProviderToss, "pay_r", clk.Now()); err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		advance time.Duration
		calls   int
		status  string
	}{
		{0, 1, payment.InboxPending},                       // fails; due again in 1 s
		{500 * time.Millisecond, 1, payment.InboxPending},  // not yet
		{600 * time.Millisecond, 2, payment.InboxPending},  // fails; due again in 2 s
		{1500 * time.Millisecond, 2, payment.InboxPending}, // not yet
		{600 * time.Millisecond, 3, payment.InboxDone},     // succeeds
		{time.Hour, 3, payment.InboxDone},                  // nothing more to do
	} {
		clk.Add(want.advance)
		if _, err := w.ProcessDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		e := status(t, st, "pay_r")
		if sy.count("pay_r") != want.calls || e.Status != want.status {
			t.Fatalf("step %d: %d lookups, entry %s (%+v); want %d, %s", i, sy.count("pay_r"), e.Status, e, want.calls, want.status)
		}
	}
}

// Ensure an entry whose lookups keep failing is given up after MaxAttempts.
func TestWorker_GivesUp(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "pb.db"))
	clk := newClock(time.Now())
	sy := &syncer{fail: 1000}
	w := inbox.New(st, sy.sync, nil, inbox.Options{Now: clk.Now, MaxAttempts: 3})
	st.EnqueueProviderWebhook(context.Background(), payment.ProviderToss, "pay_d", clk.Now())
	for range 10 {
		if _, err := w.ProcessDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Hour)
	}
	if e := status(t, st, "pay_d"); sy.count("pay_d") != 3 || e.Status != payment.InboxDead || e.LastError == "" {
		t.Fatalf("%d lookups, entry %+v; want 3 and dead", sy.count("pay_d"), e)
	}
}

// Ensure a webhook stored by one process is processed after that process
// crashed: the database is reopened and a new worker, with another owner,
// takes the entry, including one the dead worker had claimed but not
// finished (once its lease ran out).
func TestWorker_ProcessesAfterCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pb.db")
	clk := newClock(time.Now())
	before := openStore(t, path)
	ctx := context.Background()
	before.EnqueueProviderWebhook(ctx, payment.ProviderPortOne, "pay_stored", clk.Now())
	before.EnqueueProviderWebhook(ctx, payment.ProviderPortOne, "pay_claimed", clk.Now())
	// The dying process had claimed one entry when it died.
	if ws, err := before.ClaimProviderWebhooks(ctx, payment.Claim{Owner: "dead", Now: clk.Now(), Lease: time.Minute}, 1); err != nil || len(ws) != 1 {
		t.Fatal(ws, err)
	}
	before.Close()

	after := openStore(t, path)
	sy := &syncer{}
	w := inbox.New(after, sy.sync, nil, inbox.Options{Now: clk.Now})
	if _, err := w.ProcessDue(ctx); err != nil {
		t.Fatal(err)
	}
	if sy.count("pay_stored")+sy.count("pay_claimed") != 1 {
		t.Fatalf("lookups %v, want only the unclaimed entry's before the lease runs out", sy.calls)
	}
	clk.Add(time.Minute + time.Second)
	if _, err := w.ProcessDue(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"pay_stored", "pay_claimed"} {
		if sy.count(id) != 1 || status(t, after, id).Status != payment.InboxDone {
			t.Fatalf("%s: %d lookups, entry %+v", id, sy.count(id), status(t, after, id))
		}
	}
}

// Ensure two workers (two instances) on one database look every entry up
// exactly once between them.
func TestWorker_TwoInstances(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pb.db")
	stores := []*store.Store{openStore(t, path), openStore(t, path)}
	ctx := context.Background()
	const n = 40
	for i := range n {
		stores[0].EnqueueProviderWebhook(ctx, payment.ProviderToss, payment.NewID("pay", time.Now())+string(rune('a'+i%26)), time.Now())
	}
	sy := &syncer{}
	var wg sync.WaitGroup
	var done atomic.Int64
	for i := range 2 {
		w := inbox.New(stores[i], sy.sync, nil, inbox.Options{Concurrency: 3})
		wg.Go(func() {
			k, err := w.ProcessDue(ctx)
			if err != nil {
				t.Error(err)
			}
			done.Add(int64(k))
		})
	}
	wg.Wait()
	total := 0
	sy.mu.Lock()
	for id, c := range sy.calls {
		if c != 1 {
			t.Errorf("%s looked up %d times", id, c)
		}
		total += c
	}
	sy.mu.Unlock()
	if total != n || done.Load() != n {
		t.Fatalf("%d lookups, %d processed; want %d", total, done.Load(), n)
	}
}
