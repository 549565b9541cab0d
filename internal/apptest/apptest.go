// Package apptest starts a real paybridge for tests: the whole program, on a
// loopback port chosen by the kernel, with a fresh SQLite file.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/app"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/httpapi"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/pgtest"
	sbiamport "github.com/paybridge/paybridge/internal/sandbox/iamport"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
	sbportone "github.com/paybridge/paybridge/internal/sandbox/portone"
	sbtoss "github.com/paybridge/paybridge/internal/sandbox/toss"
	"github.com/paybridge/paybridge/internal/secretbox"
	"github.com/paybridge/paybridge/internal/store"
	"github.com/paybridge/paybridge/internal/testutil"
)

// App is a running paybridge with an API key for the default merchant.
type App struct {
	*app.App
	// Key is a test key (sk_test_): it sees and creates the payments that
	// move no money (sandboxes, test credentials). LiveKey (sk_live_) is for
	// the providers a test configures with credentials that count as live.
	Key     string
	LiveKey string
	// Client does not follow redirects, so tests can look at each hop.
	Client *http.Client

	// Typed handles on the four providers' mounted sandboxes (nil where a
	// provider has credentials or paybridge runs live), for tests that
	// inject faults and count calls. The program itself only knows
	// App.Sandbox(name); a new provider's tests can use that.
	KakaoPaySandbox *sbkakaopay.Sandbox
	IamportSandbox  *sbiamport.Sandbox
	PortOneSandbox  *sbportone.Sandbox
	TossSandbox     *sbtoss.Sandbox
}

// Start runs paybridge with cfg changed by the given functions, and stops it
// when the test ends. Logs go to the test log when -v is set.
func Start(tb testing.TB, opts ...func(*config.Config)) *App {
	tb.Helper()
	var w io.Writer = io.Discard
	if testing.Verbose() || os.Getenv("PAYBRIDGE_TEST_LOG") != "" {
		w = testWriter{tb}
	}
	return StartLogged(tb, w, opts...)
}

// StartLogged is Start with the log written to w.
func StartLogged(tb testing.TB, w io.Writer, opts ...func(*config.Config)) *App {
	tb.Helper()
	cfg := config.Defaults
	cfg.Addr = "127.0.0.1:0"
	cfg.DatabaseURL = DatabaseURL(tb)
	cfg.SweepInterval = time.Hour // tests call Sweep themselves
	cfg.RateLimit = 0             // load tests send many requests with one key; rate tests set it
	cfg.PublicRateLimit = 0       // every test client is 127.0.0.1; the perimeter tests set it
	for _, o := range opts {
		o(&cfg)
	}
	if pg, _ := store.ParseURL(cfg.DatabaseURL); pg && cfg.SecretKey == "" {
		// Every instance on one PostgreSQL database shares the key.
		cfg.SecretKey = sharedSecretKey
	}
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.Start(context.Background(), cfg, log)
	if err != nil {
		tb.Fatalf("start paybridge: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Close(ctx); err != nil {
			tb.Errorf("close paybridge: %v", err)
		}
	})
	key, rec := httpapi.NewAPIKey(payment.DefaultMerchantID, "test", false, time.Now())
	if err := a.Store.CreateAPIKey(context.Background(), rec); err != nil {
		tb.Fatalf("create key: %v", err)
	}
	liveKey, liveRec := httpapi.NewAPIKey(payment.DefaultMerchantID, "test-live", true, time.Now())
	if err := a.Store.CreateAPIKey(context.Background(), liveRec); err != nil {
		tb.Fatalf("create key: %v", err)
	}
	jar, _ := cookiejar.New(nil)
	t := &App{App: a, Key: key, LiveKey: liveKey, Client: &http.Client{
		Jar:           jar,
		Timeout:       60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	t.KakaoPaySandbox, _ = a.Sandbox(payment.ProviderKakaoPay).(*sbkakaopay.Sandbox)
	t.IamportSandbox, _ = a.Sandbox(payment.ProviderIamport).(*sbiamport.Sandbox)
	t.PortOneSandbox, _ = a.Sandbox(payment.ProviderPortOne).(*sbportone.Sandbox)
	t.TossSandbox, _ = a.Sandbox(payment.ProviderToss).(*sbtoss.Sandbox)
	return t
}

// DatabaseURL returns a fresh database for a test: SQLite, or PostgreSQL
// when PAYBRIDGE_TEST_DATABASE=postgres (the package's TestMain must then
// call pgtest.Main). CI runs the end-to-end suites on both.
func DatabaseURL(tb testing.TB) string {
	switch e := os.Getenv("PAYBRIDGE_TEST_DATABASE"); e {
	case "", "sqlite":
		return "sqlite:" + filepath.Join(tb.TempDir(), "paybridge.db")
	case "postgres":
		return pgtest.NewDatabase(tb)
	default:
		tb.Fatalf("PAYBRIDGE_TEST_DATABASE=%q: want sqlite or postgres", e)
		return ""
	}
}

// sharedSecretKey is the key for secrets at rest of every paybridge a test
// process starts on PostgreSQL (SQLite ones generate their own file).
var sharedSecretKey = secretbox.NewKeyText()

// Live returns a copy of a whose Key is the live key.
func (a *App) Live() *App {
	c := *a
	c.Key = a.LiveKey
	return &c
}

type testWriter struct{ tb testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// LogBuffer collects log output written from many goroutines.
type LogBuffer = testutil.LogBuffer
