package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Durable commits off the writer's path (SQLite).
//
// With synchronous=FULL every COMMIT writes the group's pages to the WAL and
// then waits for the fsync of the WAL, and SQLite's one writer can do
// nothing else meanwhile: a third of its time under load. Instead the
// writer connection runs synchronous=NORMAL (its COMMIT writes the WAL but
// does not sync it; SQLite still syncs around every checkpoint, and WAL mode
// with NORMAL is always consistent) and the walSyncer makes commits durable
// itself: after each COMMIT the writer hands the group's members over and
// goes on with the next group, while the syncer fsyncs the WAL file and only
// then answers the members of every group committed before that fsync
// began. An fsync of a file flushes everything written to it before, so one
// fsync makes every earlier commit durable, and several groups share it.
//
// What the rules need, and how it holds:
//   - nobody is told "done" before the commit is durable: members are
//     answered only after an fsync that began after their COMMIT returned;
//   - nobody sees a change before it is durable (as on PostgreSQL, where a
//     commit becomes visible only once its WAL is flushed): a read on one of
//     the store's reader connections finishes with fence, which waits until
//     every COMMIT that had begun by then is synced. The writer announces a
//     COMMIT before it runs it, so a read that could have seen it waits for
//     it. (Another process on the same file is not fenced; paybridge runs
//     one process per SQLite file, several instances use PostgreSQL.)
//   - a failed fsync leaves the WAL's state on disk unknown (the kernel may
//     have dropped the pages it could not write): every member waiting for
//     it fails, and so does every later write and read, until paybridge is
//     restarted and SQLite recovers the database from what is on disk.
type walSyncer struct {
	path string // the WAL file
	// sync makes path durable; fdatasync by default, replaced by tests.
	sync func(path string) error

	// announced counts COMMITs begun, synced those made durable.
	announced, synced atomic.Uint64

	mu      sync.Mutex
	cond    *sync.Cond    // wakes the syncer: pending or closed changed
	tick    chan struct{} // closed (and replaced) after every fsync
	pending []syncWaiter
	failed  error // sticky: a failed fsync
	closed  bool
	done    chan struct{}
	dirOK   bool // the WAL's directory entry was synced once

	stats *storeStats
	// beforeSync, when set (tests), runs before each fsync with the number
	// of members it will answer.
	beforeSync func(members int)
}

// syncWaiter is one committed group: its members are answered once an fsync
// that began after its COMMIT is done.
type syncWaiter struct {
	seq     uint64
	members []*txRequest
}

func newWALSyncer(dbPath string, stats *storeStats) *walSyncer {
	w := &walSyncer{path: dbPath + "-wal", sync: fdatasyncFile, done: make(chan struct{}), tick: make(chan struct{}), stats: stats}
	w.cond = sync.NewCond(&w.mu)
	go w.run()
	return w
}

// announce is called by the writer right before a COMMIT; it returns the
// COMMIT's number. Readers that finish after this wait for its fsync.
func (w *walSyncer) announce() uint64 { return w.announced.Add(1) }

// committed is called by the writer once COMMIT seq has returned (whether or
// not it succeeded): the syncer answers members once seq is durable. Its
// number is synced even for a failed COMMIT, so that readers can go on.
// Only the goroutine holding the writer connection may announce and call
// committed, so no COMMIT is ever running between the two calls of another.
func (w *walSyncer) committed(seq uint64, members []*txRequest) {
	w.mu.Lock()
	if w.closed {
		// Cannot happen: the writer stops before the syncer closes.
		w.mu.Unlock()
		panic("store: commit after the WAL syncer closed")
	}
	w.pending = append(w.pending, syncWaiter{seq: seq, members: members})
	w.cond.Broadcast()
	w.mu.Unlock()
}

// after answers members once everything committed so far is durable:
// members whose functions ran but whose group did not commit (a lost
// transaction, a failed COMMIT) may have read a group committed before
// and not yet synced, and must not act on it before it is durable either.
// Only the writer's goroutine calls it.
func (w *walSyncer) after(members []*txRequest) {
	w.committed(w.announce(), members)
}

// fence returns once every COMMIT begun so far is durable, or the error
// that stopped that from happening, or ctx's error when it ends first.
// Readers call it before they hand a result back.
func (w *walSyncer) fence(ctx context.Context) error {
	target := w.announced.Load()
	for {
		if w.synced.Load() >= target {
			return nil
		}
		w.mu.Lock()
		failed, tick := w.failed, w.tick
		w.mu.Unlock()
		if failed != nil {
			return failed
		}
		if w.synced.Load() >= target {
			return nil
		}
		select {
		case <-tick:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// err is the sticky failure, if any: a write must not begin after it.
func (w *walSyncer) err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.failed
}

// syncNow makes everything committed so far durable before it returns:
// for writes that bypass the group committer (migrations). The caller must
// hold the writer connection (see committed).
func (w *walSyncer) syncNow(ctx context.Context) error {
	w.mu.Lock()
	closed := w.closed
	w.mu.Unlock()
	if closed {
		return errClosed
	}
	w.after(nil)
	return w.fence(ctx)
}

// close answers what is pending after one last fsync and stops the syncer.
// The writer must have stopped.
func (w *walSyncer) close() {
	w.mu.Lock()
	w.closed = true
	w.cond.Broadcast()
	w.mu.Unlock()
	<-w.done
}

func (w *walSyncer) run() {
	defer close(w.done)
	for {
		w.mu.Lock()
		for len(w.pending) == 0 && !w.closed {
			w.cond.Wait()
		}
		if len(w.pending) == 0 { // closed and drained
			w.mu.Unlock()
			return
		}
		batch := w.pending
		w.pending = nil
		failed := w.failed
		w.mu.Unlock()

		// Every COMMIT in batch has returned, so one fsync begun now makes
		// them all durable.
		target := batch[len(batch)-1].seq
		members := 0
		for _, b := range batch {
			members += len(b.members)
		}
		if failed == nil {
			if w.beforeSync != nil {
				w.beforeSync(members)
			}
			t0 := time.Now()
			if err := w.fsync(); err != nil {
				failed = fmt.Errorf("store: the database's log (%s) could not be made durable; restart paybridge: %w", filepath.Base(w.path), err)
			}
			w.stats.syncTime.Add(int64(time.Since(t0)))
			w.stats.commits.Add(1)
		}

		w.mu.Lock()
		if failed != nil {
			w.failed = failed
		} else {
			w.synced.Store(target)
		}
		close(w.tick)
		w.tick = make(chan struct{})
		w.mu.Unlock()

		for _, b := range batch {
			for _, r := range b.members {
				if failed != nil && r.res.err == nil && r.res.panicked == nil {
					r.res.err = failed
				}
				r.answer <- r.res
			}
		}
	}
}

// fsync makes the WAL durable: its data, and once its directory entry (a
// WAL file SQLite has just created is not durable until its directory is
// synced). The file is opened for each sync, so a WAL that SQLite truncated
// or recreated is the one synced.
func (w *walSyncer) fsync() error {
	if err := w.sync(w.path); err != nil {
		return err
	}
	if !w.dirOK {
		if err := syncDir(filepath.Dir(w.path)); err != nil {
			return err
		}
		w.dirOK = true
	}
	return nil
}

func fdatasyncFile(path string) error {
	// The WAL exists while the store's connections are open (SQLite
	// removes it only when the last one closes); a missing one is an error.
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return fdatasync(f)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// syncOutside makes durable what was committed on the writer outside the
// group committer, once that connection is back in the pool (db copy): an
// empty transaction of the group committer is answered only after an
// fsync that began after its COMMIT, which covers everything before it.
func (s *Store) syncOutside(ctx context.Context) error {
	if s.group == nil || s.group.wal == nil {
		return nil
	}
	return s.group.do(ctx, func(*sql.Tx) error { return nil })
}
