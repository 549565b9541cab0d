// Package pgtest gives tests a PostgreSQL database of their own.
//
// With PAYBRIDGE_TEST_POSTGRES_URL set (a URL whose user may create
// databases), it uses that server. Otherwise it starts a throwaway server
// with initdb and pg_ctl from Debian's postgresql package, in a temporary
// directory, on a free loopback port, once per test binary, and stops it when
// the tests end (call Main from TestMain). PostgreSQL refuses to run as root,
// so as root the server runs as the postgres system user.
//
// Without PostgreSQL binaries the tests that need it skip, saying how to
// install them, unless PAYBRIDGE_TEST_REQUIRE_POSTGRES=1 (CI) makes that a
// failure.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

var errNotInstalled = errors.New("PostgreSQL binaries (initdb, pg_ctl) not found: apt-get install -y postgresql, or set PAYBRIDGE_TEST_POSTGRES_URL")

var (
	once     sync.Once
	adminURL string
	startErr error
	srv      *server
)

// Main runs the tests and then stops the throwaway server, if one was
// started. Use it as TestMain(m) { pgtest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	if srv != nil {
		srv.stop()
	}
	os.Exit(code)
}

// Available reports whether a PostgreSQL server is (or can be) at hand.
func Available() bool {
	_, err := admin()
	return err == nil
}

// NewDatabase creates an empty database for tb, drops it when tb ends, and
// returns its URL.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	return NewDatabaseWith(tb, "")
}

// ICUEnglish are CREATE DATABASE options for a database that sorts text
// the way an ordinary production PostgreSQL does (ICU's en-US: case and
// punctuation are not compared bytewise). ICU needs no OS locale.
const ICUEnglish = `TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`

// NewDatabaseWith is NewDatabase with CREATE DATABASE options (e.g.
// ICUEnglish).
func NewDatabaseWith(tb testing.TB, options string) string {
	tb.Helper()
	base, err := admin()
	if err != nil {
		if errors.Is(err, errNotInstalled) && os.Getenv("PAYBRIDGE_TEST_REQUIRE_POSTGRES") == "" {
			tb.Skip(err.Error())
		}
		tb.Fatalf("pgtest: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "pbtest_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name+" "+options); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Logf("pgtest: drop database %s: %v", name, err)
		}
	})
	u, _ := url.Parse(base)
	u.Path = "/" + name
	return u.String()
}

func admin() (string, error) {
	once.Do(func() {
		if u := os.Getenv("PAYBRIDGE_TEST_POSTGRES_URL"); u != "" {
			adminURL = u
			return
		}
		srv, startErr = start()
		if startErr == nil {
			adminURL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", srv.port)
		}
	})
	return adminURL, startErr
}

type server struct {
	dir    string
	port   int
	pgCtl  string
	asRoot bool
}

// findBin looks for a PostgreSQL program on PATH, then in Debian's
// versioned directories (newest first).
func findBin(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	sort.Slice(matches, func(i, j int) bool { return version(matches[i]) > version(matches[j]) })
	if len(matches) > 0 {
		return matches[0]
	}
	return ""
}

func version(path string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return v
}

func (s *server) command(args ...string) *exec.Cmd {
	if s.asRoot {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--"}, args...)...)
	}
	return exec.Command(args[0], args[1:]...)
}

func start() (*server, error) {
	initdb, pgCtl := findBin("initdb"), findBin("pg_ctl")
	if initdb == "" || pgCtl == "" {
		return nil, errNotInstalled
	}
	dir, err := os.MkdirTemp("", "paybridge-pg-")
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir, pgCtl: pgCtl, asRoot: os.Geteuid() == 0}
	if s.asRoot {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root needs the postgres system user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := s.command(initdb, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	s.port, err = freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// Durability is off: this server lives for one test run.
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300", s.port, dir)
	if out, err := s.command(pgCtl, "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "-o", opts, "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %v: %s\n%s", err, out, log)
	}
	return s, nil
}

func (s *server) stop() {
	s.command(s.pgCtl, "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop").Run()
	os.RemoveAll(s.dir)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
