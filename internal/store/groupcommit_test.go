package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

// groupTest is a SQLite store with a table t(k) and a way to put several
// transactions into one group: a gate transaction holds the committer while
// the others queue behind it, so they all join the group it started.
type groupTest struct {
	t    *testing.T
	s    *store.Store
	ctx  context.Context
	open chan struct{}
	gate chan error
}

func newGroupTest(t *testing.T, schema ...string) *groupTest {
	t.Helper()
	s := MustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "pb.db"))
	ctx := context.Background()
	for _, q := range append([]string{`CREATE TABLE t (k TEXT PRIMARY KEY)`}, schema...) {
		if err := s.ExecForTest(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return &groupTest{t: t, s: s, ctx: ctx}
}

func insertK(ctx context.Context, tx *sql.Tx, k string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO t (k) VALUES (?)`, k)
	return err
}

// hold starts the gate transaction (it writes "gate") and returns once the
// committer is running it.
func (g *groupTest) hold() {
	g.open, g.gate = make(chan struct{}), make(chan error, 1)
	running := make(chan struct{})
	var once sync.Once
	go func() {
		g.gate <- g.s.WithTxForTest(g.ctx, func(tx *sql.Tx) error {
			once.Do(func() { close(running) }) // it may run again
			<-g.open
			return insertK(g.ctx, tx, "gate")
		})
	}()
	<-running
}

// queued waits until n callers wait behind the gate.
func (g *groupTest) queued(n int64) {
	g.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for g.s.WaitingForTest() < n {
		if time.Now().After(deadline) {
			g.t.Fatalf("only %d of %d transactions queued", g.s.WaitingForTest(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// release lets the gate go on and returns its result.
func (g *groupTest) release() error {
	close(g.open)
	return <-g.gate
}

func (g *groupTest) keys() []string {
	g.t.Helper()
	n, err := g.s.QueryIntForTest(g.ctx, `SELECT COUNT(*) FROM t`)
	if err != nil {
		g.t.Fatal(err)
	}
	var ks []string
	for _, k := range []string{"gate", "a", "b", "c", "d", "e", "x"} {
		if c, _ := g.s.QueryIntForTest(g.ctx, `SELECT COUNT(*) FROM t WHERE k = ?`, k); c == 1 {
			ks = append(ks, k)
		}
	}
	if int(n) != len(ks) {
		g.t.Fatalf("t has %d rows, %v among the expected keys", n, ks)
	}
	sort.Strings(ks)
	return ks
}

// One group: a transaction that fails and one that panics roll back to their
// own savepoints (the group ran without savepoints first, and was undone and
// run again with them once a member failed); the others commit, together,
// with one COMMIT; and a later member reads what an earlier one wrote.
func TestGroupCommit_MemberFailureRollsBackAlone(t *testing.T) {
	g := newGroupTest(t)
	before := g.s.Stats()
	g.hold()
	boom := errors.New("boom")
	results := make(map[string]error)
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		panicked any
		sawA     bool
	)
	run := func(name string, fn func(tx *sql.Tx) error) {
		wg.Go(func() {
			defer func() {
				if p := recover(); p != nil {
					mu.Lock()
					panicked = p
					mu.Unlock()
				}
			}()
			err := g.s.WithTxForTest(g.ctx, fn)
			mu.Lock()
			results[name] = err
			mu.Unlock()
		})
	}
	run("a", func(tx *sql.Tx) error { return insertK(g.ctx, tx, "a") })
	g.queued(1)
	run("b", func(tx *sql.Tx) error {
		if err := insertK(g.ctx, tx, "b"); err != nil {
			return err
		}
		return boom
	})
	run("c", func(tx *sql.Tx) error {
		if err := insertK(g.ctx, tx, "c"); err != nil {
			return err
		}
		panic("c panics")
	})
	run("d", func(tx *sql.Tx) error {
		// Runs after a (queued first): sees a's uncommitted row.
		var n int
		if err := tx.QueryRowContext(g.ctx, `SELECT COUNT(*) FROM t WHERE k = 'a'`).Scan(&n); err != nil {
			return err
		}
		sawA = n == 1
		return insertK(g.ctx, tx, "d")
	})
	run("dup", func(tx *sql.Tx) error { return insertK(g.ctx, tx, "a") }) // a's key again: refused
	g.queued(5)
	if err := g.release(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if results["a"] != nil || results["d"] != nil || !errors.Is(results["b"], boom) || results["dup"] == nil {
		t.Fatalf("results = %v", results)
	}
	if s, _ := panicked.(string); !strings.Contains(s, "c panics") {
		t.Fatalf("the panic reached its caller as %v", panicked)
	}
	if !sawA {
		t.Error("d did not see a's row written earlier in the group")
	}
	if got := g.keys(); fmt.Sprint(got) != "[a d gate]" {
		t.Fatalf("rows = %v, want a, d and gate", got)
	}
	after := g.s.Stats()
	if c, n := after.Commits-before.Commits, after.Transactions-before.Transactions; c != 1 || n != 3 {
		t.Fatalf("commits = %d, transactions = %d; want the gate, a and d in one commit", c, n)
	}
}

// A COMMIT that fails (here a deferred foreign key, checked at COMMIT) fails
// every member of the group, none of their rows exists, and the store goes
// on working.
func TestGroupCommit_CommitFailureFailsEveryMember(t *testing.T) {
	g := newGroupTest(t,
		`CREATE TABLE parent (k TEXT PRIMARY KEY)`,
		`CREATE TABLE child (k TEXT REFERENCES parent (k) DEFERRABLE INITIALLY DEFERRED)`)
	g.hold()
	errs := make(chan error, 2)
	go func() { errs <- g.s.WithTxForTest(g.ctx, func(tx *sql.Tx) error { return insertK(g.ctx, tx, "a") }) }()
	go func() {
		errs <- g.s.WithTxForTest(g.ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(g.ctx, `INSERT INTO child (k) VALUES ('orphan')`)
			return err // fine until COMMIT
		})
	}()
	g.queued(2)
	if err := g.release(); err == nil || !strings.Contains(err.Error(), "commit") {
		t.Fatalf("gate: %v, want the commit's error", err)
	}
	for range 2 {
		if err := <-errs; err == nil || !strings.Contains(err.Error(), "commit") {
			t.Fatalf("member: %v, want the commit's error", err)
		}
	}
	if got := g.keys(); len(got) != 0 {
		t.Fatalf("rows after a failed commit: %v", got)
	}
	if err := g.s.WithTxForTest(g.ctx, func(tx *sql.Tx) error { return insertK(g.ctx, tx, "x") }); err != nil {
		t.Fatalf("after a failed commit: %v", err)
	}
	if got := g.keys(); fmt.Sprint(got) != "[x]" {
		t.Fatalf("rows = %v", got)
	}
}

// A failed COMMIT also fails a member that failed after another member's
// write: its failure may rest on that write, which the COMMIT threw away.
// Here b's compare-and-set lost to a's created→ready, but a never committed:
// answering b "conflict: the payment is ready" would have its caller act on
// a state that was never stored.
func TestGroupCommit_CommitFailureFailsTheConflictsItCaused(t *testing.T) {
	g := newGroupTest(t,
		`CREATE TABLE parent (k TEXT PRIMARY KEY)`,
		`CREATE TABLE child (k TEXT REFERENCES parent (k) DEFERRABLE INITIALLY DEFERRED)`)
	p := MustCreatePayment(t, g.s, "o-lost")
	g.hold()
	type result struct {
		p   *payment.Payment
		err error
	}
	a, b, c := make(chan result, 1), make(chan result, 1), make(chan error, 1)
	go func() {
		np, err := g.s.TransitionPayment(g.ctx, p.ID, payment.StatusCreated, payment.StatusReady,
			payment.Update{}, payment.Event{Reason: "a"})
		a <- result{np, err}
	}()
	g.queued(1)
	go func() {
		np, err := g.s.TransitionPayment(g.ctx, p.ID, payment.StatusCreated, payment.StatusFailed,
			payment.Update{}, payment.Event{Reason: "b"})
		b <- result{np, err}
	}()
	g.queued(2)
	go func() {
		c <- g.s.WithTxForTest(g.ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(context.Background(), `INSERT INTO child (k) VALUES ('orphan')`)
			return err // fails only at COMMIT: the whole group is not committed
		})
	}()
	g.queued(3)
	if err := g.release(); err == nil {
		t.Fatal("gate: the COMMIT was expected to fail")
	}
	if r := <-a; r.err == nil || !strings.Contains(r.err.Error(), "commit") {
		t.Fatalf("a: %+v, %v; want the commit's error", r.p, r.err)
	}
	<-c
	cur, err := g.s.FindPaymentByID(g.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cur.Status != payment.StatusCreated {
		t.Fatalf("stored status = %s, want created (nothing committed)", cur.Status)
	}
	r := <-b
	if payment.ErrorCode(r.err) == payment.ECONFLICT || r.err == nil || !strings.Contains(r.err.Error(), "commit") {
		t.Fatalf("b: %v (payment %+v), want the commit's error: its conflict was with a write that is gone", r.err, r.p)
	}
	// Nothing is stuck: the same change goes through now.
	if _, err := g.s.TransitionPayment(g.ctx, p.ID, payment.StatusCreated, payment.StatusFailed,
		payment.Update{}, payment.Event{Reason: "b"}); err != nil {
		t.Fatalf("after the failed commit: %v", err)
	}
}

// When SQLite drops the whole transaction, a member that failed after
// another member's write runs again too: its failure may rest on that write,
// which is gone. Here b fails when it finds a's row; its answer must come
// from a run after the loss (when a ran again and committed), not from the
// run whose view of a was thrown away.
func TestGroupCommit_LostTransactionRetriesTheConflictsItCaused(t *testing.T) {
	g := newGroupTest(t)
	g.s.AllowTxControlForTest() // c's ROLLBACK stands for SQLite dropping the transaction
	g.hold()
	var lostOnce atomic.Bool // set once c has ended a transaction
	errs := map[string]chan error{"a": make(chan error, 1), "b": make(chan error, 1), "c": make(chan error, 1)}
	var bLastAfterLoss atomic.Bool
	go func() {
		errs["a"] <- g.s.WithTxForTest(g.ctx, func(tx *sql.Tx) error { return insertK(g.ctx, tx, "a") })
	}()
	g.queued(1)
	errAExists := errors.New("a exists")
	go func() {
		errs["b"] <- g.s.WithTxForTest(g.ctx, func(tx *sql.Tx) error {
			bLastAfterLoss.Store(lostOnce.Load())
			var n int
			if err := tx.QueryRowContext(g.ctx, `SELECT COUNT(*) FROM t WHERE k = 'a'`).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return errAExists
			}
			return insertK(g.ctx, tx, "b")
		})
	}()
	g.queued(2)
	go func() {
		errs["c"] <- g.s.WithTxForTest(g.ctx, func(tx *sql.Tx) error {
			if lostOnce.Load() {
				return insertK(g.ctx, tx, "c")
			}
			_, err := tx.ExecContext(g.ctx, `ROLLBACK`)
			if err == nil {
				lostOnce.Store(true)
			}
			return err
		})
	}()
	g.queued(3)
	if err := g.release(); err != nil {
		t.Fatalf("gate: %v", err)
	}
	if err := <-errs["c"]; err == nil || !strings.Contains(err.Error(), "lost") {
		t.Fatalf("the member that ended the transaction: %v", err)
	}
	if err := <-errs["a"]; err != nil {
		t.Fatalf("a: %v", err)
	}
	if err := <-errs["b"]; !errors.Is(err, errAExists) || !bLastAfterLoss.Load() {
		t.Fatalf("b: %v, decided after the loss: %v; want its conflict with a's committed row, decided after the loss",
			err, bLastAfterLoss.Load())
	}
	if got := g.keys(); fmt.Sprint(got) != "[a gate]" {
		t.Fatalf("rows = %v, want a and gate", got)
	}
}

// A caller whose context ends while it is queued gets the context's error and
// its function never runs; one whose context ends while its function runs
// fails at its next statement and rolls back alone, without taking the
// group's transaction down (no sqlite3_interrupt on the writer).
func TestGroupCommit_Cancellation(t *testing.T) {
	g := newGroupTest(t)
	g.hold()
	qctx, cancelQueued := context.WithCancel(g.ctx)
	ran := make(chan struct{}, 1)
	queuedErr := make(chan error, 1)
	go func() {
		queuedErr <- g.s.WithTxForTest(qctx, func(tx *sql.Tx) error {
			ran <- struct{}{}
			return insertK(qctx, tx, "e")
		})
	}()
	mctx, cancelMid := context.WithCancel(g.ctx)
	midErr := make(chan error, 1)
	go func() {
		midErr <- g.s.WithTxForTest(mctx, func(tx *sql.Tx) error {
			if err := insertK(mctx, tx, "b"); err != nil {
				return err
			}
			cancelMid()
			return insertK(mctx, tx, "c")
		})
	}()
	okErr := make(chan error, 1)
	go func() { okErr <- g.s.WithTxForTest(g.ctx, func(tx *sql.Tx) error { return insertK(g.ctx, tx, "d") }) }()
	g.queued(3)
	cancelQueued()
	if err := g.release(); err != nil {
		t.Fatal(err)
	}
	if err := <-queuedErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("queued and cancelled: %v", err)
	}
	select {
	case <-ran:
		t.Fatal("a transaction cancelled while queued ran")
	default:
	}
	if err := <-midErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled while running: %v", err)
	}
	if err := <-okErr; err != nil {
		t.Fatalf("the rest of the group: %v", err)
	}
	if got := g.keys(); fmt.Sprint(got) != "[d gate]" {
		t.Fatalf("rows = %v, want d and gate", got)
	}
}

// When SQLite drops the whole transaction because of one member (here a stray
// ROLLBACK), that member fails and the members before it, which lost their
// work through no fault of their own, run again and commit.
func TestGroupCommit_LostTransactionRetriesTheInnocent(t *testing.T) {
	g := newGroupTest(t)
	g.s.AllowTxControlForTest() // b's ROLLBACK stands for SQLite dropping the transaction
	g.hold()
	aRuns := 0
	errs := make(map[string]chan error)
	for _, k := range []string{"a", "b"} {
		errs[k] = make(chan error, 1)
	}
	go func() {
		errs["a"] <- g.s.WithTxForTest(g.ctx, func(tx *sql.Tx) error { aRuns++; return insertK(g.ctx, tx, "a") })
	}()
	g.queued(1)
	go func() {
		errs["b"] <- g.s.WithTxForTest(g.ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(g.ctx, `ROLLBACK`)
			return err
		})
	}()
	g.queued(2)
	gateErr := g.release()
	if err := <-errs["b"]; err == nil || !strings.Contains(err.Error(), "lost") {
		t.Fatalf("the member that ended the transaction: %v", err)
	}
	// a runs three times: without savepoints (undone, because b ended the
	// transaction), in its savepoint (lost with the transaction b ended
	// again), and in the next group.
	if err := <-errs["a"]; err != nil || aRuns != 3 {
		t.Fatalf("innocent member: %v after %d runs, want success after 3", err, aRuns)
	}
	want := "[a gate]"
	if gateErr != nil {
		t.Fatalf("gate: %v", gateErr)
	}
	if got := g.keys(); fmt.Sprint(got) != want {
		t.Fatalf("rows = %v, want %s", got, want)
	}
}

// Many concurrent writers share commits, and every one of them is answered
// with its own payment durable.
func TestGroupCommit_ConcurrentWritersShareCommits(t *testing.T) {
	s := MustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "pb.db"))
	ctx := context.Background()
	before := s.Stats()
	var wg sync.WaitGroup
	const writers, each = 32, 8
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				p := &payment.Payment{
					ID: payment.NewID("pay", time.Now()), MerchantID: payment.DefaultMerchantID, Provider: "kakaopay",
					Channel: "api", OrderID: fmt.Sprintf("o-%d-%d", w, i), OrderName: "Tea", CustomerID: "c", Quantity: 1,
					Amount: 1000, Currency: "KRW", ExpiresAt: time.Now().Add(time.Minute),
				}
				if err := s.CreatePayment(ctx, p); err != nil {
					t.Errorf("create: %v", err)
				}
			}
		})
	}
	wg.Wait()
	after := s.Stats()
	n, _ := s.QueryIntForTest(ctx, `SELECT COUNT(*) FROM payments`)
	ev, _ := s.QueryIntForTest(ctx, `SELECT COUNT(*) FROM payment_events`)
	if n != writers*each || ev != n {
		t.Fatalf("payments = %d, events = %d, want %d each", n, ev, writers*each)
	}
	tx, commits := after.Transactions-before.Transactions, after.Commits-before.Commits
	if tx != writers*each || commits >= tx {
		t.Fatalf("%d transactions in %d commits: no commit was shared", tx, commits)
	}
	t.Logf("%d transactions in %d commits", tx, commits)
}

// Close lets the group in progress commit, then answers the transactions
// still queued with an error, without running them, and refuses new ones:
// a caller is never left waiting, and never told "done" for work not done.
func TestGroupCommit_CloseAnswersTheQueued(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pb.db")
	s, err := store.Open(context.Background(), "sqlite:"+path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	g := &groupTest{t: t, s: s, ctx: ctx}
	queued := make(chan error, 2)
	var once sync.Once
	// After the first group ran and before its COMMIT: two more queue
	// (too late to join it) and Close begins.
	s.SetBeforeCommitForTest(func(int) {
		once.Do(func() {
			for _, k := range []string{"a", "b"} {
				go func() { queued <- s.WithTxForTest(ctx, func(tx *sql.Tx) error { return insertK(ctx, tx, k) }) }()
			}
			g.queued(2)
			s.BeginCloseForTest()
		})
	})
	if err := s.ExecForTest(ctx, `CREATE TABLE t (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if err := s.WithTxForTest(ctx, func(tx *sql.Tx) error { return insertK(ctx, tx, "gate") }); err != nil {
		t.Fatalf("the group in progress: %v", err)
	}
	for range 2 {
		if err := <-queued; err == nil {
			t.Error("a transaction queued at Close was answered nil")
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.WithTxForTest(ctx, func(tx *sql.Tx) error { return insertK(ctx, tx, "x") }); err == nil {
		t.Error("a transaction after Close was answered nil")
	}
	s2 := MustOpen(t, "sqlite:"+path)
	if got := (&groupTest{t: t, s: s2, ctx: ctx}).keys(); fmt.Sprint(got) != "[gate]" {
		t.Fatalf("rows = %v, want only the gate's", got)
	}
}

// Ensure a group runs without savepoints while nothing goes wrong, and that
// anything that could leave work behind in the shared transaction — a
// failed function, or a statement error the function swallowed — undoes the
// group and runs it again, each member in its savepoint, so that what
// commits and what callers hear is what savepoints give.
func TestGroupCommit_FastPathFallsBackToSavepoints(t *testing.T) {
	boom := errors.New("boom")
	for _, c := range []struct {
		name   string
		fn     func(ctx context.Context, tx *sql.Tx) error
		err    error  // what the member's caller hears
		rows   string // what commits
		reruns bool   // whether the group runs again
	}{
		{"all succeed", func(ctx context.Context, tx *sql.Tx) error { return insertK(ctx, tx, "b") }, nil, "[a b gate]", false},
		{"a member fails after writing", func(ctx context.Context, tx *sql.Tx) error {
			if err := insertK(ctx, tx, "b"); err != nil {
				return err
			}
			return boom
		}, boom, "[a gate]", true},
		{"a member swallows a statement's error", func(ctx context.Context, tx *sql.Tx) error {
			insertK(ctx, tx, "a") // a's key again: refused, error ignored
			return insertK(ctx, tx, "b")
		}, nil, "[a b gate]", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := newGroupTest(t)
			g.hold()
			var mu sync.Mutex
			runs := map[string]int{}
			counted := func(name string, fn func(ctx context.Context, tx *sql.Tx) error) chan error {
				done := make(chan error, 1)
				go func() {
					done <- g.s.WithTxForTest(g.ctx, func(tx *sql.Tx) error {
						mu.Lock()
						runs[name]++
						mu.Unlock()
						return fn(g.ctx, tx)
					})
				}()
				return done
			}
			a := counted("a", func(ctx context.Context, tx *sql.Tx) error { return insertK(ctx, tx, "a") })
			g.queued(1)
			b := counted("b", c.fn)
			g.queued(2)
			if err := g.release(); err != nil {
				t.Fatal(err)
			}
			if err := <-a; err != nil {
				t.Fatalf("a: %v", err)
			}
			if err := <-b; !errors.Is(err, c.err) || (c.err == nil && err != nil) {
				t.Fatalf("b: %v, want %v", err, c.err)
			}
			if got := g.keys(); fmt.Sprint(got) != c.rows {
				t.Fatalf("rows = %v, want %s", got, c.rows)
			}
			want := map[bool]int{false: 1, true: 2}[c.reruns]
			if runs["a"] != want || runs["b"] != want {
				t.Fatalf("runs = %v, want %d each", runs, want)
			}
			// The next group is fast again: one run.
			if err := <-counted("c", func(ctx context.Context, tx *sql.Tx) error { return insertK(ctx, tx, "c") }); err != nil || runs["c"] != 1 {
				t.Fatalf("c: %v after %d runs", err, runs["c"])
			}
		})
	}
}

// Ensure a member cannot end, commit or nest the group's transaction: the
// statement is refused before it runs, the member fails alone, and the
// others commit.
func TestGroupCommit_MemberTxControlRefused(t *testing.T) {
	for _, q := range []string{`COMMIT`, `end`, `ROLLBACK`, `BEGIN`, `SAVEPOINT x`, `RELEASE pb_tx`,
		`INSERT INTO t (k) VALUES ('z'); COMMIT`, `-- a comment first
COMMIT`} {
		t.Run(strings.Fields(q)[0], func(t *testing.T) {
			g := newGroupTest(t)
			g.hold()
			a := make(chan error, 1)
			go func() {
				a <- g.s.WithTxForTest(g.ctx, func(tx *sql.Tx) error { return insertK(g.ctx, tx, "a") })
			}()
			g.queued(1)
			b := make(chan error, 1)
			go func() {
				b <- g.s.WithTxForTest(g.ctx, func(tx *sql.Tx) error {
					if err := insertK(g.ctx, tx, "b"); err != nil {
						return err
					}
					_, err := tx.ExecContext(g.ctx, q)
					return err
				})
			}()
			g.queued(2)
			if err := g.release(); err != nil {
				t.Fatal(err)
			}
			if err := <-a; err != nil {
				t.Fatalf("a: %v", err)
			}
			if err := <-b; err == nil || !strings.Contains(err.Error(), "may not begin, end or nest") {
				t.Fatalf("b ran %q: %v, want it refused", q, err)
			}
			if got := g.keys(); fmt.Sprint(got) != "[a gate]" {
				t.Fatalf("rows = %v, want a and gate", got)
			}
		})
	}
}
