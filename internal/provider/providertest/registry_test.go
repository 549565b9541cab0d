package providertest

import (
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/provider"
	"github.com/paybridge/paybridge/internal/provider/registry"
	"github.com/paybridge/paybridge/internal/sandbox"
	"github.com/paybridge/paybridge/internal/testutil"
)

// publicURL is where the contract pretends paybridge serves: every request
// goes in-process to the mounted sandbox, so no host is ever dialled.
const publicURL = "http://paybridge.test"

// build mounts r's sandbox as paybridge serve does (internal/app's
// buildProviders: the Registration's Sandbox.New at its prefix, its
// Adapter on an in-process client) and returns the adapter with a browser
// on the same mux.
func build(t *testing.T, r *provider.Registration) Env {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sb := r.Sandbox.New(r.Config.Default, provider.SandboxOptions{PublicURL: publicURL + r.Sandbox.Prefix, Logger: log})
	mux := http.NewServeMux()
	mux.Handle(r.Sandbox.Prefix+"/", http.StripPrefix(r.Sandbox.Prefix, sb.Handler))
	tr := sandbox.Transport(mux)
	p, err := sb.Adapter(provider.Env{Logger: log, HTTPClient: &http.Client{Transport: tr, Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatalf("%s: sandbox adapter: %v", r.Name, err)
	}
	if p.Name() != r.Name || p.Finishing() != r.Finishing {
		t.Fatalf("adapter is %s %+v, registration %s %+v", p.Name(), p.Finishing(), r.Name, r.Finishing)
	}
	browser := &http.Client{Transport: tr, Timeout: 5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return Env{Provider: p, Browser: browser, Sandbox: sb.Handler}
}

// TestContract runs the contract against every registered provider's
// sandbox: a provider added to the registry is held to it with no test of
// its own.
func TestContract(t *testing.T) {
	for _, r := range registry.All() {
		t.Run(r.Name, func(t *testing.T) {
			t.Run("Flow", func(t *testing.T) { Flow(t, build(t, r), testutil.SandboxPayment(r.Name)) })
			for _, action := range []string{"cancel", "fail"} {
				t.Run("BuyerLeaves/"+action, func(t *testing.T) { _, _ = BuyerLeaves(t, build(t, r), testutil.SandboxPayment(r.Name), action) })
			}
			t.Run("TamperedWindow", func(t *testing.T) { TamperedWindow(t, build(t, r), testutil.SandboxPayment(r.Name)) })
			t.Run("TamperedRecord", func(t *testing.T) { TamperedRecord(t, build(t, r), testutil.SandboxPayment(r.Name)) })
			t.Run("LostCancel", func(t *testing.T) { LostCancel(t, build(t, r), testutil.SandboxPayment(r.Name)) })
		})
	}
}
