package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/pgtest"
)

func TestMain(m *testing.M) {
	// paybridge bench runs its sandbox and server as processes of this
	// binary, and the README test runs it as paybridge (readme_test.go).
	if os.Getenv(benchChildEnv) != "" || os.Getenv(runAsCLI) == "1" {
		os.Exit(cliMain())
	}
	pgtest.Main(m)
}

// Ensure "db copy" moves a database that a real paybridge filled into
// PostgreSQL, and prints matching counts and checksums for every table.
func TestRun_DBCopy(t *testing.T) {
	src := "sqlite:" + filepath.Join(t.TempDir(), "pb.db")
	a := apptest.Start(t, func(c *config.Config) { c.DatabaseURL = src })
	for _, body := range []string{
		`{"provider":"kakaopay","order_id":"o-1","order_name":"Tea","amount":1000,"quantity":1,"customer_id":"c"}`,
		`{"provider":"kakaopay","order_id":"o-2","order_name":"Coffee","amount":2000,"quantity":2,"customer_id":"c"}`,
	} {
		mustPost(t, a, body)
	}
	dst := pgtest.NewDatabase(t)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"db", "copy", "--from", src, "--to", dst}, func(string) string { return "" }, &out, &errOut); err != nil {
		t.Fatalf("db copy: %v\n%s%s", err, out.String(), errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 7 || !strings.Contains(lines[len(lines)-1], "every table matches") {
		t.Fatalf("output:\n%s", out.String())
	}
	for _, l := range lines[1 : len(lines)-1] {
		f := strings.Fields(l)
		if len(f) != 5 || f[1] != f[2] || f[3] != f[4] || len(f[3]) != 64 {
			t.Fatalf("row %q: counts and checksums must match", l)
		}
		if f[0] == "payments" && f[1] != "2" {
			t.Fatalf("payments copied: %s", f[1])
		}
	}
	if strings.Contains(out.String(), "password") {
		t.Fatal("a URL password was printed")
	}
	// Copying again into the now full destination is refused.
	if err := run(context.Background(), []string{"db", "copy", "--from", src, "--to", dst}, func(string) string { return "" }, &out, &errOut); err == nil {
		t.Fatal("copied into a non-empty destination")
	}
}
