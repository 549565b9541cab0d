package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Group commit for SQLite.
//
// SQLite has one writer, and with synchronous=FULL every COMMIT waits for an
// fsync of the WAL: run one after another, transactions are bounded by the
// disk's fsync rate however many requests wait. The group committer is the
// one goroutine that owns the writer connection. It takes every transaction
// waiting at that moment, runs each inside its own SAVEPOINT of one
// BEGIN IMMEDIATE … COMMIT, and answers them all after that single COMMIT
// (one fsync) is on disk:
//
//   - a transaction whose function fails (or panics) is rolled back to its
//     savepoint; the others in the group are unaffected;
//   - nobody is answered before the COMMIT: a failed COMMIT fails every
//     member, so no caller is ever told "done" for work that is not durable;
//   - members read what earlier members of the group wrote; that is sound,
//     because they are committed together or not at all;
//   - if SQLite itself drops the whole transaction (it does on I/O errors,
//     a full disk or an interrupt), the members that had succeeded lost
//     their work through no fault of their own and are run again in the next
//     group (store transactions only talk to the database, so they can be);
//   - a caller whose context ends while it waits in the queue is answered
//     with the context's error and its function never runs; once its
//     function has run, it waits for the COMMIT, so its answer is the truth.
type groupCommitter struct {
	db *sql.DB // one connection: the writer
	// guard watches the writer's statements (stmtcache.go); nil runs
	// every member in a savepoint.
	guard *writerGuard
	// wal, when set, makes each group durable after its COMMIT, off the
	// writer's path (walsync.go); without it COMMIT itself syncs.
	wal *walSyncer
	// mu guards queue and closed. The queue is a slice under a mutex, not a
	// channel, so that a caller's place in it is fixed the moment it is
	// counted in waiting: transactions run in the order they were queued,
	// which a test (and anyone reading waiting) can rely on.
	mu     sync.Mutex
	queue  []*txRequest
	closed bool
	// wake holds one token when something may have been queued.
	wake chan struct{}
	quit chan struct{}
	done chan struct{}
	// maxGroup bounds the transactions of one group, and so the latency a
	// group adds to its first member.
	maxGroup int
	stats    *storeStats
	// beforeCommit, when set (tests), runs after a group's transactions and
	// before its COMMIT, with the number of members waiting for it.
	beforeCommit func(members int)
	// waiting counts callers queued and not yet taken by the committer.
	waiting atomic.Int64
}

// maxTxAttempts bounds how often a transaction is run again after another
// member of its group made SQLite drop the group.
const maxTxAttempts = 3

type txRequest struct {
	ctx      context.Context
	fn       func(*sql.Tx) error
	attempts int
	res      txResult
	answer   chan txResult // buffered: the committer never waits on a caller
}

type txResult struct {
	err      error
	panicked any
}

// errClosed answers transactions that arrive after Close.
var errClosed = errors.New("store: the database is closed")

func newGroupCommitter(db *sql.DB, wal *walSyncer, stats *storeStats) *groupCommitter {
	g := &groupCommitter{db: db, wal: wal, wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{}),
		maxGroup: 256, stats: stats}
	go g.run()
	return g
}

// do runs fn as one transaction of a group and returns once the group's
// COMMIT is durable (nil) or has failed (an error).
func (g *groupCommitter) do(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if g.wal != nil {
		if err := g.wal.err(); err != nil {
			return err // the log on disk is in doubt: nothing more is written
		}
	}
	r := &txRequest{ctx: ctx, fn: fn, answer: make(chan txResult, 1)}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return errClosed
	}
	g.queue = append(g.queue, r)
	g.waiting.Add(1)
	g.mu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default: // a token is already there
	}
	var res txResult
	select {
	case res = <-r.answer:
	case <-ctx.Done():
		if g.unqueue(r) {
			return ctx.Err() // never taken: fn never runs
		}
		// Taken: the committer always answers, and only it knows whether
		// fn ran, so the caller waits for it even though ctx ended.
		res = <-r.answer
	}
	if res.panicked != nil {
		panic(res.panicked)
	}
	return res.err
}

// unqueue removes r from the queue if the committer has not taken it yet.
func (g *groupCommitter) unqueue(r *txRequest) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, q := range g.queue {
		if q == r {
			g.queue = slices.Delete(g.queue, i, i+1)
			g.waiting.Add(-1)
			return true
		}
	}
	return false
}

// close stops the committer after the group in progress, and answers the
// committed groups once they are durable.
func (g *groupCommitter) close() {
	select {
	case <-g.quit:
	default:
		close(g.quit)
	}
	<-g.done
	if g.wal != nil {
		g.wal.close()
	}
}

func (g *groupCommitter) run() {
	defer close(g.done)
	var again []*txRequest
	careful := false
	for {
		batch := again
		if len(batch) == 0 {
			careful = false
			select {
			case <-g.quit:
				g.shut() // after the group in progress, whatever is queued
				return
			default:
			}
			if batch = g.take(g.maxGroup); len(batch) == 0 {
				select {
				case <-g.wake:
					continue
				case <-g.quit:
					g.shut()
					return
				}
			}
		}
		again, careful = g.group(batch, careful)
	}
}

// shut refuses new transactions and answers those still queued.
func (g *groupCommitter) shut() {
	g.mu.Lock()
	g.closed = true
	rest := g.queue
	g.queue = nil
	g.waiting.Add(-int64(len(rest)))
	g.mu.Unlock()
	for _, r := range rest {
		r.answer <- txResult{err: errClosed}
	}
}

// take removes up to n transactions from the head of the queue, without
// waiting.
func (g *groupCommitter) take(n int) []*txRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	n = min(n, len(g.queue))
	if n <= 0 {
		return nil
	}
	rs := slices.Clone(g.queue[:n])
	g.queue = slices.Delete(g.queue, 0, n)
	g.waiting.Add(-int64(n))
	return rs
}

// group runs one group: batch, plus whatever arrives while it runs, up to
// maxGroup. It returns the transactions to run again in the next group,
// and whether that group must run each in its own savepoint (careful).
//
// A group runs its members without savepoints first: a SAVEPOINT and a
// RELEASE per transaction, and SQLite copying every page a savepoint
// touches, were an eighth of the store's CPU, and members rarely fail. A
// member that fails or panics, or in which any statement failed (even if
// the function swallowed the error) or a statement could have ended the
// transaction, would leave its partial work or an unknown transaction
// behind: the whole group is rolled back unanswered and run again at once,
// careful. So every outcome a caller hears is the careful one.
func (g *groupCommitter) group(batch []*txRequest, careful bool) (again []*txRequest, againCareful bool) {
	bg := context.Background()
	start := time.Now()
	defer func() { g.stats.writerBusy.Add(int64(time.Since(start))) }()
	fail := func(err error) ([]*txRequest, bool) {
		for _, r := range batch {
			r.answer <- txResult{err: err}
		}
		return nil, false
	}
	careful = careful || g.guard == nil
	if g.wal != nil {
		if err := g.wal.err(); err != nil {
			return fail(err) // an fsync failed: nothing more is written
		}
	}
	conn, err := g.db.Conn(bg)
	if err != nil {
		return fail(fmt.Errorf("begin: %w", err))
	}
	defer conn.Close()
	tx, err := conn.BeginTx(bg, nil)
	if err != nil {
		return fail(fmt.Errorf("begin: %w", err))
	}
	// ran: every member whose function ran, answered after the COMMIT.
	var ran []*txRequest
	committing := 0 // members whose work the COMMIT carries
	for next := batch; len(next) > 0; next = g.take(g.maxGroup - len(ran)) {
		for i, r := range next {
			if err := r.ctx.Err(); err != nil {
				r.answer <- txResult{err: err} // never ran: nothing to wait for
				continue
			}
			r.attempts++
			if !careful {
				if g.fast(tx, r) {
					ran = append(ran, r)
					committing++
					continue
				}
				// Undo everything and run the group again, careful. The
				// fast run was not an attempt: nothing of it remains.
				tx.Rollback()
				again = append(append(ran, r), next[i+1:]...)
				for _, m := range again[:len(ran)+1] {
					m.attempts--
				}
				return again, true
			}
			lost := g.member(tx, r)
			if lost != nil {
				// SQLite dropped the transaction (it does on I/O errors, a
				// full disk, an interrupt, or a stray ROLLBACK): everything
				// the group did is gone. r, after which it happened, fails;
				// the members before it lost their work through no fault of
				// their own and run again in the next group, as do those not
				// run yet.
				tx.Rollback()
				// A member that failed after another's write may have
				// failed because of it (a conflict with a row that write
				// changed): that write is gone, so its failure is no
				// answer either. It had no effect, so it runs again too.
				answer := []*txRequest{}
				wrote := false
				for _, m := range ran {
					ok := m.res.err == nil && m.res.panicked == nil
					if (ok || wrote) && m.res.panicked == nil {
						if m.attempts < maxTxAttempts {
							again = append(again, m)
							wrote = wrote || ok
							continue
						}
						m.res.err = fmt.Errorf("store: the transaction was lost: %w", lost)
					}
					wrote = wrote || ok
					answer = append(answer, m)
				}
				if r.res.panicked == nil && (wrote || r.res.err == nil) {
					r.res.err = fmt.Errorf("store: the transaction was lost: %w", lost)
				}
				answer = append(answer, r)
				g.answer(answer)
				return append(again, next[i+1:]...), true
			}
			ran = append(ran, r)
			if r.res.err == nil && r.res.panicked == nil {
				committing++
			}
		}
		if len(ran) >= g.maxGroup {
			break
		}
	}
	if g.beforeCommit != nil {
		g.beforeCommit(committing)
	}
	var seq uint64
	if g.wal != nil {
		seq = g.wal.announce() // readers from now on wait for this COMMIT's fsync
	}
	t0 := time.Now()
	err = tx.Commit()
	g.stats.commitTime.Add(int64(time.Since(t0)))
	if err != nil {
		// A COMMIT refused by SQLite (a deferred constraint, SQLITE_BUSY)
		// leaves the transaction open on the connection, where database/sql
		// no longer sees it: end it, or the next group could not begin.
		conn.ExecContext(bg, `ROLLBACK`)
	}
	if err == nil && committing > 0 {
		if g.wal == nil {
			g.stats.commits.Add(1) // with wal, its fsyncs are counted
		}
		g.stats.transactions.Add(int64(committing))
	}
	// A failed COMMIT fails every member that wrote, and every member that
	// failed after one did: its failure may rest on that write (a conflict
	// with a row it changed), which is gone.
	wrote := false
	for _, r := range ran {
		ok := r.res.err == nil && r.res.panicked == nil
		if err != nil && (ok || wrote) && r.res.panicked == nil {
			r.res.err = fmt.Errorf("commit: %w", err)
		}
		wrote = wrote || ok
	}
	if g.wal != nil {
		// Answered once durable; meanwhile the writer goes on. (After a
		// failed COMMIT too: a member's answer may rest on what it read
		// of a group committed before.)
		g.wal.committed(seq, ran)
		return nil, false
	}
	for _, r := range ran {
		r.answer <- r.res
	}
	return nil, false
}

// answer answers members whose group did not commit, once everything
// committed before is durable (what they read may rest on it).
func (g *groupCommitter) answer(members []*txRequest) {
	if g.wal != nil {
		g.wal.after(members)
		return
	}
	for _, m := range members {
		m.answer <- m.res
	}
}

// fast runs r's function without a savepoint and reports whether it
// succeeded with every statement in it succeeding and none that could end
// the transaction.
func (g *groupCommitter) fast(tx *sql.Tx, r *txRequest) bool {
	before := g.guard.anomalies.Load()
	r.res = g.call(r.fn, tx)
	return r.res.err == nil && r.res.panicked == nil && g.guard.anomalies.Load() == before
}

// call runs a member's function, with the writer's guard told so.
func (g *groupCommitter) call(fn func(*sql.Tx) error, tx *sql.Tx) txResult {
	if g.guard != nil {
		g.guard.inMember.Store(true)
		defer g.guard.inMember.Store(false)
	}
	return call(fn, tx)
}

// member runs r's function inside a savepoint of tx and keeps its outcome in
// r.res. It returns an error only when the transaction itself is gone.
func (g *groupCommitter) member(tx *sql.Tx, r *txRequest) (lost error) {
	bg := context.Background()
	r.res = txResult{}
	if _, err := tx.ExecContext(bg, `SAVEPOINT pb_tx`); err != nil {
		return err // r did not run: it runs again
	}
	r.res = g.call(r.fn, tx)
	if r.res.err == nil && r.res.panicked == nil {
		if _, err := tx.ExecContext(bg, `RELEASE pb_tx`); err != nil {
			return err
		}
		return nil
	}
	if _, err := tx.ExecContext(bg, `ROLLBACK TO pb_tx`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(bg, `RELEASE pb_tx`); err != nil {
		return err
	}
	return nil
}

// call runs fn, turning a panic into a result the caller re-raises in its
// own goroutine (with the committer's stack, where it happened).
func call(fn func(*sql.Tx) error, tx *sql.Tx) (res txResult) {
	defer func() {
		if p := recover(); p != nil {
			res.panicked = fmt.Sprintf("%v\n\ngoroutine of the store's group commit:\n%s", p, debug.Stack())
		}
	}()
	return txResult{err: fn(tx)}
}

// storeStats counts what the store did, for the bench and the debug vars.
type storeStats struct {
	commits      atomic.Int64
	transactions atomic.Int64
	prepares     atomic.Int64
	statements   atomic.Int64
	readBacks    atomic.Int64
	writerBusy   atomic.Int64 // nanoseconds
	commitTime   atomic.Int64 // nanoseconds
	syncTime     atomic.Int64 // nanoseconds
	// guard is not a statistic: the writer's statements, watched for the
	// group committer.
	guard writerGuard
}

// writerGuard watches the statements on SQLite's writer connection for the
// group committer.
type writerGuard struct {
	// anomalies counts the statements that failed or that could end or
	// nest a transaction (transaction control, or several statements in
	// one text): a member runs without a savepoint only while none happens
	// in it.
	anomalies atomic.Int64
	// inMember is set while a member's function runs: a statement of it
	// that could end the group's transaction is refused before it runs
	// (a COMMIT there would commit the members before it unsynced, an END
	// or ROLLBACK undo them behind the committer's back).
	inMember atomic.Bool
	// allowControl lets a member run one anyway (tests: it stands for
	// SQLite dropping the transaction on an I/O error).
	allowControl atomic.Bool
}

// Stats are counters since the store was opened.
type Stats struct {
	// Commits are the fsyncs that made commits durable: on SQLite the
	// store's fsyncs of the WAL (each covers every group committed before
	// it began: one carries many transactions), on PostgreSQL one per
	// commit unless the server groups them itself. SQLite's checkpoints
	// (about one per 1,000 WAL pages) add their own.
	Commits int64 `json:"commits"`
	// Transactions are the write transactions committed.
	Transactions int64 `json:"transactions"`
	// Prepares are the statements SQLite compiled (each distinct query
	// once per connection while it stays in the cache); 0 on PostgreSQL,
	// where pgx keeps its own per-connection cache.
	Prepares int64 `json:"prepares"`
	// Statements are the SQL statements SQLite ran, reads and writes
	// (savepoints included; BEGIN and COMMIT not); 0 on PostgreSQL.
	Statements int64 `json:"statements"`
	// ReadBacks are the payments SQLite read back after their UPDATE
	// because the caller handed in no Update.Seen, or one the row had
	// moved past (seen.go); 0 on PostgreSQL, where the UPDATE returns the
	// row.
	ReadBacks int64 `json:"read_backs"`
	// WriterBusy is the time SQLite's writer spent running groups, and
	// CommitTime the part of it spent in COMMIT (writing the WAL, and
	// checkpoints): the writer is the bottleneck when WriterBusy grows as
	// fast as the clock. SyncTime is the time spent in the fsyncs that
	// make commits durable, beside the writer.
	WriterBusy time.Duration `json:"writer_busy"`
	CommitTime time.Duration `json:"commit_time"`
	SyncTime   time.Duration `json:"sync_time"`
}

// Stats returns the store's counters.
func (s *Store) Stats() Stats {
	return Stats{Commits: s.stats.commits.Load(), Transactions: s.stats.transactions.Load(),
		Prepares: s.stats.prepares.Load(), Statements: s.stats.statements.Load(), ReadBacks: s.stats.readBacks.Load(), WriterBusy: time.Duration(s.stats.writerBusy.Load()),
		CommitTime: time.Duration(s.stats.commitTime.Load()), SyncTime: time.Duration(s.stats.syncTime.Load())}
}
