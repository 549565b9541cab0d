package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/store"
)

// heldSync is a SQLite store whose WAL fsyncs wait until the test lets them
// go: a commit is then on the file but not yet durable.
type heldSync struct {
	s       *store.Store
	entered chan int      // an fsync is about to run, for this many members
	release chan struct{} // lets one fsync run
}

func newHeldSync(t *testing.T) *heldSync {
	t.Helper()
	h := &heldSync{
		s:       MustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "pb.db")),
		entered: make(chan int, 16), release: make(chan struct{}),
	}
	if err := h.s.ExecForTest(context.Background(), `CREATE TABLE t (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	// Runs before the store's Close (cleanups run last first): a test that
	// failed with an fsync held must not leave Close waiting for it.
	t.Cleanup(func() { close(h.release) })
	hold := false
	h.s.SetBeforeSyncForTest(func(members int) {
		if hold {
			h.entered <- members
			<-h.release
		}
	})
	// One write synced normally, so that everything before is durable.
	h.insert(t, "before")
	hold = true // read by the syncer only after the next commit hands over
	return h
}

func (h *heldSync) insert(t *testing.T, k string) error {
	t.Helper()
	return h.s.WithTxForTest(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO t (k) VALUES (?)`, k)
		return err
	})
}

// still reports whether ch has not delivered within a moment. A correct
// store cannot deliver at all while the fsync is held, so this cannot fail
// because the machine is slow; it only gives a wrong store time to show it.
func still[T any](ch <-chan T) bool {
	select {
	case <-ch:
		return false
	case <-time.After(50 * time.Millisecond):
		return true
	}
}

// Ensure a write is acknowledged only after the fsync that makes it durable,
// not when its COMMIT returns.
func TestWALSync_AcknowledgesAfterTheFsync(t *testing.T) {
	h := newHeldSync(t)
	done := make(chan error, 1)
	go func() { done <- h.insert(t, "a") }()
	if m := <-h.entered; m != 1 {
		t.Fatalf("the fsync answers %d members, want 1", m)
	}
	// The COMMIT has returned: the row is in the file, not yet durable.
	if !still(done) {
		t.Fatal("the write was acknowledged before its fsync ran")
	}
	h.release <- struct{}{}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Ensure a reader cannot see a commit before it is durable (as on
// PostgreSQL): a read that could have seen it returns only after its fsync.
func TestWALSync_ReadersWaitForTheFsync(t *testing.T) {
	h := newHeldSync(t)
	ctx := context.Background()
	done := make(chan error, 1)
	go func() { done <- h.insert(t, "a") }()
	<-h.entered

	type result struct {
		n   int64
		err error
	}
	reads := make(chan result, 2)
	go func() { // one row: database/sql's QueryRow
		n, err := h.s.QueryIntForTest(ctx, `SELECT COUNT(*) FROM t`)
		reads <- result{n, err}
	}()
	go func() { // rows until the end: a list
		n, err := h.s.CountRowsForTest(ctx, `SELECT k FROM t`)
		reads <- result{n, err}
	}()
	if !still(reads) {
		t.Fatal("a read returned while a commit it could see was not durable")
	}
	h.release <- struct{}{}
	for range 2 {
		if r := <-reads; r.err != nil || r.n != 2 {
			t.Fatalf("read = %d, %v; want both rows once durable", r.n, r.err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// A read whose context ends while it waits gives up with that error.
	go func() { done <- h.insert(t, "b") }()
	<-h.entered
	cctx, cancel := context.WithCancel(ctx)
	read := make(chan error, 1)
	go func() {
		_, err := h.s.QueryIntForTest(cctx, `SELECT COUNT(*) FROM t`)
		read <- err
	}()
	if !still(read) {
		t.Fatal("a read returned while a commit it could see was not durable")
	}
	cancel()
	if err := <-read; !errors.Is(err, context.Canceled) {
		t.Fatalf("read whose context ended = %v", err)
	}
	h.release <- struct{}{}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// With nothing waiting for an fsync a read does not wait.
	if n, err := h.s.QueryIntForTest(ctx, `SELECT COUNT(*) FROM t`); err != nil || n != 3 {
		t.Fatalf("read = %d, %v", n, err)
	}
}

// Ensure a failed fsync fails every transaction it was to make durable, and
// that the store then refuses to write or read rather than carry on over a
// log whose state on disk is unknown.
func TestWALSync_FailedFsyncStopsTheStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pb.db")
	s := MustOpen(t, "sqlite:"+path)
	ctx := context.Background()
	if err := s.ExecForTest(ctx, `CREATE TABLE t (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	broken := errors.New("EIO")
	s.SetSyncForTest(func(string) error { return broken })
	insert := func(k string) error {
		return s.WithTxForTest(ctx, func(tx *sql.Tx) error {
			_, err := tx.Exec(`INSERT INTO t (k) VALUES (?)`, k)
			return err
		})
	}
	err := insert("a")
	if !errors.Is(err, broken) || !strings.Contains(err.Error(), "could not be made durable") {
		t.Fatalf("write over a failed fsync = %v", err)
	}
	if err := insert("b"); !errors.Is(err, broken) {
		t.Fatalf("write after a failed fsync = %v, want it refused", err)
	}
	if _, err := s.QueryIntForTest(ctx, `SELECT COUNT(*) FROM t`); !errors.Is(err, broken) {
		t.Fatalf("read after a failed fsync = %v, want it refused", err)
	}
	if _, err := s.CountRowsForTest(ctx, `SELECT k FROM t`); !errors.Is(err, broken) {
		t.Fatalf("list after a failed fsync = %v, want it refused", err)
	}
	if _, err := s.QueryIntForTest(ctx, `SELECT 1 FROM t WHERE k = 'none'`); !errors.Is(err, broken) {
		t.Fatalf("read of nothing after a failed fsync = %v, want it refused", err)
	}
	s.Close()
	// The refused write never reached the file. (The first one did: its
	// COMMIT ran before its fsync failed, and whether it is on disk is
	// what nobody knows; its caller was told it failed.)
	s = MustOpen(t, "sqlite:"+path)
	if n, err := s.QueryIntForTest(ctx, `SELECT COUNT(*) FROM t WHERE k = 'b'`); err != nil || n != 0 {
		t.Fatalf("the refused write is in the file: %d, %v", n, err)
	}
}

// Ensure the writer does not sync in COMMIT (the WAL syncer does it beside
// it), that every fsync is counted, and that migrations, which commit beside
// the group committer, are synced too: a fresh store has synced once.
func TestWALSync_Setup(t *testing.T) {
	s := MustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "pb.db"))
	ctx := context.Background()
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "1"} {
		if got, err := s.PragmaForTest(ctx, pragma); err != nil || got != want {
			t.Errorf("writer's PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
	if st := s.Stats(); st.Commits != 1 || st.SyncTime <= 0 {
		t.Fatalf("after the migrations: %d fsyncs (%v), want 1", st.Commits, st.SyncTime)
	}
	var synced []string
	s.SetSyncForTest(func(path string) error {
		synced = append(synced, filepath.Base(path))
		return nil
	})
	if err := s.WithTxForTest(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`CREATE TABLE t (k TEXT)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(synced) != 1 || synced[0] != "pb.db-wal" || s.Stats().Commits != 2 {
		t.Fatalf("synced %v, %d fsyncs; want pb.db-wal once more", synced, s.Stats().Commits)
	}
}

// Ensure the WAL synced is the one SQLite writes: beside the file a
// symbolic link points to, not beside the link.
func TestWALSync_SymlinkedDatabase(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "real", "pb.db")
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	s := MustOpen(t, "sqlite:"+link)
	var synced []string
	s.SetSyncForTest(func(path string) error {
		synced = append(synced, path)
		return store.FdatasyncForTest(path)
	})
	if err := s.WithTxForTest(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`CREATE TABLE t (k TEXT)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.EvalSymlinks(target)
	if len(synced) != 1 || synced[0] != want+"-wal" {
		t.Fatalf("synced %v, want %s-wal", synced, want)
	}
}
