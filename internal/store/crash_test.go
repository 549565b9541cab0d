package store_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/paybridge/paybridge/internal/store"
)

// The crash test's child: it writes pairs of rows, one transaction per pair,
// from many goroutines, and prints "ack N" the moment transaction N is
// acknowledged. In mode "self" it kills itself (SIGKILL) in the middle of a
// group: after the group's transactions ran, before their COMMIT.
const crashChildEnv = "PAYBRIDGE_TEST_CRASH_CHILD"

func crashChild(path, mode string) {
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+path, store.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if mode == "sync" {
		// Killed after a group's COMMIT, before the fsync that would make it
		// durable and let it be acknowledged.
		var syncs atomic.Int64
		s.SetBeforeSyncForTest(func(members int) {
			if members > 1 && syncs.Add(1) == 25 {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // never sync
			}
		})
	}
	if mode == "self" {
		var groups atomic.Int64
		s.SetBeforeCommitForTest(func(members int) {
			if members > 1 && groups.Add(1) == 25 {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // never commit
			}
		})
	}
	var (
		next atomic.Int64
		mu   sync.Mutex
	)
	// A kill keeps what the kernel holds of the file, so, to stand for a
	// power cut, the parent cuts the WAL back to what the last fsync
	// covered: the child says how long the WAL was when each fsync began.
	// With no checkpoints the WAL only grows.
	if err := s.ExecForTest(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	s.SetSyncForTest(func(wal string) error {
		fi, err := os.Stat(wal)
		if err != nil {
			return err
		}
		if err := store.FdatasyncForTest(wal); err != nil {
			return err
		}
		mu.Lock()
		os.Stdout.WriteString("synced " + strconv.FormatInt(fi.Size(), 10) + "\n")
		mu.Unlock()
		return nil
	})
	for range 32 {
		go func() {
			for {
				n := next.Add(1)
				err := s.WithTxForTest(ctx, func(tx *sql.Tx) error {
					for _, part := range []string{"a", "b"} {
						if _, err := tx.ExecContext(ctx, `INSERT INTO pairs (n, part) VALUES (?, ?)`, n, part); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(3)
				}
				mu.Lock()
				os.Stdout.WriteString("ack " + strconv.FormatInt(n, 10) + "\n") // unbuffered: a write(2)
				mu.Unlock()
			}
		}()
	}
	select {}
}

// Ensure a process killed in the middle of a group of commits, with the WAL
// then cut back to what its last fsync covered (a power cut), loses nothing
// it acknowledged and leaves no transaction half applied: every pair whose
// "ack" was printed has both rows after the database is reopened, and no
// pair has one row without the other.
func TestGroupCommit_CrashKeepsAcknowledgedTransactions(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path, os.Getenv(crashChildEnv+"_MODE"))
		return
	}
	for _, mode := range []string{"self", "sync", "kill"} {
		t.Run(mode, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pb.db")
			s := MustOpen(t, "sqlite:"+path)
			if err := s.ExecForTest(context.Background(), `CREATE TABLE pairs (n INTEGER NOT NULL, part TEXT NOT NULL, PRIMARY KEY (n, part))`); err != nil {
				t.Fatal(err)
			}
			s.Close()

			cmd := exec.Command(os.Args[0], "-test.run=^TestGroupCommit_CrashKeepsAcknowledgedTransactions$")
			cmd.Env = append(os.Environ(), crashChildEnv+"="+path, crashChildEnv+"_MODE="+mode)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			acked := map[int64]bool{}
			sc := bufio.NewScanner(out)
			killed := false
			var synced int64
			for sc.Scan() {
				if size, ok := strings.CutPrefix(sc.Text(), "synced "); ok {
					n, err := strconv.ParseInt(size, 10, 64)
					if err != nil {
						t.Fatalf("child said %q", sc.Text())
					}
					synced = max(synced, n)
					continue
				}
				n, err := strconv.ParseInt(strings.TrimPrefix(sc.Text(), "ack "), 10, 64)
				if err != nil {
					t.Fatalf("child said %q", sc.Text())
				}
				acked[n] = true
				if mode == "kill" && len(acked) == 500 && !killed {
					cmd.Process.Kill() // SIGKILL, wherever it is
					killed = true
				}
			}
			err = cmd.Wait()
			ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
			if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("child ended with %v, not killed: %s", err, stderr.String())
			}
			if len(acked) == 0 {
				t.Fatalf("the child acknowledged nothing before it was killed: %s", stderr.String())
			}

			// The power cut: what no fsync covered is gone.
			if err := os.Truncate(path+"-wal", synced); err != nil {
				t.Fatal(err)
			}
			s = MustOpen(t, "sqlite:"+path)
			ctx := context.Background()
			half, err := s.QueryIntForTest(ctx, `SELECT COUNT(*) FROM (SELECT n FROM pairs GROUP BY n HAVING COUNT(*) <> 2)`)
			if err != nil || half != 0 {
				t.Fatalf("%d transactions half applied (%v)", half, err)
			}
			for n := range acked {
				if c, err := s.QueryIntForTest(ctx, `SELECT COUNT(*) FROM pairs WHERE n = ?`, n); err != nil || c != 2 {
					t.Fatalf("acknowledged transaction %d has %d rows after the crash (%v)", n, c, err)
				}
			}
			total, _ := s.QueryIntForTest(ctx, `SELECT COUNT(DISTINCT n) FROM pairs`)
			t.Logf("%d acknowledged, %d durable (the rest were committed but not yet acknowledged)", len(acked), total)
		})
	}
}
